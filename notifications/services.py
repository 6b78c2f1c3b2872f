"""Sending mail: the one path every message of the portal takes.

``mail_send`` renders ``templates/notifications/<kind>.subject.txt``, ``<kind>.txt`` and
``<kind>.html`` in the recipient's language (within the agency's languages), with the agency's
branding and an absolute link to ``agency.base_url() + deep_link_path``. Callers that send from
inside a transaction wrap it in ``transaction.on_commit``.
"""

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Agency, User
from accounts.selectors import language_for


def mail_send(
    *,
    agency: Agency,
    to_user: User,
    kind: str,
    context: dict | None = None,
    deep_link_path: str = "",
    to_email: str | None = None,
) -> int:
    """Mail ``to_user`` (or ``to_email``, for a new address being confirmed); returns 1 if sent."""
    language = language_for(user=to_user, agency=agency)
    base_url = agency.base_url()
    ctx = {
        "agency": agency,
        "user": to_user,
        "link": f"{base_url}{deep_link_path}" if deep_link_path else "",
        "portal_url": f"{base_url}/",
        "logo_url": f"{base_url}{reverse('agency_logo')}" if agency.logo else "",
        **(context or {}),
    }
    with translation.override(language), timezone.override(agency.tzinfo):
        subject = render_to_string(f"notifications/{kind}.subject.txt", ctx)
        text = render_to_string(f"notifications/{kind}.txt", ctx)
        html = render_to_string(f"notifications/{kind}.html", ctx)
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=formataddr((agency.name, address)),
        to=[to_email or to_user.email],
        reply_to=[agency.contact_email] if agency.contact_email else None,
        headers={"Content-Language": language, "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message.send()
