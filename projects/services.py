"""Writes to projects. Every surface (pages, admin, API, Excel import, seeds) calls these.

The recipe for each change: check the current state and raise a domain error, then
`transaction.atomic()` + `select_for_update()`, save, write the history row, and send side
effects after commit.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from org import roles
from projects import stages
from projects.models import Project, StageChange
from projects.stages import Stage


class EditConflict(Exception):
    """The project changed since the editor loaded it; `current` is the saved version."""

    def __init__(self, current: Project):
        self.current = current
        super().__init__(
            _("该项目已被他人修改（当前版本 %(v)s），请核对后再保存。") % {"v": current.version}
        )


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


def authorize(user, allowed: bool) -> None:
    """Refuse a write the user's role does not allow. `user=None` is the system itself
    (seeds loader, scheduled tasks), which acts for no one."""
    if user is not None and not allowed:
        raise PermissionDenied(_("您没有权限执行此操作。"))


def _check_dates(project: Project) -> None:
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
    project.full_clean(
        exclude=list(exclude) + ["stage_changed_at", "created_at", "version"], validate_unique=True
    )
    _check_dates(project)


@transaction.atomic
def project_create(*, user, team=(), m2m=None, **fields) -> Project:
    """Create a project; a starting stage other than red must meet its requirements."""
    unit = fields.get("unit")
    authorize(user, user is not None and roles.can_create_project(user, unit))
    stage = fields.pop("stage", Stage.RED) or Stage.RED
    reason = fields.pop("stage_reason", "")
    project = Project(stage=stage, created_by=user, **fields)
    _validate(project)
    unmet = stages.unmet_requirements(project, stage)
    if unmet:
        raise ValidationError({"stage": [str(r.message) for r in unmet]})
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
    )
    return project


@transaction.atomic
def project_update(*, project_id: int, version: int, user, team=None, **fields) -> Project:
    """Save edits made on `version`; raise EditConflict if someone saved in between."""
    project = Project.objects.select_for_update().get(pk=project_id)
    authorize(user, user is not None and roles.can_edit_project(user, project))
    if project.version != version:
        raise EditConflict(project)
    illegal = PROTECTED_FIELDS.intersection(fields)
    if illegal:
        raise ValidationError({f: _("该字段不能直接修改。") for f in illegal})
    for name, value in fields.items():
        setattr(project, name, value)
    # An officer may not hand a project over to another unit.
    authorize(user, user is not None and roles.can_edit_project(user, project))
    _validate(project)
    # A later edit may not take away what the current stage stands on (a green project keeps
    # its start date).
    unmet = stages.unmet_requirements(project, project.stage)
    if unmet:
        raise ValidationError({r.field: str(r.message) for r in unmet})
    project.version = F("version") + 1
    project.save()
    project.refresh_from_db()
    if team is not None:
        project.team.set(team)
    return project


@transaction.atomic
def project_transition(
    *,
    project_id: int,
    to: str,
    user,
    reason: str = "",
    on: date | None = None,
    intent_note: str = "",
    version: int | None = None,
    at=None,
) -> Project:
    """Move a project's color card.

    1. Lock the row; with `version`, refuse if it changed since the caller read it.
    2. Check the move exists, supply the date the move records (signing, start, operation),
       check the requirements of the new stage and that a reason is given where needed.
    3. Save the stage and write the StageChange row in the same transaction.

    `at` backdates the move (the seeds loader replaying a project's history); it defaults to now.
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

    changed = ["stage", "stage_changed_at", "version"]
    if intent_note:
        project.intent_note = intent_note
        changed.append("intent_note")
    date_field = stages.DATE_FIELD.get(target)
    if on and date_field:
        setattr(project, date_field, on)
        changed.append(date_field)
    if date_field in changed:
        _check_dates(project)
    unmet = stages.unmet_requirements(project, target)
    if unmet:
        raise ValidationError({"to": [str(r.message) for r in unmet]})

    project.stage = target
    project.stage_changed_at = at or timezone.now()
    project.version = F("version") + 1
    project.save(update_fields=changed + ["updated_at"])
    project.refresh_from_db()
    StageChange.objects.create(
        project=project,
        from_stage=current,
        to_stage=target,
        changed_by=user if user and user.pk else None,
        reason=reason,
        changed_at=project.stage_changed_at,
    )
    return project
