"""The seeded tariff rows cite the regulation as the repository documents it
(docs/regulation.md) instead of a page outside it; rows a supervisor wrote are left alone."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Replace

MODELS = [
    "BasePremiumRate",
    "FloatingPlanRegion",
    "FloatingRate",
    "ShortTermRate",
    "VehicleTaxRate",
    "ProvinceRule",
]


def _cite(old: str, new: str):
    def run(apps, schema_editor):
        for name in MODELS:
            model = apps.get_model("policies", name)
            model.objects.filter(source__startswith=old).update(
                source=Replace("source", Value(old), Value(new))
            )

    return run


class Migration(migrations.Migration):
    dependencies = [("policies", "0011_models_moved_to_outbox_reminders_channels")]
    operations = [
        migrations.RunPython(
            _cite("DOMAIN §", "docs/regulation.md §"), _cite("docs/regulation.md §", "DOMAIN §")
        )
    ]
