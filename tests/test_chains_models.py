"""The rules of the chain map: a link belongs to one chain, the gap shrinks as firms arrive,
and a target turned into a project keeps its link."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chains import services
from chains.models import ChainLink, TargetEnterprise
from projects.models import LeadSource, Project, StageChange
from projects.stages import Stage
from tests import factories

pytestmark = pytest.mark.django_db


def project_fields(unit, **overrides):
    fields = {
        "code": "JC-2025-0101",
        "name": "年产2万吨碳酸酯项目",
        "total_investment": Decimal("60000"),
        "place": factories.PlaceFactory(name="金昌经济技术开发区"),
        "unit": unit,
    }
    fields.update(overrides)
    return fields


# --- A link belongs to one chain ---------------------------------------------------------


def test_it_refuses_a_parent_from_another_chain(personas):
    battery = factories.ChainFactory(name="新能源和新能源电池")
    metals = factories.ChainFactory(name="有色金属新材料")
    foreign_parent = factories.ChainLinkFactory(chain=metals, name="高温合金")

    with pytest.raises(ValidationError) as error:
        services.link_create(user=personas.admin, chain=battery, name="隔膜", parent=foreign_parent)

    assert "parent" in error.value.message_dict
    assert not ChainLink.objects.filter(name="隔膜").exists()


def test_it_refuses_moving_a_link_under_another_chains_sub_chain(personas):
    battery = factories.ChainFactory(name="新能源和新能源电池")
    link = factories.ChainLinkFactory(chain=battery, name="隔膜")
    elsewhere = factories.ChainLinkFactory(name="氯碱")

    with pytest.raises(ValidationError):
        services.link_update(user=personas.officer_a, link_id=link.pk, parent=elsewhere)

    link.refresh_from_db()
    assert link.parent is None


def test_it_refuses_a_link_under_its_own_child(personas):
    sub_chain = factories.ChainLinkFactory(name="电解液及其他辅料")
    child = factories.ChainLinkFactory(chain=sub_chain.chain, parent=sub_chain, name="碳酸酯")

    with pytest.raises(ValidationError) as error:
        services.link_update(user=personas.admin, link_id=sub_chain.pk, parent=child)

    assert "parent" in error.value.message_dict


def test_it_accepts_a_parent_in_the_same_chain(personas):
    sub_chain = factories.ChainLinkFactory(name="电解液及其他辅料")

    link = services.link_create(
        user=personas.officer_a, chain=sub_chain.chain, name="碳酸酯", parent=sub_chain
    )

    assert link.parent == sub_chain
    assert link.chain == sub_chain.chain


def test_a_leader_may_not_change_the_map(personas):
    chain = factories.ChainFactory()

    with pytest.raises(PermissionDenied):
        services.link_create(user=personas.leader, chain=chain, name="隔膜")


# --- The gap shrinks as enterprises are added -------------------------------------------


def test_the_gap_goes_down_as_enterprises_are_added_and_never_below_zero(personas):
    link = factories.ChainLinkFactory(
        name="碳酸酯", gap_description="碳酸酯生产企业", wanted_enterprises=2
    )
    firms = [factories.EnterpriseFactory() for _ in range(3)]
    gaps = [link.gap_count()]

    for firm in firms:
        services.link_add_enterprise(
            user=personas.officer_a, link_id=link.pk, enterprise_id=firm.pk
        )
        gaps.append(ChainLink.objects.get(pk=link.pk).gap_count())

    assert gaps == [2, 1, 0, 0]


def test_adding_the_same_enterprise_twice_counts_it_once(personas):
    link = factories.ChainLinkFactory(wanted_enterprises=2)
    firm = factories.EnterpriseFactory()

    for _ in range(2):
        services.link_add_enterprise(user=personas.admin, link_id=link.pk, enterprise_id=firm.pk)

    assert link.gap_count() == 1


def test_removing_an_enterprise_opens_the_gap_again(personas):
    link = factories.ChainLinkFactory(wanted_enterprises=1)
    firm = factories.EnterpriseFactory()
    services.link_add_enterprise(user=personas.admin, link_id=link.pk, enterprise_id=firm.pk)
    assert link.gap_count() == 0

    services.link_remove_enterprise(user=personas.admin, link_id=link.pk, enterprise_id=firm.pk)

    assert link.gap_count() == 1


def test_a_leader_may_not_record_an_enterprise_on_a_link(personas):
    link = factories.ChainLinkFactory(wanted_enterprises=1)
    firm = factories.EnterpriseFactory()

    with pytest.raises(PermissionDenied):
        services.link_add_enterprise(user=personas.leader, link_id=link.pk, enterprise_id=firm.pk)

    assert link.gap_count() == 1


# --- A converted target keeps its link ----------------------------------------------------


def test_a_converted_target_becomes_a_red_project_on_its_link(personas):
    target = factories.TargetEnterpriseFactory(
        chain_link__name="碳酸酯", contact_status=TargetEnterprise.ContactStatus.NEGOTIATING
    )

    project = services.target_convert_to_project(
        user=personas.officer_a, target_id=target.pk, **project_fields(personas.unit_a)
    )

    target.refresh_from_db()
    assert target.project == project
    assert target.contact_status == TargetEnterprise.ContactStatus.CONVERTED
    assert project.chain_link == target.chain_link
    assert project.chain == target.chain_link.chain
    assert project.investor == target.enterprise
    assert project.stage == Stage.RED
    assert project.lead_source == LeadSource.CHAIN
    assert project.created_by == personas.officer_a
    assert StageChange.objects.filter(project=project, from_stage="", to_stage="red").exists()


def test_a_target_is_converted_only_once(personas):
    target = factories.TargetEnterpriseFactory()
    services.target_convert_to_project(
        user=personas.admin, target_id=target.pk, **project_fields(personas.unit_a)
    )

    with pytest.raises(ValidationError):
        services.target_convert_to_project(
            user=personas.admin,
            target_id=target.pk,
            **project_fields(personas.unit_a, code="JC-2025-0102"),
        )

    assert Project.objects.count() == 1


def test_a_refused_project_leaves_the_target_untouched(personas):
    target = factories.TargetEnterpriseFactory()

    with pytest.raises(ValidationError) as error:
        services.target_convert_to_project(
            user=personas.officer_a,
            target_id=target.pk,
            **project_fields(personas.unit_a, total_investment=Decimal("-5")),
        )

    assert "total_investment" in error.value.message_dict
    target.refresh_from_db()
    assert target.project is None
    assert target.contact_status == TargetEnterprise.ContactStatus.NOT_CONTACTED
    assert not Project.objects.exists()


def test_an_officer_converts_only_for_their_own_unit(personas):
    target = factories.TargetEnterpriseFactory()

    with pytest.raises(PermissionDenied):
        services.target_convert_to_project(
            user=personas.officer_b, target_id=target.pk, **project_fields(personas.unit_a)
        )

    target.refresh_from_db()
    assert target.project is None


def test_a_leader_may_not_convert_a_target(personas):
    target = factories.TargetEnterpriseFactory()

    with pytest.raises(PermissionDenied):
        services.target_convert_to_project(
            user=personas.leader, target_id=target.pk, **project_fields(personas.unit_a)
        )


def test_a_target_may_not_be_marked_converted_by_hand(personas):
    target = factories.TargetEnterpriseFactory()

    with pytest.raises(ValidationError) as error:
        services.target_update(
            user=personas.officer_a,
            target_id=target.pk,
            contact_status=TargetEnterprise.ContactStatus.CONVERTED,
        )

    assert "contact_status" in error.value.message_dict


def test_a_converted_target_cannot_move_to_another_link(personas):
    target = factories.TargetEnterpriseFactory()
    services.target_convert_to_project(
        user=personas.admin, target_id=target.pk, **project_fields(personas.unit_a)
    )
    other_link = factories.ChainLinkFactory(chain=target.chain_link.chain)

    with pytest.raises(ValidationError) as error:
        services.target_update(user=personas.admin, target_id=target.pk, chain_link=other_link)

    assert "chain_link" in error.value.message_dict
    target.refresh_from_db()
    assert target.project.chain_link == target.chain_link


def test_the_same_enterprise_is_targeted_once_per_link(personas):
    target = factories.TargetEnterpriseFactory()

    with pytest.raises(ValidationError):
        services.target_create(
            user=personas.officer_a, enterprise=target.enterprise, chain_link=target.chain_link
        )
