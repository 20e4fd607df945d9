import datetime
from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One uploaded Excel file on its way in: previewed first, committed only when clean.

    The preview (every row as new / updated / unchanged / error, with the reason for each bad
    cell) is kept as JSON, so the page that shows it never reads the file again.
    """

    class Kind(models.TextChoices):
        PROJECTS = "projects", _("项目台账")
        PROGRESS = "progress", _("月度进展")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("已上传")
        PREVIEWING = "previewing", _("正在检查")
        PREVIEWED = "previewed", _("待确认")
        COMMITTING = "committing", _("正在导入")
        DONE = "done", _("已导入")
        FAILED = "failed", _("文件有误")

    RUNNING = (Status.UPLOADED, Status.PREVIEWING, Status.COMMITTING)

    kind = models.CharField(_("导入类型"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("上传文件"), upload_to="ledger/imports/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.UPLOADED
    )
    progress = models.PositiveSmallIntegerField(
        _("进度（%）"), default=0, validators=[MaxValueValidator(100)]
    )
    # {"rows": [{"row", "status", "label", "errors", "changes", "notes"}], "file_errors": [...],
    #  "notes": [...]}; see ledger.imports.Plan.preview().
    preview = models.JSONField(_("预览"), default=dict, blank=True)
    # Counts per row status, and after a commit what was written.
    summary = models.JSONField(_("汇总"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="import_jobs",
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("Excel 导入")
        verbose_name_plural = _("Excel 导入")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The upload page lists a user's own recent jobs.
            models.Index(fields=["created_by", "-created_at"], name="importjob_user_created_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.original_name or self.file.name}"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def error_count(self) -> int:
        return int(self.summary.get("error", 0))

    @property
    def can_commit(self) -> bool:
        """Everything or nothing: a file with any bad row, or with nothing to change, is not
        committed."""
        return (
            self.status == self.Status.PREVIEWED
            and self.error_count == 0
            and (self.summary.get("new", 0) + self.summary.get("updated", 0)) > 0
        )

    # The commit runs in one database transaction, so a progress figure saved on this row
    # would stay invisible to the page polling it until the very end. Live progress therefore
    # goes to a small file beside the upload: the web process and the worker already share
    # MEDIA_ROOT, since the worker reads the uploaded file from there.
    def _progress_path(self) -> Path:
        return Path(settings.MEDIA_ROOT) / "ledger" / "progress" / f"{self.pk}.txt"

    def report_progress(self, percent: int) -> None:
        path = self._progress_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        partial.write_text(str(max(0, min(100, int(percent)))))
        partial.replace(path)

    def live_progress(self) -> int:
        if not self.is_running:
            return self.progress
        try:
            return int(self._progress_path().read_text() or 0)
        except (OSError, ValueError):
            return self.progress

    def progress_touched_at(self):
        """When the worker last wrote the progress file (None without one): the job's sign of
        life while a step runs, for the sweep (ledger.services.job_requeue_stuck)."""
        try:
            mtime = self._progress_path().stat().st_mtime
        except OSError:
            return None
        return datetime.datetime.fromtimestamp(mtime, tz=datetime.UTC)

    def clear_progress(self) -> None:
        self._progress_path().unlink(missing_ok=True)


class ColumnMapping(models.Model):
    """A header a unit's ledger uses that the import did not know, and the column the unit
    said it means: remembered so the unit's next upload is read without asking again."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("导入类型"), max_length=10, choices=ImportJob.Kind.choices)
    # As ledger.cells.normalize gives it: the header without spaces, brackets half-width.
    header = models.CharField(_("表头"), max_length=200)
    column_key = models.CharField(_("对应的列"), max_length=40)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("设置人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("表头对应关系")
        verbose_name_plural = _("表头对应关系")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "header"], name="columnmapping_unit_kind_header_uniq"
            )
        ]

    def __str__(self):
        return f"{self.unit} {self.header} → {self.column_key}"
