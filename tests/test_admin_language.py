"""The back office speaks the reader's language and shows values as people read them (issue 10,
item 6): every page of the admin, in Dutch and in German, without English left over, without
raw field names, JSON or "Model object (uuid)" titles.

The English check uses the project's own catalogs: a source text that the language translates
differently must not appear on the page as it is. It cannot see a string that was never marked
for translation; the structural test below catches those (every field of the back office has a
translatable name)."""

import datetime as dt
import gettext as python_gettext
import html
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.functional import Promise

from agencies.models import Agency
from flexportal import uploads
from flexportal.admin_sites import backoffice_site
from flexportal.tenancy import scopes_disabled
from tests import uploads as test_files
from timesheets import services
from timesheets.models import CorrectionRequest, ExpenseType, HourType, Werkbrief
from timesheets.services import DayInput

pytestmark = pytest.mark.django_db

URLCONF = "flexportal.urls"
LANGUAGES = ["nl", "de"]


def _shown(model_admin) -> set[str]:
    """The names a model's admin shows besides its form (lists, filters, read-only fields)."""
    names = set()
    for attribute in ("list_display", "readonly_fields", "fields", "list_filter"):
        for item in getattr(model_admin, attribute, None) or []:
            item = item[0] if isinstance(item, tuple | list) else item
            if isinstance(item, str):
                names.add(item.split("__")[0])
    if getattr(model_admin, "date_hierarchy", None):
        names.add(model_admin.date_hierarchy)
    return names


def test_every_field_of_the_back_office_has_a_translatable_name():
    admins = [(model, type(a)) for model, a in backoffice_site._registry.items()]
    for model_admin in backoffice_site._registry.values():
        admins += [(inline.model, inline) for inline in model_admin.inlines]
    for model, model_admin in admins:
        assert isinstance(model._meta.verbose_name, Promise), model.__name__
        assert isinstance(model._meta.verbose_name_plural, Promise), model.__name__
        shown = _shown(model_admin)
        for field in model._meta.get_fields():
            if field.auto_created or not hasattr(field, "verbose_name") or field.name == "id":
                continue
            if not field.editable and field.name not in shown:
                continue  # kept for the portal's own use, never shown
            assert isinstance(field.verbose_name, Promise), f"{model.__name__}.{field.name}"


# The pages ---------------------------------------------------------------------------------------


def _week(tenant):
    start = tenant.placement.start_date
    return start - dt.timedelta(days=start.weekday())


@pytest.fixture
def full_agency(tenant_a):
    """A row in every model, and a werkbrief that went through everything: hours by hand,
    an expense with a receipt, submitted, rejected, approved, a comment, a correction request,
    corrected by the back office, closed and processed."""
    tenant_a.fill_every_admin()
    a = tenant_a
    with a.scope():
        overtime = HourType.objects.create(
            agency=a.agency, code="ot125", name="Overuren 125", kind="hours", percentage=125
        )
        week = _week(a) + dt.timedelta(weeks=1)
        wb = services.werkbrief_ensure(placement=a.placement, week_start=week)
        worker, contact = a.worker.membership, a.contact.membership
        day = DayInput(week, 7 * 60, 17 * 60, 30, manual={overtime.pk: 60})
        wb = services.werkbrief_save_hours(
            werkbrief=wb, membership=worker, version=wb.version, days=[day]
        )
        upload = SimpleUploadedFile("bon.pdf", test_files.pdf())
        services.expense_add(
            werkbrief=wb,
            membership=worker,
            version=None,
            expense_type=ExpenseType.objects.get(agency=a.agency, name="Reiskosten"),
            date=week,
            amount=Decimal("12.50"),
            kilometres=None,
            description="Parkeergarage",
            receipt=uploads.validate_upload(upload, uploads.DOCUMENT),
        )
        wb.refresh_from_db()
        wb = services.werkbrief_submit(werkbrief=wb, membership=worker, version=wb.version)
        wb = services.werkbrief_reject(
            werkbrief=wb, membership=contact, version=wb.version, reason="Pauze klopt niet"
        )
        wb = services.werkbrief_submit(werkbrief=wb, membership=worker, version=wb.version)
        wb = services.werkbrief_approve(werkbrief=wb, membership=contact, version=wb.version)
        services.werkbrief_comment_add(werkbrief=wb, membership=contact, text="Dank je")
        services.correction_request_create(
            werkbrief=wb, membership=contact, message="Het was tot 17:30"
        )
        wb = services.werkbrief_save_hours(
            werkbrief=wb,
            membership=a.staff,
            version=wb.version,
            days=[DayInput(week, 7 * 60, 17 * 60 + 30, 30, manual={overtime.pk: 60})],
            reason="Klant belde",
        )
        for action in ("close", "process"):
            services.werkbrieven_bulk_transition(
                werkbrief_ids=[wb.pk], membership=a.staff, action=action
            )
    return tenant_a, wb


