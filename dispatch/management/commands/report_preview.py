"""python manage.py report_preview 2025-06 [--output DIR]: write the month's report as .docx,
.xlsx and .pdf for a person to look at and, where LibreOffice and pdftoppm are installed, the
pages of the .docx and of the PDF as PNG images.

Uses the month's latest finished version, building one first when the month has none.
"""

import shutil
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dispatch import render
from dispatch.briefing import briefing
from dispatch.management.commands.dispatch_report import parse_month
from dispatch.models import Report
from dispatch.services import ReportBuildError, report_generate_now

# LibreOffice may take a while on its first start (it creates its profile).
CONVERT_TIMEOUT = 180


class Command(BaseCommand):
    help = gettext_lazy("导出某月调度报告的 Word、Excel、PDF 文件及页面图片，供人工查看。")

    def add_arguments(self, parser):
        parser.add_argument("month", help=_("报告月份，格式 YYYY-MM"))
        parser.add_argument("--output", default="var/report-preview", help=_("输出目录"))

    def handle(self, *args, month, output, **options):
        month = parse_month(month)
        report = Report.objects.filter(month=month, status=Report.Status.DONE).first()
        if report is None:
            try:
                report = report_generate_now(month=month)
            except (ValueError, ReportBuildError) as exc:
                raise CommandError(str(exc)) from exc
        if "briefing" not in report.snapshot:
            # A snapshot from before the briefing was frozen with the figures: show what the
            # document looks like with it (computed as of the month end; not saved).
            report.snapshot["briefing"] = briefing(month)
            self.stdout.write(_("该版本快照不含 briefing，预览时按月末数据补算（不保存）。"))
        folder = Path(output) / f"{month:%Y-%m}"
        folder.mkdir(parents=True, exist_ok=True)
        builds = {
            "docx": render.report_docx,
            "xlsx": render.report_xlsx,
            "pdf": render.report_pdf,
        }
        paths = {}
        for extension, build in builds.items():
            paths[extension] = folder / f"report-v{report.version}.{extension}"
            paths[extension].write_bytes(build(report))
            self.stdout.write(str(paths[extension]))
        self._pages(paths, folder)

    def _pages(self, paths: dict, folder: Path) -> None:
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        pdftoppm = shutil.which("pdftoppm")
        if not pdftoppm:
            self.stdout.write(_("未安装 pdftoppm（poppler-utils），跳过页面图片。"))
            return
        pdfs = {"pdf": paths["pdf"]}
        if soffice:
            subprocess.run(
                [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(folder / "docx")]
                + [str(paths["docx"])],
                check=True,
                timeout=CONVERT_TIMEOUT,
                capture_output=True,
            )
            pdfs["docx"] = folder / "docx" / (paths["docx"].stem + ".pdf")
        else:
            self.stdout.write(_("未安装 LibreOffice，仅输出 PDF 的页面图片。"))
        for name, pdf in pdfs.items():
            prefix = folder / f"pages-{name}"
            subprocess.run(
                [pdftoppm, "-png", "-r", "60", str(pdf), str(prefix)], check=True, timeout=120
            )
            self.stdout.write(f"{prefix}-*.png")
