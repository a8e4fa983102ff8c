"""Demo tickets over the demo people and policies: `seed(...)` is called by `seed_demo`.

Each ticket's life (assignment, replies, waits on the customer, resolution, survey,
closing) is simulated with the same clock and workflow code the desk uses, then written
in bulk; warnings and escalations come from the real SLA check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from outbox.models import OutboundMessage
from outbox.services import MessageStatus
from policies.models import Branch, Policy, User
from support import access, notifications, sla
from support.choices import Category, Channel, EventKind, Priority, Status
from support.models import Article, Queue, SlaTarget, Survey, Ticket, TicketEvent
from support.services import clock as ticket_clock
from support.services import sla_check
from support.services.surveys import SURVEY_VALID_DAYS, survey_url
from support.services.tickets import reserve_ticket_number_blocks

TICKETS_PER_SCALE = 200
DAYS_BACK = 60

CHANNEL_WEIGHTS = {
    Channel.HOTLINE: 45, Channel.APP: 15, Channel.MINI_PROGRAM: 15, Channel.WEBSITE: 10,
    Channel.WALK_IN: 10, Channel.EMAIL: 5,
}  # fmt: skip
CATEGORY_WEIGHTS = {
    Category.RENEWAL_STATUS: 35, Category.PREMIUM: 20, Category.CLAIM: 15, Category.POLICY_CHANGE: 12,
    Category.COMPLAINT: 8, Category.OTHER: 10,
}  # fmt: skip
PRIORITY_WEIGHTS = {Priority.LOW: 10, Priority.NORMAL: 65, Priority.HIGH: 20, Priority.URGENT: 5}

SUBJECTS = {
    Category.RENEWAL_STATUS: [
        ("查询续保是否成功", "客户来电确认今年的交强险是否已经续保成功。"),
        ("续保后没有收到电子保单", "客户在小程序续保后未收到电子保单短信，请核实。"),
        ("车辆脱保了怎么办", "客户称保单上月到期忘记续保，询问现在投保何时生效、是否会被罚款。"),
        ("提前多久可以续保", "客户询问最早什么时候可以办理续保。"),
        ("怎么查询保单到期时间", "客户想在手机上查看保单到期时间和续保状态。"),
    ],
    Category.PREMIUM: [
        ("续保保费比去年高", "客户反映今年续保报价比去年高，询问原因。"),
        ("为什么没有无事故优惠", "客户称去年没有出险，但报价没有下浮。"),
        ("车船税金额咨询", "客户询问交强险报价中车船税的计算方式。"),
        ("换城市投保保费不同", "客户从海口搬到南京，发现同一辆车保费不同。"),
    ],
    Category.CLAIM: [
        ("理赔进度查询", "客户询问上周报案的理赔进度。"),
        ("理赔需要哪些材料", "客户准备索赔，询问需要提交哪些材料。"),
        ("赔款什么时候到账", "客户已达成赔偿协议，询问赔款支付时间。"),
        ("对方车辆损失怎么赔", "客户负全责，询问交强险对对方车损赔付多少。"),
    ],
    Category.COMPLAINT: [
        ("理赔时效太慢", "客户投诉材料交齐一周仍未核定。"),
        ("续保提醒短信太频繁", "客户投诉收到多条续保提醒短信。"),
        ("对保费计算有异议", "客户认为去年事故无责，不应影响今年保费。"),
        ("坐席答复不清楚", "客户投诉上次来电未得到明确答复。"),
    ],
    Category.POLICY_CHANGE: [
        ("变更联系电话", "客户更换了手机号码，要求更新保单联系电话。"),
        ("车辆过户后变更保单", "客户已将车辆转让，询问保单如何变更。"),
        ("车辆报废申请退保", "客户车辆已报废注销，申请退还剩余保费。"),
        ("更正被保险人身份信息", "保单上被保险人身份证号有误，需要更正。"),
    ],
    Category.OTHER: [
        ("开具发票", "客户需要开具交强险保费发票。"),
        ("网点营业时间", "客户询问周末网点是否营业。"),
        ("电子保单下载", "客户在官网找不到电子保单下载入口。"),
    ],
}
# Knowledge-base titles agents answered each category with.
ANSWERS = {
    Category.RENEWAL_STATUS: ["如何查询交强险的续保状态？", "交强险到期没有及时续保（脱保）会有什么后果？"],
    Category.PREMIUM: ["续保时交强险保费为什么上涨了？我该怎么办？"],
    Category.CLAIM: ["交强险理赔需要哪些材料？多久能拿到赔款？", "交强险的赔偿限额是多少？"],
    Category.POLICY_CHANGE: ["什么情况下可以退保交强险？能退多少钱？"],
    Category.OTHER: ["哪些线上渠道可以购买交强险？"],
    Category.COMPLAINT: [],
}
SHORT_REPLIES = [
    "您好，已为您核实，相关情况如下，如有疑问请随时联系我们。",
    "您好，我们已收到您的反馈，正在加急处理，预计今天内给您答复。",
    "您好，请您补充提供行驶证照片，我们收到后会立即为您办理。",
]
CUSTOMER_REPLIES = [
    "好的，谢谢。",
    "材料已经上传，请查收。",
    "还是没有收到，麻烦再帮我看一下。",
    "明白了，谢谢你们。",
]
COMMENTS = ["", "", "", "回复很及时，谢谢。", "讲解很清楚。", "处理有点慢。", "希望短信提醒少一些。"]


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Life:
    """The ticket and the rows its simulated life writes."""

    def __init__(self, ticket: Ticket):
        self.ticket = ticket
        self.events: list[TicketEvent] = []
        self.message_of: dict[int, OutboundMessage] = {}
        self.survey: Survey | None = None

    def event(self, kind, at, *, actor=None, message=None, **fields):
        event = TicketEvent(kind=kind, created_at=at, actor=actor, **fields)
        if message is not None:
            self.message_of[len(self.events)] = message
        self.events.append(event)

    def move(self, to, at, actor=None, note=""):
        before = ticket_clock.move(self.ticket, to, at)
        self.event(EventKind.STATUS, at, actor=actor, from_value=before, to_value=to, body=note)


def _message(ticket, *, body, purpose, key, at, now, rng, queued=False) -> OutboundMessage | None:
    """The message the ticket sent its customer at `at`: already sent (or, rarely, failed),
    or — `queued`, or within minutes of `now` — waiting in the outbox for the demo's sender."""
    route = notifications.ticket_route(ticket)
    if route is None:
        return None
    if purpose == notifications.PURPOSE_SURVEY:
        subject, text = notifications.survey_text(
            number=ticket.number, url=body, days=SURVEY_VALID_DAYS, channel=route.channel
        )
    else:
        subject, text = notifications.reply_text(number=ticket.number, body=body, channel=route.channel)
    recent = queued or now - at < dt.timedelta(minutes=5)
    failed = not recent and rng.random() < 0.03
    status = MessageStatus.PENDING if recent else MessageStatus.FAILED if failed else MessageStatus.SENT
    return OutboundMessage(
        channel=route.channel, recipient=route.recipient, subject=subject, text=text, purpose=purpose,
        dedupe_key=key, person=ticket.customer, status=status, not_before=at, created_at=at,
        attempts=0 if recent else 3 if failed else 1, sent_at=None if recent or failed else at + dt.timedelta(seconds=20),
        last_error="网关返回 503：服务暂时不可用" if failed else "",
    )  # fmt: skip


