"""The reminder models move from the policies app to their own; their tables stay where they are."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.contenttypes import move_content_types


def _move_content_types(apps, schema_editor):
    move_content_types(
        apps,
        old_label="policies",
        new_label="reminders",
        models=[
            "cadencestep",
            "reminder",
            "reminderconversionday",
            "reminderoptout",
            "reminderstop",
            "renewalcall",
            "renewalcallattempt",
        ],
    )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("policies", "0010_hotline_search_indexes"),
        ("outbox", "0001_outbox_from_policies"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CadenceStep",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "channel",
                            models.CharField(
                                choices=[
                                    ("sms", "短信"),
                                    ("email", "电子邮件"),
                                    ("push", "APP 推送"),
                                    ("call", "热线外呼"),
                                ],
                                max_length=8,
                                verbose_name="渠道",
                            ),
                        ),
                        (
                            "days_left",
                            models.SmallIntegerField(
                                help_text="正数为到期前天数，0 为到期当天，-1 为脱保第一天",
                                verbose_name="距保险止期天数",
                            ),
                        ),
                        ("is_active", models.BooleanField(default=True, verbose_name="启用")),
                        ("note", models.CharField(blank=True, max_length=100, verbose_name="说明")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="修改时间")),
                    ],
                    options={
                        "verbose_name": "提醒节奏",
                        "verbose_name_plural": "提醒节奏",
                        "db_table": "policies_cadencestep",
                        "ordering": ["channel", "-days_left"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("channel", "days_left"),
                                name="cadence_step_unique",
                                violation_error_message="该渠道已有这个提醒时点。",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("days_left__gte", -30), ("days_left__lte", 89)),
                                name="cadence_step_days_in_range",
                                violation_error_message="提醒时点须在到期前 89 天至脱保后 30 天之间（-30 至 89）。",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("channel__in", ["sms", "email", "push", "call"])),
                                name="cadence_step_channel_valid",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Reminder",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "channel",
                            models.CharField(
                                choices=[
                                    ("sms", "短信"),
                                    ("email", "电子邮件"),
                                    ("push", "APP 推送"),
                                    ("call", "热线外呼"),
                                ],
                                max_length=8,
                                verbose_name="渠道",
                            ),
                        ),
                        ("days_left", models.SmallIntegerField(verbose_name="距保险止期天数")),
                        ("planned_for", models.DateField(verbose_name="计划日期")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                        (
                            "message",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="reminder",
                                to="outbox.outboundmessage",
                                verbose_name="外发消息",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reminders",
                                to="policies.person",
                                verbose_name="客户",
                            ),
                        ),
                        (
                            "policy",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reminders",
                                to="policies.policy",
                                verbose_name="保单",
                            ),
                        ),
                        (
                            "step",
                            models.ForeignKey(
                                blank=True,
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="reminders",
                                to="reminders.cadencestep",
                                verbose_name="提醒节奏",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "续保提醒",
                        "verbose_name_plural": "续保提醒",
                        "db_table": "policies_reminder",
                        "permissions": [("manage_reminders", "可管理续保提醒")],
                    },
                ),
                migrations.CreateModel(
                    name="ReminderConversionDay",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("planned_for", models.DateField(verbose_name="计划日期")),
                        (
                            "channel",
                            models.CharField(
                                choices=[
                                    ("sms", "短信"),
                                    ("email", "电子邮件"),
                                    ("push", "APP 推送"),
                                    ("call", "热线外呼"),
                                ],
                                max_length=8,
                                verbose_name="渠道",
                            ),
                        ),
                        ("days_left", models.SmallIntegerField(verbose_name="距保险止期天数")),
                        ("planned", models.PositiveIntegerField(verbose_name="计划")),
                        ("sent", models.PositiveIntegerField(verbose_name="已发送")),
                        ("renewed_after", models.PositiveIntegerField(verbose_name="发送后续保")),
                        ("last_touch", models.PositiveIntegerField(verbose_name="末次触达归因")),
                        (
                            "first_touch",
                            models.PositiveIntegerField(
                                help_text="该保单最早发出的一次提醒", verbose_name="首次触达"
                            ),
                        ),
                        ("computed_at", models.DateTimeField(verbose_name="统计时间")),
                    ],
                    options={
                        "verbose_name": "提醒转化统计",
                        "verbose_name_plural": "提醒转化统计",
                        "db_table": "policies_reminderconversionday",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("planned_for", "channel", "days_left"), name="conversion_day_unique"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ReminderOptOut",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "channel",
                            models.CharField(
                                choices=[
                                    ("sms", "短信"),
                                    ("email", "电子邮件"),
                                    ("push", "APP 推送"),
                                    ("call", "热线外呼"),
                                ],
                                max_length=8,
                                verbose_name="渠道",
                            ),
                        ),
                        ("reason", models.CharField(blank=True, max_length=200, verbose_name="原因")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="登记时间")),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="登记人",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reminder_opt_outs",
                                to="policies.person",
                                verbose_name="客户",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "退订提醒",
                        "verbose_name_plural": "退订提醒",
                        "db_table": "policies_reminderoptout",
                    },
                ),
                migrations.CreateModel(
                    name="RenewalCall",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("phone", models.CharField(max_length=20, verbose_name="联系电话")),
                        ("due_date", models.DateField(verbose_name="计划外呼日期")),
                        ("days_left", models.SmallIntegerField(verbose_name="距保险止期天数")),
                        (
                            "call_after",
                            models.DateTimeField(blank=True, null=True, verbose_name="回呼/重拨时间"),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("open", "待外呼"), ("closed", "已结束")],
                                default="open",
                                max_length=8,
                                verbose_name="状态",
                            ),
                        ),
                        (
                            "outcome",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("renewed", "已续保"),
                                    ("will_renew", "承诺续保"),
                                    ("call_back", "约定回电"),
                                    ("unreachable", "未接通"),
                                    ("refused", "拒绝续保"),
                                    ("wrong_number", "号码错误"),
                                ],
                                max_length=16,
                                verbose_name="外呼结果",
                            ),
                        ),
                        (
                            "outcome_note",
                            models.CharField(blank=True, max_length=500, verbose_name="结果备注"),
                        ),
                        ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="外呼次数")),
                        (
                            "first_attempt_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="首次外呼时间"),
                        ),
                        (
                            "last_attempt_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="最近外呼时间"),
                        ),
                        ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="结束时间")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                        (
                            "assigned_to",
                            models.ForeignKey(
                                blank=True,
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="renewal_calls",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="外呼坐席",
                            ),
                        ),
                        (
                            "branch",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="renewal_calls",
                                to="policies.branch",
                                verbose_name="承保网点",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="renewal_calls",
                                to="policies.person",
                                verbose_name="客户",
                            ),
                        ),
                        (
                            "policy",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="renewal_calls",
                                to="policies.policy",
                                verbose_name="保单",
                            ),
                        ),
                        (
                            "reminder",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="call",
                                to="reminders.reminder",
                                verbose_name="提醒",
                            ),
                        ),
                        (
                            "vehicle",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="renewal_calls",
                                to="policies.vehicle",
                                verbose_name="车辆",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "续保外呼",
                        "verbose_name_plural": "续保外呼",
                        "db_table": "policies_renewalcall",
                        "permissions": [("work_renewal_calls", "可处理续保外呼")],
                    },
                ),
                migrations.CreateModel(
                    name="ReminderStop",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "channel",
                            models.CharField(
                                choices=[
                                    ("sms", "短信"),
                                    ("email", "电子邮件"),
                                    ("push", "APP 推送"),
                                    ("call", "热线外呼"),
                                ],
                                max_length=8,
                                verbose_name="渠道",
                            ),
                        ),
                        (
                            "reason",
                            models.CharField(
                                choices=[
                                    ("renewed", "客户表示已续保"),
                                    ("will_renew", "客户承诺续保"),
                                    ("refused", "客户拒绝续保"),
                                    ("wrong_number", "号码错误"),
                                ],
                                max_length=16,
                                verbose_name="原因",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="登记时间")),
                        (
                            "policy",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reminder_stops",
                                to="policies.policy",
                                verbose_name="保单",
                            ),
                        ),
                        (
                            "call",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="reminders.renewalcall",
                                verbose_name="来源外呼",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "停止提醒",
                        "verbose_name_plural": "停止提醒",
                        "db_table": "policies_reminderstop",
                    },
                ),
                migrations.CreateModel(
                    name="RenewalCallAttempt",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "outcome",
                            models.CharField(
                                choices=[
                                    ("renewed", "已续保"),
                                    ("will_renew", "承诺续保"),
                                    ("call_back", "约定回电"),
                                    ("unreachable", "未接通"),
                                    ("refused", "拒绝续保"),
                                    ("wrong_number", "号码错误"),
                                ],
                                max_length=16,
                                verbose_name="结果",
                            ),
                        ),
                        ("note", models.CharField(blank=True, max_length=500, verbose_name="备注")),
                        (
                            "call_back_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="约定回电时间"),
                        ),
                        ("created_at", models.DateTimeField(verbose_name="外呼时间")),
                        (
                            "agent",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="坐席",
                            ),
                        ),
                        (
                            "call",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attempt_log",
                                to="reminders.renewalcall",
                                verbose_name="外呼",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "外呼记录",
                        "verbose_name_plural": "外呼记录",
                        "db_table": "policies_renewalcallattempt",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.AddIndex(
                    model_name="reminder",
                    index=models.Index(fields=["planned_for", "channel"], name="reminder_planned_idx"),
                ),
                migrations.AddConstraint(
                    model_name="reminder",
                    constraint=models.UniqueConstraint(
                        fields=("policy", "channel", "days_left"), name="reminder_once_per_step"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="reminder",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("channel__in", ["sms", "email", "push", "call"])),
                        name="reminder_channel_valid",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="reminderoptout",
                    constraint=models.UniqueConstraint(
                        fields=("person", "channel"),
                        name="reminder_opt_out_unique",
                        violation_error_message="该客户已退订这个渠道。",
                    ),
                ),
                migrations.AddIndex(
                    model_name="renewalcall",
                    index=models.Index(
                        fields=["branch", "status", "due_date"], name="renewal_call_branch_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="renewalcall",
                    index=models.Index(
                        fields=["assigned_to", "status", "call_after"], name="renewal_call_agent_idx"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="renewalcall",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("status", "open")),
                        fields=("policy",),
                        name="renewal_call_one_open_per_policy",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="renewalcall",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "open"), ("closed_at__isnull", True)),
                            models.Q(
                                ("status", "closed"),
                                ("closed_at__isnull", False),
                                models.Q(("outcome", ""), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="renewal_call_closed_has_outcome",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="reminderstop",
                    constraint=models.UniqueConstraint(
                        fields=("policy", "channel"), name="reminder_stop_unique"
                    ),
                ),
            ],
        ),
        migrations.RunPython(_move_content_types, migrations.RunPython.noop),
    ]
