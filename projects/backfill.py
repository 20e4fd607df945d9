"""需补录: what a project's stage stands on but the project lacks.

A move by hand must meet its stage's requirements (projects.stages.REQUIREMENTS). An office's
ledger, though, states the stage a project is at: an Excel import stores that stage through the
stage service with `stated=True` (reason "Excel导入") even when, say, an orange project has no
合作意向 on file. What is then missing is not stored anywhere: it is derived here from the same
requirements, so it shows on the project and in 我的工作 until someone fills it in, and
disappears the moment they do.

Every requirement is decided alike: 橙色 without 合作意向, 蓝色 without 签约日期, 绿色
without 实际开工日期, 已投产 without 投产日期 (a jump lacks what each stage it passes needs).
"""

from django.db.models import Q, QuerySet

from projects import stages
from projects.models import Project
from projects.stages import Requirement


def missing_facts(project) -> list[Requirement]:
    """What the project's current stage needs and the project does not have (no query)."""
    return stages.unmet_requirements(project, project.stage)


def missing_labels(project) -> list[str]:
    """The missing facts by their field names, for a short list ("合作意向、签约日期")."""
    return [str(Project._meta.get_field(r.field).verbose_name) for r in missing_facts(project)]


def _lacks(field_name: str) -> Q:
    field = Project._meta.get_field(field_name)
    if field.get_internal_type() in ("CharField", "TextField"):
        return Q(**{field_name: ""}) | Q(**{f"{field_name}__isnull": True})
    return Q(**{f"{field_name}__isnull": True})


def lacking_q() -> Q:
    """Projects whose current stage misses a fact, as one condition (built from the same
    requirements `missing_facts` reads)."""
    condition = Q(pk__in=[])
    for stage in stages.Stage:
        needed = {r.field for r in stages.unmet_requirements(Project(), stage)}
        if needed:
            lacks = Q()
            for name in sorted(needed):
                lacks |= _lacks(name)
            condition |= Q(stage=stage) & lacks
    return condition


def projects_to_backfill(*, unit=None) -> QuerySet:
    """The projects (of a unit, or all) with something to fill in, oldest change first."""
    qs = Project.objects.filter(lacking_q()).select_related("unit")
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs.order_by("stage_changed_at", "pk")
