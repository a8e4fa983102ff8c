"""python manage.py import_branches FILE.csv"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from policies.importing import BRANCH_HEADER, FileRejected, ImportRejected, branches_import


class Command(BaseCommand):
    help = (
        "导入营业网点。CSV（UTF-8，可带 BOM）表头须为：" + ",".join(BRANCH_HEADER) + "。"
        "省份须为 31 个省级行政区之一（可写全称，如 江苏省、广西壮族自治区）。按网点代码新增或更新。"
        "先校验全部行：任何一行有误则不写入任何数据，列出行号（表头为第 1 行）、列和原因，并以非零状态退出。"
        "重复导入同一文件不改变数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV 文件路径")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")

    def handle(self, *args, file: str, dry_run: bool, **options):
        try:
            result = branches_import(file, dry_run=dry_run)
        except ImportRejected as exc:
            for line in exc.report.lines(exc.report.errors):
                self.stderr.write(line)
            raise CommandError(exc.messages[0]) from exc
        except FileRejected as exc:
            raise CommandError(exc.messages[0]) from exc
        verb = "校验通过（未写入）" if dry_run else "导入完成"
        self.stdout.write(
            f"营业网点{verb}：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}。"
        )
