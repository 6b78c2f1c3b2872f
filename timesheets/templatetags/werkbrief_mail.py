"""The werkbrief in mails: a filter rather than an include, because the client's reminder has a
line for every worker of the week (an include per line costs more than the rest of the mail)."""

from django import template
from django.utils.translation import gettext

from timesheets.hours import format_minutes
from timesheets.models import Status

register = template.Library()


def _hours(minutes) -> str:
    return format_minutes(int(minutes)) if minutes else ""


@register.filter
def state_for_client(werkbrief) -> str:
    """Where a werkbrief of the week stands, as the client contact reads it."""
    if werkbrief.placement.hours_entered_by == "client":
        return gettext("you fill in the hours")
    if werkbrief.status == Status.INGEDIEND:
        return gettext("%(hours)s entered, submitted: waiting for your approval") % {
            "hours": _hours(werkbrief.worked_minutes)
        }
    if werkbrief.status == Status.AFGEWEZEN:
        return gettext("rejected, waiting for the worker to correct it")
    if werkbrief.worked_minutes:
        return gettext("%(hours)s entered, not submitted yet") % {
            "hours": _hours(werkbrief.worked_minutes)
        }
    return gettext("no hours yet")
