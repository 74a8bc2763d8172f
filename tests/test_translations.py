"""The German catalogue is complete, consistent with the code, and compiled.

German is the product's default language and the source strings are English, so a string
without a German translation shows up as English to every user.
"""

from __future__ import annotations

import gettext
import io
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command

import amtshilfe

PACKAGE_DIR = Path(amtshilfe.__file__).resolve().parent
CATALOGUE = PACKAGE_DIR / "locale" / "de" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")

#: printf-style placeholders as Python's % operator reads them; "%%" is a literal percent.
PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.\d+)?[a-zA-Z%]")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return repr(self.msgid)


def _unquote(text: str) -> str:
    """A PO string literal's content, without quotes and with C escapes resolved."""
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """The active entries of a PO file (obsolete ``#~`` entries are left out), header first."""
    entries: list[Entry] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid") for line in lines):
            continue
        entry, key = Entry(), ""
        for line in lines:
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                _append(entry, key, _unquote(line))
            else:
                key, _, literal = line.partition(" ")
                _append(entry, key, _unquote(literal), start=True)
        entries.append(entry)
    return entries


def _append(entry: Entry, key: str, text: str, *, start: bool = False) -> None:
    if key.startswith("msgstr"):
        index = int(key[7:-1]) if key.startswith("msgstr[") else 0
        entry.msgstr[index] = ("" if start else entry.msgstr[index]) + text
    elif key in ("msgid", "msgid_plural", "msgctxt"):
        setattr(entry, key, ("" if start else getattr(entry, key) or "") + text)
    else:
        raise AssertionError(f"unknown PO keyword {key!r}")


def placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text) if m.group(0) != "%%")


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    entries = parse_po(CATALOGUE)
    assert entries and entries[0].msgid == "", "the catalogue starts with its header"
    return entries


@pytest.fixture(scope="module")
def messages(catalogue: list[Entry]) -> list[Entry]:
    return catalogue[1:]


def test_header_declares_german_and_its_two_plural_forms(catalogue):
    header = catalogue[0].msgstr[0]
    assert "Language: de\n" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header
    assert "charset=UTF-8" in header


def test_every_message_has_a_german_translation_in_every_form(messages):
    untranslated = [
        e.label
        for e in messages
        if not e.msgstr
        or any(not s.strip() for s in e.msgstr.values())
        or (e.msgid_plural is not None and sorted(e.msgstr) != [0, 1])
    ]
    assert untranslated == []


def test_no_entry_is_fuzzy(catalogue):
    assert [e.label for e in catalogue if "fuzzy" in e.flags] == []


def test_translations_keep_the_placeholders_of_the_source(messages):
    wrong = []
    for e in messages:
        sources = {0: e.msgid} if e.msgid_plural is None else {0: e.msgid, 1: e.msgid_plural}
        for index, source in sources.items():
            if placeholders(source) != placeholders(e.msgstr.get(index, "")):
                wrong.append((e.label, index, e.msgstr.get(index)))
    assert wrong == []


def test_compiled_catalogue_matches_the_po_file(messages):
    with COMPILED.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    stale = []
    for e in messages:
        if e.msgid_plural is None:
            got = {0: _lookup(compiled, e.msgctxt, e.msgid)}
        else:
            got = {
                0: _nlookup(compiled, e.msgctxt, e.msgid, e.msgid_plural, 1),
                1: _nlookup(compiled, e.msgctxt, e.msgid, e.msgid_plural, 2),
            }
        if got != e.msgstr:
            stale.append((e.label, got, e.msgstr))
    assert stale == [], "run `django-admin compilemessages` and commit the .mo file"


def _lookup(translations: gettext.GNUTranslations, context: str | None, msgid: str) -> str:
    if context is None:
        return translations.gettext(msgid)
    return translations.pgettext(context, msgid)


def _nlookup(
    translations: gettext.GNUTranslations, context: str | None, one: str, many: str, n: int
) -> str:
    if context is None:
        return translations.ngettext(one, many, n)
    return translations.npgettext(context, one, many, n)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_catalogue_contains_every_string_marked_for_translation(
    messages, tmp_path, monkeypatch, settings
):
    """A string marked in the code but missing from the catalogue would show up in English."""
    tree = tmp_path / "amtshilfe"
    shutil.copytree(
        PACKAGE_DIR, tree, ignore=shutil.ignore_patterns("static", "__pycache__", "*.mo")
    )
    monkeypatch.chdir(tree)
    settings.LOCALE_PATHS = [tree / "locale"]  # never write into the real source tree
    call_command(
        "makemessages",
        locale=["de"],
        no_location=True,
        ignore_patterns=["static/*"],
        stdout=io.StringIO(),
    )
    committed = {(e.msgctxt, e.msgid, e.msgid_plural) for e in messages}
    extracted = parse_po(tree / "locale" / "de" / "LC_MESSAGES" / "django.po")[1:]
    new = sorted(
        e.label for e in extracted if (e.msgctxt, e.msgid, e.msgid_plural) not in committed
    )
    assert new == [], "run `makemessages -l de`, translate the new strings, compilemessages"
