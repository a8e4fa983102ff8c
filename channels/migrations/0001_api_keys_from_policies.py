"""API keys and their usage move from the policies app to the channels app; their tables stay."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.contenttypes import move_content_types


def _move_content_types(apps, schema_editor):
    move_content_types(apps, old_label="policies", new_label="channels", models=["apikey", "apiusage"])


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
                    name="ApiKey",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "name",
                            models.CharField(
                                help_text="如：官网续保页（生产）", max_length=100, verbose_name="名称"
                            ),
                        ),
                        (
                            "channel",
                            models.CharField(
                                choices=[("website", "官网"), ("app", "APP"), ("mini_program", "微信小程序")],
                                max_length=16,
                                verbose_name="渠道",
                            ),
                        ),
                        (
                            "prefix",
                            models.CharField(
                                help_text="用于识别密钥，可公开显示",
                                max_length=12,
                                unique=True,
                                verbose_name="密钥前缀",
                            ),
                        ),
                        (
                            "key_hash",
                            models.CharField(
                                editable=False, max_length=64, unique=True, verbose_name="密钥摘要"
                            ),
                        ),
                        (
                            "requests_per_minute",
                            models.PositiveIntegerField(
                                default=600,
                                help_text="超过后返回 429，须按 Retry-After 等待",
                                verbose_name="每分钟请求上限",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                        ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="停用时间")),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="创建人",
                            ),
                        ),
                        (
                            "revoked_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="停用人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "API 密钥",
                        "verbose_name_plural": "API 密钥",
                        "db_table": "policies_apikey",
                    },
                ),
                migrations.CreateModel(
                    name="ApiUsage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("day", models.DateField(verbose_name="日期")),
                        ("endpoint", models.CharField(max_length=40, verbose_name="接口")),
                        ("requests", models.PositiveIntegerField(default=0, verbose_name="请求数")),
                        ("succeeded", models.PositiveIntegerField(default=0, verbose_name="成功")),
                        ("not_found", models.PositiveIntegerField(default=0, verbose_name="未找到")),
                        (
                            "rejected",
                            models.PositiveIntegerField(
                                default=0, help_text="参数错误等 4xx（不含 404、429）", verbose_name="被拒绝"
                            ),
                        ),
                        ("limited", models.PositiveIntegerField(default=0, verbose_name="被限流")),
                        (
                            "key",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="usage",
                                to="channels.apikey",
                                verbose_name="密钥",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "API 调用量",
                        "verbose_name_plural": "API 调用量",
                        "db_table": "policies_apiusage",
                    },
                ),
                migrations.AddConstraint(
                    model_name="apikey",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("channel__in", ["website", "app", "mini_program"])),
                        name="apikey_channel_valid",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="apikey",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("requests_per_minute__gt", 0)),
                        name="apikey_rate_positive",
                        violation_error_message="每分钟请求上限须为正整数。",
                    ),
                ),
                migrations.AddIndex(
                    model_name="apiusage",
                    index=models.Index(fields=["day"], name="apiusage_day_idx"),
                ),
                migrations.AddConstraint(
                    model_name="apiusage",
                    constraint=models.UniqueConstraint(
                        fields=("key", "day", "endpoint"), name="apiusage_key_day_endpoint_uniq"
                    ),
                ),
            ],
        ),
        migrations.RunPython(_move_content_types, migrations.RunPython.noop),
    ]
