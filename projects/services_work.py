"""Writes of the daily work: monthly progress, problems (难点堵点), leaders' instructions (批示)
and their replies, and investors (客商). Each checks, locks and saves as projects/services.py's
project writes do; views, the API, the admin and the Excel import call them through
`projects.services`.
"""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from jinchang.formats import money
from org import roles
from org.roles import authorize
from projects import month_ends, month_totals, watch
from projects.errors import EditConflict
from projects.models import (
    Enterprise,
    EnterpriseContact,
    Instruction,
    InstructionReply,
    MonthlyProgress,
    Problem,
    Project,
)
from projects.validators import check_amount, validate_credit_code, validate_plausible_date
from projects.warnings import refresh_staleness

# --- The daily work: monthly progress, problems, instructions, enterprises ---------------------

# A progress entry for a month before this is a typing error (a wrong year).
EARLIEST_MONTH = date(2000, 1, 1)
PROGRESS_FIELDS = ("month", "investment_completed", "funds_in_place", "narrative", "next_steps")
AMOUNT_FIELDS = ("investment_completed", "funds_in_place")
# What a correction of a problem may change; the status and resolution are problem_resolve's.
PROBLEM_FIELDS = ("category", "description", "unit", "deadline", "is_illustrative")
ENTERPRISE_FIELDS = ("name", "credit_code", "origin", "is_chain_owner", "is_head", "description")


def _acting(user):
    """The person recorded as the author of a row; None for the system."""
    return user if user is not None and user.pk else None


def _full_clean(instance, errors: dict, **kwargs) -> None:
    """Add the model's own field checks to `errors`, keeping a message already given."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)


def _as_month(value, errors: dict) -> date | None:
    """The first day of the month `value` names: a date, or "YYYY-MM[-DD]" from the API."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.replace(day=1)
    if isinstance(value, str):
        try:
            return datetime.strptime(value.strip()[:7], "%Y-%m").date()
        except ValueError:
            pass
    errors["month"] = _("请选择月份（格式：年-月，如 2025-06）。")
    return None


def _as_date(field: str, value, errors: dict) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    parsed = parse_date(value.strip()) if isinstance(value, str) and value.strip() else None
    if parsed is None:
        errors[field] = _("请填写日期（格式：年-月-日）。")
    return parsed


def _as_amount(field: str, value, errors: dict) -> Decimal | None:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        errors[field] = _("请输入金额数字（单位：万元）。")
        return None
    return amount


def _month_label(month: date) -> str:
    return _("%(y)d年%(m)d月") % {"y": month.year, "m": month.month}


def _duplicate_month(month: date) -> str:
    return _("%(month)s的进展已经填报过，请修改已有记录，不要重复填报。") % {
        "month": _month_label(month)
    }


def _progress_values(fields: dict, errors: dict) -> dict:
    """Typed values of the progress fields given; unreadable ones become field errors."""
    values = {}
    if "month" in fields:
        values["month"] = _as_month(fields["month"], errors)
    for name in AMOUNT_FIELDS:
        if name in fields:
            values[name] = _as_amount(name, fields[name], errors)
    for name in ("narrative", "next_steps"):
        if name in fields:
            values[name] = (fields[name] or "").strip()
    return values


def check_progress(
    progress: MonthlyProgress, errors: dict, *, today=None, unique: bool = True
) -> None:
    """The rules of an entry; every broken one is reported on its field, all at once. The
    Excel preview asks them too (`unique=False`: it matches rows to existing entries itself)."""
    if "month" not in errors:
        this_month = (today or timezone.localdate()).replace(day=1)
        if progress.month > this_month:
            errors["month"] = _("不能填报未来月份（%(month)s）的进展。") % {
                "month": _month_label(progress.month)
            }
        elif progress.month < EARLIEST_MONTH:
            errors["month"] = _("月份过早，请核对年份。")
        elif unique and (
            MonthlyProgress.objects.filter(project_id=progress.project_id, month=progress.month)
            .exclude(pk=progress.pk)
            .exists()
        ):
            errors["month"] = _duplicate_month(progress.month)
    total = progress.project.total_investment
    for name in AMOUNT_FIELDS:
        amount = getattr(progress, name)
        if name in errors or amount is None:
            continue  # unreadable or missing: already reported where it was read
        try:
            check_amount(amount, allow_zero=True)
        except ValidationError as error:
            errors[name] = error.messages[0]
            continue
        if amount > total:
            # One month cannot bring more than the whole project is worth.
            errors[name] = _("本月金额超过项目总投资（%(total)s），请核对。") % {
                "total": money(total)
            }
    _full_clean(progress, errors, exclude=["project", "filed_by"], validate_unique=False)


