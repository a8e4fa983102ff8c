"""python manage.py import_policies FILE.csv"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from policies.importing import POLICY_HEADER, FileRejected, ImportRejected, policies_import


class Command(BaseCommand):
    help = (
        "导入历史保单。CSV（UTF-8，可带 BOM）表头须为：" + ",".join(POLICY_HEADER) + "。"
        "每行一张保单；日期为 YYYY-MM-DD；vehicle_category 为费率表车辆类别代码；displacement_l 单位为升，"
        "纯电动留空；energy 为 fuel/electric/hybrid/fuel_cell；status 为 in_force 或 cancelled"
        "（已退保保单的 end_date 为保障终止日）。客户按身份证号码、车辆按 VIN、保单按保单号匹配；"
        "同一车辆的各行按起期串成续保链。先校验全部行：任何一行有误则不写入任何数据，"
        "列出行号（表头为第 1 行）、列和原因，并以非零状态退出。全部写入在一个事务中完成；"
        "重复导入同一文件不改变数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV 文件路径")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, file: str, dry_run: bool, no_progress: bool, **options):
        started = time.monotonic()
        try:
            result = policies_import(file, dry_run=dry_run, progress=not no_progress)
        except ImportRejected as exc:
            for line in exc.report.lines(exc.report.errors):
                self.stderr.write(line)
            raise CommandError(exc.messages[0]) from exc
        except FileRejected as exc:
            raise CommandError(exc.messages[0]) from exc
        except IntegrityError as exc:
            raise CommandError(f"导入期间数据发生变化，未写入任何数据，请重试。（{exc}）") from exc
        for line in result.warnings:
            self.stdout.write(f"提示：{line}")
        verb = "校验通过（未写入）" if dry_run else "导入完成"
        self.stdout.write(
            f"保单{verb}：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}；"
            f"客户新增 {result.persons_created}（补充手机号 {result.persons_updated}），"
            f"车辆新增 {result.vehicles_created}；已有保单调整续保关联 {result.relinked}。"
            f"用时 {time.monotonic() - started:.1f} 秒。"
        )
