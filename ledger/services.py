"""Writes of the Excel ledger: an upload becomes a job, the job is previewed, and a clean
preview is committed — every row through `projects.services`, in one transaction.

Each step moves the job with a conditional update (`filter(pk=…, status=old).update(…) == 1`),
so a retried task or a double click never runs a step twice.
"""

import logging
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch.notices import enqueue
from jinchang import jobs
from ledger import imports, selectors
from ledger.models import ColumnMapping, ImportJob
from org import roles
from projects import month_totals, stages
from projects import services as project_services
from projects.services import EditConflict

logger = logging.getLogger(__name__)

# The reason written on every color-card move an import makes (StageChange.reason).
IMPORT_REASON = "Excel导入"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# The reader tells the formats apart by their content; the name only stops the obvious mistakes.
ACCEPTED_SUFFIXES = (".xlsx", ".xls")
# How often (in rows) the progress figure is written while a file is checked or imported.
PROGRESS_EVERY = 100

# Share of the bar each phase takes: reading the workbook, planning, writing.
READ_SHARE, PLAN_SHARE = 10, 30


def job_create(*, user, kind: str, upload) -> ImportJob:
    """Keep an uploaded file and queue its preview."""
    roles.authorize(user, user is not None and roles.can_import_ledger(user))
    errors = {}
    if kind not in ImportJob.Kind.values:
        errors["kind"] = _("请选择导入类型。")
    if upload is None:
        errors["file"] = _("请选择要上传的文件。")
    elif Path(upload.name).suffix.lower() not in ACCEPTED_SUFFIXES:
        errors["file"] = _(
            "请上传 Excel 文件（.xlsx 或 .xls）。.csv 或 WPS 的 .et 文件请先“另存为 Excel 工作簿"
            "（*.xlsx）”。"
        )
    elif upload.size == 0:
        errors["file"] = _("文件是空的。")
    elif upload.size > MAX_UPLOAD_BYTES:
        errors["file"] = _("文件超过 20MB，请拆分后分批导入。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind, file=upload, original_name=Path(upload.name).name[:200], created_by=user
        )
        transaction.on_commit(lambda: _queue("preview_import", job.pk), robust=True)
    return job


def _queue(task_name: str, job_id: int) -> None:
    """Send the step's task, failing fast: with the broker down the job waits, and the sweep
    (job_requeue_stuck) queues it when the broker is back."""
    from ledger import tasks

    enqueue(getattr(tasks, task_name), job_id)


def _progress_reporter(job: ImportJob, start: int, end: int):
    """A `tick(done, total)` that maps rows onto [start, end] of the bar, every N rows."""

    def tick(done: int, total: int) -> None:
        if done == total or done % PROGRESS_EVERY == 0:
            job.report_progress(start + (end - start) * done // max(total, 1))

    return tick


def _read_and_plan(job: ImportJob, *, plan_share: tuple[int, int]) -> imports.Plan:
    columns = imports.COLUMNS[job.kind]
    remembered = selectors.column_mappings(user=job.created_by, kind=job.kind)
    with job.file.open("rb") as fileobj:
        sheet = imports.read_sheet(fileobj, columns, remembered)
    job.report_progress(READ_SHARE)
    planner = imports.PLANNERS[job.kind]
    return planner(sheet, user=job.created_by, tick=_progress_reporter(job, *plan_share))


def _finish(job: ImportJob, status: str, *, preview=None, summary=None) -> ImportJob:
    job.status = status
    job.progress = 100
    if preview is not None:
        job.preview = preview
    if summary is not None:
        job.summary = summary
    job.finished_at = timezone.now()
    job.save(
        update_fields=["status", "progress", "preview", "summary", "finished_at", "updated_at"]
    )
    job.clear_progress()
    return job


def _failed(job: ImportJob, messages, unknown=()) -> ImportJob:
    preview = {"file_errors": list(messages), "unknown_columns": list(unknown)}
    return _finish(job, ImportJob.Status.FAILED, preview=preview, summary={})


def job_preview(*, job_id: int) -> ImportJob:
    """Read the file and say, row by row, what importing it would do. Writes nothing else."""
    # A preview only reads, so a retried task may check the file again; a finished one is kept.
    claimed = ImportJob.objects.filter(
        pk=job_id, status__in=[ImportJob.Status.UPLOADED, ImportJob.Status.PREVIEWING]
    ).update(status=ImportJob.Status.PREVIEWING, progress=0, updated_at=timezone.now())
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return job
    job.report_progress(0)
    try:
        plan = _read_and_plan(job, plan_share=(READ_SHARE, 100))
    except imports.FileRejected as exc:
        return _failed(job, exc.messages, exc.unknown)
    except OperationalError:
        raise  # the database was busy: the task retries
    except Exception:
        logger.exception("Preview of import job %s failed", job.pk)
        _failed(job, [_("处理文件时发生意外错误，请检查文件或联系管理员。")])
        raise
    return _finish(job, ImportJob.Status.PREVIEWED, preview=plan.preview(), summary=plan.counts())


def job_request_commit(*, job_id: int, user) -> ImportJob:
    """Queue the commit of a clean preview; only the person who uploaded it may commit."""
    job = ImportJob.objects.get(pk=job_id)
    roles.authorize(user, user is not None and roles.can_commit_import(user, job))
    if not job.can_commit:
        if job.error_count:
            raise ValidationError(
                _("文件中有 %(n)s 行错误，须全部改正后重新上传，才能导入。")
                % {"n": job.error_count}
            )
        raise ValidationError(
            _("这个文件现在不能导入（状态：%(s)s）。") % {"s": job.get_status_display()}
        )
    with transaction.atomic():
        claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEWED).update(
            status=ImportJob.Status.COMMITTING, progress=0, updated_at=timezone.now()
        )
        if claimed:
            transaction.on_commit(lambda: _queue("commit_import", job.pk), robust=True)
    job.refresh_from_db()
    return job


