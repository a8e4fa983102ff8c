"""A claim taken from the hotline's report to payment in a real browser, each step by the
role that owns it; screenshots of the queue and the claim page at 1366×768."""

import datetime as dt
import random
from decimal import Decimal
from io import StringIO

import pytest
from django.utils import timezone

from claims import demo
from claims.choices import ClaimState
from claims.models import ApprovalAuthority, Claim
from policies.roles import COUNTER_CLERK, HOTLINE_AGENT, SUPERVISOR
from tests import factories
from tests.browser.conftest import login, screenshot


@pytest.fixture
def desk():
    """A Nanjing branch with its claims staff, an insured car, and a queue of demo claims."""
    nanjing = factories.BranchFactory(code="320100", name="南京中山路营业部", province="江苏", city="南京")
    suzhou = factories.BranchFactory(code="320500", name="苏州观前营业部", province="江苏", city="苏州")
    people = {
        "agent": factories.UserFactory(
            username="agent", last_name="陈", first_name="静", branch=nanjing, role=HOTLINE_AGENT
        ),
        "adjuster": factories.ClaimsAdjusterFactory(
            username="adjuster", last_name="周", first_name="敏", branch=nanjing
        ),
        "reviewer": factories.ClaimsAdjusterFactory(
            username="reviewer", last_name="吴", first_name="强", branch=nanjing
        ),
        "boss": factories.UserFactory(
            username="boss", last_name="林", first_name="涛", branch=nanjing, role=SUPERVISOR
        ),
    }
    ApprovalAuthority.objects.create(user=people["reviewer"], max_amount=Decimal("10000"))
    today = timezone.localdate()
    owner = factories.PersonFactory(name="孙丽华", phone="13951234567")
    vehicle = factories.VehicleFactory(plate="苏A8K2Q7", owner=owner, brand_model="大众牌 SVW7155")
    policy = factories.PolicyFactory(
        vehicle=vehicle, branch=nanjing, start_date=today - dt.timedelta(days=200)
    )
    for n in range(90):
        factories.PolicyFactory(
            branch=nanjing if n % 3 else suzhou, start_date=today - dt.timedelta(days=10 + n * 4),
            at_fault_claims=int(n % 9 == 0),
        )  # fmt: skip
    demo.seed(rng=random.Random(11), today=today, stdout=StringIO(), scale=12.0)
    return people, policy


def sign_in_as(page, username: str):
    """Sign out whoever is signed in, then sign in through the login form."""
    page.context.clear_cookies()
    login(page, username)


def open_step(page, label: str):
    """Expand the step's panel on the claim page if it is folded, and return its form."""
    form = page.locator(f'form[data-action] input[type=submit][value="{label}"]').locator(
        "xpath=ancestor::form"
    )
    if not form.is_visible():
        page.get_by_role("button", name=label, exact=True).first.click()
        form.wait_for(state="visible")
    return form


def submit(page, form, label: str):
    form.locator(f'input[type=submit][value="{label}"]').click()
    page.wait_for_load_state("networkidle")


