"""The mail log in the back office: every message of the agency, what became of it, and why not.

Read only; a message can be sent again (as a new row of the log, through the same path).
"""

import contextlib
import datetime as dt

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from flexportal.admin_forms import RecentWeeksFilter
from flexportal.admin_sites import AgencyScopedAdmin, backoffice_site
from notifications import registry, services
from notifications.models import Notification


@admin.register(Notification, site=backoffice_site)
class NotificationAdmin(AgencyScopedAdmin):
    list_display = [
        "created_at",
        "kind",
        "to",
        "channel",
        "status",
        "attempts",
        "sent_at",
        "short_error",
    ]
    list_filter = ["status", "kind", "channel", RecentWeeksFilter]
    search_fields = [
        "recipient__email",
        "recipient__first_name",
        "recipient__last_name",
        "address",
        "error",
    ]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    fields = [
        "kind",
        "recipient",
        "address",
        "channel",
        "status",
        "week_start",
        "occasion",
        "attempts",
        "error_text",
        "created_at",
        "sent_at",
        "link",
        "resend_of",
    ]
    readonly_fields = fields
    actions = ["resend"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("to"), ordering="recipient__email")
    def to(self, obj):
        if obj.recipient is None:
            return obj.address
        return f"{obj.recipient} <{obj.recipient.email}>"

    @admin.display(description=_("moment"))
    def occasion(self, obj):
        """When a scheduled message was due, or the day of an event's; and which resend."""
        slot, _sep, resend = obj.slot.partition("/resend-")
        when = ""
        if _scheduled(obj.kind):
            with contextlib.suppress(ValueError):
                moment = dt.datetime.fromisoformat(slot)
                when = date_format(moment, "SHORT_DATETIME_FORMAT")
        elif slot.startswith("day:"):
            with contextlib.suppress(ValueError):
                when = date_format(dt.date.fromisoformat(slot[4:]), "SHORT_DATE_FORMAT")
        else:
            when = gettext("when it happened (%(when)s)") % {
                "when": date_format(timezone.localtime(obj.created_at), "SHORT_DATETIME_FORMAT")
            }
        if resend:
            when = gettext("%(when)s, sent again (%(n)s)") % {"when": when, "n": resend}
        return when or "—"

    @admin.display(description=_("link"))
    def link(self, obj):
        if not obj.deep_link_path:
            return "—"
        return format_html('<a href="{}">{}</a>', obj.deep_link_path, gettext("open the page"))

    @admin.display(description=_("error"))
    def short_error(self, obj):
        return Truncator(self.error_text(obj)).chars(80)

    @admin.display(description=_("error"))
    def error_text(self, obj):
        # Reasons for skipping are stored as source text: shown in the reader's language.
        # A mail server's error is not in the catalog and stays as it was.
        return gettext(obj.error) if obj.error else ""

    @admin.action(description=_("Send the selected messages again"))
    def resend(self, request, queryset):
        count = renewed = 0
        for notification in queryset.select_related("agency", "recipient", "resend_of"):
            try:
                services.notification_resend(notification=notification, actor=request.user)
            except services.CannotResend as error:
                self.message_user(request, error.message, messages.WARNING)
                continue
            count += 1
            renewed += _renewed(notification.kind)
        message = ngettext(
            "%(n)d message is sent again.", "%(n)d messages are sent again.", count
        ) % {"n": count}
        if renewed:
            message += " " + gettext(
                "An invitation goes out with a new link; the old link stops working."
            )
        self.message_user(request, message, messages.SUCCESS)


def _scheduled(kind: str) -> bool:
    try:
        return registry.get(kind).scheduled
    except LookupError:
        return False


def _renewed(kind: str) -> bool:
    """A kind that goes out anew instead of as it was (the invitation, with a new link)."""
    try:
        return registry.get(kind).resend is not None
    except LookupError:
        return False