class _RolledBack(Exception):
    """Raised inside the commit's transaction to undo every row written so far."""

    def __init__(self, messages=(), plan: imports.Plan | None = None, note: str = ""):
        self.messages = list(messages)
        self.plan = plan
        self.note = note


def job_commit(*, job_id: int) -> ImportJob:
    """Import a previewed file: everything, in one transaction, or nothing.

    1. Lock the job and check it still waits for its commit (a retried task stops here).
    2. Read the file again and plan it again inside the transaction, so the rows are checked
       against the data they will be written over (the preview may be minutes old); a plan
       that differs from the preview the person confirmed is not written but shown again.
    3. Write each row through projects.services as the user who uploaded it: permissions,
       validation, the state machine and the history rows all apply. A stage change records
       the reason "Excel导入".
    4. If any row is refused, roll everything back and show the refusals in the preview;
       otherwise mark the job done in the same transaction as the rows.
    """
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job_id)
            if job.status != ImportJob.Status.COMMITTING:
                return job
            user = job.created_by
            if user is None:
                raise _RolledBack([_("上传该文件的用户已不存在，不能导入。")])
            job.report_progress(0)
            plan = _read_and_plan(job, plan_share=(READ_SHARE, PLAN_SHARE))
            if plan.has_errors:
                raise _RolledBack(plan=plan)
            # Nothing is stored that the preview did not show: if the data (or what the unit
            # taught the import) changed since, the person confirms the new preview first.
            if plan.preview()["rows"] != job.preview.get("rows"):
                raise _RolledBack(
                    plan=plan,
                    note=_(
                        "预览之后系统中的数据有变化，没有导入任何数据。下面是按当前数据重新"
                        "检查的结果，请核对后再确认导入。"
                    ),
                )
            # The month totals' shared rows are added to once, at the end of the rows.
            with month_totals.deferred():
                APPLIERS[job.kind](plan, user, _progress_reporter(job, PLAN_SHARE, 100))
            if plan.has_errors:
                raise _RolledBack(plan=plan)
            summary = plan.counts()
            summary["committed"] = True
            return _finish(job, ImportJob.Status.DONE, preview=plan.preview(), summary=summary)
    except _RolledBack as refused:
        job = ImportJob.objects.get(pk=job_id)
        if refused.plan is None:
            return _failed(job, refused.messages)
        preview = refused.plan.preview()
        preview["notes"].insert(
            0, refused.note or _("导入时发现错误，已全部撤销，没有导入任何数据。")
        )
        return _finish(
            job, ImportJob.Status.PREVIEWED, preview=preview, summary=refused.plan.counts()
        )
    except imports.FileRejected as exc:
        return _failed(ImportJob.objects.get(pk=job_id), exc.messages)
    except OperationalError:
        raise  # the database was busy (SQLite's write lock): rolled back, the task retries
    except Exception:
        logger.exception("Commit of import job %s failed", job_id)
        _failed(
            ImportJob.objects.get(pk=job_id),
            [_("导入时发生意外错误，已全部撤销。请联系管理员。")],
        )
        raise


