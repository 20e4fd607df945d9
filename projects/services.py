"""Writes to projects. Every surface (pages, admin, API, Excel import, seeds) calls these.

The recipe for each change: check the current state and raise a domain error, then
`transaction.atomic()` + `select_for_update()`, save, write the history row, and send side
effects after commit.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from org import roles
from org.roles import authorize
from projects import month_ends, stages, watch
from projects.errors import EditConflict
from projects.models import (
    Project,
    ProjectCodeCounter,
    StageChange,
)

# The daily work's writes, in their own module; callers reach every write here.
from projects.services_work import (  # noqa: F401
    AMOUNT_FIELDS,
    EARLIEST_MONTH,
    ENTERPRISE_FIELDS,
    PROBLEM_FIELDS,
    PROGRESS_FIELDS,
    check_progress,
    enterprise_create,
    enterprise_update,
    instruction_create,
    instruction_reply,
    problem_create,
    problem_resolve,
    problem_update,
    progress_create,
    progress_delete,
    progress_update,
)
from projects.stages import Stage
from projects.warnings import refresh_staleness

# Fields a plain edit may not touch: the stage moves only through project_transition, and
# the bookkeeping fields belong to the services.
PROTECTED_FIELDS = {
    "id",
    "stage",
    "stage_changed_at",
    "version",
    "created_by",
    "created_at",
    "updated_at",
    "staleness",
}


def check_dates(project: Project) -> None:
    """The date rules of a project (order, not in the future) and its link's chain."""
    errors = {}
    if project.signed_on and project.started_on and project.started_on < project.signed_on:
        errors["started_on"] = _("开工日期不能早于签约日期。")
    if project.started_on and project.operating_on and project.operating_on < project.started_on:
        errors["operating_on"] = _("投产日期不能早于开工日期。")
    today = timezone.localdate()
    for field in ("signed_on", "started_on", "operating_on"):
        value = getattr(project, field)
        if value and value > today:
            errors.setdefault(field, _("实际发生的日期不能晚于今天。"))
    if (
        project.chain_link_id
        and project.chain_id
        and project.chain_link.chain_id != project.chain_id
    ):
        errors["chain_link"] = _("所选环节不属于该产业链。")
    if errors:
        raise ValidationError(errors)


def _validate(project: Project, exclude=()) -> None:
    if project.chain_link_id and not project.chain_id:
        project.chain_id = project.chain_link.chain_id
    # A related object handed in as an instance exists: skip full_clean's existence query for
    # it (the foreign key constraint still guards the row). A field with limit_choices_to
    # (the leader must be a 市级领导) is still checked. Check constraints are the dates, which
    # check_dates reports with better messages.
    loaded = [
        f.name
        for f in Project._meta.concrete_fields
        if f.is_relation
        and not f.remote_field.limit_choices_to
        and f.is_cached(project)
        and getattr(project, f.name) is not None
    ]
    project.full_clean(
        exclude=[*exclude, *loaded, "stage_changed_at", "created_at", "version"],
        validate_unique=True,
        validate_constraints=False,
    )
    check_dates(project)


def validate_edit(project: Project, *, already_missing=frozenset()) -> None:
    """The checks of an edit, for forms that want them before saving (the admin's).

    Field rules, dates, and that the edit does not take away what the current stage stands on
    (a green project keeps its start date). `already_missing`: fields the stage needs that
    were missing before the edit (a stage a ledger stated, see projects.backfill) do not
    block an edit of something else.
    """
    _validate(project)
    unmet = [
        r
        for r in stages.unmet_requirements(project, project.stage, moving=False)
        if r.field not in already_missing
    ]
    if unmet:
        raise ValidationError({r.field: str(r.message) for r in unmet})


# The office's numbering: the year the project was entered and a sequence within that year.
CODE_FORMAT = "JC-{year}-{number:04d}"


@transaction.atomic
def next_project_code(*, year: int) -> str:
    """The next free automatic code of `year`.

    1. Make sure the year's counter row exists (get_or_create: of two first creations of a
       year, the one whose insert fails reads the other's row).
    2. Lock it (select_for_update): concurrent creations wait here and take consecutive
       numbers. The lock is held until the caller's transaction, which saves the project,
       commits, so the number and the project row appear together.
    3. Skip numbers a hand-typed code already holds.
    """
    ProjectCodeCounter.objects.get_or_create(year=year)
    counter = ProjectCodeCounter.objects.select_for_update().get(year=year)
    number = counter.last
    while True:
        number += 1
        code = CODE_FORMAT.format(year=year, number=number)
        if not Project.objects.filter(code=code).exists():
            break
    counter.last = number
    counter.save(update_fields=["last"])
    return code


