"""A person's given name — the name after its first character, the surname — in code-point
order with the id: the hotline finds 张建平 and 李建平 when the caller gives only "建平"
(`desks.hotline.search.named`: `SUBSTRING(name, 2) COLLATE "C" LIKE '建平%'` is a range on it).
Built CONCURRENTLY, so a live table of millions of people keeps taking writes."""

from django.db import migrations

from core.online_indexes import concurrently

INDEX = 'person_given_name_idx ON policies_person ((SUBSTRING(name, 2) COLLATE "C"), id)'


def forwards(apps, schema_editor):
    schema_editor.execute(f"CREATE INDEX {concurrently(schema_editor)} IF NOT EXISTS {INDEX}")


def backwards(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX {concurrently(schema_editor)} IF EXISTS person_given_name_idx")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction
    dependencies = [("policies", "0019_keyset_list_indexes")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
