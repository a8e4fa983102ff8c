"""The outbox's model moves from the policies app to its own; its table stays where it is."""

import django.db.models.deletion
from django.db import migrations, models

from core.contenttypes import move_content_types


def _move_content_types(apps, schema_editor):
    move_content_types(apps, old_label="policies", new_label="outbox", models=["outboundmessage"])


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("policies", "0010_hotline_search_indexes"),
        ("claims", "0002_seed_limits_thresholds_and_roles"),
        ("support", "0005_ticket_claim_link"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OutboundMessage",
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
                                choices=[("sms", "短信"), ("email", "电子邮件"), ("push", "APP 推送")],
                                max_length=8,
                                verbose_name="渠道",
                            ),
                        ),
                        ("recipient", models.CharField(max_length=254, verbose_name="接收方")),
                        ("subject", models.CharField(blank=True, max_length=200, verbose_name="标题")),
                        ("text", models.TextField(verbose_name="内容")),
                        ("purpose", models.CharField(db_index=True, max_length=30, verbose_name="用途")),
                        ("dedupe_key", models.CharField(max_length=120, unique=True, verbose_name="去重键")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "待发送"),
                                    ("sending", "发送中"),
                                    ("sent", "已发送"),
                                    ("failed", "发送失败"),
                                ],
                                default="pending",
                                max_length=8,
                                verbose_name="状态",
                            ),
                        ),
                        ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="尝试次数")),
                        ("not_before", models.DateTimeField(verbose_name="最早发送时间")),
                        ("claimed_by", models.CharField(blank=True, max_length=64, verbose_name="发送进程")),
                        ("claimed_until", models.DateTimeField(blank=True, null=True, verbose_name="占用至")),
                        ("last_error", models.TextField(blank=True, verbose_name="最近错误")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                        ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="发送时间")),
                        (
                            "person",
                            models.ForeignKey(
                                blank=True,
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="messages",
                                to="policies.person",
                                verbose_name="客户",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "外发消息",
                        "verbose_name_plural": "外发消息",
                        "db_table": "policies_outboundmessage",
                        "indexes": [
                            models.Index(
                                condition=models.Q(("status", "pending")),
                                fields=["not_before"],
                                name="outbox_pending_idx",
                            ),
                            models.Index(
                                condition=models.Q(("status", "sending")),
                                fields=["claimed_until"],
                                name="outbox_sending_idx",
                            ),
                            models.Index(fields=["status", "-created_at"], name="outbox_status_created_idx"),
                            models.Index(fields=["person", "-created_at"], name="outbox_person_idx"),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(_move_content_types, migrations.RunPython.noop),
    ]