def job_give_up(*, job_id: int) -> None:
    """After the task's last retry: a job still running is marked failed, never left hanging."""
    job = ImportJob.objects.get(pk=job_id)
    if job.is_running:
        _failed(job, [_("数据库繁忙，本次没有导入任何数据，请稍后重新上传。")])


# The step a job waits for, by status, and the task that does it. Both steps are idempotent
# (see job_preview and job_commit), so a job queued twice is handled once.
STEP_TASKS = {
    ImportJob.Status.UPLOADED: "preview_import",
    ImportJob.Status.PREVIEWING: "preview_import",
    ImportJob.Status.COMMITTING: "commit_import",
}


def job_requeue_stuck() -> dict:
    """The sweep: queue again the jobs nobody is working on; give up on those that keep dying.

    A job is silent when neither its row (updated when a step starts) nor its progress file has
    changed for jobs.stalled_after(): its message was never sent (the broker was down at the
    upload) or its worker was killed. An uploaded job never started, so it is always queued
    again; a started one whose step began more than jobs.give_up_after() ago is marked failed
    (no data was written: a commit is one transaction) rather than queued again, so a file that
    kills its worker cannot do so forever.
    """
    now = timezone.now()
    silent_since = now - jobs.stalled_after()
    counts = {"requeued": 0, "failed": 0}
    candidates = ImportJob.objects.filter(
        status__in=ImportJob.RUNNING, updated_at__lt=silent_since
    ).order_by("pk")
    for job in candidates:
        touched = job.progress_touched_at()
        if touched is not None and touched >= silent_since:
            continue  # still reporting progress: a long file, not a lost one
        if job.status != ImportJob.Status.UPLOADED and job.updated_at < now - jobs.give_up_after():
            # Conditional on the state read above, so a worker finishing just now wins.
            gave_up = ImportJob.objects.filter(
                pk=job.pk, status=job.status, updated_at=job.updated_at
            ).update(
                status=ImportJob.Status.FAILED,
                progress=100,
                preview={
                    "file_errors": [_("后台处理多次中断，没有导入任何数据。请检查文件后重新上传。")]
                },
                summary={},
                finished_at=now,
                updated_at=now,
            )
            if gave_up:
                job.clear_progress()
                counts["failed"] += 1
            continue
        _queue(STEP_TASKS[job.status], job.pk)
        counts["requeued"] += 1
    return counts


def column_mapping_save(*, job_id: int, user, choices: dict[str, str]) -> ImportJob:
    """Remember, for the uploader's unit, what headers the import did not know mean, and check
    the file again with them.

    `choices` maps a header the preview listed as unknown to a column key ("" ignores it and
    forgets an earlier choice). Only the uploader, with a unit, while the job is not running.
    """
    job = ImportJob.objects.get(pk=job_id)
    roles.authorize(user, user is not None and roles.can_commit_import(user, job))
    if user.unit_id is None:
        raise ValidationError(_("您没有所属单位，不能保存表头对应关系。"))
    offered = set(job.preview.get("unknown_columns", []))
    keys = {c.key for c in imports.COLUMNS[job.kind] if c.importable}
    errors = [h for h, key in choices.items() if h not in offered or (key and key not in keys)]
    if errors:
        raise ValidationError(_("表头对应关系无效：%(h)s。") % {"h": "、".join(errors)})
    taken = [key for key in choices.values() if key]
    if len(taken) != len(set(taken)):
        raise ValidationError(_("两个表头不能对应同一列。"))
    with transaction.atomic():
        if job.is_running or job.status == ImportJob.Status.DONE:
            raise ValidationError(_("这个文件现在不能重新检查。"))
        for header, key in choices.items():
            normalized = imports.normalize(header)
            if key:
                ColumnMapping.objects.update_or_create(
                    unit_id=user.unit_id,
                    kind=job.kind,
                    header=normalized,
                    defaults={"column_key": key, "created_by": user},
                )
            else:
                ColumnMapping.objects.filter(
                    unit_id=user.unit_id, kind=job.kind, header=normalized
                ).delete()
        claimed = ImportJob.objects.filter(
            pk=job.pk, status__in=[ImportJob.Status.PREVIEWED, ImportJob.Status.FAILED]
        ).update(status=ImportJob.Status.UPLOADED, progress=0)
        if claimed:
            transaction.on_commit(lambda: _queue("preview_import", job.pk), robust=True)
    job.refresh_from_db()
    return job