@transaction.atomic
def project_create(*, user, team=(), m2m=None, at=None, stated=False, **fields) -> Project:
    """Create a project; a starting stage other than red must meet its requirements.

    `at` backdates the creation (the seeds loader replaying a project's history). `stated`:
    the stage is what an office's ledger states, and a requirement it does not meet is left
    to fill in (需补录, projects.backfill) instead of refusing the project. Without a `code`,
    the next automatic one of the year is given (next_project_code).
    """
    unit = fields.get("unit")
    authorize(user, user is not None and roles.can_create_project(user, unit))
    fields["code"] = (fields.get("code") or "").strip()
    if not fields["code"]:
        # A typed code wins; otherwise the office's next number, of the year of creation.
        year = timezone.localdate(at).year if at is not None else timezone.localdate().year
        fields["code"] = next_project_code(year=year)
    stage = fields.pop("stage", Stage.RED) or Stage.RED
    if stage not in stages.START_STAGES:
        raise ValidationError({"stage": stages.START_MESSAGE})
    reason = fields.pop("stage_reason", "")
    project = Project(stage=stage, created_by=user, **fields)
    if at is not None:
        project.created_at = project.stage_changed_at = at
        project._history_date = at  # the audit row is dated at the creation it records
        # The months since then now hold a project they did not: build them again.
        month_ends.invalidate(since=timezone.localtime(at).date())
    _validate(project)
    unmet = stages.unmet_requirements(project, stage)
    if unmet and not stated:
        raise ValidationError({"stage": [str(r.message) for r in unmet]})
    # Entered at blue or beyond, the stage began on the date the project states for it.
    date_field = stages.DATE_FIELD.get(stage)
    stated_on = getattr(project, date_field) if date_field else None
    project.stage_changed_at = _stage_began(stated_on, project.created_at)
    project.save()
    if team:
        project.team.set(team)
    for name, values in (m2m or {}).items():
        getattr(project, name).set(values)
    StageChange.objects.create(
        project=project,
        from_stage="",
        to_stage=stage,
        changed_by=project.created_by,
        reason=reason or _("新建项目"),
        changed_at=project.created_at,
        effective_on=stated_on,
    )
    watch.changed()
    return project


@transaction.atomic
def project_update(
    *, project_id: int, version: int, user, team=None, m2m=None, **fields
) -> Project:
    """Save edits made on `version`; raise EditConflict if someone saved in between.

    `team` and the other many-to-many fields in `m2m` (`{"co_investors": [...]}`) are set
    after the save, in the same transaction; a field left out keeps its current members.
    """
    project = Project.objects.select_for_update().get(pk=project_id)
    authorize(user, user is not None and roles.can_edit_project(user, project))
    if project.version != version:
        raise EditConflict(project)
    before, watched = month_ends.snapshot(project), watch.snapshot(project)
    missing = {r.field for r in stages.unmet_requirements(project, project.stage)}
    illegal = PROTECTED_FIELDS.intersection(fields)
    if illegal:
        raise ValidationError({f: _("该字段不能直接修改。") for f in illegal})
    for name, value in fields.items():
        setattr(project, name, value)
    # An officer may not hand a project over to another unit.
    authorize(user, user is not None and roles.can_edit_project(user, project))
    validate_edit(project, already_missing=missing)
    project.version = F("version") + 1
    project.save()
    project.refresh_from_db()
    month_ends.project_saved(project, before)
    team_changed = False
    if team is not None:
        members = set(project.team.values_list("pk", flat=True))
        project.team.set(team)
        team_changed = members != {getattr(member, "pk", member) for member in team}
    for name, values in (m2m or {}).items():
        getattr(project, name).set(values)
    if team_changed or watch.snapshot(project) != watched:
        watch.changed()
    return project