def _save_progress(progress: MonthlyProgress, user, *, before: tuple | None = None) -> None:
    """Save an entry and keep the month totals to it (`before`: its month and amounts before
    a correction)."""
    progress._history_user = _acting(user)
    try:
        # A savepoint, so that the caller's transaction survives a refused insert.
        with transaction.atomic():
            progress.save()
    except IntegrityError:
        # Two entries for the same month raced past the check: the constraint decides.
        raise ValidationError({"month": _duplicate_month(progress.month)}) from None
    month_totals.progress_saved(progress, before=before)
    month_ends.progress_saved(progress, before=before)
    # Recompute this project's warning now rather than leave the flag up until the daily run.
    refresh_staleness(project_ids=[progress.project_id])


@transaction.atomic
def progress_create(
    *,
    user,
    project_id: int,
    month,
    investment_completed,
    funds_in_place,
    narrative: str = "",
    next_steps: str = "",
) -> MonthlyProgress:
    """File a project's progress for a month (normalised to its first day)."""
    # The project's row lock queues two filings for the same project, so the second one's
    # duplicate check sees the first.
    project = Project.objects.select_for_update().get(pk=project_id)
    authorize(user, user is not None and roles.can_work_on_project(user, project))
    errors = {}
    values = _progress_values(
        {
            "month": month,
            "investment_completed": investment_completed,
            "funds_in_place": funds_in_place,
            "narrative": narrative,
            "next_steps": next_steps,
        },
        errors,
    )
    if errors:
        raise ValidationError(errors)
    progress = MonthlyProgress(project=project, filed_by=_acting(user), **values)
    check_progress(progress, errors)
    if errors:
        raise ValidationError(errors)
    _save_progress(progress, user)
    return progress


@transaction.atomic
def progress_delete(*, user, progress_ids) -> int:
    """Delete entries filed in error (the admin's delete), keeping the month totals and the
    months' funds to date to what is left; the deletions stay in the entries' history."""
    entries = list(
        MonthlyProgress.objects.select_related("project").filter(pk__in=list(progress_ids))
    )
    projects = {e.project_id for e in entries}
    # The projects' locks first, as filings take them, so a deletion cannot race a correction.
    list(Project.objects.select_for_update().filter(pk__in=projects).order_by("pk"))
    for entry in entries:
        authorize(user, user is not None and roles.can_work_on_project(user, entry.project))
    for entry in entries:
        month_totals.progress_deleted(entry)
        month_ends.progress_deleted(entry)
        entry._history_user = _acting(user)
        entry.delete()
    refresh_staleness(project_ids=list(projects))
    return len(entries)


@transaction.atomic
def progress_update(*, user, progress_id: int, **fields) -> MonthlyProgress:
    """Correct a progress entry; the derived year-to-date and cumulative figures follow."""
    project_id = MonthlyProgress.objects.values_list("project_id", flat=True).get(pk=progress_id)
    # Project first, as progress_create locks it, so a moved month cannot race a new filing.
    project = Project.objects.select_for_update().get(pk=project_id)
    progress = MonthlyProgress.objects.select_for_update().get(pk=progress_id)
    progress.project = project
    before = (progress.month, progress.funds_in_place, progress.investment_completed)
    authorize(user, user is not None and roles.can_work_on_project(user, project))
    illegal = set(fields) - set(PROGRESS_FIELDS)
    if illegal:
        raise ValidationError({f: _("该字段不能直接修改。") for f in sorted(illegal)})
    errors = {}
    values = _progress_values(fields, errors)
    if errors:
        raise ValidationError(errors)
    for name, value in values.items():
        setattr(progress, name, value)
    check_progress(progress, errors)
    if errors:
        raise ValidationError(errors)
    _save_progress(progress, user, before=before)
    return progress


