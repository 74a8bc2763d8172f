"""The service catalogue, modelled on XZuFi: services, offerings, responsibilities.

A *service* (Leistung) is what the administration does, identified by its LeiKa key. An
*offering* is one organisation providing it (online, in person). A *responsibility*
(Zuständigkeit) says which authority is responsible for a service in an area (an ARS
prefix); the most specific area wins. Delegation agreements (organisations app) then say
who *processes* on the responsible organisation's behalf.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from amtshilfe.core.trust import TrustLevel

leika_validator = RegexValidator(r"^\d{14}$", _("A LeiKa key has exactly 14 digits."))
ars_prefix_validator = RegexValidator(
    r"^(\d{2}|\d{3}|\d{5}|\d{9}|\d{12})$",
    _(
        "An area is an ARS prefix: Land (2), Regierungsbezirk (3), Kreis (5), "
        "Gemeindeverband (9) or Gemeinde (12) digits."
    ),
)


class OzgTopic(models.Model):
    """An OZG Themenfeld, e.g. "Bauen & Wohnen"."""

    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("OZG topic")
        verbose_name_plural = _("OZG topics")

    def __str__(self) -> str:
        return self.name


class OzgBundle(models.Model):
    """An OZG-Leistung (Leistungsbündel), e.g. 10124 "Wohnsitzmeldungen"."""

    ozg_id = models.CharField(_("OZG ID"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=300)
    topic = models.ForeignKey(OzgTopic, on_delete=models.PROTECT, related_name="bundles")
    situation = models.CharField(_("life or business situation"), max_length=200, blank=True)

    class Meta:
        ordering = ["ozg_id"]
        verbose_name = _("OZG bundle")
        verbose_name_plural = _("OZG bundles")

    def __str__(self) -> str:
        return f"{self.ozg_id} {self.name}"


class Service(models.Model):
    """A Leistung. Texts in German (``*_de``) and English (``*_en``)."""

    class Typisierung(models.TextChoices):
        T1 = "1", _("1 – federal law, executed by the federation")
        T2 = "2", _("2 – federal law, executed by Länder or municipalities")
        T23 = "2/3", _("2/3 – federal law, executed by Länder or municipalities")
        T3 = "3", _("3 – federal framework, Länder may deviate")
        T4 = "4", _("4 – state law")
        T5 = "5", _("5 – municipal by-law, executed by the municipality")

    leika_key = models.CharField(
        _("LeiKa key"), max_length=14, blank=True, validators=[leika_validator]
    )
    slug = models.SlugField(_("address"), max_length=120, unique=True)
    leika_name = models.CharField(_("LeiKa name"), max_length=300, blank=True)
    name_de = models.CharField(_("name (German)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    short_text_de = models.TextField(_("short text (German)"), blank=True)
    short_text_en = models.TextField(_("short text (English)"), blank=True)
    full_text_de = models.TextField(_("full text (German)"), blank=True)
    full_text_en = models.TextField(_("full text (English)"), blank=True)
    costs_de = models.TextField(_("costs (German)"), blank=True)
    costs_en = models.TextField(_("costs (English)"), blank=True)
    deadlines_de = models.TextField(_("deadlines (German)"), blank=True)
    deadlines_en = models.TextField(_("deadlines (English)"), blank=True)
    processing_time_de = models.TextField(_("processing time (German)"), blank=True)
    processing_time_en = models.TextField(_("processing time (English)"), blank=True)
    required_documents_de = models.TextField(_("required documents (German)"), blank=True)
    required_documents_en = models.TextField(_("required documents (English)"), blank=True)
    prerequisites_de = models.TextField(_("prerequisites (German)"), blank=True)
    prerequisites_en = models.TextField(_("prerequisites (English)"), blank=True)
    hints_de = models.TextField(_("hints (German)"), blank=True)
    hints_en = models.TextField(_("hints (English)"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    #: Search words a citizen might use, one per line (German and English).
    keywords = models.TextField(_("keywords"), blank=True)
    #: Other names of the service, one per line ("Perso", "Ummeldung").
    synonyms = models.TextField(_("synonyms"), blank=True)
    typisierung = models.CharField(
        _("Typisierung"), max_length=3, choices=Typisierung.choices, blank=True
    )
    ozg_bundle = models.ForeignKey(
        OzgBundle,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("OZG bundle"),
    )
    trust_level = models.CharField(
        _("trust level needed online"),
        max_length=16,
        choices=TrustLevel.choices,
        default=TrustLevel.NIEDRIG,
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    # XZuFi identity: an id is unique only together with its issuing Redaktion.
    external_id = models.CharField(_("XZuFi id"), max_length=100, blank=True)
    scheme_agency = models.CharField(_("XZuFi schemeAgencyID"), max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_de"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(
                fields=["leika_key"], condition=~Q(leika_key=""), name="service_unique_leika"
            ),
            models.UniqueConstraint(
                fields=["scheme_agency", "external_id"],
                condition=~Q(external_id=""),
                name="service_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def localized(self, field: str) -> str:
        """The field's text in the active language, falling back to German."""
        language = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
        value = getattr(self, f"{field}_{language}", "") if language != "de" else ""
        return value or getattr(self, f"{field}_de")

    @property
    def name(self) -> str:
        return self.localized("name")

    @property
    def bundle_id(self) -> str:
        return self.ozg_bundle.ozg_id if self.ozg_bundle_id and self.ozg_bundle else ""


