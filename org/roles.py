"""The roles, as groups, and the one place that says what each may do.

Pages, admin, API and the Excel import all ask these functions; nothing else decides.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

OFFICER = "招商专员"
LEADER = "市级领导"
ADMIN = "管理员"
# 等保2.0 三级 asks for a security auditor separate from the system administrator: reads the
# audit trail and nothing else (no projects, no admin), whatever other group it is also in.
AUDITOR = "审计员"
ROLE_NAMES = (OFFICER, LEADER, ADMIN, AUDITOR)
ROLE_LABELS = {
    OFFICER: gettext_lazy("招商专员"),
    LEADER: gettext_lazy("市级领导"),
    ADMIN: gettext_lazy("管理员"),
    AUDITOR: gettext_lazy("审计员"),
}


def authorize(user, allowed: bool) -> None:
    """Refuse a write the user's role does not allow (every service asks this). `user=None`
    is the system itself (seeds loader, scheduled tasks), which acts for no one."""
    if user is not None and not allowed:
        raise PermissionDenied(_("您没有权限执行此操作。"))


def _groups(user) -> set[str]:
    # Cached on the user object: one query per request, however many checks a page makes.
    if not hasattr(user, "_role_names"):
        names = set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()
        # Separation of duties: an auditor account is an auditor only.
        user._role_names = {AUDITOR} if AUDITOR in names else names
    return user._role_names


def is_auditor(user) -> bool:
    return user.is_authenticated and AUDITOR in _groups(user)


def is_admin(user) -> bool:
    return user.is_authenticated and (
        (user.is_superuser and not is_auditor(user)) or ADMIN in _groups(user)
    )


def is_leader(user) -> bool:
    return user.is_authenticated and LEADER in _groups(user)


def is_officer(user) -> bool:
    return user.is_authenticated and OFFICER in _groups(user)


def role_of(user) -> str | None:
    if is_auditor(user):
        return AUDITOR
    if is_admin(user):
        return ADMIN
    if is_leader(user):
        return LEADER
    if is_officer(user):
        return OFFICER
    return None


def can_view(user) -> bool:
    """Every working role reads every project; auditors and anonymous users read nothing."""
    return role_of(user) in (OFFICER, LEADER, ADMIN)


def reader_required(view):
    """A page of the bureau's data: signed in, and in a role that reads (`can_view`). Every
    reading page says so with this decorator, and nothing else."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_view(request.user):
            raise PermissionDenied(_("您没有权限查看此页面。"))
        return view(request, *args, **kwargs)

    return wrapper


def can_read_audit(user) -> bool:
    """The audit trail is read by admins and auditors; nobody edits it."""
    return is_admin(user) or is_auditor(user)


def can_create_project(user, unit=None) -> bool:
    if is_admin(user):
        return True
    if is_officer(user) and user.unit_id:
        return unit is None or getattr(unit, "pk", unit) == user.unit_id
    return False


def can_edit_project(user, project) -> bool:
    """Officers write only their own unit's projects; admins write all; leaders none."""
    if is_admin(user):
        return True
    return is_officer(user) and user.unit_id is not None and project.unit_id == user.unit_id


def is_on_team(user, project) -> bool:
    """The project's "四个一" team beyond its unit: its 项目管家 and its 专班 members, who may
    come from other units (the investment bureau joins the economic zone's task forces)."""
    if not user.is_authenticated:
        return False
    if project.manager_id is not None and project.manager_id == user.pk:
        return True
    # One small query, asked only of people the unit rule did not already let in.
    return project.team.filter(pk=user.pk).exists()


def can_work_on_project(user, project) -> bool:
    """File the monthly progress and raise problems (难点堵点): whoever follows the project to
    the end — its unit's officers, its task force and its project manager — and admins.
    Leaders read and instruct; they do not file."""
    if can_edit_project(user, project):
        return True
    return is_officer(user) and is_on_team(user, project)


def files_work(user) -> bool:
    """Whether the user may file progress or raise problems for some project at all (the API
    refuses everyone else before reading the body)."""
    if can_create_project(user):
        return True
    if not is_officer(user):
        return False
    # Through the user's reverse relations: org imports no app above it.
    return user.managed_projects.exists() or user.team_projects.exists()


