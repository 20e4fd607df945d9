"""Formatting for the whole site: amounts in 万元/亿元, color-card badges, months.

The formats themselves are in jinchang/formats.py, shared with the report and the exports.
"""

from django import template

from jinchang import formats

register = template.Library()

# The site's formats (jinchang/formats.py) as filters.
money = register.filter("money", formats.money)
percent = register.filter("percent", formats.percent)
month = register.filter("month", formats.month)


@register.inclusion_tag("includes/stage_badge.html")
def stage_badge(stage):
    """The color-card badge; `stage` is a Stage or its code."""
    from projects.stages import Stage

    try:
        stage = Stage(stage)
    except ValueError:
        return {"code": "", "label": stage or "—"}
    return {"code": stage.value, "label": stage.label}


@register.inclusion_tag("includes/flag_badges.html")
def flag_badges(project):
    """The warnings of a project annotated by projects.selectors.with_flags."""
    from projects.flags import SEVERITY, flags_of

    return {"flags": [(f.label, SEVERITY[f]) for f in flags_of(project)]}
