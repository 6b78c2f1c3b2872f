from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimesheetsConfig(AppConfig):
    name = "timesheets"
    verbose_name = _("Werkbriefjes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the werkbrief's message kinds and their schedule with the mail log.
        from timesheets import notifications  # noqa: F401
