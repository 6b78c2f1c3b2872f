"""Fields of the agency's settings form (the back office and the platform admin)."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

BAD_REMINDER_LINE = _("Line %(number)d, “%(line)s”: write a day and a time, like “%(example)s”.")


def _weekday_names() -> dict[str, int]:
    """Day names and abbreviations in the reader's language, English and Dutch → 0-6."""
    names: dict[str, int] = {}
    for language in (translation.get_language() or "nl", "en", "nl"):
        with translation.override(language):
            for number in range(7):
                for name in (WEEKDAYS[number], WEEKDAYS_ABBR[number]):
                    names.setdefault(str(name).lower().rstrip("."), number)
    for number in range(7):
        names.setdefault(str(number), number)
    return names


class ReminderSlotsField(forms.CharField):
    """Reminder times typed one per line as “Monday 09:00” (the reader's language, English or
    Dutch; “mon 9.00” works too). The model keeps [{"weekday": 0-6, "time": "HH:MM"}]."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 28})
    LINE = re.compile(r"(?P<day>[^\d\s]+\.?|\d)\s+(?P<hour>\d{1,2})[:.](?P<minute>\d{2})")

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            _("One per line: a day and a time, like “Monday 09:00”. Empty: no reminders."),
        )
        kwargs["required"] = False
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(
                f"{capfirst(str(WEEKDAYS[slot['weekday']]))} {slot['time']}"
                for slot in sorted(value, key=lambda s: (s["weekday"], s["time"]))
            )
        return value

    def to_python(self, value):
        if isinstance(value, list):  # the stored value: the same order and no repeats
            unique = {(slot["weekday"], slot["time"]): slot for slot in value}
            return [unique[key] for key in sorted(unique)]
        names = _weekday_names()
        slots, errors = [], []
        for number, line in enumerate((value or "").splitlines(), start=1):
            line = " ".join(line.split())
            if not line:
                continue
            found = self.LINE.fullmatch(line)
            day = names.get(found["day"].lower().rstrip(".")) if found else None
            hour, minute = (int(found["hour"]), int(found["minute"])) if found else (99, 99)
            if day is None or hour > 23 or minute > 59:
                errors.append(
                    ValidationError(
                        BAD_REMINDER_LINE,
                        code="reminder_time",
                        params={
                            "number": number,
                            "line": line,
                            "example": f"{capfirst(str(WEEKDAYS[0]))} 09:00",
                        },
                    )
                )
                continue
            slot = {"weekday": day, "time": f"{hour:02d}:{minute:02d}"}
            if slot not in slots:
                slots.append(slot)
        if errors:
            raise ValidationError(errors)
        return sorted(slots, key=lambda s: (s["weekday"], s["time"]))

    def has_changed(self, initial, data):
        try:
            return self.to_python(initial or []) != self.to_python(data)
        except ValidationError:
            return True
