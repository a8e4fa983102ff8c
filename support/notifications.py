"""Messages to customers about their tickets: where they go (the channel the ticket came
in by) and what they say. Written to the shared outbox by the services, inside the
transaction of the change that causes them; the outbox's sender delivers them."""

from __future__ import annotations

from dataclasses import dataclass

from core.masking import mask_phone
from outbox.models import OutboundMessage
from outbox.services import MessageChannel, enqueue_message
from support.choices import Channel

PURPOSE_REPLY = "ticket_reply"
PURPOSE_SURVEY = "ticket_survey"
PUSH_PREVIEW_CHARS = 60

# Each ticket channel's preferred ways back, first reachable wins. The hotline, the branch
# counter and the mini program have no written channel of their own: they get an SMS.
CHANNEL_ROUTES: dict[str, tuple[str, ...]] = {
    Channel.HOTLINE: (MessageChannel.SMS,),
    Channel.WALK_IN: (MessageChannel.SMS,),
    Channel.MINI_PROGRAM: (MessageChannel.SMS,),
    Channel.WEBSITE: (MessageChannel.EMAIL, MessageChannel.SMS),
    Channel.EMAIL: (MessageChannel.EMAIL, MessageChannel.SMS),
    Channel.APP: (MessageChannel.PUSH, MessageChannel.SMS),
}


@dataclass(frozen=True)
class Route:
    channel: str
    recipient: str


def route_for(*, channel: str, phone: str = "", email: str = "", app_account: str = "") -> Route | None:
    """Where a message about a ticket from `channel` goes, or None when the customer left
    no address that channel can reach."""
    addresses = {MessageChannel.SMS: phone, MessageChannel.EMAIL: email, MessageChannel.PUSH: app_account}
    for way in CHANNEL_ROUTES[channel]:
        if addresses[way]:
            return Route(way, addresses[way])
    return None


def ticket_route(ticket) -> Route | None:
    customer = ticket.customer
    return route_for(
        channel=ticket.channel,
        phone=ticket.contact_phone or (customer.phone if customer else ""),
        email=ticket.contact_email or (customer.email if customer else ""),
        app_account=customer.app_account if customer else "",
    )


def describe(route: Route | None) -> str:
    """Where a reply will go, masked, for the agent: 短信 139****5678."""
    if route is None:
        return "客户未留可用的联系方式：回复只记入工单，不会发出"
    if route.channel == MessageChannel.SMS:
        return f"将以短信发送至 {mask_phone(route.recipient)}"
    if route.channel == MessageChannel.EMAIL:
        name, _, domain = route.recipient.partition("@")
        return f"将以电子邮件发送至 {name[:1]}***@{domain}"
    return "将推送至客户的 APP"


# SMS segments: a text of GSM 7-bit characters (here: printable ASCII) fits 160 in one message,
# 153 per part when split; any Chinese character makes it UCS-2: 70 in one, 67 per part.
SMS_SINGLE = {"gsm": 160, "ucs2": 70}
SMS_PART = {"gsm": 153, "ucs2": 67}
BODY_MARK = "\x00"


@dataclass(frozen=True)
class SmsSize:
    chars: int
    segments: int
    encoding: str  # "gsm" or "ucs2"


def sms_size(text: str) -> SmsSize:
    """How many characters and billed SMS segments `text` takes."""
    encoding = "gsm" if all(" " <= c <= "~" or c in "\r\n" for c in text) else "ucs2"
    chars = len(text)
    single, part = SMS_SINGLE[encoding], SMS_PART[encoding]
    segments = 1 if chars <= single else -(-chars // part)
    return SmsSize(chars=chars, segments=segments, encoding=encoding)


def sms_reply_frame(number: str) -> tuple[str, str]:
    """The fixed words an SMS reply wraps the agent's text in: (before, after)."""
    _, text = reply_text(number=number, body=BODY_MARK, channel=MessageChannel.SMS)
    before, _, after = text.partition(BODY_MARK)
    return before, after


def reply_text(*, number: str, body: str, channel: str) -> tuple[str, str]:
    """(subject, text) of a public reply."""
    if channel == MessageChannel.PUSH:
        preview = body if len(body) <= PUSH_PREVIEW_CHARS else body[:PUSH_PREVIEW_CHARS] + "…"
        return f"服务单 {number} 有新回复", preview
    if channel == MessageChannel.EMAIL:
        text = f"您好：\n\n关于您的服务单 {number}，我们的答复如下：\n\n{body}\n\n如需补充，请直接回复本邮件。\n交强险客户服务中心"
        return f"服务单 {number} 的答复", text
    return "", f"【交强险服务】您的服务单{number}有新答复：{body} 如需补充，请直接回复本短信。"


def survey_text(*, number: str, url: str, days: int, channel: str) -> tuple[str, str]:
    """(subject, text) of the satisfaction survey."""
    if channel == MessageChannel.EMAIL:
        text = (
            f"您好：\n\n您的服务单 {number} 已处理完毕。请用 10 秒钟为本次服务打分（1–5 分）：\n{url}\n\n"
            f"链接 {days} 天内有效，仅可提交一次。感谢您的支持！\n交强险客户服务中心"
        )
        return f"请为服务单 {number} 的服务评分", text
    subject = "请为本次服务评分" if channel == MessageChannel.PUSH else ""
    return subject, (
        f"【交强险服务】您的服务单{number}已处理完毕，请为本次服务打分（1–5 分）：{url} "
        f"链接{days}天内有效，仅可提交一次。"
    )


def enqueue_reply(*, ticket, body: str, dedupe_key: str) -> OutboundMessage | None:
    route = ticket_route(ticket)
    if route is None:
        return None
    subject, text = reply_text(number=ticket.number, body=body, channel=route.channel)
    return enqueue_message(
        channel=route.channel, recipient=route.recipient, text=text, subject=subject,
        purpose=PURPOSE_REPLY, dedupe_key=dedupe_key, person=ticket.customer,
    )  # fmt: skip


def enqueue_survey(*, ticket, url: str, days: int, dedupe_key: str) -> OutboundMessage | None:
    route = ticket_route(ticket)
    if route is None:
        return None
    subject, text = survey_text(number=ticket.number, url=url, days=days, channel=route.channel)
    return enqueue_message(
        channel=route.channel, recipient=route.recipient, text=text, subject=subject,
        purpose=PURPOSE_SURVEY, dedupe_key=dedupe_key, person=ticket.customer,
    )  # fmt: skip
