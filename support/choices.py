"""Enumerations of the support desk (codes stored in the database, labels shown in Chinese)."""

from django.db import models


class Channel(models.TextChoices):
    """Where a ticket came in; surveys and replies go back the same way (see `contact`)."""

    HOTLINE = "hotline", "热线电话"
    WEBSITE = "website", "官网"
    APP = "app", "APP"
    MINI_PROGRAM = "mini_program", "微信小程序"
    WALK_IN = "walk_in", "网点柜面"
    EMAIL = "email", "电子邮件"


class Category(models.TextChoices):
    RENEWAL_STATUS = "renewal_status", "续保状态"
    PREMIUM = "premium", "保费咨询"
    CLAIM = "claim", "理赔咨询"
    COMPLAINT = "complaint", "投诉"
    POLICY_CHANGE = "policy_change", "保单变更"
    OTHER = "other", "其他"


class Priority(models.TextChoices):
    LOW = "low", "低"
    NORMAL = "normal", "普通"
    HIGH = "high", "高"
    URGENT = "urgent", "紧急"


# Stored beside the priority so a queue sorts urgent first after the deadline.
PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class Status(models.TextChoices):
    NEW = "new", "新建"
    OPEN = "open", "处理中"
    WAITING = "waiting", "待客户回复"
    RESOLVED = "resolved", "已解决"
    CLOSED = "closed", "已关闭"
    REOPENED = "reopened", "重新打开"


class EventKind(models.TextChoices):
    CREATED = "created", "创建工单"
    PUBLIC_REPLY = "public_reply", "回复客户"
    INTERNAL_NOTE = "internal_note", "内部备注"
    CUSTOMER_REPLY = "customer_reply", "客户回复"
    STATUS = "status", "状态变更"
    ASSIGNED = "assigned", "分派"
    QUEUE = "queue", "转队列"
    CLASSIFIED = "classified", "调整类别/优先级"
    MERGED_INTO = "merged_into", "合并至"
    MERGED_FROM = "merged_from", "合并自"
    SLA_WARNING = "sla_warning", "时限预警"
    SLA_ESCALATED = "sla_escalated", "超时升级"
    SURVEY_SENT = "survey_sent", "发送满意度调查"
    SURVEY_ANSWERED = "survey_answered", "客户已评价"


# Events the customer saw or wrote; everything else is internal.
CUSTOMER_VISIBLE_EVENTS = frozenset({EventKind.PUBLIC_REPLY, EventKind.CUSTOMER_REPLY})
