"""Importing an XZuFi transfer message: check everything first, then write in one transaction.

Objects are matched by their id *and* the issuing Redaktion (schemeAgencyID):

- ``leistung`` → :class:`Service` (by ``scheme_agency``/``external_id``; else a service with
  the same LeiKa key and no XZuFi id yet is taken over),
- ``organisationseinheit`` → :class:`Authority` of the organisation whose region has the
  ARS given as ``regionalschluessel`` (its id kept in :class:`ExternalId`),
- ``onlinedienst`` → kept in :class:`ExternalId` (link and trust level) until a
  Zuständigkeit uses it,
- ``zustaendigkeit`` → :class:`Responsibility` and, with an Onlinedienst, a live online
  :class:`Offering` of the authority's organisation.

The order of writing does not depend on the order in the file: deletions of
Zuständigkeiten first, then Leistungen, Organisationseinheiten, Onlinedienste,
Zuständigkeiten, and last the other deletions. Importing the same message again changes
nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from amtshilfe.catalog.errors import Problem, XzufiInvalid
from amtshilfe.catalog.importers import unique_slug, upsert
from amtshilfe.catalog.models import ExternalId, Offering, Responsibility, Service
from amtshilfe.catalog.search import reindex_services
from amtshilfe.catalog.xzufi import reader
from amtshilfe.catalog.xzufi.reader import (
    KLASSEN,
    Leistung,
    Loeschung,
    Message,
    Onlinedienst,
    Organisationseinheit,
    Ref,
    Where,
    Zustaendigkeit,
)
from amtshilfe.core import access, audit
from amtshilfe.organisations.models import Authority, Organisation
from amtshilfe.regions.models import Region

LEISTUNG, ORGANISATIONSEINHEIT, ONLINEDIENST, ZUSTAENDIGKEIT = KLASSEN
#: Service texts held in German and English (``name`` → ``name_de``, ``name_en``).
BILINGUAL_TEXTS = (
    "name",
    "short_text",
    "full_text",
    "costs",
    "deadlines",
    "processing_time",
    "required_documents",
    "prerequisites",
    "hints",
)
LANGUAGES = ("de", "en")
Progress = Callable[[int, int], None]
Outcome = str  # "created", "updated", "unchanged"


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0


@dataclass
class ImportSummary:
    """What an import did, per XZuFi class; ``warnings`` are problems that did not stop it."""

    counts: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in KLASSEN})
    warnings: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    def add(self, klasse: str, outcome: Outcome) -> None:
        counts = self.counts[klasse]
        setattr(counts, outcome, getattr(counts, outcome) + 1)

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.deleted for c in self.counts.values())


def import_xzufi(
    source: bytes | Path | IO[bytes], *, dry_run: bool = False, progress: Progress | None = None
) -> ImportSummary:
    """Validate an XZuFi transfer message and apply it; nothing is written if it has errors."""
    return import_message(reader.read(source), dry_run=dry_run, progress=progress)


@transaction.atomic
def import_message(
    message: Message, *, dry_run: bool = False, progress: Progress | None = None
) -> ImportSummary:
    """Apply a validated message in one transaction (rolled back again for a dry run)."""
    with access.system_scope():
        plan = _Resolver(message).resolve()
        writer = _Writer(plan, progress)
        summary = writer.run()
        if writer.services_written:  # the search index is not kept in step by signals
            reindex_services(writer.services_written)
    summary.dry_run = dry_run
    if dry_run:
        transaction.set_rollback(True)
    return summary


def service_values(leistung: Leistung, typisierung: str) -> dict[str, Any]:
    """The :class:`Service` fields a Leistung sets (everything XZuFi says about it)."""

    def text(name: str, language: str) -> str:
        return leistung.texts.get(name, {}).get(language, "")

    values: dict[str, Any] = {
        f"{name}_{language}": text(name, language)
        for name in BILINGUAL_TEXTS
        for language in LANGUAGES
    }
    values["name_de"] = text("name", "de") or text("leika_name", "de")
    values["leika_name"] = text("leika_name", "de")
    values["legal_basis"] = text("legal_basis", "de")
    values["leika_key"] = leistung.leika_keys[0] if leistung.leika_keys else ""
    values["synonyms"] = "\n".join(leistung.synonyms)
    values["keywords"] = "\n".join(leistung.keywords)
    values["typisierung"] = typisierung
    if leistung.trust_level:
        values["trust_level"] = leistung.trust_level
    values["external_id"] = leistung.ref.id
    values["scheme_agency"] = leistung.ref.agency
    return values


def authority_values(oe: Organisationseinheit, organisation: Organisation) -> dict[str, Any]:
    name = oe.name.get("de") or next(iter(oe.name.values()), "")
    return {
        "organisation": organisation,
        "name": name,
        "street": " ".join(part for part in (oe.street, oe.house_number) if part),
        "postcode": oe.postcode,
        "city": oe.city,
        "phone": oe.phone,
        "email": oe.email,
    }


def _mappings(klasse: str, refs: Iterable[Ref]) -> dict[Ref, ExternalId]:
    refs = set(refs)
    rows = ExternalId.objects.filter(klasse=klasse, external_id__in={r.id for r in refs})
    found = {Ref(row.scheme_agency, row.external_id): row for row in rows}
    return {ref: row for ref, row in found.items() if ref in refs}


def _by_ref(
    queryset: models.QuerySet[Any], refs: Iterable[Ref]
) -> dict[Ref, Any]:  # rows with scheme_agency/external_id fields
    refs = set(refs)
    rows = queryset.filter(external_id__in={r.id for r in refs})
    found = {Ref(row.scheme_agency, row.external_id): row for row in rows}
    return {ref: row for ref, row in found.items() if ref in refs}


@dataclass
class Plan:
    """Everything the writer needs, resolved against the database before any write."""

    message: Message
    warnings: list[Problem] = field(default_factory=list)
    #: Leistung in the message → the service it updates (None: a new one)
    services: dict[Ref, Service | None] = field(default_factory=dict)
    typisierung: dict[Ref, str] = field(default_factory=dict)
    organisations: dict[Ref, Organisation] = field(default_factory=dict)
    authorities: dict[Ref, Authority | None] = field(default_factory=dict)
    responsibilities: dict[Ref, Responsibility | None] = field(default_factory=dict)
    #: objects referenced by Zuständigkeiten that are not in the message
    known_services: dict[Ref, Service] = field(default_factory=dict)
    known_authorities: dict[Ref, Authority] = field(default_factory=dict)
    known_onlinedienste: dict[Ref, ExternalId] = field(default_factory=dict)


class _Resolver:
    """Reads only: match every object of the message and collect every problem."""

    def __init__(self, message: Message) -> None:
        self.message = message
        self.plan = Plan(message=message)
        self.problems: list[Problem] = []
        self.deleted = {(item.klasse, item.ref) for item in message.loeschungen}

    def resolve(self) -> Plan:
        self._written_and_deleted()
        self._leistungen()
        self._organisationseinheiten()
        self._onlinedienste()
        self._zustaendigkeiten()
        if self.problems:
            raise XzufiInvalid(sorted(self.problems, key=lambda p: (p.line or 0, p.path)))
        return self.plan

    def _problem(self, where: Where, message: str, part: str = "") -> None:
        self.problems.append(where.problem(message, part))

    def _validate(self, instance: models.Model, where: Where, exclude: list[str]) -> None:
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                label = str(getattr(instance._meta.get_field(name), "verbose_name", name))
                for error in errors:
                    self._problem(where, f"{label}: {error}")

    def _written_and_deleted(self) -> None:
        m = self.message
        written = {(LEISTUNG, x.ref) for x in m.leistungen}
        written |= {(ORGANISATIONSEINHEIT, x.ref) for x in m.organisationseinheiten}
        written |= {(ONLINEDIENST, x.ref) for x in m.onlinedienste}
        written |= {(ZUSTAENDIGKEIT, x.ref) for x in m.zustaendigkeiten}
        for item in m.loeschungen:
            if (item.klasse, item.ref) in written:
                self._problem(
                    item.where,
                    _("%(klasse)s %(ref)s is both written and deleted in this message.")
                    % {"klasse": item.klasse, "ref": item.ref},
                )

    def _leistungen(self) -> None:
        leistungen = self.message.leistungen
        by_ref = _by_ref(Service.objects.all(), (x.ref for x in leistungen))
        keys = {x.leika_keys[0] for x in leistungen if x.leika_keys}
        by_key = {s.leika_key: s for s in Service.objects.filter(leika_key__in=keys)}
        seen: dict[str, Ref] = {}
        for leistung in leistungen:
            existing = by_ref.get(leistung.ref)
            key = leistung.leika_keys[0] if leistung.leika_keys else ""
            if key in seen:
                self._problem(
                    leistung.where,
                    _("The LeiKa key %(key)s is also used by Leistung %(other)s in this message.")
                    % {"key": key, "other": seen[key]},
                    "referenzLeiKa/code",
                )
            elif key:
                seen[key] = leistung.ref
                holder = by_key.get(key)
                if holder is not None and (existing is None or holder.pk != existing.pk):
                    if existing is None and not holder.external_id:
                        existing = holder  # a curated service gets its XZuFi id
                    else:
                        self._problem(
                            leistung.where,
                            _(
                                "The LeiKa key %(key)s already belongs to the service "
                                "“%(name)s” (%(ref)s)."
                            )
                            % {
                                "key": key,
                                "name": holder.name_de,
                                "ref": Ref(holder.scheme_agency, holder.external_id),
                            },
                            "referenzLeiKa/code",
                        )
            self.plan.services[leistung.ref] = existing
            self.plan.typisierung[leistung.ref] = self._typisierung(leistung)
            values = service_values(leistung, self.plan.typisierung[leistung.ref])
            if not values["name_de"]:
                self._problem(
                    leistung.where,
                    _("A Leistung needs a German name (text module 03 or 02)."),
                )
                continue
            self._validate(Service(**values), leistung.where, exclude=["slug"])

    def _typisierung(self, leistung: Leistung) -> str:
        if leistung.typisierung in Service.Typisierung.values or not leistung.typisierung:
            return leistung.typisierung
        self.plan.warnings.append(
            leistung.where.problem(
                _("Typisierung %(value)s is not one amtshilfe knows; it is left empty.")
                % {"value": leistung.typisierung},
                "typisierung/code",
            )
        )
        return ""

    def _organisationseinheiten(self) -> None:
        units = self.message.organisationseinheiten
        ars = {oe.ars for oe in units}
        regions = set(Region.objects.filter(ars__in=ars).values_list("ars", flat=True))
        organisations = {
            o.region.ars: o
            for o in Organisation.objects.filter(region__ars__in=ars).select_related("region")
            if o.region is not None
        }
        mappings = _mappings(ORGANISATIONSEINHEIT, (oe.ref for oe in units))
        mapped = Authority.objects.in_bulk([m.object_id for m in mappings.values()])
        by_name = {
            (a.organisation_id, a.name): a
            for a in Authority.objects.filter(organisation__in=organisations.values())
        }
        claimed = set(
            ExternalId.objects.filter(
                klasse=ORGANISATIONSEINHEIT, object_id__in=[a.pk for a in by_name.values()]
            ).values_list("object_id", flat=True)
        )
        seen: dict[tuple[int, str], Ref] = {}
        ars_part = "anschrift/verwaltungspolitischeKodierung/regionalschluessel"
        for oe in units:
            mapping = mappings.get(oe.ref)
            existing = mapped.get(mapping.object_id) if mapping and mapping.object_id else None
            organisation = organisations.get(oe.ars)
            if organisation is None:
                message = (
                    _("No organisation on this platform belongs to the region %(ars)s.")
                    if oe.ars in regions
                    else _("There is no region with the ARS %(ars)s.")
                )
                self._problem(oe.where, message % {"ars": oe.ars}, ars_part)
                continue
            values = authority_values(oe, organisation)
            name_key = (organisation.pk, values["name"])
            if name_key in seen:
                self._problem(
                    oe.where,
                    _("Organisationseinheit %(other)s in this message has the same name.")
                    % {"other": seen[name_key]},
                    "name",
                )
            seen[name_key] = oe.ref
            holder = by_name.get(name_key)
            if holder is not None and (existing is None or holder.pk != existing.pk):
                if existing is None and holder.pk not in claimed:
                    existing = holder  # an authority entered by hand gets its XZuFi id
                else:
                    self._problem(
                        oe.where,
                        _("%(organisation)s already has an authority named “%(name)s”.")
                        % {"organisation": organisation.name, "name": values["name"]},
                        "name",
                    )
            self.plan.organisations[oe.ref] = organisation
            self.plan.authorities[oe.ref] = existing
            self._validate(Authority(**values), oe.where, exclude=[])

    def _onlinedienste(self) -> None:
        validate_url = URLValidator(schemes=["http", "https"])
        limit = Offering._meta.get_field("online_url").max_length or 200
        for dienst in self.message.onlinedienste:
            url = dienst.application_url
            try:
                validate_url(url)
                if len(url) > limit:
                    raise ValidationError("too long")
            except ValidationError:
                self._problem(
                    dienst.where,
                    _("The link %(url)s is not a web address of at most %(limit)d characters.")
                    % {"url": url, "limit": limit},
                    "link",
                )

    def _known_objects(self, items: list[Zustaendigkeit], in_file: dict[str, set[Ref]]) -> None:
        """What the Zuständigkeiten refer to that the catalogue has and the message has not."""
        plan = self.plan
        plan.known_services = _by_ref(
            Service.objects.all(), {z.leistung for z in items} - in_file[LEISTUNG]
        )
        parents = _mappings(ORGANISATIONSEINHEIT, {z.authority for z in items})
        authorities = Authority.objects.select_related("organisation").in_bulk(
            [m.object_id for m in parents.values()]
        )
        plan.known_authorities = {
            ref: authorities[m.object_id]
            for ref, m in parents.items()
            if m.object_id in authorities and ref not in in_file[ORGANISATIONSEINHEIT]
        }
        plan.known_onlinedienste = _mappings(
            ONLINEDIENST, {z.onlinedienst for z in items if z.onlinedienst} - in_file[ONLINEDIENST]
        )

    def _zustaendigkeiten(self) -> None:
        items = self.message.zustaendigkeiten
        if not items:
            return
        in_file = {
            LEISTUNG: {x.ref for x in self.message.leistungen},
            ORGANISATIONSEINHEIT: {x.ref for x in self.message.organisationseinheiten},
            ONLINEDIENST: {x.ref for x in self.message.onlinedienste},
        }
        self._known_objects(items, in_file)
        plan = self.plan
        areas = {z.area for z in items}
        known_areas = {a for a in areas if Region.objects.filter(ars__startswith=a).exists()}
        existing = _by_ref(Responsibility.objects.all(), (z.ref for z in items))
        service_ids = {s.pk for s in plan.known_services.values()}
        service_ids |= {s.pk for s in plan.services.values() if s is not None}
        holders: dict[tuple[Any, str], Responsibility] = {
            (r.service_id, r.area): r
            for r in Responsibility.objects.filter(service_id__in=service_ids, area__in=areas)
        }
        moving = {z.ref for z in items} | {
            x.ref for x in self.message.loeschungen if x.klasse == ZUSTAENDIGKEIT
        }
        seen: dict[tuple[Any, str], Ref] = {}
        for z in items:
            self._references(z, in_file, known_areas)
            service = plan.services.get(z.leistung) or plan.known_services.get(z.leistung)
            target = (service.pk if service else z.leistung, z.area)
            if target in seen:
                self._problem(
                    z.where,
                    _(
                        "Zuständigkeit %(other)s in this message already covers this Leistung in "
                        "area %(area)s."
                    )
                    % {"other": seen[target], "area": z.area},
                    "gebietID",
                )
            seen[target] = z.ref
            current = existing.get(z.ref)
            holder = holders.get(target) if service else None
            if holder is not None and (current is None or holder.pk != current.pk):
                holder_ref = Ref(holder.scheme_agency, holder.external_id)
                if not holder.external_id and current is None:
                    current = holder  # a responsibility entered by hand gets its XZuFi id
                elif not holder.external_id or holder_ref not in moving:
                    self._problem(
                        z.where,
                        _(
                            "The catalogue already has a responsibility for this Leistung in "
                            "area %(area)s (%(ref)s)."
                        )
                        % {"area": z.area, "ref": holder_ref},
                        "gebietID",
                    )
            plan.responsibilities[z.ref] = current

    def _references(
        self, z: Zustaendigkeit, in_file: dict[str, set[Ref]], known_areas: set[str]
    ) -> None:
        plan = self.plan
        checks: list[tuple[str, Ref, str, Container[Ref]]] = [
            (LEISTUNG, z.leistung, "leistungID", plan.known_services),
            (ORGANISATIONSEINHEIT, z.authority, "uebergeordnetesObjektID", plan.known_authorities),
        ]
        if z.onlinedienst is not None:
            checks.append(
                (ONLINEDIENST, z.onlinedienst, "onlinedienstID", plan.known_onlinedienste)
            )
        for klasse, ref, part, known in checks:
            if (klasse, ref) in self.deleted:
                self._problem(
                    z.where,
                    _("%(klasse)s %(ref)s is deleted in this message.")
                    % {"klasse": klasse, "ref": ref},
                    part,
                )
            elif ref not in in_file[klasse] and ref not in known:
                self._problem(
                    z.where,
                    _(
                        "There is no %(klasse)s %(ref)s, neither in this message nor in the "
                        "catalogue."
                    )
                    % {"klasse": klasse, "ref": ref},
                    part,
                )
        if z.area not in known_areas:
            self._problem(
                z.where, _("There is no region with the ARS %(ars)s.") % {"ars": z.area}, "gebietID"
            )


class _Writer:
    """Writes a resolved plan; every change gets an audit entry (the system as actor)."""

    def __init__(self, plan: Plan, progress: Progress | None) -> None:
        self.plan = plan
        self.summary = ImportSummary(warnings=list(plan.warnings))
        self.progress = progress
        m = plan.message
        self.total = (
            len(m.leistungen)
            + len(m.organisationseinheiten)
            + len(m.onlinedienste)
            + len(m.zustaendigkeiten)
            + len(m.loeschungen)
        )
        self.done = 0
        self.services: dict[Ref, Service] = dict(plan.known_services)
        self.authorities: dict[Ref, Authority] = dict(plan.known_authorities)
        self.onlinedienste: dict[Ref, dict[str, Any]] = {
            ref: row.data for ref, row in plan.known_onlinedienste.items()
        }
        self.offerings_done: set[tuple[int, int]] = set()
        #: ids of services created, changed or deleted (for the search index)
        self.services_written: set[int] = set()
        self.slugs: set[str] | None = None

    def run(self) -> ImportSummary:
        m = self.plan.message
        deletions = {k: [x for x in m.loeschungen if x.klasse == k] for k in KLASSEN}
        self._each(deletions[ZUSTAENDIGKEIT], self._delete)
        self._each(m.leistungen, self._leistung)
        self._each(m.organisationseinheiten, self._organisationseinheit)
        self._each(m.onlinedienste, self._onlinedienst)
        self._vacate_moving_responsibilities()
        self._each(m.zustaendigkeiten, self._zustaendigkeit)
        for klasse in (ONLINEDIENST, ORGANISATIONSEINHEIT, LEISTUNG):
            self._each(deletions[klasse], self._delete)
        self._drop_orphans()
        return self.summary

    def _each(self, items: Iterable[Any], write: Callable[[Any], None]) -> None:
        for item in items:
            write(item)
            self.done += 1
            if self.progress is not None:
                self.progress(self.done, self.total)

    def _upsert(
        self, instance: Any, values: dict[str, Any], kind: str, organisation: Any = None
    ) -> Outcome:
        return upsert(instance, values, f"catalog.import.{kind}", organisation)

    def _remove(self, instance: Any, kind: str, organisation: Any = None) -> None:
        audit.record(
            actor=None,
            action=f"catalog.import.{kind}.deleted",
            obj=instance,
            organisation=organisation,
        )
        instance.delete()

    # ---------------------------------------------------------------------- writes

    def _leistung(self, leistung: Leistung) -> None:
        service = self.plan.services[leistung.ref] or Service()
        values = service_values(leistung, self.plan.typisierung[leistung.ref])
        if service.pk is None:
            values["slug"] = self._slug(values["name_de"])
        outcome = self._upsert(service, values, "service")
        if outcome != "unchanged":
            self.services_written.add(service.pk)
        self.summary.add(LEISTUNG, outcome)
        self.services[leistung.ref] = service

    def _slug(self, name: str) -> str:
        if self.slugs is None:
            self.slugs = set(Service.objects.values_list("slug", flat=True))
        return unique_slug(name, self.slugs)

    def _organisationseinheit(self, oe: Organisationseinheit) -> None:
        organisation = self.plan.organisations[oe.ref]
        authority = self.plan.authorities[oe.ref] or Authority()
        moved = authority.pk is not None and authority.organisation_id != organisation.pk
        values = authority_values(oe, organisation)
        outcome = self._upsert(authority, values, "authority", organisation)
        if moved:
            Responsibility.objects.filter(authority=authority).update(organisation=organisation)
        mapping = ExternalId.objects.filter(
            klasse=ORGANISATIONSEINHEIT, scheme_agency=oe.ref.agency, external_id=oe.ref.id
        ).first() or ExternalId(
            klasse=ORGANISATIONSEINHEIT, scheme_agency=oe.ref.agency, external_id=oe.ref.id
        )
        mapped = self._upsert(mapping, {"object_id": authority.pk}, "external_id")
        if outcome == "unchanged" and mapped != "unchanged":
            outcome = "updated"
        self.summary.add(ORGANISATIONSEINHEIT, outcome)
        self.authorities[oe.ref] = authority

    def _onlinedienst(self, dienst: Onlinedienst) -> None:
        mapping = ExternalId.objects.filter(
            klasse=ONLINEDIENST, scheme_agency=dienst.ref.agency, external_id=dienst.ref.id
        ).first() or ExternalId(
            klasse=ONLINEDIENST, scheme_agency=dienst.ref.agency, external_id=dienst.ref.id
        )
        data = {
            "name": dict(sorted(dienst.name.items())),
            "url": dienst.application_url,
            "trust_level": dienst.trust_level,
        }
        outcome = self._upsert(mapping, {"data": data}, "onlinedienst")
        self.onlinedienste[dienst.ref] = data
        if outcome == "updated":
            for angebot in self._angebote_of(dienst.ref):
                offering = Offering.objects.filter(pk=angebot.object_id or 0).first()
                if offering is not None:
                    self._upsert(
                        offering, {"online_url": data["url"]}, "offering", offering.organisation_id
                    )
        self.summary.add(ONLINEDIENST, outcome)

    def _vacate_moving_responsibilities(self) -> None:
        """Park responsibilities that move to another Leistung or area on a free key first,
        so that two of them may swap places within one message."""
        for z in self.plan.message.zustaendigkeiten:
            current = self.plan.responsibilities.get(z.ref)
            service = self.services.get(z.leistung)
            if current is None or current.pk is None or service is None:
                continue
            if (current.service_id, current.area) != (service.pk, z.area):
                Responsibility.objects.filter(pk=current.pk).update(area=f"~{current.pk}"[:12])

    def _zustaendigkeit(self, z: Zustaendigkeit) -> None:
        service = self.services[z.leistung]
        authority = self.authorities[z.authority]
        organisation = authority.organisation
        responsibility = self.plan.responsibilities[z.ref] or Responsibility()
        values = {
            "service": service,
            "area": z.area,
            "authority": authority,
            "organisation": organisation,
            "external_id": z.ref.id,
            "scheme_agency": z.ref.agency,
        }
        outcome = self._upsert(responsibility, values, "responsibility", organisation)
        offered = self._offering(z, service, authority)
        self.summary.add(
            ZUSTAENDIGKEIT, "updated" if outcome == "unchanged" and offered else outcome
        )

    def _offering(self, z: Zustaendigkeit, service: Service, authority: Authority) -> bool:
        """Create or update the online offering a Zuständigkeit's Onlinedienst stands for."""
        mapping = ExternalId.objects.filter(
            klasse=ExternalId.Klasse.ANGEBOT, scheme_agency=z.ref.agency, external_id=z.ref.id
        ).first()
        if z.onlinedienst is None:
            if mapping is None:
                return False
            self._drop_angebot(mapping)
            return True
        organisation = authority.organisation
        offering = Offering.objects.filter(organisation=organisation, service=service).first()
        changed = False
        if mapping is not None and (offering is None or mapping.object_id != offering.pk):
            self._drop_angebot(mapping)
            mapping, changed = None, True
        created = offering is None
        if offering is None:
            offering = Offering(
                organisation=organisation, service=service, receiving_authority=authority
            )
        key = (organisation.pk, service.pk)
        if key not in self.offerings_done:  # the first Zuständigkeit in the file decides
            self.offerings_done.add(key)
            channel = {
                Offering.Channel.IN_PERSON: Offering.Channel.BOTH,
                "": Offering.Channel.ONLINE,
            }.get(offering.channel, offering.channel)
            values = {
                "channel": channel,
                "status": Offering.Status.LIVE,
                "online_url": self.onlinedienste[z.onlinedienst]["url"],
            }
            changed |= self._upsert(offering, values, "offering", organisation) != "unchanged"
        mapping = mapping or ExternalId(
            klasse=ExternalId.Klasse.ANGEBOT, scheme_agency=z.ref.agency, external_id=z.ref.id
        )
        data = {
            "onlinedienst": [z.onlinedienst.agency, z.onlinedienst.id],
            "created": bool(mapping.data.get("created", created)),
        }
        values = {"object_id": offering.pk, "data": data}
        return self._upsert(mapping, values, "external_id") != "unchanged" or changed

    def _angebote_of(self, dienst: Ref) -> list[ExternalId]:
        rows = ExternalId.objects.filter(klasse=ExternalId.Klasse.ANGEBOT)
        return [row for row in rows if row.data.get("onlinedienst") == [dienst.agency, dienst.id]]

    def _drop_angebot(self, mapping: ExternalId) -> None:
        """Forget a Zuständigkeit's offering; delete it if the import made it and no other
        Zuständigkeit uses it."""
        offering_id, created = mapping.object_id, mapping.data.get("created", False)
        mapping.delete()
        others = ExternalId.objects.filter(klasse=ExternalId.Klasse.ANGEBOT, object_id=offering_id)
        if created and not others.exists():
            offering = Offering.objects.filter(pk=offering_id or 0).first()
            if offering is not None:
                self._remove(offering, "offering", offering.organisation_id)

    # --------------------------------------------------------------------- deletes

    def _delete(self, item: Loeschung) -> None:
        ref = item.ref
        found: list[tuple[models.Model, str, Any]] = []
        mapping: ExternalId | None = None
        if item.klasse == LEISTUNG:
            found = [(s, "service", None) for s in _by_ref(Service.objects.all(), [ref]).values()]
        elif item.klasse == ZUSTAENDIGKEIT:
            rows = Responsibility.objects.filter(scheme_agency=ref.agency, external_id=ref.id)
            found = [(r, "responsibility", r.organisation_id) for r in rows]
        elif item.klasse == ORGANISATIONSEINHEIT:
            mapping = _mappings(ORGANISATIONSEINHEIT, [ref]).get(ref)
            authority = (
                Authority.objects.filter(pk=mapping.object_id or 0).first() if mapping else None
            )
            found = [(authority, "authority", authority.organisation_id)] if authority else []
        else:
            mapping = _mappings(ONLINEDIENST, [ref]).get(ref)
            found = [(mapping, "onlinedienst", None)] if mapping else []
            for angebot in self._angebote_of(ref):
                self._drop_angebot(angebot)
        if item.klasse == LEISTUNG:
            self.services_written |= {instance.pk for instance, _kind, _org in found}
        try:
            for instance, kind, organisation in found:
                self._remove(instance, kind, organisation)
        except ProtectedError as exc:
            raise XzufiInvalid(
                [
                    item.where.problem(
                        _("%(klasse)s %(ref)s cannot be deleted: other data still refers to it.")
                        % {"klasse": item.klasse, "ref": ref}
                    )
                ]
            ) from exc
        if mapping is not None and mapping.pk is not None:
            mapping.delete()
        self.summary.add(item.klasse, "deleted" if found else "unchanged")

    def _drop_orphans(self) -> None:
        """Forget ids of objects that are gone, and offerings of Zuständigkeiten that are."""
        units = ExternalId.objects.filter(klasse=ORGANISATIONSEINHEIT)
        authority_ids = set(
            Authority.objects.filter(pk__in=units.values("object_id")).values_list("pk", flat=True)
        )
        units.exclude(object_id__in=authority_ids).delete()
        angebote = list(ExternalId.objects.filter(klasse=ExternalId.Klasse.ANGEBOT))
        if not angebote:
            return
        offering_ids = set(
            Offering.objects.filter(pk__in=[a.object_id for a in angebote]).values_list(
                "pk", flat=True
            )
        )
        alive = set(
            _by_ref(
                Responsibility.objects.all(),
                (Ref(a.scheme_agency, a.external_id) for a in angebote),
            )
        )
        for angebot in angebote:
            if angebot.object_id not in offering_ids:
                angebot.delete()
            elif Ref(angebot.scheme_agency, angebot.external_id) not in alive:
                self._drop_angebot(angebot)
