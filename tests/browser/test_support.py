"""An agent's day on the support desk, in a real browser at 1366×768: the lists, and
answering a ticket with a knowledge-base answer and resolving it."""

import datetime as dt

from django.utils import timezone

from policies.roles import HOTLINE_AGENT, SUPERVISOR
from support import services
from support.choices import Status
from support.models import Queue, Survey, Ticket
from tests.browser.conftest import login, screenshot
from tests.factories import (
    BranchFactory,
    PersonFactory,
    PolicyFactory,
    TicketFactory,
    UserFactory,
    VehicleFactory,
)

SUBJECTS = [
    ("车辆脱保了怎么办", "renewal_status", "urgent", 1),
    ("理赔进度查询", "claim", "high", 3),
    ("续保后没有收到电子保单", "renewal_status", "normal", 0.5),
    ("变更联系电话", "policy_change", "low", 20),
    ("对保费计算有异议", "complaint", "high", 30),
    ("电子保单下载", "other", "normal", 2),
]


def desk():
    branch = BranchFactory(code="320100", name="南京中山路营业部", province="江苏", city="南京")
    agent = UserFactory(username="lina", last_name="李", first_name="娜", branch=branch, role=HOTLINE_AGENT)
    boss = UserFactory(username="zhoumin", last_name="周", first_name="敏", branch=branch, role=SUPERVISOR)
    hotline = Queue.objects.get(branch=None, category="")
    hotline.supervisor = boss
    hotline.save()
    customer = PersonFactory(name="王芳", phone="13912345678")
    policy = PolicyFactory(
        vehicle=VehicleFactory(owner=customer, plate="苏A12345"),
        branch=branch,
        start_date=dt.date(2026, 1, 15),
    )
    ticket = TicketFactory(
        subject="续保保费比去年高", description="客户反映今年续保报价比去年高 100 多元，询问原因。",
        customer=customer, policy=policy, queue=hotline, assignee=agent,
    )  # fmt: skip
    for i, (subject, category, priority, hours) in enumerate(SUBJECTS):
        person = PersonFactory()
        other = TicketFactory(
            subject=subject, category=category, priority=priority, queue=hotline, customer=person,
            channel=["app", "mini_program", "hotline", "website"][i % 4],
            vehicle=VehicleFactory(owner=person), at=timezone.now() - dt.timedelta(hours=hours),
            assignee=agent if i % 2 == 0 else None,
        )  # fmt: skip
        if i == 3:
            services.ticket_reply(
                ticket=other, by=agent, body="请补充行驶证照片。", then_status=Status.WAITING
            )
    services.sla_check()
    return agent, ticket


def test_agent_answers_a_ticket_with_a_knowledge_base_answer_and_resolves_it(page):
    agent, ticket = desk()
    login(page, "lina")

    page.goto("/support/")
    page.get_by_test_id("my-tickets").wait_for()
    assert ticket.number in page.get_by_test_id("my-tickets").inner_text()
    assert "王*" in page.get_by_test_id("my-tickets").inner_text()  # names masked in lists
    screenshot(page, "support-my-tickets")

    page.get_by_role("link", name="团队队列").click()
    page.get_by_test_id("queue-table").wait_for()
    rows = page.get_by_test_id("queue-table").inner_text()
    assert "车辆脱保了怎么办" in rows
    assert page.get_by_test_id("queue-table").locator("[data-sla=breached]").count() >= 2
    screenshot(page, "support-queue")

    page.get_by_test_id("queue-table").get_by_role("link", name=ticket.number).click()
    page.get_by_test_id("ticket-subject").wait_for()
    search = page.get_by_placeholder("搜索答案，如：脱保、保费上涨、理赔材料")
    page.locator("#kb-results").get_by_text("本类别常用答案").wait_for()  # suggestions for the category
    search.fill("保费上涨")
    page.locator("#kb-results").get_by_text("本类别常用答案").wait_for(state="detached")  # search results
    answer = page.get_by_test_id("kb-hit").filter(has_text="续保时交强险保费为什么上涨了").first
    answer.wait_for()
    answer.get_by_role("button", name="插入回复").click()
    body = page.locator("#id_body").input_value()
    assert body.startswith("交强险保费 = 基础保费 ×（1 + 浮动比率）")
    # The long answer would go out as several SMS: the meter says so and offers the short form.
    meter = page.get_by_test_id("sms-meter")
    segments = int(meter.locator("[data-sms-count]").get_attribute("data-segments"))
    assert segments > 1 and f"共 {segments} 条" in meter.inner_text()
    assert page.get_by_test_id("sms-short").is_visible()
    screenshot(page, "support-sms-meter")
    page.locator("#id_body").press("Control+Home")
    page.locator("#id_body").type("王女士您好！")
    screenshot(page, "support-ticket-answering")
    page.locator("#id_then_status").select_option("resolved")
    page.get_by_role("button", name="发送回复").click()
    page.get_by_text("回复已提交，发送状态见处理记录。").wait_for()

    assert page.get_by_test_id("ticket-header").locator("[data-status=resolved]").is_visible()
    history = page.get_by_test_id("history").inner_text()
    assert "王女士您好！交强险保费 = 基础保费" in history
    assert "满意度调查已生成，经短信发送" in history
    # Nothing has sent it yet: the header says so instead of claiming it went out.
    survey_status = page.get_by_test_id("survey-status")
    assert survey_status.get_attribute("data-status") == "pending"
    assert "满意度调查已排队，短信待发送" in survey_status.inner_text()
    screenshot(page, "support-ticket")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (Status.RESOLVED, agent)
    reply = ticket.events.get(kind="public_reply").message
    assert reply.recipient == "13912345678" and "王女士您好！" in reply.text
    assert Survey.objects.filter(ticket=ticket).count() == 1
    assert Ticket.objects.filter(status=Status.RESOLVED).count() == 1


def test_a_long_sms_reply_is_counted_as_typed_and_shortened_to_one_message(page):
    agent, ticket = desk()
    login(page, "lina")
    page.goto(f"/support/tickets/{ticket.pk}/")
    box = page.locator("#id_body")
    count = page.get_by_test_id("sms-meter").locator("[data-sms-count]")
    box.fill("王女士您好！")
    assert count.get_attribute("data-segments") == "1"
    assert not page.get_by_test_id("sms-short").is_visible()

    long_reply = (
        "王女士您好！您今年的交强险保费上涨，是因为上一保单年度发生了一次有责任道路交通事故，"
        "按照费率浮动办法，上浮百分之十。如对事故责任认定有异议，可携带相关材料到承保网点柜面办理复核。"
        "我们也会在复核完成后以短信通知您结果，感谢您的理解与支持。"
    )
    box.fill(long_reply)
    assert int(count.get_attribute("data-segments")) >= 2
    assert "拆分计费" in count.inner_text()
    screenshot(page, "support-sms-long")

    page.get_by_test_id("sms-short").click()
    short = box.input_value()
    assert short.startswith("王女士您好！") and short.endswith("详情请致电400-800-9595。")
    assert count.get_attribute("data-segments") == "1"
    assert not page.get_by_test_id("sms-short").is_visible()
    screenshot(page, "support-sms-short")
