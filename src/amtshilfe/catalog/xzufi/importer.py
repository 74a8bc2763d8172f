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

A national message has well over a million objects, so each kind is written in batches of
:data:`BATCH_SIZE`: the rows a batch may touch are read with a few queries, compared in
Python (an unchanged object is neither written nor audited) and written with
``bulk_create``/``bulk_update``. The rules that depend on the order in the file (the first
Zuständigkeit of an organisation and service decides its offering; an offering the import
made goes with its last Angebot) are applied in file order in memory (:class:`_Offerings`),
so the result is the one of writing object by object. The audit trail gets an entry per
action, organisation and batch (:class:`_AuditTrail`), not one per object.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Generic, NamedTuple, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, models, transaction
from django.db.models import CharField, Exists, OuterRef, ProtectedError, Q, Value
from django.db.models.functions import Cast, Concat, Left
from django.utils import timezone
from django.utils.translation import gettext as _

from amtshilfe.catalog.errors import Problem, XzufiInvalid
from amtshilfe.catalog.importers import unique_slug
from amtshilfe.catalog.models import ExternalId, Offering, Responsibility, Service
from amtshilfe.catalog.search import reindex_services
from amtshilfe.catalog.search.cache import catalogue_changed
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
from amtshilfe.core.models import AuditEntry
from amtshilfe.organisations.models import Authority, Organisation
from amtshilfe.regions.models import Region

LEISTUNG, ORGANISATIONSEINHEIT, ONLINEDIENST, ZUSTAENDIGKEIT = KLASSEN
ANGEBOT = ExternalId.Klasse.ANGEBOT
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
#: Objects of one kind read, compared and written together.
BATCH_SIZE = 2000
#: Rows per UPDATE statement: ``bulk_update`` compares every row with every CASE branch.
UPDATE_BATCH = 500
#: Values in one IN list (SQLite's limit on bound parameters may make it fewer).
LOOKUP_SIZE = 5000
#: Objects listed in one audit entry at most.
AUDIT_CHUNK = 1000
#: Rows an import adds to a table before PostgreSQL's statistics are refreshed.
ANALYZE_FROM = 10_000
Progress = Callable[[int, int], None]
Outcome = str  # "created", "updated", "unchanged"
T = TypeVar("T")


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
        elif summary.changed:  # offerings may have changed: cached search answers go
            catalogue_changed()
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


# ------------------------------------------------------------------------ batched reads


class _Current(NamedTuple):
    """A responsibility as the database holds it: a tuple, as a message may have 700 k."""

    pk: int
    service_id: int
    area: str
    authority_id: int
    organisation_id: int
    external_id: str
    scheme_agency: str