def why_read_only(user, project) -> str:
    """Why a page of the project refuses this user a write, in words they can act on."""
    if is_leader(user) and not is_admin(user):
        return _("市级领导查看项目并作出批示，进展和难点堵点由项目团队填报。")
    if is_officer(user) and project.unit_id != user.unit_id and is_on_team(user, project):
        return _(
            "您在该项目的专班或任项目管家，可以填报进展、登记难点堵点；项目信息由%(unit)s维护。"
        ) % {"unit": project.unit}
    if is_officer(user) and project.unit_id != user.unit_id:
        return _("此项目属于%(unit)s，您只能查看。") % {"unit": project.unit}
    return _("您没有权限修改此项目。")


def can_instruct(user) -> bool:
    """Leaders (and admins) give instructions (批示)."""
    return is_leader(user) or is_admin(user)


def can_answer_instruction(user, instruction) -> bool:
    """A 批示 is answered (办理情况) and marked done by the officers of the unit it names (the
    project's unit for instructions given before units were named); admins answer any."""
    if is_admin(user):
        return True
    unit_id = instruction.unit_id or instruction.project.unit_id
    return is_officer(user) and user.unit_id is not None and user.unit_id == unit_id


def can_resolve_problem(user, problem) -> bool:
    """A problem (难点堵点) is cleared by its project's unit or by the unit it was assigned to;
    admins clear any."""
    if can_edit_project(user, problem.project):
        return True
    return is_officer(user) and user.unit_id is not None and user.unit_id == problem.unit_id


def can_correct_problem(user, problem) -> bool:
    """A problem's description, category, unit and deadline are corrected by those who may
    raise problems on its project. The unit it is assigned to resolves it but does not move
    its own deadline: that stays with the project's side and the admins."""
    return can_work_on_project(user, problem.project)


def can_maintain_shared_lists(user) -> bool:
    """The reference data all units share (investors, the chain map and its target, opportunity
    and task-force lists) is kept by any officer and by admins; leaders read it."""
    return is_officer(user) or is_admin(user)


def can_manage_reports(user) -> bool:
    return is_admin(user)


def can_import_ledger(user) -> bool:
    """Officers import their own unit's Excel ledger (each row is checked against the unit
    rules above); admins import any. Leaders only read."""
    return is_officer(user) or is_admin(user)


def can_commit_import(user, job) -> bool:
    """Only the person who uploaded a ledger commits it, and only while they may import."""
    return can_import_ledger(user) and job.created_by_id == user.pk


def can_see_import(user, job) -> bool:
    return is_admin(user) or (job.created_by_id is not None and job.created_by_id == user.pk)


# Model permissions per role, for the admin. Object rules (own unit only) are the functions
# above; these only decide which admin pages a role sees.
OFFICER_WRITES = {
    "projects": ["project", "enterprise", "enterprisecontact", "monthlyprogress", "problem"],
}
VIEW_APPS = ["org", "projects", "chains", "dashboard", "dispatch", "ledger"]


def sync_role_permissions(**kwargs):
    """Create the three groups and give them their permissions; safe to run any number of times.

    Runs after every migrate (and test-database flush), so models added later are covered.
    """
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    viewable = Permission.objects.filter(
        content_type__app_label__in=VIEW_APPS, codename__startswith="view_"
    )
    officer_write = Q()
    for app, models in OFFICER_WRITES.items():
        officer_write |= Q(
            content_type__app_label=app,
            content_type__model__in=models,
            codename__regex=r"^(add|change)_",
        )

    officer, _ = Group.objects.get_or_create(name=OFFICER)
    officer.permissions.set(viewable | Permission.objects.filter(officer_write))
    leader, _ = Group.objects.get_or_create(name=LEADER)
    leader.permissions.set(viewable | Permission.objects.filter(codename="add_instruction"))
    admin, _ = Group.objects.get_or_create(name=ADMIN)
    admin.permissions.set(Permission.objects.all())
    auditor, _ = Group.objects.get_or_create(name=AUDITOR)
    auditor.permissions.set(
        Permission.objects.filter(content_type__app_label="audit", codename="view_auditentry")
    )
