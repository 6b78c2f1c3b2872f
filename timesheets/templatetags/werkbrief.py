"""Display filters of the werkbrief screens."""

import datetime as dt

from django import template

from timesheets.hours import format_minutes

register = template.Library()


@register.filter
def hours(minutes) -> str:
    """Minutes as the manuals write hours: 450 -> 7:30 (empty for none)."""
    if not minutes:
        return ""
    return format_minutes(int(minutes))


@register.filter
def week_end(week_start: dt.date) -> dt.date:
    """The Sunday of the week that starts on this Monday."""
    return week_start + dt.timedelta(days=6)