def _live(life: _Life, *, rng, now, staff, answers) -> None:
    """Simulate one ticket from its creation up to `now`."""
    t = life.ticket
    c = t.created_at
    life.event(EventKind.CREATED, c, actor=t.created_by, body=t.description, to_value=t.queue.name)
    agent = rng.choice(staff) if staff else None
    # First response: most within the target, some beyond it.
    delay = t.first_response_target * (
        rng.uniform(0.05, 0.9) if rng.random() < 0.85 else rng.uniform(1.05, 2.5)
    )
    if t.channel in (Channel.HOTLINE, Channel.WALK_IN):
        delay = dt.timedelta(0)  # answered on the spot
    pick_up = c + delay * 0.5
    if agent is None or pick_up > now:
        return
    t.assignee = agent
    life.event(EventKind.ASSIGNED, pick_up, actor=agent, to_value=str(agent))
    life.move(Status.OPEN, pick_up, agent)
    first = c + delay
    if first > now:
        return
    reply = answers.get(t.category) or rng.choice(SHORT_REPLIES)
    ticket_clock.record_first_response(t, first)
    key = f"support:reply:demo-{t.number}-1"
    life.event(EventKind.PUBLIC_REPLY, first, actor=agent, body=reply,
               message=_message(t, body=reply, purpose=notifications.PURPOSE_REPLY, key=key, at=first, now=now, rng=rng))  # fmt: skip
    at = first
    if rng.random() < 0.35:  # asked the customer for something
        life.move(Status.WAITING, at, agent)
        answer_at = at + dt.timedelta(hours=rng.uniform(1, 40))
        if answer_at > now:
            return
        life.event(EventKind.CUSTOMER_REPLY, answer_at, body=rng.choice(CUSTOMER_REPLIES))
        life.move(Status.OPEN, answer_at, None, "客户已回复。")
        at = answer_at
    if rng.random() < 0.15:
        life.event(
            EventKind.INTERNAL_NOTE,
            at + dt.timedelta(minutes=10),
            actor=agent,
            body="已与网点核实，系统记录无误。",
        )
    share = rng.uniform(0.1, 0.95) if rng.random() < 0.85 else rng.uniform(1.05, 1.8)
    resolve_at = max(at + dt.timedelta(minutes=5), c + t.paused_total + t.resolution_target * share)
    if resolve_at > now:
        return
    life.move(Status.RESOLVED, resolve_at, agent)
    token = f"demo{rng.getrandbits(128):032x}"
    answered_at = resolve_at + dt.timedelta(hours=rng.uniform(0.2, 30))
    answered = rng.random() < 0.45 and answered_at < now
    # A survey still open to an answer carries a live link and goes out through the outbox, so a
    # demo user finds it where customers' messages land and answers it as a customer does.
    live = not answered and now - resolve_at < dt.timedelta(days=SURVEY_VALID_DAYS)
    survey_message = _message(
        t, body=survey_url(token) if live else "（演示数据，链接已失效）", purpose=notifications.PURPOSE_SURVEY,
        key=f"support:survey:demo-{t.number}", at=resolve_at, now=now, rng=rng, queued=live,
    )  # fmt: skip
    if survey_message is not None:
        life.event(
            EventKind.SURVEY_SENT,
            resolve_at,
            message=survey_message,
            body="满意度调查已生成，经客户来单渠道发送。",
        )
        score = rng.choices([5, 4, 3, 2, 1], weights=[55, 25, 10, 6, 4])[0] if answered else None
        comment = rng.choice(COMMENTS) if answered else ""
        life.survey = Survey(
            token_hash=hashlib.sha256(token.encode()).hexdigest(), channel=t.channel, agent=agent, queue=t.queue,
            sent_at=resolve_at, expires_at=resolve_at + dt.timedelta(days=SURVEY_VALID_DAYS),
            answered_at=answered_at if answered else None, score=score, comment=comment,
        )  # fmt: skip
        if answered:
            life.event(EventKind.SURVEY_ANSWERED, answered_at, to_value=str(score), body=comment)
    close_at = resolve_at + dt.timedelta(days=7)
    if close_at <= now:
        life.move(Status.CLOSED, close_at, None, "解决后 7 天客户未再回复，工单自动关闭。")


