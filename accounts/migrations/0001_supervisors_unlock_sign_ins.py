"""Supervisors unlock locked-out sign-ins in admin (delete the lockout record) and reset a
colleague's second factor after a lost phone (delete the device: the colleague enrols anew
at the next sign-in)."""

from django.db import migrations

from policies.roles import SUPERVISOR, grant

PERMISSIONS = [
    "axes.view_accessattempt",
    "axes.delete_accessattempt",
    "axes.view_accesslog",
    "axes.view_accessfailurelog",
    "otp_totp.view_totpdevice",
    "otp_totp.delete_totpdevice",
    "otp_static.view_staticdevice",
    "otp_static.delete_staticdevice",
]


def grant_permissions(apps, schema_editor):
    grant(apps, SUPERVISOR, PERMISSIONS)


def revoke_permissions(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=SUPERVISOR):
        for name in PERMISSIONS:
            app_label, codename = name.split(".")
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0004_create_roles"),
        ("axes", "0010_accessattemptexpiration"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]
    operations = [migrations.RunPython(grant_permissions, revoke_permissions)]
