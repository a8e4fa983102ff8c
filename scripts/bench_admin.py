"""Time every admin page a supervisor uses, on the database DATABASE_URL points at.

Run it against a database holding the 1,000,000-policy demo:

    DATABASE_URL=postgres://…/jqx_data python manage.py seed_demo --policies 1000000
    DATABASE_URL=postgres://…/jqx_data python scripts/bench_admin.py [--log-rows 200000]

Each change list is fetched plain, searched by its lookup fields and filtered, and one
change page of each model, as the demo supervisor through Django's test client; the
script prints each page's time (best of --repeat) and query count. It changes nothing:
the access-log and outbox rows it adds so those lists are not empty (--log-rows), and the
access-log rows the person pages write, are rolled back at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jqx_portal.settings")
os.environ.setdefault("SECRET_KEY", "bench-admin-not-secret")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DATABASE_POOL", "0")
os.environ.setdefault("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")


class Rollback(Exception):
    pass


def fill_logs(count: int) -> None:
    """Add `count` access-log rows and outbox messages about demo people (rolled back later)."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from outbox.models import OutboundMessage
    from policies.importing.bulk import BulkInserter, release_ids, reserve_ids
    from policies.models import Person, PersonAccessLog, User

    users = list(User.objects.values_list("pk", flat=True)[:6])
    persons = list(Person.objects.order_by("-pk").values_list("pk", "phone")[:count])
    now = timezone.now()
    first = reserve_ids(PersonAccessLog)
    with BulkInserter(
        PersonAccessLog, ("id", "user", "person", "page", "path", "ip_address", "accessed_at")
    ) as w:
        for i in range(count):
            pk, _ = persons[i % len(persons)]
            page = ("counter", "hotline", "admin", "api")[i % 4]
            w.add((first + i, users[i % len(users)], pk, page, f"/{page}/person/{pk}/", "10.0.0.8",
                   now - dt.timedelta(seconds=i * 13)))  # fmt: skip
    first = reserve_ids(OutboundMessage)
    fields = ("id", "channel", "recipient", "subject", "text", "purpose", "dedupe_key", "person", "status",
              "attempts", "not_before", "claimed_by", "last_error", "created_at", "sent_at")  # fmt: skip
    with BulkInserter(OutboundMessage, fields) as w:
        for i in range(count):
            pk, phone = persons[i % len(persons)]
            status = ("sent", "sent", "sent", "pending", "failed")[i % 5]
            created = now - dt.timedelta(seconds=i * 29)
            w.add((first + i, "sms", phone, "", "您的交强险将于 30 天后到期，请及时续保。",
                   ("renewal_reminder", "renewal_reminder", "ticket_reply", "survey")[i % 4],
                   f"bench:{i}", pk, status, 1, created, "", "", created,
                   created if status == "sent" else None))  # fmt: skip
    release_ids(PersonAccessLog)
    release_ids(OutboundMessage)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE policies_personaccesslog")
        cursor.execute("ANALYZE policies_outboundmessage")


