"""Short lists shown beside their parent row, read in the parent's own query.

A customer's page shows the person with a few licences and open tickets, each policy with its
premium entries: a query per list costs more Python than the rows it reads. `nested_rows` puts
a list in its parent's row as a JSON array (PostgreSQL `ARRAY(SELECT jsonb_build_object(…))`,
the list's own order and slice kept) and `instances` makes the model instances back from it,
each value read as its field reads it. A related row's fields ("vehicle__plate") come back on
an instance of its model; instances from here are for showing, never for saving.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.postgres.expressions import ArraySubquery
from django.db import models
from django.db.models import F, QuerySet, TextField
from django.db.models.functions import Cast, JSONObject


def _field(model: type[models.Model], path: str) -> models.Field:
    *related, name = path.split("__")
    for step in related:
        model = model._meta.get_field(step).related_model
    return model._meta.get_field(name)


def nested_rows(queryset: QuerySet, *fields: str) -> ArraySubquery:
    """`queryset`'s rows as a JSON array, `fields` only, for an annotation of the outer query
    (`queryset` refers to the outer row with OuterRef). Decimals travel as text: exact."""
    columns = {
        path: Cast(path, TextField())
        if isinstance(_field(queryset.model, path), models.DecimalField)
        else F(path)
        for path in fields
    }
    return ArraySubquery(queryset.values(row=JSONObject(**columns)))


def _read(model: type[models.Model], values: dict) -> models.Model:
    fields = {}
    for name, value in values.items():
        field = model._meta.get_field(name)
        fields[field.attname] = None if value is None else field.to_python(value)
    return model(**fields)


def _build(model: type[models.Model], row: dict) -> models.Model:
    own, related = {}, defaultdict(dict)
    for path, value in row.items():
        name, _, rest = path.partition("__")
        if rest:
            related[name][rest] = value
        else:
            own[name] = value
    instance = _read(model, own)
    for name, values in related.items():
        field = model._meta.get_field(name)
        if all(value is None for value in values.values()):
            field.set_cached_value(instance, None)  # no related row: read as None, never queried
            continue
        other = _build(field.related_model, values)
        if field.concrete:  # a foreign key: assigning the row sets the column from its pk
            other.pk = other.pk if other.pk is not None else getattr(instance, field.attname)
            setattr(instance, name, other)
        else:  # the reverse side of a one-to-one
            field.set_cached_value(instance, other)
    return instance


def instances(model: type[models.Model], rows: Iterable[dict] | None) -> list:
    """Instances of `model` from a `nested_rows` array, a related row's fields on an instance of
    its model ("policy__vehicle__plate" two steps away; None when all of them are null)."""
    return [_build(model, row) for row in rows or ()]