def _put_problem_fields(problem: Problem, fields: dict, errors: dict) -> None:
    """Set the given fields on `problem`, typed and checked by the rules of raising one; the
    fields not given keep their values. Broken rules are reported on their fields, all at once.

    The deadline may not fall before the day the problem was raised (today, for a new one). A
    correction that leaves the deadline as it was is not judged on it again.
    """
    if "category" in fields:
        problem.category = fields["category"] or ""
    if "description" in fields:
        problem.description = (fields["description"] or "").strip()
    if "unit" in fields:
        problem.unit_id = getattr(fields["unit"], "pk", fields["unit"]) or None
    if "is_illustrative" in fields:
        problem.is_illustrative = bool(fields["is_illustrative"])
    if "deadline" in fields:
        if fields["deadline"] in (None, ""):
            errors["deadline"] = _("请填写办结时限。")
        else:
            deadline = _as_date("deadline", fields["deadline"], errors)
            if deadline is not None and deadline != problem.deadline:
                _check_deadline(problem, deadline, errors)
            problem.deadline = deadline
    if not problem.category:
        errors["category"] = _("请选择问题类别。")
    if not problem.description:
        errors["description"] = _("请描述问题的具体情况。")
    if problem.unit_id is None:
        errors["unit"] = _("请选择负责解决的责任单位。")
    _full_clean(problem, errors, exclude=["project", "raised_by", "deadline"])


def _check_deadline(problem: Problem, deadline: date, errors: dict) -> None:
    raised_on = timezone.localdate(problem.raised_at)
    if deadline < raised_on:
        if raised_on == timezone.localdate():
            errors["deadline"] = _("办结时限不能早于今天。")
        else:
            errors["deadline"] = _("办结时限不能早于问题提出日期（%(d)s）。") % {
                "d": raised_on.isoformat()
            }
        return
    try:
        validate_plausible_date(deadline)
    except ValidationError as exc:
        errors["deadline"] = exc.messages[0]


@transaction.atomic
def problem_create(
    *, user, project_id: int, category: str, description: str, unit, deadline
) -> Problem:
    """Raise a blocker (难点堵点) on a project, assigned to a unit with a deadline."""
    project = Project.objects.get(pk=project_id)
    authorize(user, user is not None and roles.can_work_on_project(user, project))
    errors = {}
    problem = Problem(project=project, raised_by=_acting(user))
    _put_problem_fields(
        problem,
        {"category": category, "description": description, "unit": unit, "deadline": deadline},
        errors,
    )
    if errors:
        raise ValidationError(errors)
    problem._history_user = _acting(user)
    problem.save()
    watch.changed()
    return problem


@transaction.atomic
def problem_update(*, user, problem_id: int, **fields) -> Problem:
    """Correct a problem's description, category, responsible unit or deadline, by the rules
    of raising one; the history row names who corrected it.

    Resolving is problem_resolve's: the status and the resolution are not corrected here. A
    resolved problem's other fields may still be corrected, as the admin always allowed.
    """
    # The lock queues a correction behind a resolve (or another correction) of the same row.
    problem = Problem.objects.select_for_update().select_related("project").get(pk=problem_id)
    authorize(user, user is not None and roles.can_correct_problem(user, problem))
    illegal = set(fields) - set(PROBLEM_FIELDS)
    if illegal:
        raise ValidationError({f: _("该字段不能直接修改。") for f in sorted(illegal)})
    attnames = {name: Problem._meta.get_field(name).attname for name in fields}
    before = {name: getattr(problem, attname) for name, attname in attnames.items()}
    errors = {}
    _put_problem_fields(problem, fields, errors)
    if errors:
        raise ValidationError(errors)
    changed = [
        name for name, attname in attnames.items() if getattr(problem, attname) != before[name]
    ]
    # Nothing changed, no history row: the history lists corrections, not saves.
    if changed:
        problem._history_user = _acting(user)
        problem.save(update_fields=changed)
        watch.changed()
    return problem


