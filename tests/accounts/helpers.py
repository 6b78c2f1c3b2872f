"""Helpers shared by the accounts tests: invitations, codes from the SMS outbox, TOTP codes."""

import re
import time

from django.utils import translation
from django.utils.translation import gettext
from django_otp.oath import hotp

from accounts import services
from notifications import sms


def invite(tenant, membership, *, sent_by=None):
    """Send an invitation as the back office would; returns (invitation, raw token)."""
    with tenant.scope():
        invitation = services.invitation_send(membership=membership, sent_by=sent_by)
    return invitation, invitation.token


def activation_link(token: str) -> str:
    """The invitation's link as mailed: the token after '#'."""
    return f"/activate/link/#{token}"


def last_sms_code() -> str:
    assert sms.outbox, "no SMS was sent"
    return re.search(r"\b(\d{6})\b", sms.outbox[-1].body).group(1)


def totp_code(device) -> str:
    """The code an authenticator app shows for ``device``, computed here as the app would.

    django-otp accepts a code once per 30-second step (and one step either side); when the
    current step was used already, take the next one, or wait for it.
    """
    device.refresh_from_db()
    now = time.time()
    step = (int(now) - device.t0) // device.step + device.drift
    target = max(step, device.last_t + 1)
    if target > step + device.tolerance:
        time.sleep(device.step - (now - device.t0) % device.step + 0.2)
        return totp_code(device)
    return f"{hotp(device.bin_key, target, digits=device.digits):0{device.digits}d}"


def nl(source: str, **params) -> str:
    """``source`` as a Dutch page shows it (the default language), translated or not yet: the
    tests keep passing when the catalogs catch up."""
    with translation.override("nl"):
        text = gettext(source)
    return text % params if params else text


def open_link(client, link: str):
    """Follow a mailed one-time link as a browser does: the token after '#' never goes to the
    server; the page's script (static/js/one-time-link.js) posts it to the same address."""
    path, _hash, token = link.partition("#")
    page = client.get(path)
    assert page.status_code == 200, f"GET {path}: {page.status_code}"
    return client.post(path, {"token": token})
