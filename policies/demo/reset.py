"""Removal of the demo data: everything reachable from the demo branches, nothing else.

The demo branches are known by code (`data.DEMO_BRANCH_CODES`). Their vehicles are those
with a policy at a demo branch; their people the owners and policyholders of those
vehicles who have no business outside the demo. Rows of any app that refer to them —
claims, tickets, reminders — go with them, following each foreign key's `on_delete`
(SET_NULL is honoured, everything else is deleted), all in set-based SQL so a million
policies go in one statement per table.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.apps import apps
from django.db import connection, models

from policies.models import Branch, Person, Policy, User, Vehicle

from .data import DEMO_BRANCH_CODES

_TEMP = {
    "branch": "jqx_demo_branch",
    "vehicle": "jqx_demo_vehicle",
    "person": "jqx_demo_person",
    "user": "jqx_demo_user",
}


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _referrers(model: type[models.Model]) -> Iterator[tuple[type[models.Model], models.Field]]:
    """Every foreign key (of any installed model, m2m tables included) that points at `model`."""
    for other in apps.get_models(include_auto_created=True):
        for field in other._meta.concrete_fields:
            if field.is_relation and field.remote_field.model is model:
                yield other, field


def _delete(cursor, model: type[models.Model], pk_sql: str, depth: int = 0) -> None:
    """Delete the rows of `model` whose key is in `pk_sql`, first whatever refers to them."""
    if depth > 8:
        raise RuntimeError(f"foreign keys refer back to {model.__name__} too deeply to remove demo data")
    table, pk = _qn(model._meta.db_table), _qn(model._meta.pk.column)
    for other, field in _referrers(model):
        other_table, column = _qn(other._meta.db_table), _qn(field.column)
        target = field.target_field.column
        referred = pk_sql if field.target_field.primary_key else (
            f"SELECT {_qn(target)} FROM {table} WHERE {pk} IN ({pk_sql})"
        )  # fmt: skip
        if other is model:  # a chain within the table: unlink rows that stay
            cursor.execute(
                f"UPDATE {table} SET {column} = NULL WHERE {column} IN ({referred}) AND {pk} NOT IN ({pk_sql})"
            )
        elif field.remote_field.on_delete is models.SET_NULL:
            cursor.execute(f"UPDATE {other_table} SET {column} = NULL WHERE {column} IN ({referred})")
        else:
            other_pk = _qn(other._meta.pk.column)
            _delete(
                cursor,
                other,
                f"SELECT {other_pk} FROM {other_table} WHERE {column} IN ({referred})",
                depth + 1,
            )
    cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({pk_sql})")


def demo_reset() -> None:
    """Delete the demo data (call inside a transaction)."""
    branch_t, policy_t, vehicle_t = (_qn(m._meta.db_table) for m in (Branch, Policy, Vehicle))
    user_t = _qn(User._meta.db_table)
    demo = {key: _qn(name) for key, name in _TEMP.items()}
    codes = ", ".join(["%s"] * len(DEMO_BRANCH_CODES))
    with connection.cursor() as cursor:
        for name in demo.values():
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TEMP TABLE {demo['branch']} AS SELECT id FROM {branch_t} WHERE code IN ({codes})",
                       list(DEMO_BRANCH_CODES))  # fmt: skip
        cursor.execute(
            f"CREATE TEMP TABLE {demo['vehicle']} AS SELECT DISTINCT vehicle_id AS id FROM {policy_t} "
            f"WHERE branch_id IN (SELECT id FROM {demo['branch']})"
        )
        # People of the demo vehicles, unless they own or hold something outside the demo.
        cursor.execute(
            f"CREATE TEMP TABLE {demo['person']} AS "
            f"SELECT owner_id AS id FROM {vehicle_t} WHERE id IN (SELECT id FROM {demo['vehicle']}) "
            f"UNION SELECT policyholder_id FROM {policy_t} WHERE vehicle_id IN (SELECT id FROM {demo['vehicle']}) "
            f"UNION SELECT insured_id FROM {policy_t} WHERE vehicle_id IN (SELECT id FROM {demo['vehicle']}) "
            f"EXCEPT SELECT owner_id FROM {vehicle_t} WHERE id NOT IN (SELECT id FROM {demo['vehicle']}) "
            f"EXCEPT SELECT policyholder_id FROM {policy_t} WHERE vehicle_id NOT IN (SELECT id FROM {demo['vehicle']}) "
            f"EXCEPT SELECT insured_id FROM {policy_t} WHERE vehicle_id NOT IN (SELECT id FROM {demo['vehicle']})"
        )
        cursor.execute(
            f"CREATE TEMP TABLE {demo['user']} AS SELECT id FROM {user_t} "
            f"WHERE branch_id IN (SELECT id FROM {demo['branch']})"
        )
        if connection.vendor == "postgresql":
            for name in demo.values():
                cursor.execute(f"ANALYZE {name}")
        _delete(cursor, Vehicle, f"SELECT id FROM {demo['vehicle']}")
        _delete(cursor, Person, f"SELECT id FROM {demo['person']}")
        _delete(cursor, User, f"SELECT id FROM {demo['user']}")
        _delete(cursor, Branch, f"SELECT id FROM {demo['branch']}")
        for name in demo.values():
            cursor.execute(f"DROP TABLE {name}")