def pages() -> list[tuple[str, str]]:
    from policies.models import (
        BasePremiumRate,
        Branch,
        DrivingLicence,
        FloatingPlanRegion,
        FloatingRate,
        OutboundMessage,
        PersonAccessLog,
        Policy,
        ProvinceRule,
        ShortTermRate,
        User,
        VehicleTaxRate,
    )  # fmt: skip

    policy = (
        Policy.objects.filter(renewed_from__isnull=False).select_related("vehicle").order_by("-pk").first()
    )
    vehicle, person = policy.vehicle, policy.policyholder
    licence = DrivingLicence.objects.order_by("-pk").first()
    branch = Branch.objects.order_by("pk").first()
    log = PersonAccessLog.objects.order_by("-pk").first()
    message = OutboundMessage.objects.order_by("-pk").first()
    user = User.objects.get(username="supervisor")
    a = "/admin/policies"
    result = [
        ("后台首页", "/admin/"),
        ("保单 列表", f"{a}/policy/"),
        ("保单 列表 第 200 页", f"{a}/policy/?p=200"),
        ("保单 按止期排序", f"{a}/policy/?o=4"),
        ("保单 按保单号倒序", f"{a}/policy/?o=-0"),
        ("保单 按保费排序（不允许）", f"{a}/policy/?o=6"),
        ("保单 搜索保单号", f"{a}/policy/?q={policy.number}"),
        ("保单 搜索号牌", f"{a}/policy/?q={vehicle.plate}"),
        ("保单 搜索 VIN", f"{a}/policy/?q={vehicle.vin}"),
        ("保单 筛选 已退保", f"{a}/policy/?status__exact=cancelled"),
        ("保单 筛选 显示计数（已关闭）", f"{a}/policy/?status__exact=cancelled&_facets=True"),
        ("保单 筛选 网点", f"{a}/policy/?branch__id__exact={branch.pk}"),
        ("保单 筛选 渠道+网点", f"{a}/policy/?channel__exact=app&branch__id__exact={branch.pk}"),
        ("保单 筛选 浮动原因 A6", f"{a}/policy/?floating_reason__exact=A6"),
        ("保单 筛选 短期", f"{a}/policy/?term_kind__exact=near_scrap"),
        ("保单 详情", f"{a}/policy/{policy.pk}/change/"),
        ("车辆 列表", f"{a}/vehicle/"),
        ("车辆 按号牌排序", f"{a}/vehicle/?o=0"),
        ("车辆 搜索号牌", f"{a}/vehicle/?q={vehicle.plate}"),
        ("车辆 搜索 VIN", f"{a}/vehicle/?q={vehicle.vin}"),
        ("车辆 筛选 纯电动", f"{a}/vehicle/?energy_type__exact=electric"),
        ("车辆 筛选 类别 SPECIAL_4", f"{a}/vehicle/?premium_category__exact=SPECIAL_4"),
        ("车辆 详情", f"{a}/vehicle/{vehicle.pk}/change/"),
        ("客户 列表", f"{a}/person/"),
        ("客户 搜索身份证号", f"{a}/person/?q={person.id_number}"),
        ("客户 搜索手机号", f"{a}/person/?q={person.phone}"),
        ("客户 搜索姓名", f"{a}/person/?q={person.name}"),
        ("客户 详情", f"{a}/person/{person.pk}/change/"),
        ("驾驶证 列表", f"{a}/drivinglicence/"),
        ("驾驶证 搜索档案编号", f"{a}/drivinglicence/?q={licence.file_number}"),
        ("驾驶证 搜索证号", f"{a}/drivinglicence/?q={licence.number}"),
        ("驾驶证 详情", f"{a}/drivinglicence/{licence.pk}/change/"),
        ("查看记录 列表", f"{a}/personaccesslog/"),
        ("查看记录 筛选页面", f"{a}/personaccesslog/?page=admin"),
        ("外发消息 列表", f"{a}/outboundmessage/"),
        ("外发消息 搜索接收方", f"{a}/outboundmessage/?q={message.recipient if message else '13800000000'}"),
        ("外发消息 筛选 待发送", f"{a}/outboundmessage/?status__exact=pending"),
        ("外发消息 筛选 用途", f"{a}/outboundmessage/?purpose=survey"),
        ("营业网点 列表", f"{a}/branch/"),
        ("营业网点 详情", f"{a}/branch/{branch.pk}/change/"),
        ("员工 列表", f"{a}/user/"),
        ("员工 详情", f"{a}/user/{user.pk}/change/"),
    ]
    if log:
        result.append(("查看记录 详情", f"{a}/personaccesslog/{log.pk}/change/"))
    if message:
        result.append(("外发消息 详情", f"{a}/outboundmessage/{message.pk}/change/"))
    for model in (
        BasePremiumRate,
        FloatingPlanRegion,
        FloatingRate,
        ShortTermRate,
        VehicleTaxRate,
        ProvinceRule,
    ):
        name = model._meta.verbose_name_plural
        url = f"{a}/{model._meta.model_name}/"
        result.append((f"{name} 列表", url))
        result.append((f"{name} 详情", f"{url}{model.objects.order_by('pk').first().pk}/change/"))
    result.append(("基础保费表 筛选", f"{a}/basepremiumrate/?category__exact=FAMILY_LT6"))
    result.append(("浮动费率表 筛选", f"{a}/floatingrate/?plan__exact=E"))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=3, help="fetch each page this many times, report the best"
    )
    parser.add_argument(
        "--log-rows", type=int, default=200_000, help="access-log and outbox rows to add first"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from policies.models import Policy, User

    setup_test_environment()
    print(f"数据库：{connection.settings_dict['NAME']}；保单约 {Policy.objects.count():,} 张")
    worst = 0.0
    try:
        with transaction.atomic():
            if args.log_rows:
                fill_logs(args.log_rows)
            client = Client()
            client.force_login(User.objects.get(username="supervisor"))
            print(f"{'页面':<24}{'毫秒':>9}{'查询数':>8}  状态")
            for label, url in pages():
                best, queries, status = float("inf"), 0, 0
                for _ in range(args.repeat):
                    with CaptureQueriesContext(connection) as ctx:
                        started = time.perf_counter()
                        response = client.get(url)
                        elapsed = time.perf_counter() - started
                    best, queries, status = (
                        min(best, elapsed),
                        len(ctx.captured_queries),
                        response.status_code,
                    )
                worst = max(worst, best)
                flag = "" if best < 1 and status == 200 else "  ←"
                print(f"{label:<24}{best * 1000:>9.0f}{queries:>8}  {status}{flag}")
            raise Rollback
    except Rollback:
        pass
    print(f"最慢页面 {worst * 1000:.0f} 毫秒。")


if __name__ == "__main__":
    main()
