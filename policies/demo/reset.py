"""Removal of the demo data: everything reachable from the demo branches, nothing else.

The demo branches are known by code (`data.DEMO_BRANCH_CODES`). Their vehicles are those
with a policy at a demo branch; their people the owners and policyholders of those
vehicles who have no business outside the demo. Rows of any app that refer to them —
claims, tickets, reminders — go with them, following each foreign key's `on_delete`
(SET_NULL is honoured, everything else is deleted). All of it is set-based SQL over
temporary tables of keys, so a million policies go in one statement per table.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.apps import apps
from django.db import connection, models

from policies.importing.bulk import without_statement_timeout
from policies.models import Branch, Person, Policy, ProvinceRule, User, Vehicle

from .data import DEMO_BRANCH_CODES, DEMO_RULE_SOURCE


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _keys(cursor, name: str, select_sql: str, params=None) -> str:
    """Materialise a set of keys (a one-column query named `id`) as a temporary table."""
    cursor.execute(f"DROP TABLE IF EXISTS {_qn(name)}")
    cursor.execute(f"CREATE TEMP TABLE {_qn(name)} AS {select_sql}", params)
    cursor.execute(f"ANALYZE {_qn(name)}")
    return _qn(name)


def _referrers(model: type[models.Model]) -> Iterator[tuple[type[models.Model], models.Field]]:
    """Every foreign key (of any installed model with a table of its own, m2m tables included)
    that points at `model`. Unmanaged models (django-pghistory's aggregate `Events` views)
    hold no rows."""
    for other in apps.get_models(include_auto_created=True):
        if not other._meta.managed or other._meta.proxy:
            continue
        for field in other._meta.concrete_fields:
            if field.is_relation and field.remote_field.model is model:
                yield other, field


def _delete(cursor, model: type[models.Model], select_sql: str, depth: int = 0) -> None:
    """Delete the rows of `model` whose key `select_sql` selects, first whatever refers to them."""
    if depth > 8:
        raise RuntimeError(f"foreign keys refer back to {model.__name__} too deeply to remove demo data")
    table, pk = _qn(model._meta.db_table), _qn(model._meta.pk.column)
    keys = _keys(cursor, f"jqx_del_{depth}_{model._meta.db_table}", select_sql)
    ids = f"SELECT id FROM {keys}"
    for other, field in _referrers(model):
        other_table, column = _qn(other._meta.db_table), _qn(field.column)
        target = field.target_field
        referred = (
            ids if target.primary_key else f"SELECT {_qn(target.column)} FROM {table} WHERE {pk} IN ({ids})"
        )
        if other is model:  # a chain within the table: unlink the rows that stay
            cursor.execute(
                f"UPDATE {table} SET {column} = NULL WHERE {column} IN ({referred}) "
                f"AND NOT EXISTS (SELECT 1 FROM {keys} k WHERE k.id = {table}.{pk})"
            )
        elif field.remote_field.on_delete is models.SET_NULL:
            cursor.execute(f"UPDATE {other_table} SET {column} = NULL WHERE {column} IN ({referred})")
        else:
            other_pk = _qn(other._meta.pk.column)
            _delete(
                cursor,
                other,
                f"SELECT {other_pk} AS id FROM {other_table} WHERE {column} IN ({referred})",
                depth + 1,
            )
    cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({ids})")
    cursor.execute(f"DROP TABLE {keys}")


def demo_reset() -> None:
    """Delete the demo data (call inside a transaction)."""
    branch_t, policy_t, vehicle_t, user_t = (_qn(m._meta.db_table) for m in (Branch, Policy, Vehicle, User))
    codes = ", ".join(["%s"] * len(DEMO_BRANCH_CODES))
    without_statement_timeout()
    with connection.cursor() as cursor:
        branches = _keys(
            cursor,
            "jqx_demo_branch",
            f"SELECT id FROM {branch_t} WHERE code IN ({codes})",
            list(DEMO_BRANCH_CODES),
        )
        vehicles = _keys(
            cursor, "jqx_demo_vehicle",
            f"SELECT DISTINCT vehicle_id AS id FROM {policy_t} WHERE branch_id IN (SELECT id FROM {branches})",
        )  # fmt: skip
        outside_vehicle = f"NOT EXISTS (SELECT 1 FROM {vehicles} d WHERE d.id = x.%s)"
        # People of the demo vehicles, unless they own or hold something outside the demo.
        persons = _keys(
            cursor, "jqx_demo_person",
            f"SELECT c.id FROM ("
            f"SELECT v.owner_id AS id FROM {vehicle_t} v JOIN {vehicles} d ON d.id = v.id "
            f"UNION SELECT p.policyholder_id FROM {policy_t} p JOIN {vehicles} d ON d.id = p.vehicle_id "
            f"UNION SELECT p.insured_id FROM {policy_t} p JOIN {vehicles} d ON d.id = p.vehicle_id) c "
            f"WHERE NOT EXISTS (SELECT 1 FROM {vehicle_t} x WHERE x.owner_id = c.id AND {outside_vehicle % 'id'}) "
            f"AND NOT EXISTS (SELECT 1 FROM {policy_t} x WHERE x.policyholder_id = c.id "
            f"AND {outside_vehicle % 'vehicle_id'}) "
            f"AND NOT EXISTS (SELECT 1 FROM {policy_t} x WHERE x.insured_id = c.id AND {outside_vehicle % 'vehicle_id'})",
        )  # fmt: skip
        users = _keys(
            cursor, "jqx_demo_user", f"SELECT id FROM {user_t} WHERE branch_id IN (SELECT id FROM {branches})"
        )
        _delete(cursor, Vehicle, f"SELECT id FROM {vehicles}")
        _delete(cursor, Person, f"SELECT id FROM {persons}")
        _delete(cursor, User, f"SELECT id FROM {users}")
        _delete(cursor, Branch, f"SELECT id FROM {branches}")
        for name in (branches, vehicles, persons, users):
            cursor.execute(f"DROP TABLE {name}")
    ProvinceRule.objects.filter(source=DEMO_RULE_SOURCE).delete()
