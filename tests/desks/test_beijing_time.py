"""Every time a person sees is Beijing time (docs/regulation.md, core/clock.py), also near midnight
where UTC shows the day before: 2026-12-04 18:31 UTC is 2026-12-05 02:31 in Beijing."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from policies.models import Policy
from tests.policies.test_counter_renew import due_policy, post_renew, shown_form  # noqa: F401

pytestmark = pytest.mark.django_db

NEAR_MIDNIGHT_UTC = dt.datetime(2026, 12, 4, 18, 31, tzinfo=dt.UTC)


def test_a_resubmitted_renewal_says_when_it_was_issued_in_beijing_time(clerk_client, due_policy):  # noqa: F811
    data = shown_form(clerk_client, due_policy)
    post_renew(clerk_client, due_policy, data)
    Policy.objects.filter(renewed_from=due_policy).update(issued_at=NEAR_MIDNIGHT_UTC)

    again = post_renew(clerk_client, due_policy, data)
    page = clerk_client.get(again["Location"]).content.decode()

    assert "于 12-05 02:31 出单" in page
    assert "12-04 18:31" not in page
    assert "2026-12-05 02:31" in page  # the confirmation's 出单时间


def test_history_rows_name_their_beijing_time(counter_clerk):
    from policies.models import PersonAccessLog
    from support.models import TicketEvent
    from tests import factories

    person = factories.PersonFactory()
    log = PersonAccessLog(user=counter_clerk, person=person, accessed_at=NEAR_MIDNIGHT_UTC)
    event = TicketEvent(
        ticket=factories.TicketFactory(customer=person), kind="created", created_at=NEAR_MIDNIGHT_UTC
    )
    assert str(log).endswith("2026-12-05 02:31")
    assert str(event).endswith("2026-12-05 02:31")


# A time formatted in Python must be turned into Beijing time first: `{local(x):%H:%M}`,
# `timezone.localtime(x).strftime(…)`. A bare `{x:%H:%M}` on a database time prints UTC.
FORMATTED = re.compile(r"\{([^{}:]+):[^{}]*%[HM][^{}]*\}|([\w.()]+)\.strftime\([^)]*%[HM]")
BEIJING = ("local(", "localtime(", "astimezone(", "now()")


def test_no_python_code_formats_a_time_of_day_without_making_it_beijing_time():
    offenders = []
    for path in Path(settings.BASE_DIR).rglob("*.py"):
        relative = path.relative_to(settings.BASE_DIR)
        if (
            relative.parts[0] in {".venv", "tests", "scripts", "var", "node_modules"}
            or "migrations" in relative.parts
        ):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for match in FORMATTED.finditer(line):
                expression = match.group(1) or match.group(2)
                if not any(marker in expression for marker in BEIJING) and "time.strftime" not in line:
                    offenders.append(f"{relative}:{number}: {line.strip()}")
    assert not offenders, "times formatted without Beijing time:\n" + "\n".join(offenders)


def test_the_confirmation_prints_the_issue_time_in_beijing(clerk_client, due_policy):  # noqa: F811
    post_renew(clerk_client, due_policy, shown_form(clerk_client, due_policy))
    policy = Policy.objects.get(renewed_from=due_policy)
    Policy.objects.filter(pk=policy.pk).update(issued_at=NEAR_MIDNIGHT_UTC)
    page = clerk_client.get(reverse("counter:confirmation", args=[policy.pk])).content.decode()
    assert "2026-12-05 02:31" in page and "2026-12-04 18:31" not in page
