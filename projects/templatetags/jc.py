"""Formatting for the whole site: amounts in 万元/亿元, color-card badges, months.

The formats themselves are in jinchang/formats.py, shared with the report and the exports.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from jinchang import formats

register = template.Library()

# The site's formats (jinchang/formats.py) as filters.
money = register.filter("money", formats.money)
percent = register.filter("percent", formats.percent)
month = register.filter("month", formats.month)


# The badges are written for every row of a list or a board (120 cards), so they are simple
# tags: an included template costs about 30 µs a row.


@register.simple_tag
def stage_badge(stage):
    """The color-card badge; `stage` is a Stage or its code."""
    from projects.stages import Stage

    try:
        stage = Stage(stage)
    except ValueError:
        return format_html('<span class="badge stage-">{}</span>', stage or "—")
    return format_html('<span class="badge stage-{}">{}</span>', stage.value, stage.label)


@register.simple_tag
def flag_badges(project):
    """The warnings of a project annotated by projects.selectors.with_flags."""
    from projects.flags import SEVERITY, flags_of

    return format_html_join(
        "", '<span class="badge {}">{}</span> ', ((SEVERITY[f], f.label) for f in flags_of(project))
    )


@register.simple_tag
def demo_badge(illustrative):
    """Marks a value the sources did not give (示例数据)."""
    if not illustrative:
        return ""
    return format_html(
        '<span class="badge demo" title="{}">{}</span>',
        _("来源资料未给出该数值，此为演示用示例数据"),
        _("示例数据"),
    )
