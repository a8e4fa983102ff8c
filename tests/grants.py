"""Customer pages open only for a person found by a lookup or search of the same session
(policies.access: `grant_person`, `granted_people`). Tests reach them the same two ways:

- through the real lookup or search (`counter_lookup`, `hotline_search`), where the test is
  about the flow an employee follows;
- with `grant_customers`, where the test is about a page's content: it writes the grants into
  the test client's session with the product's own `grant_person`, exactly as a lookup does.

Grant after the client signs in: `force_login` starts a new session, without the grants.
"""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

from django.urls import reverse

from policies import access


def grant_customers(client, *person_ids: int) -> None:
    """Let `client`'s session open the customer pages of `person_ids`, as if a lookup of this
    session had just shown them (policies.access.grant_person on the client's own session)."""
    session = client.session  # a new SessionStore on every access: keep this one, save it
    access.grant_person(SimpleNamespace(session=session), *person_ids)
    session.save()


def counter_lookup(client, *, vehicle=None, number: str = ""):
    """Look a customer up at the counter as a clerk does — by the vehicle licence's plate + VIN,
    or by a driving-licence / ID number — and follow the answer to the customer's page."""
    data = {"number": number, "plate": "", "vin": "", "engine_number": ""}
    if vehicle is not None:
        data.update(plate=vehicle.plate, vin=vehicle.vin)
    found = client.post(reverse("counter:home"), data)
    assert found.status_code == 302, "the lookup found no one"
    return client.get(found["Location"])


def hotline_search(client, term: str, **filters):
    """Search as a hotline agent does: post the box; the response is the results page."""
    response = client.post(reverse("hotline:home"), {"q": term, **filters})
    assert response.status_code == 200
    return response


def results_url(response) -> str:
    """The address a posted hotline search's page gives itself (its key and filters), which
    reloading, paging and sorting read again."""
    found = re.search(r'data-results-url="([^"]*)"', response.content.decode())
    assert found, "the response is not a search's results"
    return html.unescape(found[1])
