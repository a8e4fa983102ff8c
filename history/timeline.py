"""Reading the change history: an object's changes as old → new lines, and a search across
every tracked table. A fixed number of queries per page: one per event table read, one for
the contexts' users."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Group
from django.db import models

from core.clock import local, start_of_day
from history.models import (
    AFTER,
    BEFORE,
    CREATE,
    DELETE,
    EVENT_MODELS,
    LABELS,
    GroupPermissionEvent,
    UserGroupEvent,
    UserPermissionEvent,
)
from policies.models import User

SEARCH_LIMIT = 200  # newest changes a search shows
HIDDEN = frozenset({"id", "pgh_id", "pgh_created_at", "pgh_label", "pgh_obj", "pgh_context"})
# Membership rows of the many-to-many tables: (event model, its owner column, what it names).
MEMBERSHIPS = {
    User: [(UserGroupEvent, "user_id", "group"), (UserPermissionEvent, "user_id", "permission")],
    Group: [(GroupPermissionEvent, "group_id", "permission")],
}


@dataclass
class Change:
    """One change to one record: when, by whom, through what, and each field old → new."""

    at: dt.datetime
    label: str
    model: str
    object_id: Any
    object_label: str
    user: str = ""
    via: str = ""
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (field, old, new)
    seq: int = 0  # the event's id: orders changes made in one transaction (one timestamp)

    @property
    def action(self) -> str:
        return LABELS.get(self.label, self.label)

    @property
    def at_local(self) -> dt.datetime:
        return local(self.at)


def _tracked_fields(event_model) -> list[models.Field]:
    return [f for f in event_model._meta.concrete_fields if f.name not in HIDDEN]


def shown(event, f: models.Field) -> str:
    """A field's value as a person reads it: choices by label, foreign keys by id, money and
    dates as they are, empty as —."""
    value = getattr(event, f.attname)
    if value is None or value == "":
        return "—"
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return f"{local(value):%Y-%m-%d %H:%M:%S}"
    return str(value)


def _context(event) -> dict:
    context = getattr(event, "pgh_context", None)
    return context.metadata if context is not None else {}


def _via(meta: dict) -> str:
    """Where the change came from: a service and its reason, a page, else outside the portal."""
    if meta.get("service"):
        reason = f"：{meta['reason']}" if meta.get("reason") else ""
        return f"{meta['service']}{reason}"
    if meta.get("url"):
        return str(meta["url"])
    return "门户之外（数据库直接修改或脚本）"


def changes_of(events: Sequence, *, verbose: str) -> list[Change]:
    """The events of one table, oldest first, as changes: each update's `before` and `after`
    rows paired (the two triggers of one UPDATE, in whichever order they fired), creations and
    deletions with their values."""
    if not events:
        return []
    fields = _tracked_fields(type(events[0]))
    result: list[Change] = []
    waiting: dict[tuple[Any, str], Any] = {}  # (row, label) -> the half of an update seen first
    for event in events:
        key = getattr(event, "pgh_obj_id", None) or event.pk
        if event.pgh_label in (BEFORE, AFTER):
            other = BEFORE if event.pgh_label == AFTER else AFTER
            partner = waiting.pop((key, other), None)
            if partner is None:
                waiting[(key, event.pgh_label)] = event
                continue
            old, new = (partner, event) if event.pgh_label == AFTER else (event, partner)
            diff = [
                (str(f.verbose_name), shown(old, f), shown(new, f))
                for f in fields
                if getattr(old, f.attname) != getattr(new, f.attname)
            ]
            if diff:
                result.append(_change(new, verbose, AFTER, diff))
        elif event.pgh_label in (CREATE, DELETE):
            values = [
                (str(f.verbose_name), shown(event, f))
                for f in fields
                if getattr(event, f.attname) not in (None, "")
            ]
            diff = [(name, "—", v) if event.pgh_label == CREATE else (name, v, "—") for name, v in values]
            result.append(_change(event, verbose, event.pgh_label, diff))
    # An update whose other half fell outside the rows read (a search's limit): its values.
    for (_, label), event in waiting.items():
        if label == AFTER:
            diff = [(str(f.verbose_name), "…", shown(event, f)) for f in fields]
            result.append(_change(event, verbose, AFTER, diff))
    return result


def _change(event, verbose: str, label: str, fields: list) -> Change:
    meta = _context(event)
    return Change(
        at=event.pgh_created_at, label=label, model=verbose,
        object_id=getattr(event, "pgh_obj_id", None) or event.pk, object_label=_object_label(event),
        user=meta.get("user") or "", via=_via(meta), fields=fields, seq=event.pk,
    )  # fmt: skip


def _object_label(event) -> str:
    for name in ("number", "username", "name", "category", "province", "region", "plan"):
        value = getattr(event, name, None)
        if value:
            display = getattr(event, f"get_{name}_display", None)
            return str(display() if display else value)
    return ""


def _name_users(changes: Iterable[Change]) -> None:
    changes = list(changes)
    ids = {c.user for c in changes if isinstance(c.user, int)}
    names = {u.pk: f"{u.username}（{u.last_name}{u.first_name}）" for u in User.objects.filter(pk__in=ids)}
    for change in changes:
        change.user = names.get(change.user, str(change.user)) if change.user else "—"


def _events(event_model, **where) -> list:
    return list(event_model.objects.filter(**where).select_related("pgh_context").order_by("pgh_id"))


def object_history(obj: models.Model) -> list[Change]:
    """Every change to `obj` (and, for a staff account, to its roles and permissions), newest
    first."""
    model = type(obj)
    event_model = EVENT_MODELS[model]
    changes = changes_of(_events(event_model, pgh_obj_id=obj.pk), verbose=str(model._meta.verbose_name))
    for membership, column, _ in MEMBERSHIPS.get(model, []):
        changes += changes_of(
            _events(membership, **{column: obj.pk}), verbose=str(membership._meta.verbose_name)
        )
    _name_users(changes)
    return sorted(changes, key=lambda c: (c.at, c.seq), reverse=True)


@dataclass(frozen=True)
class Query:
    """A search of the history: which table, which record, by whom, between which days."""

    model: type[models.Model] | None = None
    object_id: int | None = None
    user: User | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def search(query: Query) -> list[Change]:
    """The newest `SEARCH_LIMIT` changes matching `query`, across the tracked tables."""
    tables = [(query.model, EVENT_MODELS[query.model])] if query.model else list(EVENT_MODELS.items())
    extra = [] if query.model or query.object_id else [
        (None, m) for m in (UserGroupEvent, UserPermissionEvent, GroupPermissionEvent)
    ]  # fmt: skip
    where: dict[str, Any] = {}
    if query.user is not None:
        where["pgh_context__metadata__user"] = query.user.pk
    if query.since:
        where["pgh_created_at__gte"] = start_of_day(query.since)
    if query.until:
        where["pgh_created_at__lt"] = start_of_day(query.until + dt.timedelta(days=1))
    changes = []
    for model, event_model in [*tables, *extra]:
        filters = dict(where)
        if query.object_id is not None:
            filters["pgh_obj_id"] = query.object_id
        events = list(
            event_model.objects.filter(**filters)
            .select_related("pgh_context")
            .order_by("-pgh_id")[: SEARCH_LIMIT * 2]
        )
        verbose = str((model or event_model)._meta.verbose_name)
        changes += changes_of(events[::-1], verbose=verbose)
    _name_users(changes)
    return sorted(changes, key=lambda c: (c.at, c.seq), reverse=True)[:SEARCH_LIMIT]
