"""Gebietskörperschaften of Hesse, keyed by their Amtlicher Regionalschlüssel (ARS)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

ars_validator = RegexValidator(r"^\d{12}$", _("An ARS has exactly 12 digits."))


class RegionKind(models.TextChoices):
    LAND = "land", _("Federal state")
    REGIERUNGSBEZIRK = "regierungsbezirk", _("Government district")
    KREIS = "kreis", _("District")
    KREISFREIE_STADT = "kreisfreie_stadt", _("District-free city")
    STADT = "stadt", _("Town")
    GEMEINDE = "gemeinde", _("Municipality")
    GEMEINDEFREIES_GEBIET = "gemeindefreies_gebiet", _("Unincorporated area")


#: Kinds that are a Gemeinde (a municipality with its own administration).
GEMEINDE_KINDS = (RegionKind.KREISFREIE_STADT, RegionKind.STADT, RegionKind.GEMEINDE)
#: Kinds at Kreis level (a kreisfreie Stadt is both a Kreis and a Gemeinde).
KREIS_KINDS = (RegionKind.KREIS, RegionKind.KREISFREIE_STADT)


class Region(models.Model):
    ars = models.CharField(_("ARS"), max_length=12, unique=True, validators=[ars_validator])
    ags = models.CharField(_("AGS"), max_length=8, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    official_name = models.CharField(_("official name"), max_length=300, blank=True)
    name_folded = models.CharField(max_length=200, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=RegionKind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    area_km2 = models.DecimalField(
        _("area (km²)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    postcode = models.CharField(_("postcode of the seat"), max_length=5, blank=True)
    sonderstatusstadt = models.BooleanField(_("Sonderstatusstadt"), default=False)

    class Meta:
        ordering = ["ars"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    @property
    def kreis_ars(self) -> str:
        """The ARS of the Kreis level this region belongs to (zero-padded)."""
        return self.ars[:5] + "0" * 7

    @property
    def is_gemeinde(self) -> bool:
        return self.kind in GEMEINDE_KINDS
