"""python manage.py seed_demo --policies N [--seed S] [--reset]"""

from __future__ import annotations

import datetime as dt
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core import clock
from demo.seeding import demo_seed
from policies.demo import DEMO_PASSWORD, demo_exists, demo_logins


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期应为 YYYY-MM-DD：{value}") from exc


class Command(BaseCommand):
    help = (
        "生成演示数据：营业网点、客户、驾驶证、车辆及 1–4 个保单年度的续保链（按费率表计价），"
        "覆盖全部续保状态，并创建各岗位的演示登录账号。相同的 --policies、--seed 和日期生成相同的数据。"
        "已有演示数据时拒绝执行，除非加 --reset（先删除现有演示数据）或 --if-empty（保留现有数据，只列出登录账号）；"
        "全部在一个事务中完成，失败则不留半成品。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--policies", type=int, default=2000, help="保单数量（默认 2000）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")
        parser.add_argument("--reset", action="store_true", help="先删除现有演示数据再生成")
        parser.add_argument(
            "--scale", type=float, default=1.0, help="理赔、客服等其他应用演示数据的密度倍数（默认 1.0）"
        )
        parser.add_argument("--if-empty", action="store_true", help="已有演示数据时保留它，只列出登录账号")
        parser.add_argument("--today", type=_date, default=None, help="以该日为“今天”生成（默认今天）")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, policies: int, seed: int, reset: bool, today: dt.date | None, **options):
        day = today or clock.today()
        started = time.monotonic()
        if options["if_empty"] and not reset and demo_exists():
            self.stdout.write("演示数据已存在，保留现有数据（如需重新生成请加 --reset）。")
            self._print_logins(demo_logins(), DEMO_PASSWORD)
            return
        try:
            result = demo_seed(
                policies=policies, seed=seed, today=day, reset=reset, stdout=self.stdout,
                progress=not options["no_progress"], scale=options["scale"],
            )  # fmt: skip
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        tally = result.tally
        self.stdout.write(
            f"演示数据已生成（种子 {seed}，以 {day} 为今天，用时 {time.monotonic() - started:.1f} 秒）："
            f"客户 {tally.persons}，驾驶证 {tally.licences}，车辆 {tally.vehicles}，保单 {tally.policies}。"
        )
        labels = {
            "renewed": "已续保",
            "in_force": "保障中",
            "due": "待续保",
            "lapsed": "已脱保",
            "cancelled": "已退保",
        }
        spread = "，".join(f"{labels[s]} {tally.statuses.get(s, 0)}" for s in labels)
        self.stdout.write(f"车辆续保状态：{spread}。")
        for hook in result.hooks:
            self.stdout.write(f"已调用 {hook}.seed。")
        self._print_logins(result.logins, result.password)

    def _print_logins(self, logins, password: str) -> None:
        self.stdout.write(f"演示账号（密码均为 {password}）：")
        for login in logins:
            self.stdout.write(f"  {login.username:<12} {login.role}  {login.name}  {login.branch}")