def seed(*, rng: random.Random, today: dt.date, stdout, scale: float = 1.0) -> dict:
    """Make about 200 × `scale` tickets of the last 60 days over existing customers and
    policies, with their histories, notifications and surveys. Returns counts."""
    now = timezone.now()
    if today < timezone.localdate(now):
        now = timezone.make_aware(dt.datetime.combine(today, dt.time(17, 30)))
    count = max(1, int(TICKETS_PER_SCALE * scale))
    policies = list(
        Policy.objects.select_related("vehicle", "policyholder", "branch").order_by("-pk")[: count * 5]
    )
    if not policies:
        stdout.write("客服工单：没有保单数据，跳过。")
        return {"tickets": 0}
    with transaction.atomic():
        queues = _queues(rng)
        targets = {(s.category, s.priority): s for s in SlaTarget.objects.all()}
        staff_by_scope = _staff(queues)
        articles = {a.title: a.body for a in Article.objects.filter(is_published=True)}
        tickets = [_ticket(rng, now, policies, queues, targets) for _ in range(count)]
        _number(tickets)
        lives = []
        for ticket in tickets:
            staff = staff_by_scope.get(ticket.queue.branch_id, [])
            if staff and ticket.channel in (Channel.HOTLINE, Channel.WALK_IN):
                ticket.created_by = rng.choice(staff)
            answers = {
                k: articles[rng.choice(v)] for k, v in ANSWERS.items() if v and all(x in articles for x in v)
            }
            life = _Life(ticket)
            _live(life, rng=rng, now=now, staff=staff, answers=answers)
            lives.append(life)
        _write(lives)
        result = sla_check(now=now)
    stdout.write(
        f"客服工单 {len(lives)} 张（队列 {len(queues)} 个），SLA 预警 {result.response_warnings + result.resolution_warnings}，"
        f"超时升级 {result.response_escalations + result.resolution_escalations}"
    )
    return {"tickets": len(lives), "queues": len(queues)}