@transaction.atomic
def problem_resolve(*, user, problem_id: int, resolution: str, resolved_on) -> Problem:
    """Mark a problem resolved, with how and when."""
    problem = Problem.objects.select_for_update().select_related("project").get(pk=problem_id)
    authorize(user, user is not None and roles.can_resolve_problem(user, problem))
    if problem.status != Problem.Status.OPEN:
        raise ValidationError({"resolution": _("该问题已经办结，无需重复办结。")})
    errors = {}
    resolution = (resolution or "").strip()
    if not resolution:
        errors["resolution"] = _("请填写解决情况。")
    if resolved_on in (None, ""):
        errors["resolved_on"] = _("请填写解决日期。")
    else:
        resolved_on = _as_date("resolved_on", resolved_on, errors)
    if "resolved_on" not in errors:
        raised_on = timezone.localdate(problem.raised_at)
        if resolved_on > timezone.localdate():
            errors["resolved_on"] = _("解决日期不能晚于今天。")
        elif resolved_on < raised_on:
            errors["resolved_on"] = _("解决日期不能早于问题提出日期（%(d)s）。") % {
                "d": raised_on.isoformat()
            }
    if errors:
        raise ValidationError(errors)
    # Conditional: of two resolvers (FOR UPDATE is a no-op on SQLite), only the first wins.
    won = Problem.objects.filter(pk=problem.pk, status=Problem.Status.OPEN).update(
        status=Problem.Status.RESOLVED, resolution=resolution, resolved_on=resolved_on
    )
    if won != 1:
        raise ValidationError({"resolution": _("该问题已由他人办结。")})
    problem.refresh_from_db()
    # update() bypasses the history signal; write the history row ourselves.
    Problem.history.bulk_history_create([problem], update=True, default_user=_acting(user))
    watch.changed()
    return problem


@transaction.atomic
def instruction_create(
    *,
    user,
    project_id: int,
    text: str,
    problem_id: int | None = None,
    unit=None,
    deadline=None,
) -> Instruction:
    """A leader's instruction (批示) on a project, or on one of its problems, naming the unit
    that answers for it (the project's unit unless another is named) and a deadline."""
    authorize(user, user is not None and roles.can_instruct(user))
    if _acting(user) is None:
        raise ValidationError({"leader": _("批示须由领导本人作出。")})
    project = Project.objects.get(pk=project_id)
    errors = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = _("请填写批示内容。")
    problem = None
    if problem_id not in (None, ""):
        problem = Problem.objects.filter(pk=problem_id, project=project).first()
        if problem is None:
            errors["problem"] = _("所选问题不属于该项目。")
    if deadline in (None, ""):
        errors["deadline"] = _("请填写办理时限。")
    else:
        deadline = _as_date("deadline", deadline, errors)
        if "deadline" not in errors and deadline < timezone.localdate():
            errors["deadline"] = _("办理时限不能早于今天。")
    if errors:
        raise ValidationError(errors)
    return Instruction.objects.create(
        project=project,
        problem=problem,
        leader=user,
        text=text,
        unit_id=getattr(unit, "pk", unit) or project.unit_id,
        deadline=deadline,
    )


@transaction.atomic
def instruction_reply(*, user, instruction_id: int, text: str, done: bool = False):
    """The responsible unit's reply to a 批示 (办理情况); with `done`, it also closes it.

    Every reply is kept (InstructionReply); the instruction's status says where the loop is:
    open → answered → done.
    """
    instruction = (
        Instruction.objects.select_for_update().select_related("project").get(pk=instruction_id)
    )
    authorize(user, user is not None and roles.can_answer_instruction(user, instruction))
    if instruction.status == Instruction.Status.DONE:
        raise ValidationError({"text": _("该批示已办结，无需再回复。")})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写办理情况。")})
    now = timezone.now()
    new_status = Instruction.Status.DONE if done else Instruction.Status.ANSWERED
    # Conditional: of two replies racing (FOR UPDATE is a no-op on SQLite), a second "done"
    # cannot close an instruction twice.
    won = (
        Instruction.objects.filter(pk=instruction.pk, status=instruction.status)
        .exclude(status=Instruction.Status.DONE)
        .update(status=new_status, done_at=now if done else None)
    )
    if won != 1:
        raise ValidationError({"text": _("该批示已由他人办结。")})
    return InstructionReply.objects.create(
        instruction=instruction,
        text=text,
        marks_done=done,
        replied_by=_acting(user),
        replied_at=now,
    )