def test_a_claim_goes_from_the_hotline_report_to_payment(page, desk):
    people, policy = desk
    accident = timezone.localtime() - dt.timedelta(hours=3)

    # 热线坐席 takes the report.
    login(page, "agent")
    page.goto("/claims/")
    page.get_by_role("link", name="报案登记").click()
    page.get_by_label("出险车辆").fill("苏a 8k2q7")
    page.get_by_label("出险车辆").press("Tab")
    page.get_by_test_id("vehicle-covers").get_by_text(policy.number).wait_for()
    page.get_by_label("出险时间").fill(accident.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("出险地点").fill("南京市玄武区中山路与北京东路交叉口")
    page.get_by_label("事故经过").fill("本车追尾前车，前车驾驶人颈部受伤送医，前车尾部受损。")
    page.get_by_label("报案人", exact=True).fill("孙丽华")
    page.get_by_label("报案人手机").fill("139 5123 4567")
    page.locator("#id_party-0-kind").select_option("person")
    page.locator("#id_party-0-name").fill("赵明")
    page.locator("#id_party-0-id_number").fill("11010519491231002x")
    page.locator("#id_party-0-outcome").select_option("injured")
    page.locator("#id_party-0-medical").fill("20000")
    page.locator("#id_party-1-kind").select_option("vehicle")
    page.locator("#id_party-1-plate").fill("苏B 12345")
    page.locator("#id_party-1-property").fill("1500")
    screenshot(page, "claims-report-form")
    page.get_by_role("button", name="提交报案").click()
    page.wait_for_url("**/claims/*/")
    assert "已受理报案" in page.locator(".alert-success").inner_text()
    claim = Claim.objects.get(vehicle=policy.vehicle, state=ClaimState.REPORTED, reported_by=people["agent"])
    detail = f"/claims/{claim.pk}/"

    # 理赔人员 registers, records the documents, surveys, assesses and calculates.
    sign_in_as(page, "adjuster")
    page.goto(detail)
    submit(page, open_step(page, "立案"), "立案")
    assert "已立案" in page.locator(".alert-success").inner_text()
    form = open_step(page, "单证登记")
    for box in form.locator("input[type=checkbox]").all():
        box.check()
    submit(page, form, "单证登记")
    form = open_step(page, "查勘完成")
    form.get_by_label("查勘结论").fill("现场查勘：本车全责，交警出具事故认定书。")
    submit(page, form, "查勘完成")
    form = open_step(page, "定损核损")
    form.locator("input[type=number]").first.fill("19800")
    submit(page, form, "定损核损")
    submit(page, open_step(page, "理算"), "理算")
    assert "应赔 19,500.00 元" in page.locator(".alert-success").inner_text()

    # The reviewer's authority (10,000) is below the amount: only a supervisor may approve.
    sign_in_as(page, "reviewer")
    page.goto(detail)
    submit(page, open_step(page, "核赔通过"), "核赔通过")
    assert "须由主管核赔" in page.locator(".alert-danger").inner_text()
    sign_in_as(page, "boss")
    page.goto(detail)
    submit(page, open_step(page, "核赔通过"), "核赔通过")
    assert "核准赔款 19,500.00 元" in page.locator(".alert-success").inner_text()

    # The adjuster records the transfer and closes the claim.
    sign_in_as(page, "adjuster")
    page.goto(detail)
    form = open_step(page, "支付赔款")
    form.get_by_label("支付流水号").fill("ICBC20261126000123")
    submit(page, form, "支付赔款")
    assert "已登记支付 19,500.00 元" in page.locator(".alert-success").inner_text()
    screenshot(page, "claims-detail-paid")
    submit(page, open_step(page, "结案"), "结案")
    claim.refresh_from_db()
    assert claim.state == ClaimState.CLOSED and claim.paid_total == Decimal("19500.00")
    history = page.get_by_test_id("history").inner_text()
    for step in ("报案", "立案", "单证登记", "查勘完成", "定损核损", "理算", "核赔通过", "支付赔款", "结案"):
        assert step in history
    assert "周敏" in history and "林涛" in history and "陈静" in history
    policy.refresh_from_db()
    assert policy.at_fault_claims == 1


def test_the_queue_and_an_open_claim_at_1366x768(page, desk):
    login(page, "adjuster")
    page.goto("/claims/")
    page.get_by_test_id("claim-queue").wait_for()
    assert "理赔工作台" in page.locator("h1").inner_text()
    rows = page.locator("tr[data-claim]").count()
    assert rows > 5
    screenshot(page, "claims-queue")

    page.get_by_label("时限").select_option("overdue")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state("networkidle")
    screenshot(page, "claims-queue-overdue")

    # The reviewer's view of a calculated claim: signals, deadlines, the approval form.
    calculated = Claim.objects.filter(state=ClaimState.CALCULATED, branch__code="320100").order_by(
        "-reported_at"
    )
    claim = calculated.exclude(risk_codes=[]).first() or calculated.first()
    sign_in_as(page, "reviewer")
    page.goto(f"/claims/{claim.pk}/")
    page.get_by_test_id("deadlines").wait_for()
    assert "吴强" in page.get_by_test_id("whoami").inner_text()
    assert claim.number in page.get_by_test_id("claim-number").inner_text()
    screenshot(page, "claims-detail")


def test_the_supervisor_sees_loss_ratio_and_cycle_time_on_the_dashboard(page, desk):
    login(page, "boss")
    page.goto("/dashboard/")
    panel = page.get_by_test_id("panel-claim-steps")
    panel.wait_for()
    assert "超 5 日核定时限" in panel.inner_text() and "平均结案周期" in panel.inner_text()
    assert "赔付率" in page.get_by_test_id("panel-loss-ratio").inner_text()
    panel.scroll_into_view_if_needed()
    screenshot(page, "claims-dashboard-panel")


def test_a_step_time_point_opens_the_claims_that_left_the_step(page, desk):
    """The supervisor follows a point of 理赔各环节平均用时 to the claims that left that step in
    the chosen months; the queue names the step and says a claim is listed once."""
    import json

    from insights.refresh import summaries_refresh

    summaries_refresh(first=timezone.localdate().replace(day=1) - dt.timedelta(days=200))
    login(page, "boss")
    page.goto("/dashboard/")
    chart = json.loads(page.locator("#chart-claim-steps").text_content())
    point = chart["series"][0]["data"][chart["x"].index(ClaimState.REGISTERED.label)]
    page.goto(point["url"])
    drill = page.get_by_test_id("drill-filters")
    drill.wait_for()
    assert "离开环节 立案" in drill.inner_text() and "多次离开只列一次" in drill.inner_text()
    assert page.locator("tr[data-claim]").count() > 0
    screenshot(page, "claims-queue-left-step")


def test_the_queue_turns_pages_by_next_and_previous(page, desk):
    """25 claims a page, then "下一页" after the last one shown (core.keyset); the count stops
    at its cap instead of counting every claim."""
    people, policy = desk
    for n in range(30):
        factories.make_claim(policy, by=people["agent"], now=timezone.now() - dt.timedelta(hours=n))
    login(page, "adjuster")
    page.goto("/claims/")
    rows = page.locator("tr[data-claim]")
    assert rows.count() == 25
    first = [rows.nth(i).get_attribute("data-claim") for i in range(25)]
    page.get_by_test_id("next-page").click()
    page.wait_for_url("**after=*")
    assert rows.count() > 0 and rows.first.get_attribute("data-claim") not in first
    screenshot(page, "claims-queue-next-page")
    page.get_by_test_id("previous-page").click()
    page.wait_for_url("**before=*")
    assert [rows.nth(i).get_attribute("data-claim") for i in range(rows.count())] == first


@pytest.fixture
def counter():
    """A Nanjing branch with a clerk, claims staff and an insured car (no demo queue)."""
    nanjing = factories.BranchFactory(code="320100", name="南京中山路营业部", province="江苏", city="南京")
    people = {
        "clerk": factories.UserFactory(
            username="clerk", last_name="王", first_name="晓燕", branch=nanjing, role=COUNTER_CLERK
        ),
        "adjuster": factories.ClaimsAdjusterFactory(
            username="adjuster", last_name="周", first_name="敏", branch=nanjing
        ),
        "reviewer": factories.ClaimsAdjusterFactory(
            username="reviewer", last_name="吴", first_name="强", branch=nanjing
        ),
        "boss": factories.UserFactory(
            username="boss", last_name="林", first_name="涛", branch=nanjing, role=SUPERVISOR
        ),
    }
    ApprovalAuthority.objects.create(user=people["reviewer"], max_amount=Decimal("50000"))
    owner = factories.PersonFactory(name="孙丽华", phone="13951234567")
    vehicle = factories.VehicleFactory(plate="苏A8K2Q7", owner=owner, brand_model="大众牌 SVW7155")
    policy = factories.PolicyFactory(
        vehicle=vehicle, branch=nanjing, start_date=timezone.localdate() - dt.timedelta(days=200)
    )
    return people, policy


def fill_report(page, *, when: str):
    page.goto("/claims/report/")
    page.get_by_label("出险车辆").fill("苏A8K2Q7")
    page.get_by_label("出险车辆").press("Tab")
    page.get_by_label("出险时间").fill(when)
    page.get_by_label("出险地点").fill("南京市玄武区中山路")
    page.get_by_label("事故经过").fill("追尾前车。")
    page.locator("#id_party-0-kind").select_option("vehicle")
    page.locator("#id_party-0-plate").fill("苏B12345")
    page.locator("#id_party-0-property").fill("1500")


def test_a_report_outside_every_cover_says_why_next_to_the_accident_time(page, counter):
    people, policy = counter
    login(page, "clerk")
    fill_report(page, when="2021-06-01T10:00")
    page.get_by_role("button", name="提交报案").click()
    page.wait_for_load_state("networkidle")
    field = page.locator("#id_accident_at")
    feedback = page.locator("#div_id_accident_at .invalid-feedback")
    feedback.wait_for()
    assert (
        "不在车辆 苏A8K2Q7 的任何保险期间内" in feedback.inner_text()
        and policy.number in feedback.inner_text()
    )
    assert "is-invalid" in field.get_attribute("class")
    screenshot(page, "claims-report-outside-cover")
    # A report dated in the future: said next to the field too.
    later = (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    fill_report(page, when=later)
    page.get_by_role("button", name="提交报案").click()
    page.wait_for_load_state("networkidle")
    assert "不能晚于当前时间" in page.locator("#div_id_accident_at .invalid-feedback").inner_text()
    assert not Claim.objects.exists()


def test_victims_are_added_in_place_on_the_report_form(page, counter):
    people, policy = counter
    login(page, "clerk")
    fill_report(page, when=(timezone.localtime() - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    add = page.get_by_role("button", name="＋ 添加当事方")
    for n in range(2, 5):  # two rows to begin with; three more added in place
        add.click()
        page.locator(f"#id_party-{n}-kind").select_option("person")
        page.locator(f"#id_party-{n}-name").fill(f"伤者{n}")
        page.locator(f"#id_party-{n}-medical").fill(str(1000 * n))
    page.locator("#id_party-1-kind").select_option("property")
    page.locator("#id_party-1-name").fill("路灯")
    page.locator("#id_party-1-property").fill("800")
    assert page.locator("#id_party-TOTAL_FORMS").input_value() == "5"
    screenshot(page, "claims-report-five-parties", full_page=True)
    page.get_by_role("button", name="提交报案").click()
    page.wait_for_url("**/claims/*/")
    claim = Claim.objects.get()
    assert claim.parties.count() == 5


def make_injury_claim(policy, agent, **kwargs):
    now = timezone.now()
    return factories.make_claim(
        policy,
        by=agent,
        now=now - dt.timedelta(hours=5),
        accident_at=now - dt.timedelta(hours=8),
        parties=[
            factories.third_party_person(1, medical="12000"),
            factories.third_party_person(2, medical="10000"),
        ],
        **kwargs,
    )


def test_a_claim_after_its_first_payment_documents_supplement_and_reopening(page, counter):
    people, policy = counter
    claim = make_injury_claim(policy, people["clerk"])
    detail = f"/claims/{claim.pk}/"

    # The adjuster registers and takes the claim to calculation without the documents.
    login(page, "adjuster")
    page.goto(detail)
    submit(page, open_step(page, "立案"), "立案")
    form = open_step(page, "查勘完成")
    form.get_by_label("查勘结论").fill("两名行人受伤，本车全责。")
    submit(page, form, "查勘完成")
    submit(page, open_step(page, "定损核损"), "定损核损")
    submit(page, open_step(page, "理算"), "理算")
    assert "应赔 18,000.00 元" in page.locator(".alert-success").inner_text()
    sign_in_as(page, "reviewer")
    page.goto("/claims/approvals/")
    row = page.locator(f'tr[data-claim="{claim.number}"]')
    assert "18,000.00" in row.inner_text() and "周敏" in row.inner_text()
    screenshot(page, "claims-approvals")
    row.get_by_role("link", name=claim.number).click()
    submit(page, open_step(page, "核赔通过"), "核赔通过")

    # Payment is refused while documents are missing; the supervisor lets it go with a reason.
    sign_in_as(page, "adjuster")
    page.goto(detail)
    form = open_step(page, "支付赔款")
    assert "索赔单证尚缺" in form.inner_text()
    form.get_by_label("支付流水号").fill("ICBC001")
    submit(page, form, "支付赔款")
    assert "不能支付" in page.locator(".alert-danger").inner_text()
    sign_in_as(page, "boss")
    boss = page.context.cookies()  # a code is good once: the supervisor comes back on this session
    page.goto(detail)
    form = open_step(page, "支付赔款")
    form.get_by_label("支付流水号").fill("ICBC001")
    form.get_by_label("单证不齐准予支付的理由（主管）").fill("伤者急需手术费，单证三日内补交")
    screenshot(page, "claims-pay-override")
    submit(page, form, "支付赔款")
    assert "已登记支付 18,000.00 元" in page.locator(".alert-success").inner_text()
    assert "主管准予支付" in page.get_by_test_id("history").inner_text()

    # The documents come in with one tick; a victim's later disability is a supplementary payment.
    sign_in_as(page, "adjuster")
    page.goto(detail)
    form = open_step(page, "单证登记")
    form.get_by_label("以下单证全部收到").check()
    submit(page, form, "单证登记")
    form = open_step(page, "追加赔付")
    form.get_by_label("追加赔付原因（如后续治疗费用、补充票据）").fill("伤者一经鉴定构成十级伤残")
    submit(page, form, "追加赔付")
    assert "已受理追加赔付" in page.locator(".alert-success").inner_text()
    form = open_step(page, "增补当事方或损失")
    form.get_by_label("当事方", exact=True).select_option(index=1)
    form.get_by_label("死亡伤残").fill("30000")
    submit(page, form, "增补当事方或损失")
    assert "已增补 1 项损失" in page.locator(".alert-success").inner_text()
    submit(page, open_step(page, "定损核损"), "定损核损")
    submit(page, open_step(page, "理算"), "理算")
    assert "应赔 30,000.00 元" in page.locator(".alert-success").inner_text()
    screenshot(page, "claims-detail-supplement-calculated", full_page=True)
    sign_in_as(page, "reviewer")
    page.goto(detail)
    submit(page, open_step(page, "核赔通过"), "核赔通过")
    sign_in_as(page, "adjuster")
    page.goto(detail)
    form = open_step(page, "支付赔款")
    form.get_by_label("支付流水号").fill("ICBC002")
    submit(page, form, "支付赔款")
    submit(page, open_step(page, "结案"), "结案")
    claim.refresh_from_db()
    assert claim.state == ClaimState.CLOSED and claim.paid_total == Decimal("48000.00")
    assert not page.get_by_role("button", name="重开赔案").count()  # adjusters do not reopen

    # The supervisor reopens the closed claim with a reason.
    page.context.clear_cookies()
    page.context.add_cookies(boss)
    page.goto(detail)
    form = open_step(page, "重开赔案")
    form.get_by_label("重开原因").fill("法院判决增加赔偿，重新核定")
    submit(page, form, "重开赔案")
    assert "赔案已重开" in page.locator(".alert-success").inner_text()
    claim.refresh_from_db()
    assert claim.state == ClaimState.SURVEYED
    screenshot(page, "claims-detail-reopened")


def test_an_advance_case_says_what_waits_and_records_a_recovery(page, counter):
    people, policy = counter
    claim = make_injury_claim(policy, people["clerk"], advance_case="drunk")
    from claims import services

    claim = services.claim_register(
        claim=claim, by=people["adjuster"], documents=services.required_documents(claim)
    )
    injured = claim.parties.order_by("pk").first()
    services.claim_advance(claim=claim, by=people["boss"], party=injured, amount=Decimal("6000"))
    login(page, "adjuster")
    page.goto(f"/claims/{claim.pk}/")
    notice = page.get_by_test_id("advance-case-notice").inner_text()
    assert "死亡伤残赔偿和财产损失不在垫付范围内" in notice
    form = open_step(page, "登记追偿")
    form.get_by_label("追回金额（元）").fill("2500")
    form.get_by_label("追偿对象").fill("醉酒驾驶人 张某")
    form.get_by_label("收款流水号").fill("HX20261205001")
    submit(page, form, "登记追偿")
    assert "已登记追偿款 2,500.00 元" in page.locator(".alert-success").inner_text()
    recoveries = page.get_by_test_id("recoveries").inner_text()
    assert (
        "HX20261205001" in recoveries
        and "已追回 ¥2,500.00" in recoveries
        and "待追偿 ¥3,500.00" in recoveries
    )
    screenshot(page, "claims-detail-advance-recovery", full_page=True)


def test_a_decision_before_complete_documents_shows_done_in_beijing_time(page, counter):
    people, policy = counter
    from claims import services
    from claims.choices import RejectReason
    from core.clock import SHANGHAI

    # 00:30 in Beijing is 16:30 UTC the day before: the page must say 00:30.
    decided = timezone.now().astimezone(SHANGHAI).replace(hour=0, minute=30, second=0, microsecond=0)
    if decided > timezone.now():
        decided -= dt.timedelta(days=1)
    claim = factories.make_claim(policy, by=people["clerk"], now=decided - dt.timedelta(hours=2))
    claim = services.claim_reject(
        claim=claim, by=people["adjuster"], reason=RejectReason.DUPLICATE, note="与另一赔案重复", now=decided
    )
    login(page, "adjuster")
    page.goto(f"/claims/{claim.pk}/")
    panel = page.get_by_test_id("deadlines")
    decision = panel.locator("li", has_text="核定赔付")
    text = decision.inner_text()
    assert "已完成" in text and "未开始" not in text
    done = claim.decided_at.astimezone(SHANGHAI)
    assert f"完成于 {done:%Y-%m-%d} 00:30（北京时间）" in text
    screenshot(page, "claims-deadlines-done-untimed")


def test_the_claims_admin_list_fits_1366_and_is_newest_first(page, desk):
    login(page, "boss")
    page.goto("/admin/claims/claim/")
    page.locator("#result_list").wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366, width
    numbers = page.locator("#result_list tbody th a").all_inner_texts()
    reported = list(Claim.objects.order_by("-reported_at").values_list("number", flat=True)[: len(numbers)])
    assert numbers == reported
    screenshot(page, "claims-admin-list")
