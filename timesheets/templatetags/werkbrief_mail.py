"""The werkbrief in mails: a filter rather than an include, because the client's reminder has a
line for every worker of the week (an include per line costs more than the rest of the mail)."""

from django import template
from django.utils.translation import gettext

from timesheets import workflow
from timesheets.hours import format_minutes

register = template.Library()


def _hours(minutes) -> str:
    return format_minutes(int(minutes)) if minutes else ""


@register.filter
def state_for_client(werkbrief) -> str:
    """Where a werkbrief of the week stands, as the client contact reads it."""
    mode = werkbrief.placement.hours_entered_by
    if mode == workflow.CLIENT_FILLS:
        return gettext("you fill in the hours")
    # The worker fills in the hours: the client's step is approving what was submitted.
    if workflow.is_waiting_for(actor=workflow.CLIENT, state=werkbrief.status, mode=mode):
        return gettext("%(hours)s entered, submitted: waiting for your approval") % {
            "hours": _hours(werkbrief.worked_minutes)
        }
    if workflow.is_sent_back(state=werkbrief.status):
        return gettext("rejected, waiting for the worker to correct it")
    if werkbrief.worked_minutes:
        return gettext("%(hours)s entered, not submitted yet") % {
            "hours": _hours(werkbrief.worked_minutes)
        }
    return gettext("no hours yet")