def job_timed_out(*, job_id: int, seconds: int) -> None:
    """After the task's time limit: nothing was written (a commit is one transaction), and
    the uploader is told which limit the file went past."""
    job = ImportJob.objects.get(pk=job_id)
    if job.is_running or job.status == ImportJob.Status.FAILED:
        _failed(
            job,
            [
                _(
                    "文件处理超过了 %(s)s 秒的时间上限，已停止，没有导入任何数据。请删除多余的"
                    "空白行列和工作表，或拆分成几个文件后再上传。"
                )
                % {"s": seconds}
            ],
        )


def _refuse(row: imports.RowPlan, exc: Exception, header) -> None:
    if isinstance(exc, ValidationError):
        imports.add_validation_errors(row, exc, header)
    else:
        row.error("", str(exc))
    row.status = imports.RowStatus.ERROR


def _apply_projects(plan: imports.Plan, user, tick) -> None:
    header = imports.header_of(imports.PROJECT_COLUMNS)
    investors = {}  # enterprises created by this import, by name
    for index, row in enumerate(plan.rows):
        if row.status in (imports.RowStatus.NEW, imports.RowStatus.UPDATED):
            try:
                _apply_project_row(row, user, investors)
            except (ValidationError, PermissionDenied, EditConflict) as exc:
                _refuse(row, exc, header)
        tick(index + 1, len(plan.rows))


def _apply_project_row(row: imports.RowPlan, user, investors: dict) -> None:
    fields = dict(row.fields)
    if row.new_investor and "investor" in fields:
        key = imports.normalize(row.new_investor)
        if key not in investors:
            investors[key] = project_services.enterprise_create(user=user, name=row.new_investor)
        fields["investor"] = investors[key]
    if row.target is None:
        project_services.project_create(
            user=user, stage=row.stage, stage_reason=IMPORT_REASON, stated=row.stated, **fields
        )
        return
    project = row.target
    version = project.version
    # A downgrade or a drop moves first and the edit follows (the edit may clear what the old
    # stage stood on); an upgrade edits first, so the dates it needs are there when it moves.
    move_first = row.stage is not None and stages.kind_of(project.stage, row.stage) in (
        stages.Kind.DOWNGRADE,
        stages.Kind.DROP,
        stages.Kind.RESTORE,
    )
    if move_first:
        version = _move(project, row.stage, user, version, row.stated)
    if fields:
        version = project_services.project_update(
            project_id=project.pk, version=version, user=user, **fields
        ).version
    if row.stage is not None and not move_first:
        _move(project, row.stage, user, version, row.stated)


def _move(project, stage, user, version, stated) -> int:
    return project_services.project_transition(
        project_id=project.pk,
        to=stage,
        user=user,
        reason=IMPORT_REASON,
        version=version,
        stated=stated,
    ).version


def _apply_progress(plan: imports.Plan, user, tick) -> None:
    header = imports.header_of(imports.PROGRESS_COLUMNS)
    for index, row in enumerate(plan.rows):
        try:
            if row.status == imports.RowStatus.NEW:
                project_services.progress_create(user=user, project_id=row.project.pk, **row.fields)
            elif row.status == imports.RowStatus.UPDATED:
                project_services.progress_update(user=user, progress_id=row.target.pk, **row.fields)
        except (ValidationError, PermissionDenied) as exc:
            _refuse(row, exc, header)
        tick(index + 1, len(plan.rows))


APPLIERS = {"projects": _apply_projects, "progress": _apply_progress}
