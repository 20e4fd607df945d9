"""The color card (色卡) as a small state machine: the one place that says which moves exist
and what each requires. The HTML views, the API, the admin, the Excel import and the seeds
loader all go through `projects.services.project_transition`, which asks this module.

    red <-> orange -> blue -> green -> operating;   any stage -> dropped

A move is allowed when its requirements hold (see REQUIREMENTS). A downgrade, a drop or a
jump over a stage needs a reason.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    RED = "red", _("红色")
    ORANGE = "orange", _("橙色")
    BLUE = "blue", _("蓝色")
    GREEN = "green", _("绿色")
    OPERATING = "operating", _("已投产")
    DROPPED = "dropped", _("终止")


# Progress order; dropped stands outside it.
ORDER = [Stage.RED, Stage.ORANGE, Stage.BLUE, Stage.GREEN, Stage.OPERATING]
ACTIVE = [Stage.RED, Stage.ORANGE, Stage.BLUE, Stage.GREEN]  # the color board's columns
# A project is recorded at any stage it has reached, never as dropped (a drop is a move, with
# its reason, of a project that was being worked on).
START_STAGES = ORDER
START_MESSAGE = _("新项目不能以终止状态开始。")
OPEN_PIPELINE = [Stage.RED, Stage.ORANGE, Stage.BLUE]  # not yet started

# Meaning, CSS class and hex color, defined once for badges, the board, charts and exports.
DESCRIPTIONS = {
    Stage.RED: _("洽谈中，合作意向较弱，持续跟踪"),
    Stage.ORANGE: _("合作意向较强或已签订协议"),
    Stage.BLUE: _("正在办理前期手续"),
    Stage.GREEN: _("已开工建设"),
    Stage.OPERATING: _("已投产/竣工"),
    Stage.DROPPED: _("已终止"),
}
COLORS = {
    Stage.RED: "#d93025",
    Stage.ORANGE: "#f08c00",
    Stage.BLUE: "#1c64d1",
    Stage.GREEN: "#1e8e3e",
    Stage.OPERATING: "#5f6368",
    Stage.DROPPED: "#9aa0a6",
}
# Short names used by people and by the Excel ledger (红/红色/…).
ALIASES = {
    Stage.RED: ("红", "红色", "红卡", "red"),
    Stage.ORANGE: ("橙", "橙色", "橙卡", "orange"),
    Stage.BLUE: ("蓝", "蓝色", "蓝卡", "blue"),
    Stage.GREEN: ("绿", "绿色", "绿卡", "green"),
    Stage.OPERATING: ("已投产", "投产", "竣工", "已竣工", "operating", "in operation"),
    Stage.DROPPED: ("终止", "已终止", "dropped"),
}


def parse_stage(text: str) -> Stage | None:
    """A stage from its code, label or alias; None when unknown."""
    cleaned = (text or "").strip().lower()
    for stage, names in ALIASES.items():
        if cleaned in names or cleaned == str(stage.label).lower():
            return stage
    return None


@dataclass(frozen=True)
class Requirement:
    field: str  # the project field that must be filled
    message: str  # shown to the user when it is not
    # Whether an edit must keep it once the stage is reached. The contracted amount is asked
    # when a project goes blue, but projects that went blue before it was asked (and the
    # sources' real projects, whose amounts were never published) stay editable without one.
    kept: bool = True


REQUIREMENTS: dict[Stage, list[Requirement]] = {
    Stage.RED: [],
    Stage.ORANGE: [Requirement("intent_note", _("升为橙色需先记录合作意向。"))],
    Stage.BLUE: [
        Requirement("signed_on", _("升为蓝色需先填写签约日期。")),
        Requirement("contracted_investment", _("升为蓝色需先填写签约投资（万元）。"), kept=False),
    ],
    Stage.GREEN: [Requirement("started_on", _("升为绿色需先填写实际开工日期。"))],
    Stage.OPERATING: [Requirement("operating_on", _("转为已投产需先填写投产日期。"))],
    Stage.DROPPED: [],
}
# The date a stage begins on, as the move states it (the form's or the API's "date"): the
# card says "蓝色 自 <签约日期>", not the day the move was typed.
DATE_FIELD = {Stage.BLUE: "signed_on", Stage.GREEN: "started_on", Stage.OPERATING: "operating_on"}


class Kind(models.TextChoices):
    CREATED = "created", _("新建")
    UPGRADE = "upgrade", _("升级")
    DOWNGRADE = "downgrade", _("降级")
    DROP = "drop", _("终止")
    RESTORE = "restore", _("恢复")


def rank(stage) -> int:
    return ORDER.index(stage) if stage in ORDER else -1


def kind_of(from_stage, to_stage) -> Kind:
    if not from_stage:
        return Kind.CREATED
    if to_stage == Stage.DROPPED:
        return Kind.DROP
    if from_stage == Stage.DROPPED:
        return Kind.RESTORE
    return Kind.UPGRADE if rank(to_stage) > rank(from_stage) else Kind.DOWNGRADE


def is_allowed_move(from_stage, to_stage) -> bool:
    """Whether the graph has the edge (requirements aside)."""
    if from_stage == to_stage:
        return False
    if to_stage == Stage.DROPPED:
        return True
    if from_stage == Stage.DROPPED:
        # A dropped project may be taken up again from the start of the card.
        return to_stage == Stage.RED
    if from_stage == Stage.ORANGE and to_stage == Stage.RED:
        return True
    # Forward moves, possibly jumping stages (a jump needs a reason).
    return rank(to_stage) > rank(from_stage)


def needs_reason(from_stage, to_stage) -> bool:
    kind = kind_of(from_stage, to_stage)
    if kind in (Kind.DOWNGRADE, Kind.DROP, Kind.RESTORE):
        return True
    return kind == Kind.UPGRADE and rank(to_stage) - rank(from_stage) > 1


def allowed_targets(from_stage) -> list[Stage]:
    return [s for s in Stage if is_allowed_move(from_stage, s)]


def requirements_of_move(to_stage, from_stage=None) -> list[Requirement]:
    """What reaching `to_stage` from `from_stage` (None: creating the project) requires, in
    card order.

    A jump must meet the requirements of every stage it passes (green implies signed). A
    requirement that is not `kept` is asked only when the move reaches its stage, not of a
    project already past it (a blue project going green is not asked its contracted amount).
    """
    if to_stage == Stage.DROPPED:
        return []
    passed = [s for s in ORDER if rank(s) <= rank(to_stage)] if to_stage in ORDER else [to_stage]
    reached = rank(from_stage) if from_stage else -1
    return [
        req for stage in passed for req in REQUIREMENTS[stage] if req.kept or rank(stage) > reached
    ]


def move_fields(to_stage, from_stage=None) -> list[str]:
    """The project fields a move may fill as it is made (the move form and the API ask them;
    project_transition saves them with the move)."""
    return [req.field for req in requirements_of_move(to_stage, from_stage)]


def unmet_requirements(project, to_stage, *, from_stage=None, moving: bool = True):
    """The requirements of `to_stage` that `project` does not meet, in card order.

    `moving=False` asks what an edit must keep at the current stage (only `kept` ones).
    """
    return [
        req
        for req in requirements_of_move(to_stage, from_stage)
        if (moving or req.kept) and not getattr(project, req.field, None)
    ]
