"""The mail log: one row per message the portal means to send, and the schedule's runs.

A Notification row is reserved *before* anything is sent, under a unique key (agency,
recipient, kind, week, slot, channel). Whoever inserts the row first owns the message; a second
tick, a redelivered task or a second worker finds the row and sends nothing. The row then walks
pending → sending → sent (or skipped, or failed after its attempts); see
notifications.services.notifications_deliver for the exact guarantees.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from flexportal.tenancy import TenantModel


class Kind(models.TextChoices):
    """The kinds of message in the log (its column's choices). How each is prepared, whom a
    scheduled kind goes to and whether it is still due is registered by the domain app that
    sends it (notifications.registry: timesheets.notifications, accounts.notifications)."""

    WERKBRIEF_READY = "werkbrief_ready", _("Werkbrief ready to fill in")
    WORKER_REMINDER = "worker_reminder", _("Reminder to enter hours")
    APPROVAL_READY = "approval_ready", _("Werkbriefjes ready for approval")
    CLIENT_REMINDER = "client_reminder", _("Reminder to approve hours")
    WERKBRIEF_REJECTED = "werkbrief_rejected", _("Werkbrief rejected")
    CORRECTION_REQUESTED = "correction_requested", _("Correction requested")
    CORRECTED = "corrected", _("Hours corrected")
    INVITATION = "invitation", _("Invitation")
    PASSWORD_RESET = "password_reset", _("Password reset link")
    EMAIL_CHANGE = "email_change", _("Confirm a new e-mail address")
    EMAIL_CHANGED = "email_changed", _("E-mail address changed")
    IBAN_CHANGED = "iban_changed", _("Bank account changed")
    TWO_FACTOR_RESET = "two_factor_reset", _("Second factor reset")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    TWO_FACTOR_ADDED = "two_factor_added", _("Second factor added")
    TWO_FACTOR_REMOVED = "two_factor_removed", _("Second factor removed")


class Channel(models.TextChoices):
    MAIL = "mail", _("E-mail")
    SMS = "sms", _("Text message")


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not needed any more")


class Notification(TenantModel):
    """One message to one person (or the agency's own address) through one channel."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
        help_text=_("Empty for a message to the agency's own e-mail address."),
    )
    address = models.CharField(_("address"), max_length=254, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    week_start = models.DateField(_("week (Monday)"))
    # Scheduled kinds: the slot's local time ("2026-03-09T09:00"); events: what caused it (a
    # status change, a correction request, an invitation, a day); resends add "/resend-N".
    slot = models.CharField(_("slot"), max_length=120)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Pending: when the sweep hands it to a worker again if no worker has taken it by then.
    # Sending: when the worker's claim (lease) runs out; after that another worker may send it.
    retry_at = models.DateTimeField(_("retry at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=200, blank=True)
    context = models.JSONField(_("context"), default=dict, blank=True)  # ids only
    deep_link_path = models.CharField(_("link"), max_length=300, blank=True)
    resend_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resend of"),
    )

    class Meta:
        verbose_name = _("mail log entry")
        verbose_name_plural = _("mail log")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "recipient", "kind", "week_start", "slot", "channel"],
                name="notification_once_per_slot",
                # A message to the agency's own address has no recipient; it is still unique.
                nulls_distinct=False,
            )
        ]
        indexes = [
            models.Index(fields=["agency", "status", "retry_at"], name="notification_retry"),
            models.Index(fields=["agency", "-created_at"], name="notification_log"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.address or self.recipient}"

    @property
    def message_id_header(self) -> str:
        """The Message-ID every attempt of this message carries, so a mailbox that sees it twice
        (after a crash between the SMTP server's "250 OK" and our commit) keeps one."""
        return f"<notification.{self.pk}@{settings.FLEXPORTAL_DOMAIN.split(':', 1)[0]}>"


class SlotRun(TenantModel):
    """A scheduled slot that an agency's tick has processed: whoever inserts it first selects the
    recipients of that slot, in the same transaction, and every later tick skips the slot."""

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    week_start = models.DateField(_("week (Monday)"))
    slot = models.CharField(_("slot"), max_length=120)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind", "slot"], name="slot_run_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.slot}"