def _stage_began(stated: date | None, recorded: datetime) -> datetime:
    """When a stage began: the date the move states (signing, start, operation), at the start
    of that day, or the moment the move was recorded when it states none (or states that
    day)."""
    if stated is None or stated == timezone.localdate(recorded):
        return recorded
    return timezone.make_aware(datetime.combine(stated, datetime.min.time()))


@transaction.atomic
def project_transition(
    *,
    project_id: int,
    to: str,
    user,
    reason: str = "",
    on: date | None = None,
    intent_note: str = "",
    values: dict | None = None,
    version: int | None = None,
    at=None,
    stated: bool = False,
) -> Project:
    """Move a project's color card.

    1. Lock the row; with `version`, refuse if it changed since the caller read it.
    2. Check the move exists; record what the move supplies: `values` fills the requirements
       of the stages it reaches (stages.move_fields: intent, signing date and contracted
       amount, start date, operation date), `on` is the target's own date and `intent_note`
       the intent; then check the requirements and that a reason is given where needed.
    3. Save the stage, begun on the date the move states (`stage_changed_at`), and write the
       StageChange row (recorded now, effective on that date) in the same transaction.

    `at` backdates the move (the seeds loader replaying a project's history); it defaults to now.
    `stated`: the stage is what an office's ledger states; a requirement the project does not
    meet is left to fill in (需补录, projects.backfill) instead of refusing the move. The move
    itself must still be one the card allows, with its reason.
    """
    target = stages.parse_stage(to)
    if target is None:
        raise ValidationError({"to": _("未知的色卡阶段：%(s)s") % {"s": to}})
    project = Project.objects.select_for_update().get(pk=project_id)
    authorize(user, user is not None and roles.can_edit_project(user, project))
    if version is not None and project.version != version:
        raise EditConflict(project)
    current = Stage(project.stage)
    if not stages.is_allowed_move(current, target):
        raise ValidationError(
            {"to": _("不能从%(a)s直接变更为%(b)s。") % {"a": current.label, "b": target.label}}
        )
    reason = (reason or "").strip()
    if stages.needs_reason(current, target) and not reason:
        kind = stages.kind_of(current, target)
        what = {
            stages.Kind.DOWNGRADE: _("降级"),
            stages.Kind.DROP: _("终止"),
            stages.Kind.RESTORE: _("恢复"),
        }.get(kind, _("跨阶段升级"))
        raise ValidationError({"reason": _("%(what)s须填写原因。") % {"what": what}})

    date_field = stages.DATE_FIELD.get(target)
    given = {k: v for k, v in (values or {}).items() if v not in (None, "")}
    if on and date_field:
        given.setdefault(date_field, on)
    if intent_note and intent_note.strip():
        given.setdefault("intent_note", intent_note.strip())
    # The intent may be restated on any move (a downgrade says why it weakened); the other
    # fields only by a move whose requirements they are.
    allowed = {*stages.move_fields(target, current), "intent_note"}
    illegal = set(given) - allowed
    if illegal:
        raise ValidationError({f: _("此次变更不填写该项。") for f in sorted(illegal)})
    changed = ["stage", "stage_changed_at", "version"]
    before = month_ends.snapshot(project)
    for name, value in given.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(project, name, value)
        changed.append(name)
    if given:
        try:
            project.clean_fields(
                exclude=[f.name for f in Project._meta.concrete_fields if f.name not in given]
            )
        except ValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        check_dates(project)
    unmet = stages.unmet_requirements(project, target, from_stage=current)
    if unmet and not stated:
        raise ValidationError({r.field: str(r.message) for r in unmet})

    recorded = at or timezone.now()
    stated_on = given.get(date_field) if date_field else None
    project.stage = target
    project.stage_changed_at = _stage_began(stated_on, recorded)
    if at is not None:
        project._history_date = at
        # A move written into the past changes the card of every month since.
        month_ends.invalidate(since=timezone.localtime(at).date())
    project.version = F("version") + 1
    project.save(update_fields=changed + ["updated_at"])
    project.refresh_from_db()
    month_ends.project_saved(project, before)
    StageChange.objects.create(
        project=project,
        from_stage=current,
        to_stage=target,
        changed_by=user if user and user.pk else None,
        reason=reason,
        changed_at=recorded,
        effective_on=stated_on,
    )
    # A dropped or operating project no longer reports; its stale warning must go now.
    refresh_staleness(project_ids=[project.pk])
    watch.changed()
    return project
