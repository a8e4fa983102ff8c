"""The seeded liability limits cite the regulation as the repository documents it
(docs/regulation.md) instead of a page outside it; rows a supervisor wrote are left alone."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Replace


def _cite(old: str, new: str):
    def run(apps, schema_editor):
        model = apps.get_model("claims", "LiabilityLimit")
        model.objects.filter(source__startswith=old).update(source=Replace("source", Value(old), Value(new)))

    return run


class Migration(migrations.Migration):
    dependencies = [("claims", "0002_seed_limits_thresholds_and_roles")]
    operations = [
        migrations.RunPython(
            _cite("DOMAIN §", "docs/regulation.md §"), _cite("docs/regulation.md §", "DOMAIN §")
        )
    ]