def _pages(tenant, wb) -> list[str]:
    """Every page of the back office: the index, each app, each list, each add page and the
    change page of one row of each model, and the pages of our own views."""
    urls = [reverse("admin:index", urlconf=URLCONF)]
    urls += [
        reverse("admin:app_list", args=[app], urlconf=URLCONF)
        for app in ("agencies", "accounts", "staffing", "timesheets", "notifications")
    ]
    for model in backoffice_site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{name}_changelist", urlconf=URLCONF))
        urls.append(reverse(f"{name}_add", urlconf=URLCONF))
        with scopes_disabled():
            if model is Agency:
                obj = tenant.agency
            elif model is Werkbrief:
                obj = wb
            elif model is CorrectionRequest:
                obj = CorrectionRequest.objects.filter(werkbrief=wb).first()
            else:
                obj = model._base_manager.filter(agency=tenant.agency).first()
        urls.append(reverse(f"{name}_change", args=[obj.pk], urlconf=URLCONF))
    urls += [
        reverse("admin:timesheets_werkbrief_correct", args=[wb.pk], urlconf=URLCONF),
        reverse("admin:timesheets_caoscheme_import", urlconf=URLCONF),
        reverse("admin:timesheets_werkbrief_changelist", urlconf=URLCONF) + "?week_start__year=x",
    ]
    return urls


SCRIPT = re.compile(r"<(script|style|svg)\b.*?</\1>", re.S | re.I)
TAG = re.compile(r"<[^>]+>")
BUTTON = re.compile(r'<input[^>]+type="submit"[^>]*value="([^"]*)"', re.I)


def _visible_text(page: str) -> str:
    body = SCRIPT.sub(" ", page.split("<body", 1)[-1])
    buttons = " ".join(BUTTON.findall(body))
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    text = TAG.sub(" ", body)
    return html.unescape(" ".join([title.group(1) if title else "", text, buttons]))


def _english_leftovers(language: str) -> list[str]:
    """Source texts (of two words or more) that ``language`` translates differently."""
    mo = Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.mo"
    with mo.open("rb") as file:
        catalog = python_gettext.GNUTranslations(file)._catalog  # type: ignore[attr-defined]
    leftovers = []
    for msgid, msgstr in catalog.items():
        if isinstance(msgid, tuple):
            msgid = msgid[0]
        if not msgid or not isinstance(msgstr, str) or "%" in msgid or "{" in msgid:
            continue
        if len(msgid.split()) >= 2 and msgid.lower() != msgstr.lower():
            leftovers.append(msgid.lower())
    return leftovers


RAW = {
    "a title like 'Model object (uuid)'": re.compile(r"\bobject \("),
    "a field or code name (snake_case)": re.compile(r"\b[a-z]+_[a-z_]+\b"),
    "JSON": re.compile(r"[{\[]\s*\""),
    "a UUID": re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_back_office_page_speaks_the_language_and_shows_readable_values(
    full_agency, language
):
    tenant, wb = full_agency
    user = tenant.staff.user
    user.preferred_language = language
    user.save()
    client = tenant.http(tenant.staff)
    english = _english_leftovers(language)
    problems = []
    for url in _pages(tenant, wb):
        response = client.get(url)
        if response.status_code == 403:  # no adding here (the mail log, the audit trail)
            continue
        assert response.status_code in (200, 400), (url, response.status_code)
        assert response["Content-Language"] == language, url
        text = _visible_text(response.content.decode())
        lowered = " ".join(text.lower().split())
        problems += [f"{url}: English {e!r}" for e in english if e in lowered]
        for what, pattern in RAW.items():
            problems += [f"{url}: {what} {m.group(0)!r}" for m in pattern.finditer(text)]
    assert not problems, "\n".join(sorted(set(problems)))
