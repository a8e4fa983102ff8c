"""The text of renewal reminders, in Chinese, per channel and kind — one set of templates,
rendered by Python (`render`) for a single reminder and by PostgreSQL (`sql_format`) when
the planner writes thousands at once; a test proves the two agree.

Every reminder names the customer, the plate, the cover end date, the days left and where
to renew (website, app, mini program, hotline, the insuring branch). The lapse message
states the consequences of driving uninsured (docs/regulation.md §4). SMS stays short.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from policies.pricing import lapse_fine

DUE, LAST_DAY, LAPSE = "due", "last_day", "lapse"

SMS = {
    DUE: "{signature}{name}您好，您的车辆{plate}交强险将于{end}到期，距到期还有{days}天。"
    "请通过官网、APP、微信小程序续保，或致电{hotline}、到{branch}办理。",
    LAST_DAY: "{signature}{name}您好，您的车辆{plate}交强险今日（{end}）24时到期。"
    "请今天通过官网、APP、微信小程序续保，或致电{hotline}、到{branch}办理。",
    LAPSE: "{signature}{name}您好，您的车辆{plate}交强险已于{end}到期，现已脱保。"
    "脱保上路将被扣车并罚款{fine}元（保费2倍），出险须自担赔偿。"
    "请尽快通过官网、APP、小程序、{hotline}或{branch}续保。",
}

PUSH = {
    DUE: "{name}您好，您的车辆{plate}交强险将于{end}到期，还有{days}天。点此在APP内一键续保，"
    "也可通过官网、微信小程序、热线{hotline}或{branch}办理。",
    LAST_DAY: "{name}您好，您的车辆{plate}交强险今日24时到期。点此在APP内立即续保，"
    "也可通过官网、微信小程序、热线{hotline}或{branch}办理。",
    LAPSE: "{name}您好，您的车辆{plate}交强险已于{end}到期脱保，上路将被扣车并罚款{fine}元。"
    "点此在APP内立即续保，或致电{hotline}、到{branch}办理。",
}

EMAIL_SUBJECT = {
    DUE: "交强险续保提醒：{plate}将于{end}到期",
    LAST_DAY: "交强险今日到期：{plate}请今天续保",
    LAPSE: "交强险脱保提醒：{plate}已于{end}到期",
}

_WHERE = (
    "续保方式：\n"
    "· 官网：{website}\n"
    "· 手机 APP、微信小程序：登录后选择“交强险续保”\n"
    "· 服务热线：{hotline}（7×24 小时）\n"
    "· 营业网点：{branch}\n"
)
_FOOTER = "\n本邮件由系统自动发送，请勿直接回复。如需退订续保提醒，请致电{hotline}。"

EMAIL_BODY = {
    DUE: "{name}您好：\n\n您的车辆 {plate} 的交强险将于 {end} 24 时到期，距到期还有 {days} 天。"
    "交强险是国家强制保险，请在到期前完成续保，保障不间断。\n\n" + _WHERE + _FOOTER,
    LAST_DAY: "{name}您好：\n\n您的车辆 {plate} 的交强险将于今日（{end}）24 时到期。"
    "请今天完成续保，以免明日起脱保。\n\n" + _WHERE + _FOOTER,
    LAPSE: "{name}您好：\n\n您的车辆 {plate} 的交强险已于 {end} 24 时到期，目前处于脱保状态。\n\n"
    "依照《道路交通安全法》第九十八条和《机动车交通事故责任强制保险条例》，未投保交强险的机动车：\n"
    "· 上道路行驶将被公安机关交通管理部门扣留，并处应缴保费两倍的罚款（您的车辆为 {fine} 元）；\n"
    "· 不能办理注册登记和年度检验；\n"
    "· 发生交通事故时，本应由交强险赔偿的部分须由您自行承担。\n\n"
    "请尽快续保。" + _WHERE + _FOOTER,
}

TEMPLATES: dict[str, dict[str, str]] = {"sms": SMS, "push": PUSH, "email": EMAIL_BODY}

# The per-reminder fields, in the order `sql_format` passes them to PostgreSQL's format().
ROW_FIELDS = ("name", "plate", "end", "days", "lapsed", "branch", "fine")


@dataclass(frozen=True)
class ReminderText:
    subject: str
    text: str


def kind_for(days_left: int) -> str:
    if days_left > 0:
        return DUE
    return LAST_DAY if days_left == 0 else LAPSE


def chinese_date(day: dt.date) -> str:
    """2026-03-01 → 2026年3月1日"""
    return f"{day.year}年{day.month}月{day.day}日"


def _constants() -> dict[str, str]:
    return {
        "signature": settings.SMS_SIGNATURE,
        "hotline": settings.SERVICE_HOTLINE,
        "website": settings.SERVICE_WEBSITE,
    }


def render(
    channel: str,
    *,
    name: str,
    plate: str,
    end_date: dt.date,
    days_left: int,
    branch: str,
    base_premium: Decimal,
) -> ReminderText:
    """The subject (email only) and text of one reminder."""
    kind = kind_for(days_left)
    fields = _constants() | {
        "name": name,
        "plate": plate,
        "end": chinese_date(end_date),
        "days": str(days_left),
        "lapsed": str(-days_left),
        "branch": branch,
        "fine": str(lapse_fine(base_premium)),
    }
    subject = EMAIL_SUBJECT[kind].format(**fields) if channel == "email" else ""
    return ReminderText(subject=subject, text=TEMPLATES[channel][kind].format(**fields))


def sql_format(template: str) -> str:
    """`template` as a format string for PostgreSQL's format(): the constants filled in
    here, each per-reminder field as a positional argument (`%1$s` is the name, …)."""
    constants = _constants()
    parts = []
    for literal, field, _spec, _conv in string.Formatter().parse(template):
        parts.append(literal.replace("%", "%%"))
        if field is None:
            continue
        if field in constants:
            parts.append(constants[field].replace("%", "%%"))
        else:
            parts.append(f"%{ROW_FIELDS.index(field) + 1}$s")
    return "".join(parts)
