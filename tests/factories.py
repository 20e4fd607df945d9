"""factory_boy factories: real rows in the real database, no mocks."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from chains.models import ChainLink, IndustryChain
from org import roles
from org.models import Place, Unit, User
from projects import month_ends, month_totals
from projects.models import Enterprise, Event, MonthlyProgress, Problem, Project, StageChange
from projects.stages import Stage


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"园区{n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"责任单位{n}")
    short_name = factory.LazyAttribute(lambda o: o.name[:20])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        _give_role(self, create, extracted)


def _give_role(user, create, role):
    if not create:
        return
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        user.is_staff = role == roles.ADMIN
    user.save()


class OfficerFactory(UserFactory):
    unit = factory.SubFactory(UnitFactory)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        _give_role(self, create, extracted or roles.OFFICER)


class LeaderFactory(UserFactory):
    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        _give_role(self, create, extracted or roles.LEADER)


class AdminFactory(UserFactory):
    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        _give_role(self, create, extracted or roles.ADMIN)


class AuditorFactory(UserFactory):
    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        _give_role(self, create, extracted or roles.AUDITOR)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"甘肃测试企业{n}有限公司")
    origin = "甘肃"


class ChainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndustryChain
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"产业链{n}")
    short_name = factory.LazyAttribute(lambda o: o.name[:20])
    tier = IndustryChain.Tier.TEN_BILLION


class ChainLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChainLink

    chain = factory.SubFactory(ChainFactory)
    name = factory.Sequence(lambda n: f"环节{n}")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    name = factory.Sequence(lambda n: f"招商推介会{n}")
    held_on = datetime.date(2025, 6, 26)


class ProjectFactory(factory.django.DjangoModelFactory):
    """A project at any stage, with what that stage requires already filled in."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"JC-T-{n:05d}")
    name = factory.Sequence(lambda n: f"测试项目{n}")
    investor = factory.SubFactory(EnterpriseFactory)
    total_investment = Decimal("8000")
    place = factory.SubFactory(PlaceFactory)
    unit = factory.SubFactory(UnitFactory)
    chain = factory.SubFactory(ChainFactory)
    stage = Stage.RED
    intent_note = factory.LazyAttribute(
        lambda o: "" if o.stage == Stage.RED else "企业已表达投资意向"
    )
    signed_on = factory.LazyAttribute(
        lambda o: (
            datetime.date(2024, 3, 1)
            if o.stage in (Stage.BLUE, Stage.GREEN, Stage.OPERATING)
            else None
        )
    )
    started_on = factory.LazyAttribute(
        lambda o: datetime.date(2024, 6, 1) if o.stage in (Stage.GREEN, Stage.OPERATING) else None
    )
    operating_on = factory.LazyAttribute(
        lambda o: datetime.date(2025, 6, 1) if o.stage == Stage.OPERATING else None
    )

    @factory.post_generation
    def history(self, create, extracted, **kwargs):
        # Every project has its creation move, as the services write it.
        if create:
            StageChange.objects.create(
                project=self, from_stage="", to_stage=self.stage, reason="新建项目"
            )


class ProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonthlyProgress

    project = factory.SubFactory(ProjectFactory)
    month = datetime.date(2025, 5, 1)
    investment_completed = Decimal("100")
    funds_in_place = Decimal("100")
    narrative = "推进顺利"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # As the progress service does: the month totals and month-end rows follow the entry.
        return filed(super()._create(model_class, *args, **kwargs))


def filed(progress: MonthlyProgress) -> MonthlyProgress:
    """Keep the month totals and the built months' funds to date to an entry written straight
    to the database, as the progress service does for the entries it saves."""
    month_totals.progress_saved(progress)
    month_ends.progress_saved(progress)
    return progress


class ProblemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Problem

    project = factory.SubFactory(ProjectFactory)
    category = "land"
    description = "用地指标待落实"
    unit = factory.SubFactory(UnitFactory)
    deadline = datetime.date(2025, 7, 1)


# --- Chains: the three lists (三张清单) ------------------------------------------------------


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "chains.Opportunity"

    chain_link = factory.SubFactory(ChainLinkFactory)
    title = factory.Sequence(lambda n: f"投资机会{n}")
    scale = Decimal("20000")


class TargetEnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "chains.TargetEnterprise"

    enterprise = factory.SubFactory(EnterpriseFactory)
    chain_link = factory.SubFactory(ChainLinkFactory)
    reason = "补齐本环节缺口"


class TaskForceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "chains.ChainTaskForce"

    chain = factory.SubFactory(ChainFactory)
    lead_unit = factory.SubFactory(UnitFactory)
    contact_person = "联络员（示例）"