def _check_enterprise(enterprise: Enterprise, errors: dict) -> None:
    enterprise.name = (enterprise.name or "").strip()
    enterprise.credit_code = (enterprise.credit_code or "").strip().upper()
    if enterprise.credit_code:
        # Only the code's own message: the length limit would repeat "18位" in other words.
        try:
            validate_credit_code(enterprise.credit_code)
        except ValidationError as exc:
            errors["credit_code"] = exc.messages
    # The conditional unique constraint would give a message naming no field; checked below.
    _full_clean(enterprise, errors, exclude=["credit_code"], validate_constraints=False)
    if enterprise.credit_code and "credit_code" not in errors:
        other = (
            Enterprise.objects.filter(credit_code=enterprise.credit_code)
            .exclude(pk=enterprise.pk)
            .first()
        )
        if other is not None:
            errors["credit_code"] = _("该统一社会信用代码已登记为“%(name)s”。") % {
                "name": other.name
            }


def _contacts(rows, errors: dict) -> list[EnterpriseContact]:
    """Contacts from dicts (name, title, phone); rows left blank are skipped."""
    contacts = []
    for row in rows:
        contact = EnterpriseContact(
            name=(row.get("name") or "").strip(),
            title=(row.get("title") or "").strip(),
            phone=(row.get("phone") or "").strip(),
        )
        if not (contact.name or contact.title or contact.phone):
            continue
        if not contact.name:
            errors.setdefault("contacts", []).append(_("联系人须填写姓名。"))
            continue
        _full_clean(contact, errors, exclude=["enterprise"])
        contacts.append(contact)
    return contacts


def _save_enterprise(enterprise: Enterprise, contacts, user) -> Enterprise:
    enterprise._history_user = _acting(user)
    try:
        with transaction.atomic():
            enterprise.save()
    except IntegrityError:
        # A concurrent save took the name or the code between the check and the insert.
        raise ValidationError({"name": _("同名企业或相同信用代码的企业已存在。")}) from None
    if contacts is not None:
        enterprise.contacts.all().delete()
        for contact in contacts:
            contact.enterprise = enterprise
        EnterpriseContact.objects.bulk_create(contacts)
    return enterprise


@transaction.atomic
def enterprise_create(*, user, contacts=None, **fields) -> Enterprise:
    authorize(user, user is not None and roles.can_maintain_shared_lists(user))
    illegal = set(fields) - set(ENTERPRISE_FIELDS) - {"source", "is_illustrative"}
    if illegal:
        raise ValidationError({f: _("该字段不能直接修改。") for f in sorted(illegal)})
    errors = {}
    enterprise = Enterprise(**fields)
    _check_enterprise(enterprise, errors)
    rows = _contacts(contacts or (), errors)
    if errors:
        raise ValidationError(errors)
    return _save_enterprise(enterprise, rows, user)


@transaction.atomic
def enterprise_update(
    *, user, enterprise_id: int, version: int | None = None, contacts=None, **fields
) -> Enterprise:
    """Edit an investor; `contacts`, when given, replaces its contact list.

    With `version` (the one the editor loaded), a save over someone else's newer edit raises
    EditConflict and changes nothing.
    """
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise_id)
    authorize(user, user is not None and roles.can_maintain_shared_lists(user))
    if version is not None and enterprise.version != version:
        raise EditConflict(
            enterprise,
            _("该客商信息已被他人修改（当前版本 %(v)s），请刷新后核对再保存。")
            % {"v": enterprise.version},
        )
    illegal = set(fields) - set(ENTERPRISE_FIELDS)
    if illegal:
        raise ValidationError({f: _("该字段不能直接修改。") for f in sorted(illegal)})
    errors = {}
    for name, value in fields.items():
        setattr(enterprise, name, value)
    _check_enterprise(enterprise, errors)
    rows = None if contacts is None else _contacts(contacts, errors)
    if errors:
        raise ValidationError(errors)
    enterprise.version = F("version") + 1
    saved = _save_enterprise(enterprise, rows, user)
    saved.refresh_from_db()
    return saved
