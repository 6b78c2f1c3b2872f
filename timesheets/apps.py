from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimesheetsConfig(AppConfig):
    name = "timesheets"
    verbose_name = _("Werkbriefjes")
    default_auto_field = "django.db.models.BigAutoField"
