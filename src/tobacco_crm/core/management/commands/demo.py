"""`tobacco-crm demo`: build the deterministic demo county (tobacco_crm.core.demo)."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tobacco_crm.core.demo import (
    DemoError,
    DemoOptions,
    DemoResult,
    build_demo,
    demo_logins,
)
from tobacco_crm.retailers.models import Retailer


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--end-date 须为 YYYY-MM-DD：{value}") from error


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = (
        "Build the demo county (三台县): company, territories, demo logins, retailers, products "
        "and weekly orders. Deterministic for a seed. Refuses when retailers exist, unless "
        "--if-empty (skip) or --flush (delete the demo data first)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--retailers", type=int, default=2000, help="retailers (2000)")
        parser.add_argument("--managers", type=int, default=8, help="customer managers (8)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
        parser.add_argument("--weeks", type=int, default=56, help="weeks of orders (56)")
        parser.add_argument(
            "--end-date",
            type=_iso_date,
            default=None,
            help="'today' of the build, YYYY-MM-DD (default today): orders end with the last "
            "complete Monday-Sunday week before it",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (but print the logins) when the database already has retailers",
        )
        parser.add_argument(
            "--flush",
            action="store_true",
            help="first delete the demo data: the demo company with its territories, retailers "
            "and orders, the DEMO-nnn products and the demo logins",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress messages")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and options["flush"]:
            raise CommandError("--if-empty 与 --flush 不能同时使用。")
        if options["if_empty"] and Retailer.objects.exists():
            self.stdout.write("数据库中已有零售户，跳过演示数据。")
            self._print_logins()
            return
        demo_options = DemoOptions(
            retailers=options["retailers"],
            managers=options["managers"],
            seed=options["seed"],
            weeks=options["weeks"],
            end_date=options["end_date"] or timezone.localdate(),
        )
        progress = None if options["quiet"] else self.stdout.write
        try:
            result = build_demo(demo_options, flush=options["flush"], progress=progress)
        except DemoError as error:
            raise CommandError(str(error)) from error
        self._print_summary(demo_options, result)
        self._print_logins()

    def _print_summary(self, options: DemoOptions, result: DemoResult) -> None:
        weeks = (
            f"{result.first_week} 至 {result.last_week_end}（{options.weeks} 周）"
            if result.first_week
            else "无（--weeks 0）"
        )
        lines = [
            f"演示数据已生成（种子 {options.seed}），用时 {result.seconds:.1f} 秒：",
            f"  片区 {result.territories}，零售户 {result.retailers}"
            f"（历史记录 {result.history_records}），卷烟规格 {result.products}",
            f"  订单 {result.orders}，订单行 {result.order_lines}，共 {result.cartons} 条；"
            f"订单周 {weeks}",
            f"  上季度分类分级已发布：{result.graded} 户",
            f"  新建账号 {result.users_created}",
        ]
        if result.users_kept:
            lines.append(f"  已存在的账号保留原密码：{'、'.join(result.users_kept)}")
        self.stdout.write("\n".join(lines))

    def _print_logins(self) -> None:
        rows = demo_logins()
        if not rows:
            self.stdout.write("没有演示账号。")
            return
        header = ("用户名", "密码", "角色", "姓名", "范围")
        table = [header, *((r.username, r.password, r.role, r.display_name, r.scope) for r in rows)]
        widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
        self.stdout.write("演示账号：")
        for row in table:
            self.stdout.write(
                "  "
                + "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
