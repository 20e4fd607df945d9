"""Writes to the chains: links and the enterprises on them, the opportunity and target lists,
and turning a target enterprise into a project.

Every write validates the whole row (`full_clean`, so a link's parent must be in its chain) and
checks the role rules; `user=None` is the system (the seeds loader), which acts for no one.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chains.models import ChainLink, Opportunity, TargetEnterprise
from org import roles
from projects import services as project_services
from projects.models import Enterprise, LeadSource, Project


def _authorize(user) -> None:
    roles.authorize(user, user is not None and roles.can_maintain_shared_lists(user))


def _assign_and_save(instance, fields: dict, *, exclude=()):
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean(exclude=list(exclude))
    instance.save()
    return instance


# --- Links --------------------------------------------------------------------------------


@transaction.atomic
def link_create(*, user, chain, name: str, parent=None, **fields) -> ChainLink:
    _authorize(user)
    return _assign_and_save(ChainLink(chain=chain, name=name, parent=parent), fields)


@transaction.atomic
def link_update(*, user, link_id: int, **fields) -> ChainLink:
    _authorize(user)
    link = ChainLink.objects.select_for_update().get(pk=link_id)
    return _assign_and_save(link, fields)


@transaction.atomic
def link_add_enterprise(*, user, link_id: int, enterprise_id: int) -> ChainLink:
    """Record an enterprise as present on a link; the link's gap shrinks by one.

    The row lock makes two officers adding firms at once count both.
    """
    _authorize(user)
    link = ChainLink.objects.select_for_update().get(pk=link_id)
    enterprise = Enterprise.objects.get(pk=enterprise_id)
    link.enterprises.add(enterprise)
    return link


@transaction.atomic
def link_remove_enterprise(*, user, link_id: int, enterprise_id: int) -> ChainLink:
    """An enterprise left the link (closed, moved away): the gap grows again."""
    _authorize(user)
    link = ChainLink.objects.select_for_update().get(pk=link_id)
    link.enterprises.remove(enterprise_id)
    return link


# --- 投资机会清单 and 目标企业清单 ------------------------------------------------------------


@transaction.atomic
def opportunity_create(*, user, **fields) -> Opportunity:
    _authorize(user)
    return _assign_and_save(Opportunity(), fields)


@transaction.atomic
def opportunity_update(*, user, opportunity_id: int, **fields) -> Opportunity:
    _authorize(user)
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity_id)
    return _assign_and_save(opportunity, fields)


# Set only by target_convert_to_project, so that a target marked converted always has its
# project.
TARGET_PROTECTED = {"project", "project_id"}


def _check_target_fields(fields: dict) -> None:
    illegal = TARGET_PROTECTED.intersection(fields)
    if illegal:
        raise ValidationError({"project": _("转化项目只能通过“转为项目”生成。")})
    if fields.get("contact_status") == TargetEnterprise.ContactStatus.CONVERTED:
        raise ValidationError({"contact_status": _("“已转为项目”状态由“转为项目”操作自动设置。")})


@transaction.atomic
def target_create(*, user, **fields) -> TargetEnterprise:
    _authorize(user)
    _check_target_fields(fields)
    return _assign_and_save(TargetEnterprise(), fields)


@transaction.atomic
def target_update(*, user, target_id: int, **fields) -> TargetEnterprise:
    _authorize(user)
    target = TargetEnterprise.objects.select_for_update().get(pk=target_id)
    if target.project_id:
        # Its link and enterprise are now the project's; changing them would break the trail.
        moved = {"enterprise", "chain_link"}.intersection(
            name for name, value in fields.items() if value != getattr(target, name)
        )
        if moved:
            raise ValidationError(
                {name: _("已转为项目的目标企业不能再修改企业或环节。") for name in moved}
            )
        fields.pop("contact_status", None)
    _check_target_fields(fields)
    return _assign_and_save(target, fields)


@transaction.atomic
def target_convert_to_project(*, user, target_id: int, **project_fields) -> Project:
    """Turn a target enterprise (目标企业) into a project (招商项目), keeping its link.

    1. Lock the target; refuse one already converted (a second click, a second officer).
    2. Create the project through the project services (which check the user may create a
       project for the chosen unit), with the target's enterprise as investor and the target's
       chain and link.
    3. Point the target at the project and mark it converted, in the same transaction: if the
       project is refused, the target stays as it was.
    """
    _authorize(user)
    target = (
        TargetEnterprise.objects.select_for_update()
        .select_related("enterprise", "chain_link__chain")
        .get(pk=target_id)
    )
    if target.project_id:
        raise ValidationError(_("该目标企业已转为项目，不能重复转化。"))
    for name in ("investor", "chain", "chain_link"):
        if name in project_fields:
            raise ValidationError({name: _("投资方和产业链环节取自目标企业，不能另填。")})
    project_fields.setdefault("lead_source", LeadSource.CHAIN)
    project = project_services.project_create(
        user=user,
        investor=target.enterprise,
        chain=target.chain_link.chain,
        chain_link=target.chain_link,
        **project_fields,
    )
    target.project = project
    target.contact_status = TargetEnterprise.ContactStatus.CONVERTED
    target.save(update_fields=["project", "contact_status"])
    return project