class Offering(models.Model):
    """An organisation offers a service: online, in person, or both."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("online")
        IN_PERSON = "in_person", _("in person")
        BOTH = "both", _("online and in person")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        PILOT = "pilot", _("pilot")
        LIVE = "live", _("live")
        RETIRED = "retired", _("retired")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="offerings"
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="offerings")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    maturity = models.PositiveSmallIntegerField(
        _("OZG maturity level"), default=0, validators=[MaxValueValidator(4)]
    )
    fees = models.CharField(_("fees"), max_length=300, blank=True)
    online_url = models.URLField(_("link to the online application"), blank=True)
    receiving_authority = models.ForeignKey(
        "organisations.Authority",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offerings",
        verbose_name=_("authority receiving applications"),
    )

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["organisation", "service"]
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "service"], name="offering_unique"),
            models.CheckConstraint(condition=Q(maturity__lte=4), name="offering_maturity_0_4"),
        ]
        indexes = [models.Index(fields=["service", "organisation"], name="offering_svc_org")]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.service}"

    @property
    def is_online(self) -> bool:
        return self.channel in {self.Channel.ONLINE, self.Channel.BOTH} and self.status in {
            self.Status.LIVE,
            self.Status.PILOT,
        }


class Responsibility(models.Model):
    """Zuständigkeit: service S in area A (an ARS prefix) → authority X."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="responsibilities")
    area = models.CharField(
        _("area (ARS prefix)"), max_length=12, validators=[ars_prefix_validator]
    )
    authority = models.ForeignKey(
        "organisations.Authority", on_delete=models.CASCADE, related_name="responsibilities"
    )
    #: The organisation the authority belongs to (denormalised for scoping and lookup).
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="responsibilities"
    )
    external_id = models.CharField(_("XZuFi id"), max_length=100, blank=True)
    scheme_agency = models.CharField(_("XZuFi schemeAgencyID"), max_length=100, blank=True)

    class Meta:
        ordering = ["service", "area"]
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")
        constraints = [
            models.UniqueConstraint(fields=["service", "area"], name="responsibility_unique_area"),
        ]
        indexes = [
            # The XZuFi importer finds responsibilities by their id (bench/RESULTS.md).
            models.Index(fields=["external_id", "scheme_agency"], name="responsibility_xzufi_id"),
        ]

    def __str__(self) -> str:
        return f"{self.service} @ {self.area} → {self.authority}"


class ExternalId(models.Model):
    """The XZuFi id of an imported object that has no id fields of its own.

    An id is unique only together with the issuing Redaktion (``scheme_agency``). Kinds:
    an Organisationseinheit maps to an :class:`~amtshilfe.organisations.models.Authority`
    (``object_id``); an Onlinedienst has no row of its own, so its link and trust level are
    kept in ``data``; an *Angebot* is the :class:`Offering` a Zuständigkeit created or took
    over for its Onlinedienst (keyed by the Zuständigkeit's id).
    """

    class Klasse(models.TextChoices):
        ORGANISATIONSEINHEIT = "Organisationseinheit"
        ONLINEDIENST = "Onlinedienst"
        ANGEBOT = "Angebot"

    klasse = models.CharField(max_length=32, choices=Klasse.choices)
    scheme_agency = models.CharField(max_length=100)
    external_id = models.CharField(max_length=100)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["klasse", "scheme_agency", "external_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["klasse", "scheme_agency", "external_id"], name="external_id_unique"
            ),
        ]
        indexes = [models.Index(fields=["klasse", "object_id"], name="external_id_object")]

    def __str__(self) -> str:
        return f"{self.klasse} {self.scheme_agency}/{self.external_id}"