def _ticket(rng, now, policies, queues, targets) -> Ticket:
    policy = rng.choice(policies)
    channel = _weighted(rng, CHANNEL_WEIGHTS)
    category = _weighted(rng, CATEGORY_WEIGHTS)
    priority = _weighted(rng, PRIORITY_WEIGHTS)
    if category == Category.COMPLAINT and rng.random() < 0.5:
        priority = Priority.HIGH
    subject, description = rng.choice(SUBJECTS[category])
    # Walk-ins, written requests and policy changes belong to the policy's branch; the rest
    # to the hotline centre.
    at_branch = (
        channel in (Channel.WALK_IN, Channel.EMAIL, Channel.WEBSITE) or category == Category.POLICY_CHANGE
    )
    queue = _route(queues, policy.branch if at_branch else None, category)
    # A third of the tickets came in over the last two days: the ones still being worked.
    days = 2 if rng.random() < 0.33 else DAYS_BACK
    created = now - dt.timedelta(minutes=rng.uniform(5, days * 24 * 60))
    person = policy.policyholder
    ticket = Ticket(
        subject=subject, description=description, customer=person, vehicle=policy.vehicle, policy=policy,
        contact_name=person.name, contact_phone=person.phone, contact_email=person.email,
        channel=channel, category=category, priority=priority, queue=queue, created_at=created,
    )  # fmt: skip
    ticket_clock.apply_targets(ticket, targets[(category, priority)])
    ticket_clock.sync(ticket, sla.Clock(created))
    return ticket


def _queues(rng) -> list[Queue]:
    """A general queue per active branch (a complaints queue at every third), the hotline
    centre's queues from the migration, and a supervisor for each where there is one."""
    branches = list(Branch.objects.filter(is_active=True).order_by("code"))
    have = {(q.branch_id, q.category) for q in Queue.objects.filter(is_active=True)}
    new = []
    for i, branch in enumerate(branches):
        if (branch.pk, "") not in have:
            new.append(Queue(name=f"{branch.name} · 综合", branch=branch, category=""))
        if i % 3 == 0 and (branch.pk, Category.COMPLAINT) not in have:
            new.append(Queue(name=f"{branch.name} · 投诉", branch=branch, category=Category.COMPLAINT))
    Queue.objects.bulk_create(new)
    supervisors = list(
        User.objects.filter(access.holders("view_all_tickets"), is_active=True, is_superuser=False)
    )
    queues = list(Queue.objects.filter(is_active=True).select_related("branch"))
    for queue in queues:
        if queue.supervisor_id is None and supervisors:
            local = [s for s in supervisors if s.branch_id == queue.branch_id] or supervisors
            queue.supervisor = rng.choice(local)
    Queue.objects.bulk_update(queues, ["supervisor"])
    return queues


