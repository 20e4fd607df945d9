"""The columns of every sheet the ledger writes or reads: one definition per sheet, so an
exported file can be imported again unchanged.

Headers are the file format, not UI text: they are the same whatever the page's language, and
the import matches them after removing spaces and line breaks and unifying full- and half-width
brackets ("总投资(万元)" is "总投资（万元）").
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from projects.flags import flags_of


class Kind:
    """What a column holds: how it is written, and how a cell of it is read."""

    TEXT = "text"  # free text, kept as written
    NAME = "name"  # a name matched against reference data (unit, place, chain, …)
    MONEY = "money"  # 万元, written with #,##0.00
    DATE = "date"  # yyyy-mm-dd
    MONTH = "month"  # the first day of a month, written yyyy-mm
    DATETIME = "datetime"
    STAGE = "stage"  # 红/红色/… (projects.stages.parse_stage)
    NUMBER = "number"  # a whole number


@dataclass(frozen=True)
class Column:
    header: str
    key: str  # the model field (or the importer's key) the column stands for
    kind: str = Kind.TEXT
    width: float = 14
    get: Callable[[Any], Any] | None = None  # the exported value; default: getattr(obj, key)
    required: bool = False  # an import needs this header
    importable: bool = True  # export-only columns are recognised on import and ignored
    # Other names offices give the column in their own ledgers (without the unit in brackets:
    # "总投资（亿元）" is read as 总投资 in 亿元).
    aliases: tuple[str, ...] = ()

    def value(self, obj):
        if self.get is not None:
            return self.get(obj)
        return getattr(obj, self.key)


def _name(obj) -> str:
    return str(obj) if obj is not None else ""


def _user_name(user) -> str:
    return user.display_name if user is not None else ""


def link_label(link) -> str:
    """A link under a sub-chain as "子链/环节": link names are unique only under their parent
    (needs `chain_link__parent` selected)."""
    if link is None:
        return ""
    if link.parent_id:
        return f"{link.parent.name}/{link.name}"
    return link.name


def _flags(project) -> str:
    return "、".join(str(flag.label) for flag in flags_of(project))


# --- 项目台账: exported from the project list, imported back -----------------------------------

PROJECT_COLUMNS = [
    Column("项目编号", "code", width=16, aliases=("编号", "项目代码", "项目代码（编号）")),
    Column(
        "项目名称",
        "name",
        width=36,
        required=True,
        aliases=("项目名称（全称）", "项目全称", "项目名"),
    ),
    Column(
        "投资方",
        "investor",
        Kind.NAME,
        30,
        get=lambda p: p.investor.name,
        required=True,
        aliases=(
            "投资主体",
            "投资企业",
            "投资方名称",
            "签约企业",
            "项目单位",
            "企业名称",
            "投资方（企业名称）",
            "建设单位",
            "投资单位",
            "签约企业名称",
            "项目业主",
        ),
    ),
    Column(
        "总投资（万元）",
        "total_investment",
        Kind.MONEY,
        15,
        required=True,
        aliases=("总投资", "计划总投资", "项目总投资", "投资总额", "总投资额", "计划投资"),
    ),
    Column(
        "签约投资（万元）",
        "contracted_investment",
        Kind.MONEY,
        15,
        aliases=("签约投资", "签约金额", "签约额", "协议投资", "签约投资额", "合同投资"),
    ),
    Column(
        "色卡阶段",
        "stage",
        Kind.STAGE,
        10,
        get=lambda p: p.get_stage_display(),
        required=True,
        aliases=(
            "色卡",
            "色卡类别",
            "色卡等级",
            "色卡状态",
            "项目色卡",
            "所处阶段",
            "推进阶段",
            "色卡管理阶段",
            "项目阶段",
            "色卡颜色",
            "所处色卡",
            "色卡等次",
            "目前阶段",
        ),
    ),
    Column(
        "产业链",
        "chain",
        Kind.NAME,
        20,
        get=lambda p: _name(p.chain),
        aliases=("所属产业链", "产业链条", "所属链条"),
    ),
    Column(
        "产业链环节",
        "chain_link",
        Kind.NAME,
        20,
        get=lambda p: link_label(p.chain_link),
        aliases=("所属环节", "产业链环节（子链）", "链条环节"),
    ),
    Column(
        "建设地点",
        "place",
        Kind.NAME,
        18,
        get=lambda p: _name(p.place),
        required=True,
        aliases=("项目地点", "建设地址", "所在地", "所在县区", "落地地点", "项目建设地点", "县区"),
    ),
    Column(
        "责任单位",
        "unit",
        Kind.NAME,
        16,
        get=lambda p: _name(p.unit),
        required=True,
        aliases=(
            "牵头单位",
            "牵头单位/责任单位",
            "责任单位/牵头单位",
            "责任部门",
            "招商单位",
            "牵头部门",
        ),
    ),
    Column(
        "包抓市级领导",
        "leader",
        Kind.NAME,
        14,
        get=lambda p: _user_name(p.leader),
        aliases=("包抓领导", "市级包抓领导", "包抓市领导", "联系市级领导", "包抓市级领导干部"),
    ),
    Column(
        "建设内容",
        "construction_content",
        width=40,
        aliases=("建设内容及规模", "建设规模及内容", "主要建设内容", "建设规模"),
    ),
    Column(
        "首次接洽日期",
        "first_contact_on",
        Kind.DATE,
        13,
        aliases=("首次接洽时间", "接洽时间", "接洽日期"),
    ),
    Column("签约日期", "signed_on", Kind.DATE, 13, aliases=("签约时间",)),
    Column(
        "实际开工日期",
        "started_on",
        Kind.DATE,
        13,
        aliases=("实际开工时间", "开工日期", "开工时间"),
    ),
    Column(
        "预计竣工日期",
        "expected_completion_on",
        Kind.DATE,
        13,
        aliases=("预计竣工时间", "计划竣工时间", "计划竣工日期"),
    ),
    Column(
        "投产日期",
        "operating_on",
        Kind.DATE,
        13,
        aliases=("投产时间", "竣工投产时间", "实际投产时间"),
    ),
    Column("合作意向", "intent_note", width=30, aliases=("合作意向情况", "意向情况")),
    # Derived: shown to the reader of the spreadsheet, never read back.
    Column(
        "重点项目", "is_key", width=9, get=lambda p: "是" if p.is_key else "否", importable=False
    ),
    Column("进度预警", "flags", width=18, get=_flags, importable=False),
]

# --- 月度进展: exported for a period, imported from units that collect progress in Excel -----

PROGRESS_COLUMNS = [
    Column(
        "项目编号",
        "project_code",
        width=16,
        get=lambda m: m.project.code,
        aliases=("编号", "项目代码"),
    ),
    Column(
        "项目名称",
        "project_name",
        width=36,
        get=lambda m: m.project.name,
        required=True,
        aliases=("项目名称（全称）", "项目全称"),
    ),
    Column("月份", "month", Kind.MONTH, 10, required=True, aliases=("填报月份", "所属月份")),
    Column(
        "本月完成投资（万元）",
        "investment_completed",
        Kind.MONEY,
        18,
        required=True,
        aliases=("本月完成投资", "当月完成投资"),
    ),
    Column(
        "本月到位资金（万元）",
        "funds_in_place",
        Kind.MONEY,
        18,
        required=True,
        aliases=("本月到位资金", "当月到位资金"),
    ),
    Column(
        "本月进展",
        "narrative",
        width=40,
        aliases=("本月进展情况", "当月进展", "本月工作进展", "进展情况", "项目进展情况"),
    ),
    Column(
        "下步计划",
        "next_steps",
        width=36,
        aliases=("下步工作计划", "下一步工作计划", "下步打算", "下步工作打算"),
    ),
    Column("责任单位", "unit", width=16, get=lambda m: _name(m.project.unit), importable=False),
    Column(
        "色卡阶段",
        "stage",
        width=10,
        get=lambda m: m.project.get_stage_display(),
        importable=False,
    ),
    Column("填报人", "filed_by", width=14, get=lambda m: _user_name(m.filed_by), importable=False),
    Column(
        "填报时间",
        "filed_at",
        Kind.DATETIME,
        17,
        get=lambda m: timezone.localtime(m.filed_at) if m.filed_at else None,
        importable=False,
    ),
]

# The two sheets the ledger reads, by ImportJob.Kind.
IMPORT_COLUMNS = {"projects": PROJECT_COLUMNS, "progress": PROGRESS_COLUMNS}

# Columns people keep in their own sheets that mean nothing to the system: recognised and
# skipped rather than reported as unknown.
IGNORED_HEADERS = ("序号", "备注")

# --- Export-only lists --------------------------------------------------------------------------

PROBLEM_COLUMNS = [
    Column("项目编号", "project_code", width=16, get=lambda p: p.project.code),
    Column("项目名称", "project_name", width=32, get=lambda p: p.project.name),
    Column("类别", "category", width=10, get=lambda p: p.get_category_display()),
    Column("问题描述", "description", width=40),
    Column("责任单位", "unit", width=16, get=lambda p: _name(p.unit)),
    Column("办结时限", "deadline", Kind.DATE, 12),
    Column("状态", "status", width=9, get=lambda p: p.get_status_display()),
    Column("是否逾期", "overdue", width=9, get=lambda p: "是" if p.is_overdue else "否"),
    Column("解决情况", "resolution", width=36),
    Column("解决日期", "resolved_on", Kind.DATE, 12),
    Column("提出人", "raised_by", width=14, get=lambda p: _user_name(p.raised_by)),
    Column(
        "提出时间",
        "raised_at",
        Kind.DATETIME,
        17,
        get=lambda p: timezone.localtime(p.raised_at),
    ),
]

EVENT_COLUMNS = [
    Column("活动名称", "name", width=40),
    Column("举办日期", "held_on", Kind.DATE, 12),
    Column("举办地", "venue", width=16),
    Column("公布签约项目数", "reported_project_count", Kind.NUMBER, 14),
    Column("公布签约金额（万元）", "reported_amount", Kind.MONEY, 18),
    Column("录入签约项目数", "signed_count", Kind.NUMBER, 14),
    Column("录入签约金额（万元）", "signed_amount", Kind.MONEY, 18),
    Column("说明", "description", width=40),
]

OPPORTUNITY_COLUMNS = [
    Column("产业链", "chain", width=20, get=lambda o: _name(o.chain_link.chain)),
    Column("产业链环节", "chain_link", width=20, get=lambda o: link_label(o.chain_link)),
    Column("机会名称", "title", width=36),
    Column("投资规模（万元）", "scale", Kind.MONEY, 16),
    Column("提供条件", "offer", width=40),
    Column("状态", "status", width=10, get=lambda o: o.get_status_display()),
]

TARGET_COLUMNS = [
    Column("目标企业", "enterprise", width=30, get=lambda t: t.enterprise.name),
    Column("产业链", "chain", width=20, get=lambda t: _name(t.chain_link.chain)),
    Column("产业链环节", "chain_link", width=20, get=lambda t: link_label(t.chain_link)),
    Column("招引理由", "reason", width=40),
    Column("对接状态", "contact_status", width=10, get=lambda t: t.get_contact_status_display()),
    Column("对接专员", "officer", width=14, get=lambda t: _user_name(t.officer)),
    Column("转化项目", "project", width=30, get=lambda t: _name(t.project)),
]

TASKFORCE_COLUMNS = [
    Column("产业链", "chain", width=20, get=lambda f: _name(f.chain)),
    Column("牵头市级领导", "leader", width=14, get=lambda f: _user_name(f.leader)),
    Column("牵头单位", "lead_unit", width=16, get=lambda f: _name(f.lead_unit)),
    Column(
        "成员单位",
        "member_units",
        width=36,
        get=lambda f: "、".join(str(u) for u in f.member_units.all()),
    ),
    Column("联络人", "contact_person", width=12),
    Column("联系电话", "contact_phone", width=16),
    Column("职责", "duties", width=40),
]
