"""python manage.py dispatch_report 2025-06 [--output DIR]: build a new version of a month's
report in this process (no worker needed) and optionally write its .docx and .xlsx."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dispatch import render
from dispatch.services import ReportBuildError, report_generate_now


def parse_month(text: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise CommandError(
            _("月份格式应为 YYYY-MM（如 2025-06），而不是 %(text)r。") % {"text": text}
        ) from None


class Command(BaseCommand):
    help = gettext_lazy("生成指定月份的月调度报告（新版本），可选导出 Word 和 Excel 文件。")

    def add_arguments(self, parser):
        parser.add_argument("month", help=_("报告月份，格式 YYYY-MM"))
        parser.add_argument("--output", help=_("把 .docx 和 .xlsx 写到这个目录"))

    def handle(self, *args, month, output=None, **options):
        try:
            report = report_generate_now(month=parse_month(month))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        except ReportBuildError as exc:
            raise CommandError(_("报告生成失败：%(error)s") % {"error": exc}) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("%(month)s 第%(v)d版：%(status)s")
                % {
                    "month": f"{report.month:%Y-%m}",
                    "v": report.version,
                    "status": report.get_status_display(),
                }
            )
        )
        if output:
            folder = Path(output)
            folder.mkdir(parents=True, exist_ok=True)
            for extension, build in (("docx", render.report_docx), ("xlsx", render.report_xlsx)):
                path = folder / render.download_name(report, extension)
                path.write_bytes(build(report))
                self.stdout.write(str(path))