#: What a Zuständigkeit sets, named as audit.snapshot names the fields (foreign keys as ids).
RESPONSIBILITY_FIELDS = _Current._fields[1:]
_AUDIT_NAMES = ("service", "area", "authority", "organisation", "external_id", "scheme_agency")


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _lookup_size(per_item: int = 1) -> int:
    """How many items one query may look up (SQLite limits the bound parameters)."""
    limit = connection.features.max_query_params or LOOKUP_SIZE * per_item + 100
    return max(1, min(LOOKUP_SIZE, (limit - 100) // per_item))


def _where_in(queryset: models.QuerySet[Any], name: str, values: Iterable[Any]) -> Iterator[Any]:
    """The rows of ``queryset`` whose ``name`` is one of ``values``: a query per chunk."""
    for chunk in _chunks(set(values), _lookup_size()):
        yield from queryset.filter(**{f"{name}__in": chunk})


def _rows_by_ref(queryset: models.QuerySet[Any], refs: Iterable[Ref]) -> Iterator[Any]:
    """The rows of ``queryset`` with these XZuFi ids, queried per Redaktion: with the agency
    in the query, the index on (klasse,) scheme_agency, external_id finds each row; without
    it, PostgreSQL reads every row of the kind, for every batch."""
    by_agency: dict[str, set[str]] = {}
    for ref in refs:
        by_agency.setdefault(ref.agency, set()).add(ref.id)
    for agency, ids in sorted(by_agency.items()):
        yield from _where_in(queryset.filter(scheme_agency=agency), "external_id", ids)


def _by_ref(queryset: models.QuerySet[Any], refs: Iterable[Ref]) -> dict[Ref, Any]:
    """Rows (with ``scheme_agency`` and ``external_id`` fields) by XZuFi id."""
    rows = _rows_by_ref(queryset.order_by("pk"), refs)
    return {Ref(row.scheme_agency, row.external_id): row for row in rows}


def _mappings(klasse: str, refs: Iterable[Ref]) -> dict[Ref, ExternalId]:
    return _by_ref(ExternalId.objects.filter(klasse=klasse), refs)


def _responsibilities(rows: Iterable[tuple[Any, ...]]) -> Iterator[_Current]:
    return (_Current._make(row) for row in rows)


def _responsibility_rows() -> models.QuerySet[Any]:
    return Responsibility.objects.order_by("pk").values_list(*_Current._fields)


def _offerings_by_key(keys: Iterable[tuple[int, int]]) -> Iterator[Offering]:
    """The offerings of these (organisation id, service id) pairs: per chunk one query with
    a condition per organisation (a message lists an organisation's Zuständigkeiten
    together; a condition per pair would take Django longer to compile than to run)."""
    for chunk in _chunks(sorted(set(keys)), _lookup_size(per_item=2)):
        services: dict[int, list[int]] = {}
        for organisation_id, service_id in chunk:
            services.setdefault(organisation_id, []).append(service_id)
        condition = Q(
            *(Q(organisation_id=o, service_id__in=ids) for o, ids in services.items()),
            _connector=Q.OR,
        )
        yield from Offering.objects.filter(condition).order_by()


def _known_areas(areas: set[str]) -> set[str]:
    """The areas (ARS prefixes) with at least one region: one read of all ARS (~12 k in
    Germany) instead of a query per area."""
    lengths = {len(area) for area in areas}
    prefixes = {
        ars[:length]
        for ars in Region.objects.values_list("ars", flat=True).iterator()
        for length in lengths
    }
    return areas & prefixes


def _assign(instance: models.Model, values: dict[str, Any]) -> dict[str, list[Any]] | None:
    """Set ``values``; return the changes ``{field: [old, new]}``, None if there are none.

    Compared as :func:`amtshilfe.catalog.importers.upsert` compares (foreign keys as ids);
    for an unsaved instance every value is a change.
    """
    before = {} if instance.pk is None else audit.snapshot(instance, values)
    for key, value in values.items():
        setattr(instance, key, value)
    after = audit.snapshot(instance, values)
    return audit.diff(before, after) if after != before else None


def _pair(diff: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """``{field: [old, new]}`` as ``[{field: old}, {field: new}]``, an audit item's form."""
    return [
        {k: old for k, (old, _new) in diff.items()},
        {k: new for k, (_old, new) in diff.items()},
    ]


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
    #: Organisationseinheit in the message → its id mapping, if it has one
    unit_mappings: dict[Ref, ExternalId] = field(default_factory=dict)
    responsibilities: dict[Ref, _Current | None] = field(default_factory=dict)
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
        by_key = {
            s.leika_key: s for s in _where_in(Service.objects.order_by("pk"), "leika_key", keys)
        }
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
        regions = set(_where_in(Region.objects.values_list("ars", flat=True), "ars", ars))
        organisations = {
            o.region.ars: o
            for o in _where_in(Organisation.objects.select_related("region"), "region__ars", ars)
            if o.region is not None
        }
        mappings = _mappings(ORGANISATIONSEINHEIT, (oe.ref for oe in units))
        self.plan.unit_mappings = mappings
        mapped = {
            a.pk: a
            for a in _where_in(
                Authority.objects.all(), "pk", (m.object_id for m in mappings.values())
            )
        }
        by_name = {
            (a.organisation_id, a.name): a
            for a in _where_in(
                Authority.objects.all(), "organisation_id", (o.pk for o in organisations.values())
            )
        }
        claimed = set(
            _where_in(
                ExternalId.objects.filter(klasse=ORGANISATIONSEINHEIT).values_list(
                    "object_id", flat=True
                ),
                "object_id",
                (a.pk for a in by_name.values()),
            )
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
            # the organisation was just read: validating it would cost a query per object
            self._validate(Authority(**values), oe.where, exclude=["organisation"])

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
        authorities = {
            a.pk: a
            for a in _where_in(
                Authority.objects.select_related("organisation"),
                "pk",
                (m.object_id for m in parents.values()),
            )
        }
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
        known_areas = _known_areas(areas)
        refs = {z.ref for z in items}
        service_ids = {s.pk for s in plan.known_services.values()}
        service_ids |= {s.pk for s in plan.services.values() if s is not None}
        holders: dict[tuple[Any, str], _Current] = {}
        existing: dict[Ref, _Current] = {}
        rows = _where_in(_responsibility_rows(), "service_id", service_ids)
        for row in _responsibilities(rows):
            if row.area in areas:
                holders[(row.service_id, row.area)] = row
            if (ref := Ref(row.scheme_agency, row.external_id)) in refs:
                existing[ref] = row  # found with its service: no look-up by id needed
        missing = refs - existing.keys()
        for row in _responsibilities(_rows_by_ref(_responsibility_rows(), missing)):
            existing[Ref(row.scheme_agency, row.external_id)] = row
        moving = refs | {x.ref for x in self.message.loeschungen if x.klasse == ZUSTAENDIGKEIT}
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


# ------------------------------------------------------------------------------ writing


class _AuditTrail:
    """What an import changed, as a few append-only entries instead of one per object.

    One entry per action (``catalog.import.responsibility.created``), organisation and up to
    :data:`AUDIT_CHUNK` objects, so each organisation still finds the import's changes to its
    objects in its own trail. ``object_id`` is the message's ``nachrichtID``; ``changes``
    maps each object's primary key to ``[before, after]``: ``[None, "<XZuFi id>"]`` for a
    created object, ``["<XZuFi id>", None]`` for a deleted one, and the changed fields
    ``[{field: old}, {field: new}]`` otherwise. A created object's values are in the object
    and the message, and every later change keeps the old values, so each object's history
    can still be told in full. One row per object would be millions of rows for the
    national catalogue, the biggest part of the import's work.
    """

    def __init__(self, message_id: str) -> None:
        self.message_id = message_id
        self.pending: dict[tuple[str, type[models.Model], int | None], dict[str, Any]] = {}

    def add(
        self,
        action: str,
        model: type[models.Model],
        organisation_id: int | None,
        pk: Any,
        change: Any,
    ) -> None:
        key = (f"catalog.import.{action}", model, organisation_id)
        items = self.pending.setdefault(key, {})
        items[str(pk)] = change
        if len(items) >= AUDIT_CHUNK:
            self._write([(key, self.pending.pop(key))])

    def deleted(
        self, kind: str, model: type[models.Model], organisation_id: Any, pk: Any, ref: Ref
    ) -> None:
        self.add(f"{kind}.deleted", model, organisation_id, pk, [str(ref), None])

    def flush(self) -> None:
        self._write(list(self.pending.items()))
        self.pending.clear()

    def _write(
        self, groups: list[tuple[tuple[str, type[models.Model], int | None], dict[str, Any]]]
    ) -> None:
        entries = [
            AuditEntry(
                actor=None,
                actor_label="",
                organisation_id=organisation_id,
                action=action,
                object_type=model._meta.label_lower,
                object_id=self.message_id[:64],
                object_label=(
                    f"XZuFi {self.message_id}: {len(items)} {model._meta.verbose_name_plural}"
                )[:300],
                changes=items,
            )
            for (action, model, organisation_id), items in groups
        ]
        AuditEntry.objects.with_scopes_disabled().bulk_create(entries, batch_size=BATCH_SIZE)


class _Statistics:
    """Keeps PostgreSQL's statistics of the tables an import fills in step with them.

    The import is one transaction, so autovacuum never sees its rows: well into filling an
    empty table, the planner still takes it for nearly empty and, for each batch's look-up
    by id, reads every row of that kind instead of using the id's index (320 ms a batch at
    900 k Onlinedienste: quadratic). ANALYZE in the same transaction does see the
    transaction's own rows; it runs whenever a table has doubled since its last analysis.
    """

    def __init__(self) -> None:
        self.active = connection.vendor == "postgresql"
        self.rows: dict[str, float] = {}
        self.added: dict[str, int] = {}

    def grew(self, model: type[models.Model], count: int) -> None:
        table = model._meta.db_table
        if not self.active or not count:
            return
        if table not in self.rows:
            self.rows[table] = max(self._estimate(table), 0)
        self.added[table] = self.added.get(table, 0) + count
        if self.added[table] >= max(ANALYZE_FROM, self.rows[table]):
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
            self.rows[table], self.added[table] = self._estimate(table), 0

    def _estimate(self, table: str) -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
            return float(cursor.fetchone()[0])


M = TypeVar("M", bound=models.Model)


def _no_organisation(instance: models.Model) -> None:
    return None


def _its_organisation(instance: Any) -> int:
    return int(instance.organisation_id)


class _Writes(Generic[M]):
    """The new and the changed rows of one model in one batch: written and audited together.

    ``kind`` names the audit action (``catalog.import.<kind>.created``); ``organisation``
    says whose trail an object's entry belongs to.
    """

    def __init__(
        self,
        kind: str,
        model: type[M],
        organisation: Callable[[M], int | None] = _no_organisation,
    ) -> None:
        self.kind, self.model, self.organisation = kind, model, organisation
        self.new: list[tuple[M, str]] = []
        self.changed: dict[int, tuple[M, dict[str, list[Any]]]] = {}

    def create(self, instance: M, ref: object) -> None:
        self.new.append((instance, str(ref)))

    def change(self, instance: M, changes: dict[str, list[Any]]) -> None:
        """Note changes of a saved row (with earlier ones of this batch: first old value)."""
        _same, earlier = self.changed.get(instance.pk, (instance, {}))
        for name, (old, new) in changes.items():
            earlier[name] = [earlier[name][0] if name in earlier else old, new]
        self.changed[instance.pk] = (instance, earlier)

    def save(
        self,
        trail: _AuditTrail,
        statistics: _Statistics,
        *,
        also: Sequence[str] = (),
        skip: Container[int] = (),
    ) -> None:
        """Write the batch (updating the changed fields and ``also``), then audit it."""
        changed = [(i, c) for pk, (i, c) in self.changed.items() if pk not in skip]
        self.model._base_manager.bulk_create([i for i, _ref in self.new], batch_size=BATCH_SIZE)
        statistics.grew(self.model, len(self.new))
        if changed:
            fields = sorted({name for _i, changes in changed for name in changes} | set(also))
            self.model._base_manager.bulk_update(
                [i for i, _c in changed], fields, batch_size=UPDATE_BATCH
            )
        for instance, ref in self.new:
            trail.add(
                f"{self.kind}.created",
                self.model,
                self.organisation(instance),
                instance.pk,
                [None, ref],
            )
        for instance, changes in changed:
            trail.add(
                f"{self.kind}.changed",
                self.model,
                self.organisation(instance),
                instance.pk,
                _pair(changes),
            )

    def refs(self) -> set[Ref]:
        """The XZuFi ids of the rows written (for :class:`ExternalId` rows)."""
        rows = [i for i, _ref in self.new] + [i for i, _c in self.changed.values()]
        return {Ref(row.scheme_agency, row.external_id) for row in rows}  # type: ignore[attr-defined]


def _delete_all(model: type[models.Model], pks: Iterable[int]) -> None:
    for chunk in _chunks(pks, _lookup_size()):
        model._base_manager.filter(pk__in=chunk).delete()


def _delete_or_reject(model: type[models.Model], doomed: list[tuple[int, Loeschung]]) -> None:
    """Delete rows of ``loesche`` entries; if other data still refers to one (PROTECT),
    reject the message naming that entry (Django refuses before it deletes anything)."""
    try:
        _delete_all(model, (pk for pk, _item in doomed))
    except ProtectedError:
        for pk, item in doomed:
            try:
                _delete_all(model, [pk])
            except ProtectedError as exc:
                message = _("%(klasse)s %(ref)s cannot be deleted: other data still refers to it.")
                problem = item.where.problem(message % {"klasse": item.klasse, "ref": item.ref})
                raise XzufiInvalid([problem]) from exc


class _Angebot(NamedTuple):
    ref: Ref
    object_id: int | None


def _angebote_by_onlinedienst() -> dict[Ref, list[_Angebot]]:
    """Every Angebot mapping by the Onlinedienst it stands for (one read of all of them)."""
    rows = (
        ExternalId.objects.filter(klasse=ANGEBOT)
        .order_by("scheme_agency", "external_id")
        .values_list("scheme_agency", "external_id", "object_id", "data")
    )
    found: dict[Ref, list[_Angebot]] = {}
    for agency, identifier, object_id, data in rows.iterator(chunk_size=LOOKUP_SIZE):
        dienst = data.get("onlinedienst") or ["", ""]
        found.setdefault(Ref(*dienst), []).append(_Angebot(Ref(agency, identifier), object_id))
    return found


class _Offerings:
    """The Angebot mappings of some Zuständigkeiten and the offerings they may touch.

    Loaded for a batch, changed in memory in file order exactly as writing object by
    object would change them, then written by :meth:`flush`.
    """

    def __init__(
        self,
        trail: _AuditTrail,
        statistics: _Statistics,
        refs: Iterable[Ref],
        keys: Iterable[tuple[int, int]] = (),
    ) -> None:
        self.trail, self.statistics = trail, statistics
        self.angebote = _mappings(ANGEBOT, refs)
        self.by_key: dict[tuple[int, int], Offering] = {}
        self.by_pk: dict[int, Offering] = {}
        for offering in _offerings_by_key(keys):
            self._know(offering)
        used = {m.object_id for m in self.angebote.values() if m.object_id is not None}
        for offering in _where_in(Offering.objects.order_by(), "pk", used - set(self.by_pk)):
            self._know(offering)
        #: offering id → the Zuständigkeiten whose Angebot it is
        self.users: dict[int, set[Ref]] = {}
        rows = ExternalId.objects.filter(klasse=ANGEBOT).values_list(
            "scheme_agency", "external_id", "object_id"
        )
        for agency, identifier, object_id in _where_in(rows, "object_id", used):
            self.users.setdefault(object_id, set()).add(Ref(agency, identifier))
        self.dropped: list[int] = []
        self.doomed: set[int] = set()
        self.offerings = _Writes("offering", Offering, _its_organisation)
        #: the Angebot each Zuständigkeit gets: (its id, mapping or None, offering, data)
        self.intents: list[tuple[Ref, ExternalId | None, Offering, dict[str, Any]]] = []

    def _know(self, offering: Offering) -> None:
        self.by_pk[offering.pk] = offering
        self.by_key[(offering.organisation_id, offering.service_id)] = offering

    def drop(self, mapping: ExternalId) -> None:
        """Forget a Zuständigkeit's offering; delete it if the import made it and no other
        Zuständigkeit uses it."""
        ref = Ref(mapping.scheme_agency, mapping.external_id)
        self.angebote.pop(ref, None)
        if mapping.pk is not None:
            self.dropped.append(mapping.pk)
        others = self.users.get(mapping.object_id or 0, set())
        others.discard(ref)
        offering = self.by_pk.get(mapping.object_id or 0)
        if not mapping.data.get("created", False) or others or offering is None:
            return
        if offering.pk not in self.doomed:
            self.doomed.add(offering.pk)
            key = (offering.organisation_id, offering.service_id)
            if self.by_key.get(key) is offering:
                del self.by_key[key]
            self.trail.deleted("offering", Offering, offering.organisation_id, offering.pk, ref)

    def upsert(self, offering: Offering, values: dict[str, Any], ref: Ref) -> bool:
        """Set an offering's values (creating it if new); True if that changes anything."""
        changes = _assign(offering, values)
        if offering.pk is None:
            self.offerings.create(offering, ref)
            self.by_key[(offering.organisation_id, offering.service_id)] = offering
        elif changes is not None:
            self.offerings.change(offering, changes)
        return changes is not None

    def intend(
        self, ref: Ref, mapping: ExternalId | None, offering: Offering, data: dict[str, Any]
    ) -> None:
        """Note the Angebot mapping a Zuständigkeit gets (written once offerings have ids)."""
        self.intents.append((ref, mapping, offering, data))
        if offering.pk is not None:
            self.users.setdefault(offering.pk, set()).add(ref)

    def flush(self) -> set[Ref]:
        """Write the batch; return the Zuständigkeiten whose Angebot mapping changed."""
        _delete_all(ExternalId, self.dropped)
        _delete_all(Offering, self.doomed)
        self.offerings.save(self.trail, self.statistics, skip=self.doomed)
        mappings = _Writes("external_id", ExternalId)
        for ref, mapping, offering, data in self.intents:
            values = {"object_id": offering.pk, "data": data}
            if mapping is None:
                mapping = ExternalId(klasse=ANGEBOT, scheme_agency=ref.agency, external_id=ref.id)
                _assign(mapping, values)
                mappings.create(mapping, mapping)
            elif (changes := _assign(mapping, values)) is not None:
                mappings.change(mapping, changes)
        mappings.save(self.trail, self.statistics)
        return mappings.refs()


class _Writer:
    """Writes a resolved plan, kind by kind and batch by batch; audited as the system."""

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
        self.trail = _AuditTrail(m.message_id)
        self.statistics = _Statistics()
        self.services: dict[Ref, Service] = dict(plan.known_services)
        self.authorities: dict[Ref, Authority] = dict(plan.known_authorities)
        self.onlinedienste: dict[Ref, dict[str, Any]] = {
            ref: row.data for ref, row in plan.known_onlinedienste.items()
        }
        #: (organisation id, service id) of offerings a Zuständigkeit has already set
        self.offerings_done: set[tuple[int, int]] = set()
        #: ids of services created, changed or deleted (for the search index)
        self.services_written: set[int] = set()
        self.slugs: set[str] | None = None

    def run(self) -> ImportSummary:
        m = self.plan.message
        deletions = {k: [x for x in m.loeschungen if x.klasse == k] for k in KLASSEN}
        if self.progress is not None:
            self.progress(0, self.total)  # resolved: writing starts
        steps: list[tuple[Callable[[list[Any]], None], list[Any]]] = [
            (self._delete_responsibilities, deletions[ZUSTAENDIGKEIT]),
            (self._leistungen, m.leistungen),
            (self._organisationseinheiten, m.organisationseinheiten),
            (self._onlinedienste, m.onlinedienste),
            (self._zustaendigkeiten, m.zustaendigkeiten),
            (self._delete_onlinedienste, deletions[ONLINEDIENST]),
            (self._delete_authorities, deletions[ORGANISATIONSEINHEIT]),
            (self._delete_services, deletions[LEISTUNG]),
        ]
        for write, items in steps:
            write(items)
            self.trail.flush()  # the entries of one kind, so that they do not pile up
        self._drop_orphans()
        self.trail.flush()
        return self.summary

    def _batches(self, items: Sequence[T]) -> Iterator[list[T]]:
        """``items`` in batches; progress is reported after each."""
        for batch in _chunks(items, BATCH_SIZE):
            yield batch
            self.done += len(batch)
            if self.progress is not None:
                self.progress(self.done, self.total)

    # ---------------------------------------------------------------------- writes

    def _leistungen(self, leistungen: list[Leistung]) -> None:
        for batch in self._batches(leistungen):
            services = _Writes("service", Service)
            now = timezone.now()
            for leistung in batch:
                service = self.plan.services[leistung.ref]
                values = service_values(leistung, self.plan.typisierung[leistung.ref])
                if service is None:
                    service = Service(**values, slug=self._slug(values["name_de"]))
                    services.create(service, leistung.ref)
                    self.summary.add(LEISTUNG, "created")
                elif (changes := _assign(service, values)) is not None:
                    service.updated_at = now  # bulk_update does not set auto_now fields
                    services.change(service, changes)
                    self.summary.add(LEISTUNG, "updated")
                else:
                    self.summary.add(LEISTUNG, "unchanged")
                self.services[leistung.ref] = service
            services.save(self.trail, self.statistics, also=["updated_at"])
            self.services_written |= {s.pk for s, _ref in services.new}
            self.services_written |= set(services.changed)

    def _slug(self, name: str) -> str:
        if self.slugs is None:
            self.slugs = set(Service.objects.values_list("slug", flat=True))
        return unique_slug(name, self.slugs)

    def _organisationseinheiten(self, units: list[Organisationseinheit]) -> None:
        for batch in self._batches(units):
            outcomes = self._write_authorities(batch)
            mapped = self._write_unit_mappings(batch)
            for oe in batch:
                outcome = outcomes[oe.ref]
                if outcome == "unchanged" and oe.ref in mapped:
                    outcome = "updated"
                self.summary.add(ORGANISATIONSEINHEIT, outcome)

    def _write_authorities(self, batch: list[Organisationseinheit]) -> dict[Ref, Outcome]:
        outcomes: dict[Ref, Outcome] = {}
        authorities = _Writes("authority", Authority, _its_organisation)
        moved: dict[int, list[int]] = {}  # organisation id → authorities that move to it
        for oe in batch:
            organisation = self.plan.organisations[oe.ref]
            authority = self.plan.authorities[oe.ref]
            values = authority_values(oe, organisation)
            if authority is None:
                authority = Authority(**values)
                authorities.create(authority, oe.ref)
                outcomes[oe.ref] = "created"
            else:
                if authority.organisation_id != organisation.pk:
                    moved.setdefault(organisation.pk, []).append(authority.pk)
                changes = _assign(authority, values)
                if changes is not None:
                    authorities.change(authority, changes)
                outcomes[oe.ref] = "unchanged" if changes is None else "updated"
            self.authorities[oe.ref] = authority
        authorities.save(self.trail, self.statistics)
        for organisation_id, authority_ids in moved.items():
            Responsibility.objects.filter(authority_id__in=authority_ids).update(
                organisation_id=organisation_id
            )
        return outcomes

    def _write_unit_mappings(self, batch: list[Organisationseinheit]) -> set[Ref]:
        """Keep each Organisationseinheit's id with its authority; the ids that changed."""
        mappings = _Writes("external_id", ExternalId)
        for oe in batch:
            mapping = self.plan.unit_mappings.get(oe.ref) or ExternalId(
                klasse=ORGANISATIONSEINHEIT, scheme_agency=oe.ref.agency, external_id=oe.ref.id
            )
            changes = _assign(mapping, {"object_id": self.authorities[oe.ref].pk})
            if mapping.pk is None:
                mappings.create(mapping, mapping)
            elif changes is not None:
                mappings.change(mapping, changes)
        mappings.save(self.trail, self.statistics)
        return mappings.refs()

    def _onlinedienste(self, dienste: list[Onlinedienst]) -> None:
        angebote: dict[Ref, list[_Angebot]] | None = None  # read once, if a link changes
        rows = ExternalId.objects.filter(klasse=ONLINEDIENST).values_list(
            "scheme_agency", "external_id", "pk", "data"
        )
        for batch in self._batches(dienste):
            # (pk, data) tuples: a model instance only for a row that changes
            found: dict[Ref, tuple[int, Any] | ExternalId] = {
                Ref(agency, identifier): (pk, data)
                for agency, identifier, pk, data in _rows_by_ref(rows, (d.ref for d in batch))
            }
            mappings = _Writes("onlinedienst", ExternalId)
            for dienst in batch:
                data = {
                    "name": dict(sorted(dienst.name.items())),
                    "url": dienst.application_url,
                    "trust_level": dienst.trust_level,
                }
                mapping = found.get(dienst.ref)
                if isinstance(mapping, tuple) and mapping[1] != data:
                    pk, stored = mapping
                    mapping = found[dienst.ref] = ExternalId(
                        pk=pk,
                        klasse=ONLINEDIENST,
                        scheme_agency=dienst.ref.agency,
                        external_id=dienst.ref.id,
                        data=stored,
                    )
                if mapping is None:
                    mapping = found[dienst.ref] = ExternalId(
                        klasse=ONLINEDIENST,
                        scheme_agency=dienst.ref.agency,
                        external_id=dienst.ref.id,
                        data=data,
                    )
                    mappings.create(mapping, dienst.ref)
                    self.summary.add(ONLINEDIENST, "created")
                elif isinstance(mapping, tuple):
                    self.summary.add(ONLINEDIENST, "unchanged")
                elif (changes := _assign(mapping, {"data": data})) is not None:
                    if mapping.pk is not None:
                        mappings.change(mapping, changes)
                    self.summary.add(ONLINEDIENST, "updated")
                else:
                    self.summary.add(ONLINEDIENST, "unchanged")
                self.onlinedienste[dienst.ref] = data
            mappings.save(self.trail, self.statistics)
            if mappings.changed:
                angebote = angebote if angebote is not None else _angebote_by_onlinedienst()
                relinked = [
                    Ref(m.scheme_agency, m.external_id) for m, _c in mappings.changed.values()
                ]
                self._relink_offerings(relinked, angebote)

    def _relink_offerings(self, dienste: list[Ref], angebote: dict[Ref, list[_Angebot]]) -> None:
        """Give the offerings of Onlinedienste with a new link that link."""
        used = [a.object_id for ref in dienste for a in angebote.get(ref, []) if a.object_id]
        found = {o.pk: o for o in _where_in(Offering.objects.order_by(), "pk", used)}
        offerings = _Writes("offering", Offering, _its_organisation)
        for ref in dienste:
            for angebot in angebote.get(ref, []):
                offering = found.get(angebot.object_id or 0)
                url = self.onlinedienste[ref]["url"]
                if offering is not None and (changes := _assign(offering, {"online_url": url})):
                    offerings.change(offering, changes)
        offerings.save(self.trail, self.statistics)

    def _vacate_moving_responsibilities(self, items: list[Zustaendigkeit]) -> None:
        """Park responsibilities that move to another Leistung or area on a free key first,
        so that two of them may swap places within one message."""
        moving = []
        for z in items:
            current = self.plan.responsibilities.get(z.ref)
            service = self.services.get(z.leistung)
            if current and service and (current.service_id, current.area) != (service.pk, z.area):
                moving.append(current.pk)
        parked = Left(Concat(Value("~"), Cast("pk", output_field=CharField())), 12)
        for chunk in _chunks(moving, _lookup_size()):
            Responsibility.objects.filter(pk__in=chunk).update(area=parked)

    def _zustaendigkeiten(self, items: list[Zustaendigkeit]) -> None:
        self._vacate_moving_responsibilities(items)
        for batch in self._batches(items):
            outcomes = self._write_responsibilities(batch)
            offered = self._write_offerings(batch)
            for z in batch:
                outcome = outcomes[z.ref]
                if outcome == "unchanged" and z.ref in offered:
                    outcome = "updated"
                self.summary.add(ZUSTAENDIGKEIT, outcome)

    def _write_responsibilities(self, batch: list[Zustaendigkeit]) -> dict[Ref, Outcome]:
        """Compared as tuples: model instances only for the rows that are written."""
        outcomes: dict[Ref, Outcome] = {}
        responsibilities = _Writes("responsibility", Responsibility, _its_organisation)
        for z in batch:
            service = self.services[z.leistung]
            authority = self.authorities[z.authority]
            wanted = (
                service.pk,
                z.area,
                authority.pk,
                authority.organisation_id,
                z.ref.id,
                z.ref.agency,
            )
            current = self.plan.responsibilities[z.ref]
            if current is not None and current[1:] == wanted:
                outcomes[z.ref] = "unchanged"
                continue
            row = Responsibility(**dict(zip(RESPONSIBILITY_FIELDS, wanted, strict=True)))
            if current is None:
                responsibilities.create(row, z.ref)
                outcomes[z.ref] = "created"
            else:
                row.pk = current.pk
                old = zip(_AUDIT_NAMES, current[1:], wanted, strict=True)
                responsibilities.change(row, {n: [a, b] for n, a, b in old if a != b})
                outcomes[z.ref] = "updated"
        responsibilities.save(self.trail, self.statistics)
        return outcomes

    def _write_offerings(self, batch: list[Zustaendigkeit]) -> set[Ref]:
        """The online offerings of a batch of Zuständigkeiten; those whose offering changed."""
        keys = {
            (self.authorities[z.authority].organisation_id, self.services[z.leistung].pk)
            for z in batch
            if z.onlinedienst is not None
        }
        state = _Offerings(self.trail, self.statistics, (z.ref for z in batch), keys)
        changed = {z.ref for z in batch if self._offering(z, state)}
        return changed | state.flush()

    def _offering(self, z: Zustaendigkeit, state: _Offerings) -> bool:
        """Create or update the online offering a Zuständigkeit's Onlinedienst stands for."""
        mapping = state.angebote.get(z.ref)
        if z.onlinedienst is None:
            if mapping is None:
                return False
            state.drop(mapping)
            return True
        authority = self.authorities[z.authority]
        key = (authority.organisation_id, self.services[z.leistung].pk)
        offering = state.by_key.get(key)
        changed = False
        if mapping is not None and (offering is None or mapping.object_id != offering.pk):
            state.drop(mapping)
            mapping, changed = None, True
        created = offering is None
        if offering is None:
            offering = Offering(
                organisation_id=key[0], service_id=key[1], receiving_authority=authority
            )
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
            changed |= state.upsert(offering, values, z.ref)
        data = {
            "onlinedienst": [z.onlinedienst.agency, z.onlinedienst.id],
            "created": bool((mapping.data if mapping else {}).get("created", created)),
        }
        state.intend(z.ref, mapping, offering, data)
        return changed

    # --------------------------------------------------------------------- deletes

    def _delete_responsibilities(self, items: list[Loeschung]) -> None:
        rows = Responsibility.objects.order_by("pk").values_list(
            "pk", "organisation_id", "scheme_agency", "external_id"
        )
        for batch in self._batches(items):
            found: dict[Ref, list[tuple[int, int]]] = {}
            for pk, organisation_id, agency, identifier in _rows_by_ref(
                rows, (item.ref for item in batch)
            ):
                found.setdefault(Ref(agency, identifier), []).append((pk, organisation_id))
            doomed: list[tuple[int, Loeschung]] = []
            for item in batch:
                matches = found.pop(item.ref, [])  # a second deletion finds nothing
                for pk, organisation_id in matches:
                    self.trail.deleted(
                        "responsibility", Responsibility, organisation_id, pk, item.ref
                    )
                    doomed.append((pk, item))
                self.summary.add(ZUSTAENDIGKEIT, "deleted" if matches else "unchanged")
            _delete_or_reject(Responsibility, doomed)

    def _delete_services(self, items: list[Loeschung]) -> None:
        for batch in self._batches(items):
            found = _by_ref(Service.objects.all(), (item.ref for item in batch))
            doomed: list[tuple[int, Loeschung]] = []
            for item in batch:
                service = found.pop(item.ref, None)
                if service is not None:
                    self.trail.deleted("service", Service, None, service.pk, item.ref)
                    doomed.append((service.pk, item))
                    self.services_written.add(service.pk)
                self.summary.add(LEISTUNG, "deleted" if service else "unchanged")
            _delete_or_reject(Service, doomed)

    def _delete_authorities(self, items: list[Loeschung]) -> None:
        for batch in self._batches(items):
            mappings = _mappings(ORGANISATIONSEINHEIT, (item.ref for item in batch))
            authorities: dict[int, int] = dict(
                _where_in(
                    Authority.objects.values_list("pk", "organisation_id"),
                    "pk",
                    (m.object_id for m in mappings.values()),
                )
            )
            doomed: list[tuple[int, Loeschung]] = []
            for item in batch:
                mapping = mappings.get(item.ref)
                pk = mapping.object_id if mapping else None
                organisation_id = authorities.pop(pk, None) if pk is not None else None
                if pk is not None and organisation_id is not None:
                    self.trail.deleted("authority", Authority, organisation_id, pk, item.ref)
                    doomed.append((pk, item))
                self.summary.add(
                    ORGANISATIONSEINHEIT, "deleted" if organisation_id else "unchanged"
                )
            _delete_or_reject(Authority, doomed)
            _delete_all(ExternalId, (m.pk for m in mappings.values()))

    def _delete_onlinedienste(self, items: list[Loeschung]) -> None:
        angebote = _angebote_by_onlinedienst() if items else {}
        for batch in self._batches(items):
            mappings = _mappings(ONLINEDIENST, (item.ref for item in batch))
            state = _Offerings(
                self.trail, self.statistics, (a.ref for i in batch for a in angebote.get(i.ref, []))
            )
            doomed: list[int] = []
            for item in batch:
                for angebot in angebote.get(item.ref, []):
                    if (mapping := state.angebote.get(angebot.ref)) is not None:
                        state.drop(mapping)
                dienst = mappings.pop(item.ref, None)
                if dienst is not None:
                    self.trail.deleted("onlinedienst", ExternalId, None, dienst.pk, item.ref)
                    doomed.append(dienst.pk)
                self.summary.add(ONLINEDIENST, "deleted" if dienst else "unchanged")
            state.flush()
            _delete_all(ExternalId, doomed)

    def _drop_orphans(self) -> None:
        """Forget ids of objects that are gone, and offerings of Zuständigkeiten that are."""
        units = ExternalId.objects.filter(klasse=ORGANISATIONSEINHEIT)
        units.filter(~Exists(Authority.objects.filter(pk=OuterRef("object_id")))).delete()
        angebote = ExternalId.objects.filter(klasse=ANGEBOT)
        angebote.filter(~Exists(Offering.objects.filter(pk=OuterRef("object_id")))).delete()
        alive = Responsibility.objects.filter(
            scheme_agency=OuterRef("scheme_agency"), external_id=OuterRef("external_id")
        )
        orphans = [
            Ref(agency, identifier)
            for agency, identifier in angebote.filter(~Exists(alive))
            .order_by("scheme_agency", "external_id")
            .values_list("scheme_agency", "external_id")
        ]
        for batch in _chunks(orphans, BATCH_SIZE):
            state = _Offerings(self.trail, self.statistics, batch)
            for ref in batch:
                if (mapping := state.angebote.get(ref)) is not None:
                    state.drop(mapping)
            state.flush()
