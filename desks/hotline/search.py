"""The hotline's one search box: what a term is (`policies.search.classify`), and the
customers and vehicles it names — indexed look-ups only, a fixed number of queries per kind.

A term that may be two kinds (an 18-digit number is an ID number and a policy number) is
searched as each; the result says which of them matched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Collate, Substr

from policies.identifiers import PLATE_PROVINCES
from policies.models import Person, Policy, Vehicle
from policies.search import TermKind, classify, problems

MAX_PEOPLE = 200  # customers one term may stand for; more means "be more specific"
MAX_VEHICLES = 500
NOT_FOUND_HINTS = {
    TermKind.POLICY_NUMBER: "核对保单号：电子保单号以 JQX 开头，后接起保年份和 10 位序号。",
    TermKind.PLATE: "核对号牌（新能源号牌 8 位）；换牌车辆以最新行驶证为准，也可改用车架号查询。",
    TermKind.VIN: "核对 17 位车架号（不含字母 I、O、Q），或改用号牌查询。",
    TermKind.ID_NUMBER: "核对身份证号；客户可能未在本公司投保，或车辆登记在他人或单位名下（可改用号牌查询）。",
    TermKind.PHONE: "核对手机号；客户可能登记了其他号码，可改用身份证号或号牌查询。",
    TermKind.NAME: "核对姓名用字（同音字、少数民族姓名的间隔点）；重名较多时请改用手机号或身份证号。",
    TermKind.NAME_PLATE: "核对姓名（或名字）和号牌片段；也可只输入姓名，或改用完整号牌、手机号查询。",
}
UNRECOGNISED_HINT = (
    "可输入：保单号（如 JQX20260000000042）、号牌（如 苏A12345）、17 位车架号、18 位身份证号、"
    "11 位手机号或中文姓名；空格、小写和全角字符会自动规范。"
)
SIMILAR_MIN_LENGTH = 3  # shorter terms have no trigram an index could look up by substring
GIVEN_NAME_MIN_LENGTH = 2  # a given name alone ("建平" for 张建平): one character would be too many
PERSON_FIELDS = ("id", "name", "id_number", "phone", "address")  # the address: the city beside the name


@dataclass(frozen=True)
class KindMatch:
    """What one reading of the term found."""

    kind: TermKind
    value: str  # the normalised term
    people: tuple[Person, ...] = ()
    vehicle_ids: tuple[int, ...] = ()
    policy: Policy | None = None  # the policy a policy number named
    truncated: bool = False
    similar: bool = False  # names: none begins with the term; these are the closest

    @property
    def found(self) -> bool:
        return bool(self.people or self.vehicle_ids)

    @property
    def label(self) -> str:
        return TermKind(self.kind).label

    @property
    def hint(self) -> str:
        return NOT_FOUND_HINTS[self.kind]

    @property
    def summary(self) -> str:
        """ "按手机号找到 1 位客户、2 辆车" — or that this reading found nothing."""
        if not self.found:
            return f"按{self.label}未找到"
        parts = []
        if self.people:
            more = "以上" if self.truncated else ""
            parts.append(f"{len(self.people)} 位{more}{'姓名相近的' if self.similar else ''}客户")
        if self.vehicle_ids:
            parts.append(f"{len(self.vehicle_ids)} 辆车")
        return f"按{self.label}找到 " + "、".join(parts)


@dataclass(frozen=True)
class SearchResult:
    term: str
    matches: tuple[KindMatch, ...]
    problems: tuple[str, ...]  # why the term is not a valid identifier it looks like

    @property
    def recognised(self) -> bool:
        return bool(self.matches)

    @property
    def found(self) -> bool:
        return any(m.found for m in self.matches)

    @property
    def ambiguous(self) -> bool:
        return len(self.matches) > 1

    @property
    def truncated(self) -> bool:
        return any(m.truncated for m in self.matches)

    @property
    def vehicle_ids(self) -> list[int]:
        return list(dict.fromkeys(v for m in self.matches for v in m.vehicle_ids))

    @property
    def people(self) -> list[Person]:
        return list({p.pk: p for m in self.matches for p in m.people}.values())

    @property
    def kinds_label(self) -> str:
        return "或".join(m.label for m in self.matches)


def search(term: str, *, day: dt.date | None = None) -> SearchResult:
    """Every reading of `term`, each looked up (at most three queries per reading)."""
    matches = tuple(_LOOKUPS[kind](value) for kind, value in classify(term))
    return SearchResult(term=term.strip(), matches=matches, problems=tuple(problems(term, today=day)))


def _by_policy_number(value: str) -> KindMatch:
    policy = (
        Policy.objects.only("id", "number", "vehicle_id", "start_date", "end_date")
        .filter(number=value)
        .first()
    )
    vehicles = (policy.vehicle_id,) if policy else ()
    return KindMatch(TermKind.POLICY_NUMBER, value, vehicle_ids=vehicles, policy=policy)


def _by_vehicle(kind: TermKind, value: str, field: str) -> KindMatch:
    found = list(
        Vehicle.objects.filter(**{field: value})
        .order_by("pk")
        .values_list("pk", flat=True)[: MAX_VEHICLES + 1]
    )
    return KindMatch(
        kind, value, vehicle_ids=tuple(found[:MAX_VEHICLES]), truncated=len(found) > MAX_VEHICLES
    )


def _by_people(
    kind: TermKind,
    value: str,
    people: QuerySet[Person] | list[Person],
    *,
    similar: bool = False,
    plate_part: str = "",
) -> KindMatch:
    found = people if isinstance(people, list) else list(people.only(*PERSON_FIELDS)[: MAX_PEOPLE + 1])
    vehicle_ids, more = vehicles_of([p.pk for p in found[:MAX_PEOPLE]], plate_part=plate_part)
    return KindMatch(
        kind,
        value,
        people=tuple(found[:MAX_PEOPLE]),
        vehicle_ids=vehicle_ids,
        truncated=len(found) > MAX_PEOPLE or more,
        similar=similar,
    )


def vehicles_of(person_ids: list[int], *, plate_part: str = "") -> tuple[tuple[int, ...], bool]:
    """The vehicles these people own, hold or are insured on a policy of (with `plate_part`,
    only those whose plate contains it) — one query, a UNION of three indexed look-ups (an OR
    across them would scan); and whether there were more than `MAX_VEHICLES`."""
    if not person_ids:
        return (), False
    owned = Vehicle.objects.filter(owner_id__in=person_ids)
    held = Policy.objects.filter(Q(policyholder_id__in=person_ids) | Q(insured_id__in=person_ids))
    if plate_part:
        owned, held = (
            owned.filter(plate__contains=plate_part),
            held.filter(vehicle__plate__contains=plate_part),
        )
    owned = owned.values_list("pk", flat=True)
    found = list(owned.union(held.values_list("vehicle_id", flat=True))[: MAX_VEHICLES + 1])
    return tuple(sorted(found)[:MAX_VEHICLES]), len(found) > MAX_VEHICLES


def named(value: str, *, having: Exists | None = None) -> list[Person]:
    """People whose name begins with `value`, or whose given name does ("建平" finds 张建平 and
    李建平: a customer often gives only the given name), in name order, `MAX_PEOPLE` + 1 at
    most. One statement, a UNION of two ranges read in index order and each stopped at the
    cap: the name's (person_name_code_order_idx) and the name's after its first character, the
    surname (person_given_name_idx) — an OR of the two would have the planner walk one index
    end to end."""
    people = Person.objects.only(*PERSON_FIELDS)
    if having is not None:
        people = people.filter(having)
    by_name = Collate("name", "C")
    prefix = people.alias(c_name=by_name).filter(c_name__startswith=value).order_by(by_name, "pk")
    if len(value) < GIVEN_NAME_MIN_LENGTH:
        return list(prefix[: MAX_PEOPLE + 1])
    by_given = Collate(Substr("name", 2), "C")
    given = people.alias(c_given=by_given).filter(c_given__startswith=value).order_by(by_given, "pk")
    found = prefix[: MAX_PEOPLE + 1].union(given[: MAX_PEOPLE + 1])
    return sorted(found, key=lambda p: (p.name, p.pk))[: MAX_PEOPLE + 1]  # code points: "C" order


def _by_name(value: str) -> KindMatch:
    """Names (or given names) beginning with the term, in name order; failing that, the names
    most alike by trigrams (a GIN index) — e.g. a name given without its middle dot."""
    match = _by_people(TermKind.NAME, value, named(value))
    if match.people:
        return match
    alike = Q(name__trigram_similar=value)
    if len(value) >= SIMILAR_MIN_LENGTH:
        alike |= Q(name__contains=value)
    similar = (
        Person.objects.filter(alike).annotate(sim=TrigramSimilarity("name", value)).order_by("-sim", "pk")
    )
    return _by_people(TermKind.NAME, value, similar, similar=True)


def _by_name_and_plate(value: str) -> KindMatch:
    """A name or given name and part of a plate ("建平 A12"): the people so named with a
    vehicle whose plate contains the part, and only those vehicles."""
    name, plate_part = value.split(" ")
    if plate_part[0] not in PLATE_PROVINCES and not plate_part.isascii():
        return KindMatch(TermKind.NAME_PLATE, value)
    owns = Exists(Vehicle.objects.filter(owner_id=OuterRef("pk"), plate__contains=plate_part))
    return _by_people(TermKind.NAME_PLATE, value, named(name, having=owns), plate_part=plate_part)


_LOOKUPS = {
    TermKind.POLICY_NUMBER: _by_policy_number,
    TermKind.PLATE: lambda value: _by_vehicle(TermKind.PLATE, value, "plate"),
    TermKind.VIN: lambda value: _by_vehicle(TermKind.VIN, value, "vin"),
    TermKind.ID_NUMBER: lambda value: _by_people(
        TermKind.ID_NUMBER, value, Person.objects.filter(id_number=value)
    ),
    TermKind.PHONE: lambda value: _by_people(
        TermKind.PHONE, value, Person.objects.filter(phone=value).order_by("pk")
    ),
    TermKind.NAME: _by_name,
    TermKind.NAME_PLATE: _by_name_and_plate,
}


def uninsured(vehicle_ids: list[int], *, limit: int = 10) -> list[Vehicle]:
    """Of these vehicles, those with no policy with us (they have no row in the results)."""
    if not vehicle_ids:
        return []
    has_policy = Exists(Policy.objects.filter(vehicle_id=OuterRef("pk")))
    return list(
        Vehicle.objects.filter(pk__in=vehicle_ids)
        .filter(~has_policy)
        .select_related("owner")
        .only("id", "plate", "owner__id", "owner__name", "owner__id_number", "owner__phone")
        .order_by("pk")[:limit]
    )
