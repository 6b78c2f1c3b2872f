"""Form pieces every back-office admin shares, so that bad input gets a message at its field
instead of a server error: uniqueness per agency, JSON that cannot be stored, autocomplete
values that are not ids, and filters in the address that make no date.

``flexportal.admin_sites.AgencyScopedAdmin`` plugs them in for every admin of the back office.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from django import forms
from django.contrib import admin
from django.contrib.admin import widgets as admin_widgets
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Deeper than any scheme or setting the portal keeps; deeper documents are refused before they
# reach the database (PostgreSQL and Python both have a recursion limit).
MAX_JSON_DEPTH = 64


class JSONRefused(ValueError):
    """JSON text the portal does not accept; ``message`` is translated, fit for the field."""

    def __init__(self, message: StrOrPromise) -> None:
        super().__init__(str(message))
        self.message = message


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise JSONRefused(_("A number in the JSON is too large."))
    return number


def _no_constant(name: str) -> NoReturn:
    raise JSONRefused(_("%(value)s is not a number JSON allows.") % {"value": name})


def _depth(value: object) -> int:
    """How deeply lists and objects nest, without recursion."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            todo += [(child, depth + 1) for child in item if isinstance(child, list | dict)]
    return deepest


def json_loads_checked(text: str) -> Any:
    """``json.loads`` for text typed or uploaded in the back office. Raises JSONDecodeError for
    text that is not JSON, and JSONRefused for JSON that cannot be kept: nested too deeply,
    numbers of thousands of digits, NaN or Infinity (PostgreSQL refuses them)."""
    try:
        value = json.loads(text, parse_float=_finite, parse_constant=_no_constant)
    except RecursionError:
        raise JSONRefused(_("The JSON is nested too deeply.")) from None
    except json.JSONDecodeError:
        raise
    except JSONRefused:
        raise
    except ValueError:  # Python's limit on the digits of an integer
        raise JSONRefused(_("A number in the JSON has too many digits.")) from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise JSONRefused(_("The JSON is nested too deeply."))
    return value


class CheckedJSONField(forms.JSONField):
    """Django's JSON form field, with ``json_loads_checked``: a message instead of a crash."""

    def to_python(self, value: Any) -> Any:
        if self.disabled or value in self.empty_values or not isinstance(value, str):
            return super().to_python(value)
        try:
            json_loads_checked(value)
        except JSONRefused as refused:
            raise ValidationError(refused.message, code="invalid") from None
        except json.JSONDecodeError:
            pass  # Django's own message follows
        return super().to_python(value)

    def bound_data(self, data: Any, initial: Any) -> Any:
        if self.disabled or data is None:
            return super().bound_data(data, initial)
        try:
            return json_loads_checked(data)
        except ValueError:
            return forms.fields.InvalidJSONInput(data)


if TYPE_CHECKING:
    _Autocomplete = admin_widgets.AutocompleteMixin
else:
    _Autocomplete = object


class _KnownIdsOnly(_Autocomplete):
    """Django's autocomplete widget looks the selected value up to show its name; a value that
    is no id at all (``abc`` for a UUID) made that lookup crash while the form was shown again
    with its errors. Such a value is left out: the field says "Select a valid choice"."""

    def optgroups(
        self, name: str, value: Sequence[str], attr: dict[str, Any] | None = None
    ) -> list[tuple[str | None, list[dict[str, Any]], int | None]]:
        remote = self.field.remote_field
        opts = remote.model._meta
        target = opts.get_field(getattr(remote, "field_name", None) or opts.pk.name)
        valid = []
        for item in value:
            try:
                target.to_python(item)
            except ValidationError:
                continue
            valid.append(item)
        return super().optgroups(name, valid, attr)


class AutocompleteSelect(_KnownIdsOnly, admin_widgets.AutocompleteSelect):
    pass


class AutocompleteSelectMultiple(_KnownIdsOnly, admin_widgets.AutocompleteSelectMultiple):
    pass


class AgencyScopedModelForm(forms.ModelForm):
    """The form of every back-office admin. Django checks a unique constraint only when all its
    fields are on the form, and the agency never is: a second hour type with the same code
    reached the database and came back as an IntegrityError. Here those constraints are checked
    against the agency's own rows, with Django's message at the field."""

    agency: Any = None  # set per request by AgencyScopedAdmin.get_form

    def validate_unique(self) -> None:
        super().validate_unique()
        if self.agency is not None:
            self._validate_unique_in_agency()

    def _validate_unique_in_agency(self) -> None:
        model = self._meta.model
        for constraint in model._meta.constraints:
            if (
                not isinstance(constraint, models.UniqueConstraint)
                or constraint.condition is not None
                or constraint.expressions
                or "agency" not in constraint.fields
            ):
                continue
            others = [name for name in constraint.fields if name != "agency"]
            if not others or any(
                name not in self.fields or name in self.errors or name not in self.cleaned_data
                for name in others
            ):
                continue
            clash = model._default_manager.filter(
                agency=self.agency, **{name: self.cleaned_data[name] for name in others}
            )
            if not self.instance._state.adding:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error(others[-1], self.instance.unique_error_message(model, others))


class BadListAddress(Exception):
    """A changelist address whose filters make no sense (a year of twenty digits)."""


class AgencyChangeList(ChangeList):
    """The back office's changelist: nonsense in the date filters is IncorrectLookupParameters
    (Django lets an OverflowError or a year past 9999 through as a server error)."""

    def get_filters(self, request: HttpRequest) -> Any:
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error


def week_label(monday: dt.date) -> str:
    """A week as the back office reads it: "week 49 of 2026"."""
    year, week, _day = monday.isocalendar()
    return gettext("week %(week)d of %(year)d") % {"week": week, "year": year}


class RecentWeeksFilter(admin.SimpleListFilter):
    """This week and the seven before it (a list of every week ever would grow without end)."""

    title = _("week")
    parameter_name = "week"
    field = "week_start"
    weeks = 8

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        today = timezone.localdate()
        this_week = today - dt.timedelta(days=today.weekday())
        weeks = [this_week - dt.timedelta(weeks=n) for n in range(self.weeks)]
        return [(str(week), week_label(week)) for week in weeks]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if value := self.value():
            try:
                return queryset.filter(**{self.field: dt.date.fromisoformat(value)})
            except ValueError:
                return queryset.none()
        return queryset
