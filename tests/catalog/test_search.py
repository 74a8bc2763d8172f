"""Service search: what a citizen types finds the service they mean, on SQLite and PostgreSQL.

The suite runs once per database (CI does both); every test here uses the backend of the
active database, so each behaviour is shown on both.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from amtshilfe.catalog.models import Offering, Service
from amtshilfe.catalog.search import reindex_services, search_services
from amtshilfe.catalog.search.backends import get_backend
from amtshilfe.organisations.models import Organisation

pytestmark = pytest.mark.usefixtures("shipped_catalogue", "db", "hesse")

BUEDINGEN = "064400004004"  # Stadt Büdingen, Wetteraukreis
ORTENBERG = "064400019019"  # Stadt Ortenberg, Wetteraukreis


def top(query: str, **options) -> str | None:
    hits = search_services(query, **options)
    return hits[0].slug if hits else None


def slugs(query: str, **options) -> list[str]:
    return [hit.slug for hit in search_services(query, **options)]


# --- Queries citizens type, and the service they mean -------------------------------------

CITIZEN_QUERIES = [
    ("Personalausweis", "personalausweis-beantragen"),
    ("vorläufiger Personalausweis", "vorlaeufiger-personalausweis"),
    ("Ausweis verloren", "personalausweis-verlust-melden"),
    ("Reisepass", "reisepass-beantragen"),
    ("Kinderreisepass", "kinderreisepass-beantragen"),
    ("Führungszeugnis", "fuehrungszeugnis-beantragen"),
    ("erweitertes Führungszeugnis", "erweitertes-fuehrungszeugnis"),
    ("Wohnsitz anmelden", "wohnsitz-anmelden"),
    ("abmelden Wohnung", "wohnsitz-abmelden"),
    ("Nebenwohnsitz", "nebenwohnsitz-anmelden"),
    ("Melderegisterauskunft", "melderegisterauskunft"),
    ("Meldebescheinigung", "wohnsitz-anmelden"),
    ("Unterschrift beglaubigen", "unterschrift-beglaubigen"),
    ("Fundsache", "fundsache-abholen"),
    ("Briefwahl", "briefwahl-beantragen"),
    ("Geburtsurkunde", "geburtsurkunde-beantragen"),
    ("Eheurkunde", "eheurkunde-beantragen"),
    ("Sterbeurkunde", "sterbeurkunde-beantragen"),
    ("Kirchenaustritt", "kirchenaustritt"),
    ("Gewerbe anmelden", "gewerbe-anmelden"),
    ("Gewerbe abmelden", "gewerbe-abmelden"),
    ("Gaststätte eröffnen", "gaststaettenerlaubnis"),
    ("Feuerwerk", "feuerwerk-genehmigung"),
    ("Waffenbesitzkarte", "waffenbesitzkarte"),
    ("Jagdschein", "jagdschein"),
    ("Fischereischein", "fischereischein"),
    ("Hundesteuer", "hundesteuer"),
    ("Hund abmelden", "hund-abmelden"),
    ("Wunschkennzeichen", "wunschkennzeichen"),
    ("Kfz abmelden", "fahrzeug-abmelden"),
    ("Führerschein umtauschen", "fuehrerschein-umtauschen"),
    ("Führerschein verloren", "fuehrerschein-ersatz"),
    ("internationaler Führerschein", "internationaler-fuehrerschein"),
    ("Bewohnerparkausweis", "bewohnerparkausweis"),
    ("Halteverbot Umzug", "halteverbot-umzug"),
    ("Wohngeld", "wohngeld"),
    ("Wohnberechtigungsschein", "wohnberechtigungsschein"),
    ("Elterngeld", "elterngeld"),
    ("Unterhaltsvorschuss", "unterhaltsvorschuss"),
    ("Bafög", "bafoeg"),
    ("Schwerbehindertenausweis", "schwerbehindertenausweis"),
    ("Kita", "kita-platz"),
    ("Tagesmutter", "kindertagespflege"),
    ("Schülerbeförderung", "schuelerbefoerderung"),
    ("Baugenehmigung", "baugenehmigung"),
    ("Abriss", "abrissgenehmigung"),
    ("Grundsteuer", "grundsteuer"),
    ("Zweitwohnungssteuer", "zweitwohnungssteuer"),
    ("Gewerbesteuer", "gewerbesteuer"),
    ("Sperrmüll", "sperrmuell-abholung"),
    ("Sperrmuell", "sperrmuell-abholung"),
    ("wilder Müll", "wilder-muell-melden"),
    ("Müll Tonne", "hausmuell"),
    ("Bestattung", "bestattung"),
    ("Aufenthaltserlaubnis", "aufenthaltserlaubnis"),
    ("Einbürgerung", "einbuergerung"),
    ("Taxi", "taxigenehmigung"),
    ("Personenbeförderungsschein", "personenbefoerderungsschein"),
]


@pytest.mark.parametrize(("query", "slug"), CITIZEN_QUERIES)
def test_a_citizens_query_finds_the_service_first(query, slug):
    assert top(query) == slug


SYNONYM_QUERIES = [
    ("Perso", "personalausweis-beantragen"),
    ("Hund anmelden", "hundesteuer"),
    ("Ummeldung", "wohnsitz-anmelden"),
    ("Umzug", "wohnsitz-anmelden"),
    ("ummelden", "wohnsitz-anmelden"),
    ("Auto anmelden", "fahrzeug-zulassen"),
    ("Kindergarten", "kita-platz"),
    ("Kindergartenplatz", "kita-platz"),
    ("heiraten", "eheschliessung-anmelden"),
    ("Gewerbeanmeldung", "gewerbe-anmelden"),
    ("Bauantrag", "baugenehmigung"),
    ("Anwohnerparkausweis", "bewohnerparkausweis"),
    ("Angelschein", "fischereischein"),
    ("Baum fällen", "baumfaellgenehmigung"),
    ("Gesundheitszeugnis", "infektionsschutz-belehrung"),
]


@pytest.mark.parametrize(("query", "slug"), SYNONYM_QUERIES)
def test_colloquial_words_find_the_official_service(query, slug):
    assert top(query) == slug


def test_a_built_in_synonym_says_how_it_matched():
    hit = search_services("Perso")[0]
    assert hit.matched == "synonym: Perso → Personalausweis"


def test_built_in_synonyms_reach_services_without_synonyms_of_their_own():
    service = Service.objects.create(
        slug="ehe-im-ausland", name_de="Im Ausland geschlossene Eheschließung nachbeurkunden"
    )
    reindex_services([service.pk])
    hits = {hit.slug: hit for hit in search_services("Hochzeit")}
    assert hits["ehe-im-ausland"].matched == "synonym: Hochzeit → Eheschließung"
    assert "ehe-im-ausland" in slugs("Trauung Ausland")


def test_a_built_in_phrase_synonym_matches_other_word_forms():
    # "Hunde anmelden" has the stems of the built-in "Hund anmelden" → Hundesteuer.
    hit = search_services("Hunde anmelden")[0]
    assert hit.slug == "hundesteuer"
    assert hit.matched == "synonym: Hunde anmelden → Hundesteuer"


def test_built_in_synonyms_find_what_the_services_do_not_say():
    hit = search_services("Müll Tonne")[0]
    assert hit.slug == "hausmuell"
    assert "synonym: Tonne → Hausmüll" in hit.matched


TYPO_QUERIES = [
    ("Persoalausweis", "personalausweis-beantragen", "Persoalausweis → personalausweis"),
    ("Hundesteur", "hundesteuer", None),  # folding already makes "steur" of "steuer"
    ("Fuhrerschien umtauschen", "fuehrerschein-umtauschen", "Fuhrerschien → führerschein"),
    ("Baugenemigung", "baugenehmigung", "Baugenemigung → baugenehmigung"),
    ("Geburtsurkunte", "geburtsurkunde-beantragen", "Geburtsurkunte → geburtsurkunde"),
    ("Einbügerung", "einbuergerung", "Einbügerung → einbürgerung"),
]


@pytest.mark.parametrize(("query", "slug", "correction"), TYPO_QUERIES)
def test_a_typo_is_corrected_to_an_indexed_word(query, slug, correction):
    hit = search_services(query)[0]
    assert hit.slug == slug
    if correction:
        assert hit.matched == f"typo: {correction}"


def test_a_word_that_matches_is_never_corrected():
    # "Reisepass" is indexed: no correction to a word one edit away.
    assert all("typo" not in hit.matched for hit in search_services("Reisepass"))


@pytest.mark.parametrize(
    "spellings",
    [
        ("Führerschein", "Fuehrerschein", "Fuhrerschein", "FÜHRERSCHEIN"),
        ("Straße Sondernutzung", "Strasse Sondernutzung"),
        ("Schülerbeförderung", "Schuelerbefoerderung", "Schulerbeforderung"),
        ("Einbürgerung", "Einbuergerung", "Einburgerung"),
    ],
)
def test_umlauts_and_sharp_s_may_be_spelled_out_or_left_off(spellings):
    results = [slugs(spelling) for spelling in spellings]
    assert results[0]
    assert all(result == results[0] for result in results)


def test_street_use_is_found_with_and_without_sharp_s():
    assert top("Straße") == top("Strasse") == "strasse-sondernutzung"


def test_inflected_words_find_the_service_by_their_stem():
    found = slugs("Anmeldungen")
    assert {"wohnsitz-anmelden", "gewerbe-anmelden", "nebenwohnsitz-anmelden"} <= set(found)


@pytest.mark.parametrize(
    ("typed", "slug"),
    [
        ("Persona", "personalausweis-beantragen"),
        ("Baugen", "baugenehmigung"),
        ("Kinderreise", "kinderreisepass-beantragen"),
        ("Führungsz", "fuehrungszeugnis-beantragen"),
        ("Gewerbe anm", "gewerbe-anmelden"),
    ],
)
def test_the_last_word_matches_as_a_prefix_while_typing(typed, slug):
    assert top(typed) == slug


# --- Ranking ------------------------------------------------------------------------------


@pytest.fixture
def two_services():
    """Two services sharing the word "Zauberstab": once in the name, once in the text."""
    in_text = Service.objects.create(
        slug="besen-anmelden",
        name_de="Besen anmelden",
        full_text_de="Auch ein Zauberstab muss angemeldet werden.",
    )
    in_name = Service.objects.create(slug="zauberstab", name_de="Zauberstab registrieren")
    reindex_services([in_text.pk, in_name.pk])
    return in_name, in_text


def test_a_match_in_the_name_ranks_above_a_match_in_the_text(two_services):
    in_name, in_text = two_services
    assert slugs("Zauberstab")[:2] == [in_name.slug, in_text.slug]
    assert search_services("Zauberstab")[0].matched == "name: Zauberstab"


def test_a_service_matching_more_of_the_query_ranks_higher(two_services):
    assert top("Besen Zauberstab") == "besen-anmelden"


def online_in(ars_slug: str, service_slug: str, **values) -> Offering:
    return Offering.objects.with_scopes_disabled().create(
        organisation=Organisation.objects.get(slug=ars_slug),
        service=Service.objects.get(slug=service_slug),
        **{"channel": Offering.Channel.ONLINE, "status": Offering.Status.LIVE, **values},
    )


def test_a_service_online_in_the_citizens_municipality_comes_first():
    assert slugs("Bewohnerparkausweis")[:2] == [
        "bewohnerparkausweis",
        "bewohnerparkausweis-verlaengern",
    ]
    online_in("buedingen", "bewohnerparkausweis-verlaengern")

    here = search_services("Bewohnerparkausweis", ars=BUEDINGEN)
    assert [h.slug for h in here[:2]] == ["bewohnerparkausweis-verlaengern", "bewohnerparkausweis"]
    assert [h.online_here for h in here[:2]] == [True, False]
    elsewhere = search_services("Bewohnerparkausweis", ars=ORTENBERG)
    assert elsewhere[0].slug == "bewohnerparkausweis" and not elsewhere[0].online_here
    assert top("Bewohnerparkausweis") == "bewohnerparkausweis"


@pytest.mark.parametrize(
    "values",
    [
        {"channel": Offering.Channel.IN_PERSON},
        {"status": Offering.Status.PLANNED},
        {"status": Offering.Status.RETIRED},
    ],
)
def test_only_a_live_or_pilot_online_offering_counts_as_online_here(values):
    online_in("buedingen", "bewohnerparkausweis-verlaengern", **values)
    hit = search_services("Bewohnerparkausweis", ars=BUEDINGEN)[0]
    assert hit.slug == "bewohnerparkausweis" and not hit.online_here


def test_online_here_does_not_lift_a_clearly_less_relevant_service():
    # Online Bewohnerparkausweis in Büdingen must not push it above the passport.
    online_in("buedingen", "bewohnerparkausweis")
    assert top("Reisepass", ars=BUEDINGEN) == "reisepass-beantragen"


@pytest.mark.parametrize("ars", ["", "0644", "abcdefghijkl", "999999999999"])
def test_an_unknown_or_malformed_ars_only_drops_the_boost(ars):
    assert top("Bewohnerparkausweis", ars=ars) == "bewohnerparkausweis"


# --- English ------------------------------------------------------------------------------


def test_english_queries_search_the_english_texts():
    hit = search_services("register address", language="en")[0]
    assert hit.slug == "wohnsitz-anmelden"
    assert hit.name == "Register your address"


def test_german_is_still_searched_in_english():
    assert top("Personalausweis", language="en") == "personalausweis-beantragen"


def test_english_texts_are_not_searched_for_german():
    assert "wohnsitz-anmelden" not in slugs("register address")


# --- Robustness ---------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "   ", "\n\t", "x" * 201, "der die das", "!!!", "–"])
def test_an_empty_stop_word_or_overlong_query_finds_nothing(query):
    assert search_services(query) == []


@pytest.mark.parametrize(
    "query",
    [
        "'",
        '"',
        "Personalausweis'",
        'Personalausweis" OR "',
        "Personalausweis*",
        "*",
        "Personalausweis:*",
        "name : Personalausweis",
        "Personalausweis & Reisepass",
        "Personalausweis | Reisepass",
        "!Personalausweis",
        "(Personalausweis",
        "Personalausweis NEAR Reisepass",
        "NEAR(Personalausweis Reisepass, 2)",
        "Personalausweis AND OR NOT",
        "{name}: Personalausweis",
        "'; DROP TABLE catalog_service; --",
        "Personalausweis'); DELETE FROM catalog_search_word; --",
        "%_%",
        "\\",
        "\x00Personalausweis",
    ],
)
def test_query_syntax_is_read_as_plain_words(query):
    search_services(query)  # no error
    search_services(query, language="en", ars=BUEDINGEN)
    assert top("Personalausweis") == "personalausweis-beantragen"
    assert Service.objects.filter(slug="personalausweis-beantragen").exists()


def test_operator_words_are_searched_like_other_words():
    assert top("Personalausweis NEAR AND OR NOT") == "personalausweis-beantragen"


def test_the_query_count_does_not_grow_with_the_query(django_assert_max_num_queries):
    online_in("buedingen", "bewohnerparkausweis")
    # vocabulary, typo candidates, ranking, offerings of the municipality
    with django_assert_max_num_queries(4):
        hits = search_services(
            "Persoalausweis Hundesteur Baugenemigung Umzug Kita Bewohnerparkausweis Perso Fuhr",
            ars=BUEDINGEN,
            language="en",
        )
    assert len(hits) == 20
    # a word known to the index is not looked up for typos
    with django_assert_max_num_queries(3):
        search_services("Reisepass", ars=BUEDINGEN)
    # words too short to be corrected need no vocabulary look-up at all
    with django_assert_max_num_queries(1):
        search_services("Kita")


def test_limit_caps_the_hits():
    assert len(search_services("beantragen", limit=3)) == 3
    assert search_services("beantragen", limit=0) == []


# --- Index maintenance --------------------------------------------------------------------


def test_reindexing_a_changed_service_finds_it_by_its_new_words():
    service = Service.objects.get(slug="jagdschein")
    service.name_de = "Jagdschein oder Falknerjagdschein beantragen"
    service.save()
    assert top("Falknerjagdschein") is None
    reindex_services([service.pk])
    assert top("Falknerjagdschein") == "jagdschein"


def test_a_deleted_service_is_not_found():
    service = Service.objects.get(slug="jagdschein")
    service.delete()
    assert "jagdschein" not in slugs("Jagdschein")
    reindex_services([service.pk])  # removes its index entry
    assert "jagdschein" not in slugs("Jagdschein")


def test_a_full_reindex_gives_the_same_answers():
    before = search_services("Hund anmelden")
    assert reindex_services() == Service.objects.count()
    assert search_services("Hund anmelden") == before


# --- Backend choice -----------------------------------------------------------------------


def test_the_backend_follows_the_database():
    expected = {"sqlite": "SQLiteBackend", "postgresql": "PostgresBackend"}[connection.vendor]
    assert type(get_backend()).__name__ == expected


def test_the_backend_can_be_chosen_by_setting(settings):
    settings.SEARCH_BACKEND = connection.vendor
    assert top("Reisepass") == "reisepass-beantragen"
    settings.SEARCH_BACKEND = "opensearch"
    with pytest.raises(ImproperlyConfigured):
        search_services("Reisepass")
