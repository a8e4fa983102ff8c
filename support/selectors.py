"""Reads of the support app's pages, in domain language. Which tickets a user may see
is `support.access`'s call."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import BooleanField, F, Q, QuerySet
from django.db.models.expressions import RawSQL

from claims.selectors import claims_of_vehicles
from core.clock import today
from policies import search
from policies.models import Person, Policy, User, Vehicle
from policies.quotes import vehicle_renewal_state
from policies.renewal import RenewalState
from support import textsearch
from support.access import tickets_for_user
from support.models import Article, Ticket, TicketEvent

KB_CANDIDATES = 40  # ranked by PostgreSQL, then scored by coverage in Python


def ticket_for_detail() -> QuerySet[Ticket]:
    """Tickets with everything their page shows (for `access.get_ticket_for_user`)."""
    return Ticket.objects.select_related(
        "queue__branch", "queue__supervisor", "assignee", "customer", "vehicle", "policy", "claim",
        "merged_into", "escalated_to", "created_by",
    )  # fmt: skip


def queue_tickets(user: User) -> QuerySet[Ticket]:
    """The tickets of the queues `user` may see, most urgent first."""
    return tickets_for_user(user, Ticket.objects.with_related().by_urgency())


def my_tickets(user: User) -> QuerySet[Ticket]:
    """The tickets assigned to `user` that are not closed, most urgent first."""
    return tickets_for_user(user).filter(assignee=user).unfinished().with_related().by_urgency()


def escalated_to(user: User) -> QuerySet[Ticket]:
    return Ticket.objects.filter(escalated_to=user).unfinished().with_related().by_urgency()


def ticket_history(ticket: Ticket) -> list[TicketEvent]:
    """The ticket's events and those of the tickets merged into it, in time order."""
    # A subquery, not an OR across the join, so both sides use their indexes.
    tickets = Ticket.objects.filter(Q(pk=ticket.pk) | Q(merged_into=ticket)).values("pk")
    return list(
        TicketEvent.objects.filter(ticket__in=tickets)
        .select_related("actor", "message", "ticket")
        .order_by("created_at", "pk")
    )


def mergeable_into(ticket: Ticket, user: User) -> QuerySet[Ticket]:
    """Other unfinished tickets of the same customer the user can see: where a duplicate
    of `ticket` could be merged."""
    if ticket.customer_id is None or ticket.is_merged:
        return Ticket.objects.none()
    return (
        tickets_for_user(user)
        .filter(customer_id=ticket.customer_id)
        .unfinished()
        .exclude(pk=ticket.pk)
        .order_by("created_at")
    )


@dataclass(frozen=True)
class CustomerPolicy:
    policy: Policy
    renewal: RenewalState | None

    @property
    def is_latest(self) -> bool:
        return self.renewal is not None


MAX_VEHICLES = 200  # a fleet owner's ticket shows the policies of their first 200 vehicles


def vehicle_ids_of(person: Person) -> list[int]:
    """The vehicles `person` owns, or holds or is insured on a policy of — as a short list of
    ids (one query, each branch of the UNION on its own index). The pages then fetch policies
    and claims by these ids: a subquery in their place lets the planner walk a date index
    backwards over every policy or claim until it meets the customer's (seconds at 1M)."""
    owned = Vehicle.objects.filter(owner=person).values_list("pk", flat=True)
    held = Policy.objects.filter(policyholder=person).values_list("vehicle_id", flat=True)
    insured = Policy.objects.filter(insured=person).values_list("vehicle_id", flat=True)
    return sorted(set(owned.union(held, insured)[:MAX_VEHICLES]))


def customer_policies(
    person: Person, *, limit: int = 12, vehicle_ids: list[int] | None = None
) -> list[CustomerPolicy]:
    """The policies of the vehicles `person` holds, owns or is insured on, newest first (the
    latest `limit`), the latest of each vehicle with its renewal status today (one query beyond
    the vehicle ids)."""
    ids = vehicle_ids_of(person) if vehicle_ids is None else vehicle_ids
    if not ids:
        return []
    # Every policy of those few vehicles, in the order of the (vehicle, start) index — no ORDER
    # BY start date and LIMIT for the planner to serve by walking the start-date index over
    # every policy in the table; the newest are picked here.
    by_vehicle: dict[int, list[Policy]] = {}
    for p in (
        Policy.objects.filter(vehicle_id__in=ids)
        .select_related("vehicle", "branch")
        .order_by("vehicle_id", "start_date", "pk")
    ):
        by_vehicle.setdefault(p.vehicle_id, []).append(p)
    newest = sorted(
        (p for ps in by_vehicle.values() for p in ps), key=lambda p: (p.start_date, p.pk), reverse=True
    )
    day = today()
    rows = []
    for p in newest[:limit]:
        latest = by_vehicle[p.vehicle_id][-1].pk == p.pk
        state = (
            vehicle_renewal_state(by_vehicle[p.vehicle_id], day=day, province=p.branch.province)
            if latest
            else None
        )
        rows.append(CustomerPolicy(p, state))
    return rows


