"""Choice lists that modules below the models need too (timesheets.display labels absences
without importing the models, which label their changes with it)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Absence(models.TextChoices):
    NONE = "", _("Worked")
    SICK = "sick", _("Sick")
    HOLIDAY = "holiday", _("Holiday")
    PUBLIC_HOLIDAY = "public_holiday", _("Public holiday")
    SPECIAL_LEAVE = "special_leave", _("Special leave")
    UNPAID_LEAVE = "unpaid_leave", _("Unpaid leave")
    ABSENT = "absent", _("Absent without notice")