def _route(queues: list[Queue], branch: Branch | None, category: str) -> Queue:
    branch_id = branch.pk if branch else None
    mine = [q for q in queues if q.branch_id == branch_id]
    return next((q for q in mine if q.category == category), None) or next(
        q for q in mine if q.category == ""
    )


def _staff(queues: list[Queue]) -> dict:
    """Who works each scope's tickets: branch id → its staff, None → the hotline's."""
    workers = list(User.objects.filter(access.holders("work_tickets"), is_active=True, is_superuser=False))
    hotline = set(
        User.objects.filter(access.holders("view_hotline_queues"), is_active=True).values_list(
            "pk", flat=True
        )
    )
    scopes: dict = defaultdict(list)
    for user in workers:
        if user.pk in hotline:
            scopes[None].append(user)
        if user.branch_id:
            scopes[user.branch_id].append(user)
    return scopes


def _number(tickets: list[Ticket]) -> None:
    by_day = defaultdict(list)
    for ticket in tickets:
        by_day[timezone.localdate(ticket.created_at)].append(ticket)
    blocks = reserve_ticket_number_blocks({day: len(group) for day, group in by_day.items()})
    for day, group in by_day.items():
        group.sort(key=lambda t: t.created_at)
        for ticket, number in zip(group, blocks[day], strict=True):
            ticket.number = number


def _write(lives: list[_Life]) -> None:
    Ticket.objects.bulk_create([life.ticket for life in lives], batch_size=500)
    messages = []
    for life in lives:
        for i, message in life.message_of.items():
            life.events[i].message = message
            messages.append(message)
    OutboundMessage.objects.bulk_create(messages, batch_size=500)
    for message in messages:  # auto_now_add stamped the seeding time: put back the simulated one
        message.created_at = message.not_before
    OutboundMessage.objects.bulk_update(messages, ["created_at"], batch_size=500)
    events = []
    for life in lives:
        for event in life.events:
            event.ticket = life.ticket
            events.append(event)
    TicketEvent.objects.bulk_create(events, batch_size=1000)
    surveys = []
    for life in lives:
        if life.survey is not None:
            life.survey.ticket = life.ticket
            life.survey.message = next(e.message for e in life.events if e.kind == EventKind.SURVEY_SENT)
            surveys.append(life.survey)
    Survey.objects.bulk_create(surveys, batch_size=500)


def reset(*, stdout) -> None:
    """Delete the tickets about the demo branches' customers, vehicles and policies or in
    their queues, with their history (whose append-only trigger is lifted for these deletes
    only) and surveys."""
    from django.db.models import Q

    from policies.demo import DEMO_BRANCH_CODES
    from policies.demo.triggers import append_only_lifted

    demo_policies = Policy.objects.filter(branch__code__in=DEMO_BRANCH_CODES)
    tickets = Ticket.objects.filter(
        Q(queue__branch__code__in=DEMO_BRANCH_CODES)
        | Q(policy__in=demo_policies.values("pk"))
        | Q(vehicle__in=demo_policies.values("vehicle_id"))
        | Q(customer__in=demo_policies.values("policyholder_id"))
    ).values_list("pk", flat=True)
    with transaction.atomic(), append_only_lifted(("support_ticketevent", "support_ticketevent_append_only")):
        ids = list(tickets)
        # Any other ticket that names a demo claim keeps its history but loses the link.
        Ticket.objects.filter(claim__policy__in=demo_policies.values("pk")).exclude(pk__in=ids).update(
            claim=None
        )
        Ticket.objects.filter(merged_into__in=ids).update(merged_into=None)
        Survey.objects.filter(ticket__in=ids).delete()
        TicketEvent.objects.filter(ticket__in=ids).delete()
        deleted, _ = Ticket.objects.filter(pk__in=ids).delete()
    stdout.write(f"已删除演示工单 {deleted} 条记录")
