"""The shipped catalogue content: ``data/services.json`` and how it loads into the database.

Each entry of ``services.json`` has exactly these keys (empty string where there is nothing
to say): ``leika_key``, ``slug``, ``level`` (``gemeinde``/``kreis``/``land``: who executes the
service in Hesse), German and English texts (``name``, ``short_text``, ``full_text``,
``costs``, ``deadlines``, ``processing_time``, ``required_documents``, ``prerequisites``,
``hints``), ``legal_basis``, ``keywords`` and ``synonyms`` (lists), ``typisierung``,
``ozg_id`` and ``trust_level``. Every LeiKa key comes from ``leika-common.csv``.
"""

from __future__ import annotations

import csv
import re
from typing import Any

import pytest

from amtshilfe.catalog import content
from amtshilfe.catalog.models import OzgBundle, Service, TrustLevel

TEXT_FIELDS = [
    "name",
    "short_text",
    "full_text",
    "costs",
    "deadlines",
    "processing_time",
    "required_documents",
    "prerequisites",
    "hints",
]
ENTRY_KEYS = {
    "leika_key",
    "slug",
    "level",
    *(f"{field}_{lang}" for field in TEXT_FIELDS for lang in ("de", "en")),
    "legal_basis",
    "keywords",
    "synonyms",
    "typisierung",
    "ozg_id",
    "trust_level",
}
LEVELS = {"gemeinde", "kreis", "land"}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TYPISIERUNG = {choice.value for choice in Service.Typisierung} | {""}

#: The examples named in the issue, by LeiKa key (slug → key).
ISSUE_EXAMPLES = {
    "wohnsitz-anmelden": "99115005104000",
    "hundesteuer": "99102013002000",
    "gewerbe-anmelden": "99050012104000",
    "personalausweis-beantragen": "99008001012000",
    "bewohnerparkausweis": "99108001001000",
    "fuehrungszeugnis-beantragen": "99049001001000",
    "baugenehmigung": "99012008001000",
    "kita-platz": "99041004034000",
    "sperrmuell-abholung": "99001009004002",
    "eheschliessung-anmelden": "99059001104000",
}

#: Colloquial names the search relies on, and the one service that owns each.
DISTINCTIVE_SYNONYMS = {
    "wohnsitz-anmelden": ["Ummeldung", "ummelden", "Umzug"],
    "personalausweis-beantragen": ["Perso", "Ausweis", "ID card"],
    "eheschliessung-anmelden": ["Heirat", "heiraten", "Hochzeit"],
    "hundesteuer": ["Hund anmelden", "Hundeanmeldung", "Hundesteuer anmelden"],
    "fahrzeug-zulassen": ["Auto anmelden", "Kfz-Zulassung"],
    "fahrzeug-abmelden": ["Auto abmelden"],
    "bewohnerparkausweis": ["Anwohnerparkausweis", "Parkausweis Anwohner"],
    "kita-platz": ["Kindergarten", "Kindergartenplatz", "Krippe"],
    "baugenehmigung": ["Bauantrag"],
    "baumfaellgenehmigung": ["Baum fällen"],
    "sperrmuell-abholung": ["Sperrmüll", "Sperrmüll anmelden", "Möbel entsorgen"],
    "hausmuell": ["Mülltonne", "Restmüll"],
    "infektionsschutz-belehrung": ["Gesundheitszeugnis", "Rote Karte"],
}
#: Deliberate exceptions: another service may list the word as a *keyword* (never as a
#: synonym), so that "Halteverbot Umzug" finds the no-parking zone.
SHARED_KEYWORDS = {"umzug": {"halteverbot-umzug"}}


@pytest.fixture(scope="module")
def entries() -> list[dict[str, Any]]:
    return content.service_entries()


