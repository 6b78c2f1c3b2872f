"""The werkbrief's workflow in templates: they ask the table (timesheets.workflow) what a
state means instead of comparing status values themselves."""

from django import template

from timesheets import workflow

register = template.Library()


@register.filter
def sent_back(werkbrief) -> bool:
    """Rejected by the client: waits for whoever fills in the hours to fix it."""
    return workflow.is_sent_back(state=werkbrief.status)
