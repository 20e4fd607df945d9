"""Shapes of the API: they check what a request carries and present what a response holds.

Writes go through `projects.services` (and the other apps' services); no serializer saves a
row itself. Amounts are 万元 as decimal strings ("8000.00"), months "YYYY-MM", dates ISO 8601.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import (
    CalledField,
    CleanText,
    LabelField,
    MemberIdsField,
    MonthField,
)
from api.permissions import sees_contacts
from chains.models import ChainLink, IndustryChain, Opportunity, TargetEnterprise
from dashboard.models import AnnualTarget
from dispatch.models import Report
from org import roles
from org.models import User
from projects import stages
from projects.flags import Flag, flags_of
from projects.forms import CREATE_STAGES, EDITABLE_FIELDS
from projects.models import (
    Enterprise,
    EnterpriseContact,
    Event,
    Instruction,
    MonthlyProgress,
    Problem,
    Project,
    StageChange,
)
from projects.stages import START_MESSAGE, Stage
from projects.validators import check_amount

# The stage enum is documented once, as the project's `stage` (StageEnum); the other fields
# holding a stage point at it, so that clients generate one type for the color card.
STAGE_REF = {"$ref": "#/components/schemas/StageEnum"}
BLANK_REF = {"$ref": "#/components/schemas/BlankEnum"}


# Amounts are checked by `projects.validators.check_amount`, whose message names 万元 (a typing
# slip in 元 is the usual mistake), instead of the model validators' generic bounds.
AMOUNT_BY_CHECK_AMOUNT = {"validators": [], "min_value": None, "max_value": None}


def _name(user) -> str | None:
    return user.display_name if user else None


# --- Auth ---------------------------------------------------------------------------------


class TokenRequestSerializer(CleanText, serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("只显示这一次；服务器只保存其摘要"))
    expires = serializers.DateTimeField(help_text=_("到期时间；之后须重新获取"))


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    version = serializers.IntegerField(help_text=_("当前已保存的版本"))


# --- Projects -----------------------------------------------------------------------------


class ProjectSerializer(CleanText, serializers.ModelSerializer):
    """A project as lists and pages show it; also the body of a create."""

    investor_name = serializers.CharField(source="investor.name", read_only=True)
    stage = serializers.ChoiceField(
        choices=Stage.choices,
        default=Stage.RED,
        help_text=_("新建时的初始阶段（不能为终止）；之后只能通过 transition 变更"),
    )
    stage_label = LabelField(source="stage")
    is_key = serializers.BooleanField(read_only=True, help_text=_("总投资超过5000万元"))
    chain_name = serializers.CharField(source="chain.name", read_only=True, default=None)
    chain_link_name = serializers.CharField(source="chain_link.name", read_only=True, default=None)
    place_name = serializers.CharField(source="place.name", read_only=True)
    unit_name = CalledField(source="unit.__str__")
    leader_name = serializers.SerializerMethodField()
    manager_name = serializers.SerializerMethodField()
    leader = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(groups__name=roles.LEADER),
        allow_null=True,
        required=False,
    )
    team = MemberIdsField(User.objects.filter(is_active=True), required=False)
    co_investors = MemberIdsField(
        Enterprise.objects.all(),
        required=False,
        label=Project._meta.get_field("co_investors").verbose_name,
    )
    manager = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )
    flags = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            *EDITABLE_FIELDS,
            "investor_name",
            "stage",
            "stage_label",
            "stage_changed_at",
            "is_key",
            "chain_name",
            "chain_link_name",
            "place_name",
            "unit_name",
            "leader_name",
            "manager_name",
            "flags",
            "staleness",
            "version",
            "is_illustrative",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "stage_changed_at",
            "staleness",
            "version",
            "is_illustrative",
            "created_at",
            "updated_at",
        ]
        # The services check uniqueness (the code) in the same transaction as the save, and
        # `check_amount` (shared with the forms and the progress service) gives amounts the
        # message that names 万元.
        validators = []
        extra_kwargs = {
            # Left out or blank, the service gives the office's next number (JC-2026-0042).
            "code": {"validators": [], "required": False, "allow_blank": True},
            "total_investment": AMOUNT_BY_CHECK_AMOUNT,
            "contracted_investment": AMOUNT_BY_CHECK_AMOUNT,
        }

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_leader_name(self, project) -> str | None:
        return _name(project.leader)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_manager_name(self, project) -> str | None:
        return _name(project.manager)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Flag.choices)))
    def get_flags(self, project) -> list[str]:
        return [flag.value for flag in flags_of(project)]

    def validate_stage(self, value):
        if value not in CREATE_STAGES:
            raise serializers.ValidationError(START_MESSAGE)
        return value

    def validate_total_investment(self, value):
        return check_amount(value, allow_zero=False)

    def validate_contracted_investment(self, value):
        return check_amount(value, allow_zero=True)


class ProjectUpdateSerializer(ProjectSerializer):
    """A partial update: the fields to change and the `version` they were read at."""

    version = serializers.IntegerField(
        min_value=1, help_text=_("读取项目时的版本号；若其间已被他人修改，返回 409")
    )
    stage = None

    class Meta(ProjectSerializer.Meta):
        fields = [f for f in ProjectSerializer.Meta.fields if f != "stage"]
        read_only_fields = [f for f in ProjectSerializer.Meta.read_only_fields if f != "version"]

    def validate(self, attrs):
        errors = {}
        if "stage" in self.initial_data:
            errors["stage"] = _("色卡阶段只能通过 transition 接口变更。")
        if "version" not in attrs:
            errors["version"] = _("请提供读取项目时的版本号。")
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


@extend_schema_field(STAGE_REF)
class StageField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Stage.choices, **kwargs)


@extend_schema_field({"oneOf": [STAGE_REF, BLANK_REF]})
class StageOrBlankField(StageField):
    pass


class TransitionSerializer(CleanText, serializers.Serializer):
    to = StageField(help_text=_("目标阶段"))
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("降级、终止、恢复或跨阶段时必填")
    )
    date = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("升为蓝色为签约日期，升为绿色为开工日期，转为已投产为投产日期"),
    )
    intent_note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("升为橙色时的合作意向")
    )
    contracted_investment = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("升为蓝色时的签约投资（万元）"),
    )
    version = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


class StageChangeSerializer(serializers.ModelSerializer):
    from_stage = StageOrBlankField(read_only=True, help_text=_("原阶段；新建时为空"))
    to_stage = StageField(read_only=True)
    from_stage_label = LabelField(source="from_stage")
    to_stage_label = LabelField(source="to_stage")
    kind = serializers.ChoiceField(choices=stages.Kind.choices, read_only=True)
    changed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = StageChange
        fields = [
            "id",
            "from_stage",
            "from_stage_label",
            "to_stage",
            "to_stage_label",
            "kind",
            "changed_at",
            "changed_by",
            "changed_by_name",
            "reason",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_changed_by_name(self, change) -> str | None:
        return _name(change.changed_by)


# --- Monthly progress, problems, instructions --------------------------------------------


class ProgressSerializer(CleanText, serializers.ModelSerializer):
    month = MonthField()
    project_name = serializers.CharField(source="project.name", read_only=True)
    filed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = MonthlyProgress
        fields = [
            "id",
            "project",
            "project_name",
            "month",
            "investment_completed",
            "funds_in_place",
            "narrative",
            "next_steps",
            "filed_by",
            "filed_by_name",
            "filed_at",
            "is_illustrative",
        ]
        read_only_fields = ["filed_by", "filed_at", "is_illustrative"]
        # One entry per project and month, and amounts within the project's total, are the
        # service's rules (clear messages, and the same ones as the page's).
        validators = []
        extra_kwargs = {
            "investment_completed": {**AMOUNT_BY_CHECK_AMOUNT, "required": True},
            "funds_in_place": {**AMOUNT_BY_CHECK_AMOUNT, "required": True},
        }

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_filed_by_name(self, progress) -> str | None:
        return _name(progress.filed_by)


class ProgressUpdateSerializer(ProgressSerializer):
    class Meta(ProgressSerializer.Meta):
        read_only_fields = [*ProgressSerializer.Meta.read_only_fields, "project"]


class ProblemSerializer(CleanText, serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    category_label = LabelField(source="category")
    unit_name = CalledField(source="unit.__str__")
    status_label = LabelField(source="status")
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Problem
        fields = [
            "id",
            "project",
            "project_name",
            "category",
            "category_label",
            "description",
            "unit",
            "unit_name",
            "deadline",
            "status",
            "status_label",
            "is_overdue",
            "resolution",
            "resolved_on",
            "raised_by",
            "raised_at",
            "is_illustrative",
        ]
        read_only_fields = [
            "status",
            "resolution",
            "resolved_on",
            "raised_by",
            "raised_at",
            "is_illustrative",
        ]


class ProblemResolveSerializer(CleanText, serializers.Serializer):
    resolution = serializers.CharField(help_text=_("解决情况"))
    resolved_on = serializers.DateField(help_text=_("解决日期"))


class InstructionReplySerializer(CleanText, serializers.Serializer):
    text = serializers.CharField(help_text=_("办理情况"))
    done = serializers.BooleanField(
        required=False, default=False, help_text=_("勾选后该批示标记为已办结")
    )


class InstructionSerializer(CleanText, serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    leader_name = serializers.CharField(source="leader.display_name", read_only=True)

    class Meta:
        model = Instruction
        fields = [
            "id",
            "project",
            "project_name",
            "problem",
            "leader",
            "leader_name",
            "text",
            "given_at",
            "unit",
            "deadline",
            "status",
            "done_at",
            "is_illustrative",
        ]
        read_only_fields = ["leader", "given_at", "status", "done_at", "is_illustrative"]
        extra_kwargs = {
            # The service names the project's unit when none is given, and says what a
            # missing deadline needs in its own words.
            "unit": {"required": False, "allow_null": True},
            "deadline": {"required": False, "allow_null": True},
        }


# --- Reference data -----------------------------------------------------------------------


class EnterpriseContactSerializer(CleanText, serializers.ModelSerializer):
    class Meta:
        model = EnterpriseContact
        fields = ["id", "name", "title", "phone"]


class EnterpriseSerializer(CleanText, serializers.ModelSerializer):
    project_count = serializers.IntegerField(read_only=True, default=0)
    contacts = EnterpriseContactSerializer(
        many=True,
        required=False,
        help_text=_(
            "联系人（个人信息，仅招商专员和管理员可见，其他角色不返回此字段）；修改时提供则整体替换"
        ),
    )

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "credit_code",
            "origin",
            "is_chain_owner",
            "is_head",
            "description",
            "project_count",
            "contacts",
            "is_illustrative",
            "version",
        ]
        read_only_fields = ["is_illustrative"]
        # Uniqueness (name, credit code) and the code's checksum are the service's checks.
        extra_kwargs = {
            "name": {"validators": []},
            "credit_code": {"validators": []},
            "version": {
                "required": False,
                "help_text": _("修改时带上读取到的版本号；他人已修改则返回409，不做任何更改"),
            },
        }

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and not sees_contacts(request.user):
            fields.pop("contacts")
        return fields


class EventSerializer(serializers.ModelSerializer):
    signed_count = serializers.IntegerField(read_only=True, help_text=_("本系统记录的签约项目数"))
    signed_amount = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        read_only=True,
        help_text=_("本系统记录的签约金额（万元）"),
    )

    class Meta:
        model = Event
        fields = [
            "id",
            "name",
            "held_on",
            "venue",
            "reported_project_count",
            "reported_amount",
            "signed_count",
            "signed_amount",
            "description",
            "is_illustrative",
        ]


class ChainLinkSerializer(serializers.ModelSerializer):
    position_label = LabelField(source="position")
    enterprises = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    gap_count = serializers.SerializerMethodField()

    class Meta:
        model = ChainLink
        fields = [
            "id",
            "name",
            "parent",
            "position",
            "position_label",
            "enterprises",
            "wanted_enterprises",
            "gap_count",
            "gap_description",
            "order",
        ]

    def get_gap_count(self, link) -> int:
        # Counted from the prefetched enterprises: no query per link.
        return link.gap_count(present=len(link.enterprises.all()))


class ChainSerializer(serializers.ModelSerializer):
    tier_label = LabelField(source="tier")
    chain_leader_name = serializers.SerializerMethodField()
    chain_owners = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    links = ChainLinkSerializer(many=True, read_only=True)

    class Meta:
        model = IndustryChain
        fields = [
            "id",
            "name",
            "short_name",
            "tier",
            "tier_label",
            "chain_leader",
            "chain_leader_name",
            "chain_owners",
            "description",
            "order",
            "links",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_chain_leader_name(self, chain) -> str | None:
        return _name(chain.chain_leader)


class _OnALinkSerializer(serializers.ModelSerializer):
    chain = serializers.IntegerField(source="chain_link.chain_id", read_only=True)
    chain_name = serializers.CharField(source="chain_link.chain.name", read_only=True)
    chain_link_name = serializers.CharField(source="chain_link.name", read_only=True)


class TargetSerializer(_OnALinkSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    contact_status_label = LabelField(source="contact_status")
    officer_name = serializers.SerializerMethodField()

    class Meta:
        model = TargetEnterprise
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "chain",
            "chain_name",
            "chain_link",
            "chain_link_name",
            "reason",
            "contact_status",
            "contact_status_label",
            "officer",
            "officer_name",
            "project",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_officer_name(self, target) -> str | None:
        return _name(target.officer)


class OpportunitySerializer(_OnALinkSerializer):
    status_label = LabelField(source="status")

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "title",
            "chain",
            "chain_name",
            "chain_link",
            "chain_link_name",
            "scale",
            "offer",
            "status",
            "status_label",
        ]


class AnnualTargetSerializer(serializers.ModelSerializer):
    unit_name = serializers.SerializerMethodField()

    class Meta:
        model = AnnualTarget
        fields = ["id", "year", "unit", "unit_name", "funds_in_place", "new_signings", "starts"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_unit_name(self, target) -> str | None:
        return str(target.unit) if target.unit else None


# --- Monthly dispatch reports -------------------------------------------------------------


class ReportSerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True)
    status_label = LabelField(source="status")
    requested_by_name = serializers.SerializerMethodField()
    downloads = serializers.SerializerMethodField(help_text=_("生成完成后的下载地址"))

    class Meta:
        model = Report
        fields = [
            "id",
            "month",
            "version",
            "status",
            "status_label",
            "progress",
            "trigger",
            "task_id",
            "error",
            "requested_by",
            "requested_by_name",
            "created_at",
            "started_at",
            "finished_at",
            "downloads",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_requested_by_name(self, report) -> str | None:
        return _name(report.requested_by)

    @extend_schema_field(
        {
            "type": "object",
            "properties": {"docx": {"type": "string"}, "xlsx": {"type": "string"}},
        }
    )
    def get_downloads(self, report) -> dict:
        if report.status != Report.Status.DONE:
            return {}
        url = reverse("api:report-download", args=[report.pk])
        request = self.context.get("request")
        if request is not None:
            url = request.build_absolute_uri(url)
        return {fmt: f"{url}?format={fmt}" for fmt in ("docx", "xlsx")}


class ReportRequestSerializer(serializers.Serializer):
    month = MonthField(help_text=_("报告月份，如 2025-05"))
