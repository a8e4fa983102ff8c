"""The demo supervisor signs in with the printed password and browses the seeded data in
the admin: the policy list, a plate search and a person's record."""

import datetime as dt
from io import StringIO

from django.core.management import call_command

from policies.demo import DEMO_PASSWORD
from policies.models import Policy
from tests.browser.conftest import login, screenshot


def test_demo_supervisor_browses_the_seeded_policies_in_the_admin(page):
    call_command("seed_demo", "--policies", "300", "--today", dt.date.today().isoformat(), "--no-progress",
                 stdout=StringIO())  # fmt: skip
    policy = Policy.objects.select_related("vehicle", "policyholder").order_by("-pk").first()

    login(page, "supervisor", DEMO_PASSWORD)
    assert page.url.endswith("/dashboard/")

    page.goto("/admin/policies/policy/")
    assert page.get_by_role("link", name=policy.number).is_visible()
    screenshot(page, "demo-admin-policies")

    page.locator("#searchbar").fill(policy.vehicle.plate)
    page.get_by_role("button", name="搜索").click()
    page.wait_for_load_state("networkidle")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == policy.vehicle.policies.count()
    assert policy.vehicle.plate in rows.first.inner_text()
    screenshot(page, "demo-admin-policies-search")

    page.goto(f"/admin/policies/person/{policy.policyholder_id}/change/")
    assert page.get_by_label("身份证号码").input_value() == policy.policyholder.id_number
    screenshot(page, "demo-admin-person")