def customer_claims(person: Person, *, limit: int = 8, vehicle_ids: list[int] | None = None):
    """The claims on the vehicles `person` holds, owns or is insured on, newest accident
    first (one query beyond the vehicle ids)."""
    ids = vehicle_ids_of(person) if vehicle_ids is None else vehicle_ids
    if not ids:
        return []
    # In the order of the (vehicle, accident) index, the newest picked here (see customer_policies).
    claims = claims_of_vehicles(ids).order_by("vehicle_id", "accident_at", "pk")
    return sorted(claims, key=lambda c: (c.accident_at, c.pk), reverse=True)[:limit]


@dataclass(frozen=True)
class ArticleHit:
    article: Article
    score: float


def kb_search(query: str, *, limit: int = 8) -> list[ArticleHit]:
    """Published articles answering `query` (in Chinese), best first.

    Text is indexed as character bigrams (see `support.textsearch`). The GIN index on
    `search_vector` finds the candidates sharing a term with the query, ranked by `ts_rank`;
    they are then scored by the share of the query's terms they contain."""
    terms = textsearch.query_terms(query)
    if not terms:
        return []
    candidates = _ranked_candidates(terms)
    hits = [
        ArticleHit(a, textsearch.score(terms, title=a.title_terms, body=a.body_terms)) for a in candidates
    ]
    hits = [h for h in hits if h.score > 0]
    # Equal coverage: the article that speaks of the terms most often comes first.
    hits.sort(key=lambda h: (-h.score, -_occurrences(h.article, terms), h.article.title))
    return hits[:limit]


def _occurrences(article: Article, terms: list[str]) -> int:
    text = f"{article.title} {article.keywords} {article.body}".lower()
    return sum(text.count(term) for term in terms)


def _published():
    return Article.objects.filter(is_published=True).defer("search_vector")


def _ranked_candidates(terms: list[str]) -> list[Article]:
    tsquery = SearchQuery(terms[0], search_type="plain", config="simple")
    for term in terms[1:]:
        tsquery |= SearchQuery(term, search_type="plain", config="simple")
    return list(
        _published()
        .filter(search_vector=tsquery)
        .annotate(rank=SearchRank(F("search_vector"), tsquery))
        .order_by("-rank", "pk")[:KB_CANDIDATES]
    )


def kb_for_category(category: str, *, limit: int = 5) -> list[Article]:
    """The published articles of a ticket category (and those for every category)."""
    return list(
        Article.objects.filter(is_published=True, category__in=[category, ""])
        .defer("search_vector", "title_terms", "body_terms")
        .order_by("-category", "title")[:limit]
    )


ADMIN_SEARCH_PEOPLE = 200  # customers whose name starts with the term, at most


def tickets_matching(queryset: QuerySet[Ticket], term: str) -> QuerySet[Ticket]:
    """Tickets (of `queryset`) whose number is `term`, whose subject contains it, or whose
    customer it names — by phone or ID number, or a name beginning with it. Every branch uses an
    index: the number, the subject's bigrams (migration 0008), the customer's phone, ID number
    and name (policies), then the tickets' customer index."""
    term = term.strip()
    if not term:
        return queryset
    kinds = dict(search.classify(term))
    people = Person.objects.none()
    if search.TermKind.PHONE in kinds:
        people = Person.objects.filter(phone=kinds[search.TermKind.PHONE])
    elif search.TermKind.ID_NUMBER in kinds:
        people = Person.objects.filter(id_number=kinds[search.TermKind.ID_NUMBER])
    else:
        people = Person.objects.filter(name__startswith=term)
    # The customers' ids as a literal list: a subquery would keep PostgreSQL from OR-ing the
    # three indexes together (it filters every ticket through a hashed subplan instead).
    customer_ids = list(people.values_list("pk", flat=True)[:ADMIN_SEARCH_PEOPLE])
    match = Q(number=term.upper()) | Q(customer_id__in=customer_ids)
    if len(term) >= 2:
        bigrams = RawSQL(
            "support_bigrams(subject) @> support_bigrams(%s)", [term], output_field=BooleanField()
        )
        match |= Q(bigrams, subject__icontains=term)
    return queryset.filter(match)
