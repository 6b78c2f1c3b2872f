"""Werkbriefjes and CAO unravelling schemes."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from flexportal.tenancy import TenantModel


class CaoScheme(TenantModel):
    """An agency's unravelling scheme (cao-ontrafel/1); its rules live in dated versions."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_example = models.BooleanField(_("example scheme"), default=False)

    class Meta:
        verbose_name = _("CAO scheme")
        verbose_name_plural = _("CAO schemes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="cao_scheme_name_per_agency")
        ]

    def __str__(self) -> str:
        return self.name


class CaoSchemeVersion(TenantModel):
    """The scheme's JSON document, valid from a date until the next version's."""

    scheme = models.ForeignKey(CaoScheme, on_delete=models.CASCADE, related_name="versions")
    valid_from = models.DateField(_("valid from"))
    document = models.JSONField(_("scheme document (cao-ontrafel/1)"))

    class Meta:
        verbose_name = _("CAO scheme version")
        verbose_name_plural = _("CAO scheme versions")
        ordering = ["scheme", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "valid_from"], name="cao_version_one_per_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scheme} ({self.valid_from:%Y-%m-%d})"