@pytest.fixture(scope="module")
def by_slug(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {entry["slug"]: entry for entry in entries}


@pytest.fixture(scope="module")
def leika_rows() -> dict[str, dict[str, str]]:
    with (content.DATA / "leika-common.csv").open(encoding="utf-8", newline="") as handle:
        return {row["leika_key"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def ozg_ids() -> set[str]:
    with (content.DATA / "ozg-katalog.csv").open(encoding="utf-8", newline="") as handle:
        return {row["ozg_id"].strip() for row in csv.DictReader(handle)}


# ----------------------------------------------------------------------------- the file


def test_at_least_110_services(entries):
    assert len(entries) >= 110


def test_every_entry_has_exactly_the_documented_keys(entries):
    for entry in entries:
        assert set(entry) == ENTRY_KEYS, entry.get("slug")


def test_text_fields_are_strings_and_lists_are_lists_of_words(entries):
    for entry in entries:
        for key in ENTRY_KEYS - {"keywords", "synonyms"}:
            assert isinstance(entry[key], str), (entry["slug"], key)
            assert entry[key] == entry[key].strip(), (entry["slug"], key)
        for key in ("keywords", "synonyms"):
            words = entry[key]
            assert isinstance(words, list), (entry["slug"], key)
            assert all(isinstance(w, str) and w.strip() for w in words), (entry["slug"], key)
            assert len({w.lower() for w in words}) == len(words), (entry["slug"], key)
        assert len(entry["keywords"]) >= 3, entry["slug"]


def test_slugs_are_unique_lowercase_ascii(entries):
    slugs = [entry["slug"] for entry in entries]
    assert len(set(slugs)) == len(slugs)
    for slug in slugs:
        assert SLUG.match(slug), slug
        assert len(slug) <= Service._meta.get_field("slug").max_length


def test_leika_keys_come_from_the_common_list_and_are_unique(entries):
    known = content.leika_names()
    keys = [entry["leika_key"] for entry in entries if entry["leika_key"]]
    assert len(set(keys)) == len(keys)
    assert set(keys) <= set(known), set(keys) - set(known)


def test_ozg_id_and_typisierung_match_the_leika_row(entries, leika_rows, ozg_ids):
    for entry in entries:
        assert entry["typisierung"] in TYPISIERUNG, entry["slug"]
        if entry["ozg_id"]:
            assert entry["ozg_id"] in ozg_ids, entry["slug"]
        row = leika_rows.get(entry["leika_key"])
        if row is not None:
            assert entry["ozg_id"] == row["ozg_id"].strip(), entry["slug"]
            if row["typisierung"].strip() in TYPISIERUNG:
                assert entry["typisierung"] == row["typisierung"].strip(), entry["slug"]


def test_names_and_short_texts_exist_in_both_languages(entries):
    for entry in entries:
        for key in ("name_de", "name_en", "short_text_de", "short_text_en"):
            assert entry[key], (entry["slug"], key)


def test_english_text_exists_wherever_german_text_does(entries):
    for entry in entries:
        for field in TEXT_FIELDS:
            assert bool(entry[f"{field}_de"]) == bool(entry[f"{field}_en"]), (
                entry["slug"],
                field,
            )


def test_most_services_have_a_full_text(entries):
    with_text = [entry for entry in entries if entry["full_text_de"]]
    assert len(with_text) >= 0.9 * len(entries)


def test_level_and_trust_level_are_valid(entries):
    trust_levels = {choice.value for choice in TrustLevel}
    for entry in entries:
        assert entry["level"] in LEVELS, entry["slug"]
        assert entry["trust_level"] in trust_levels, entry["slug"]


def test_all_levels_are_used(entries):
    assert {entry["level"] for entry in entries} == LEVELS


@pytest.mark.parametrize(("slug", "key"), sorted(ISSUE_EXAMPLES.items()))
def test_the_issues_examples_are_present(by_slug, slug, key):
    assert slug in by_slug
    assert by_slug[slug]["leika_key"] == key


def test_dog_registration_is_the_dog_tax_service(by_slug):
    assert by_slug["hundesteuer"]["name_de"] == "Hund anmelden (Hundesteuer)"
    assert by_slug["hund-abmelden"]["name_de"] == "Hund abmelden"


@pytest.mark.parametrize(("slug", "words"), sorted(DISTINCTIVE_SYNONYMS.items()))
def test_distinctive_synonyms_belong_to_one_service(entries, by_slug, slug, words):
    assert set(words) <= set(by_slug[slug]["synonyms"])
    for word in (w.lower() for w in words):
        as_synonym = [e["slug"] for e in entries if word in {w.lower() for w in e["synonyms"]}]
        as_keyword = {e["slug"] for e in entries if word in {w.lower() for w in e["keywords"]}}
        assert as_synonym == [slug], (word, as_synonym)
        assert as_keyword <= SHARED_KEYWORDS.get(word, set()), (word, as_keyword)


def test_no_separate_change_of_address_service(entries):
    assert not {"99115005011000", "99115005011002"} & {entry["leika_key"] for entry in entries}


# ----------------------------------------------------------------------------- the database


@pytest.mark.django_db
def test_load_services_creates_every_service_and_is_idempotent(entries):
    content.load_ozg_catalogue()
    first = content.load_services()
    assert first.created == len(entries)
    assert (first.updated, first.unchanged) == (0, 0)
    assert Service.objects.count() == len(entries)

    second = content.load_services()
    assert (second.created, second.updated) == (0, 0)
    assert second.unchanged == len(entries)


@pytest.mark.django_db
def test_loaded_services_keep_their_data(by_slug):
    content.load_ozg_catalogue()
    content.load_services()
    names = content.leika_names()
    for service in Service.objects.select_related("ozg_bundle"):
        entry = by_slug[service.slug]
        assert service.leika_key == entry["leika_key"]
        assert service.leika_name == names.get(entry["leika_key"], "")
        assert service.name_de == entry["name_de"]
        assert service.trust_level == entry["trust_level"]
        assert service.synonyms.splitlines() == entry["synonyms"]
        if entry["ozg_id"]:
            assert service.ozg_bundle is not None, service.slug
            assert service.ozg_bundle.ozg_id == entry["ozg_id"]
        else:
            assert service.ozg_bundle is None


@pytest.mark.django_db
def test_every_referenced_bundle_exists_after_loading_the_catalogue(entries):
    content.load_ozg_catalogue()
    referenced = {entry["ozg_id"] for entry in entries if entry["ozg_id"]}
    found = set(OzgBundle.objects.filter(ozg_id__in=referenced).values_list("ozg_id", flat=True))
    assert found == referenced
