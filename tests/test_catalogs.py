"""Interface catalogs: up to date with the code, complete and never fuzzy in every language."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from dialogs.i18n import TRANSLATIONS_DIR, Catalogs
from knowledge.model import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{\w+\}")


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp, locale=locale)


def extract(config: str, target: Path, *folders: str) -> Catalog:
    """What ``make extract`` writes, freshly from the code."""
    subprocess.run(
        [
            *(sys.executable, "-m", "babel.messages.frontend", "extract", "-F", config, "-k", "N_"),
            *("--no-location", "--sort-output", "--omit-header", "-o", str(target), *folders),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return read(target)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return extract("babel.cfg", tmp_path_factory.mktemp("extract") / "messages.pot", "bot", "dialogs")


def ids(catalog: Catalog) -> set[str]:
    return {str(m.id) for m in catalog if m.id}


def test_template_is_up_to_date_with_the_code(extracted: Catalog) -> None:
    template = read(TRANSLATIONS_DIR / "messages.pot")
    missing, extra = ids(extracted) - ids(template), ids(template) - ids(extracted)
    assert (missing, extra) == (set(), set()), (
        f"run 'make update-catalogs': new {sorted(missing)}, gone {sorted(extra)}"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_language_is_complete_and_not_fuzzy(extracted: Catalog, lang: str) -> None:
    catalog = read(TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po", lang)
    assert ids(catalog) == ids(extracted), "run 'make update-catalogs' and translate the new strings"
    for message in catalog:
        if not message.id:
            continue
        assert message.string, f"{lang}: no translation for {message.id!r}"
        assert not message.fuzzy, f"{lang}: fuzzy translation for {message.id!r}"
        assert sorted(PLACEHOLDER.findall(str(message.id))) == sorted(
            PLACEHOLDER.findall(str(message.string))
        ), f"{lang}: placeholders differ in {message.id!r}"
        if lang != "en":
            assert any("machine-translated" in c or "reviewed" in c for c in message.user_comments), (
                f"{lang}: {message.id!r} says neither machine-translated nor reviewed"
            )


def test_catalogs_load_and_translate() -> None:
    catalogs = Catalogs()
    assert catalogs.translate("de", "Please choose your language.") != "Please choose your language."
    assert catalogs.translate("en", "Please choose your language.") == "Please choose your language."
    for lang in LANGUAGES:
        assert catalogs.translate(lang, "Police:").strip()


# ---------------------------------------------------------------- the web admin's catalog

PERCENT_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@pytest.fixture(scope="module")
def extracted_admin(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return extract("babel-admin.cfg", tmp_path_factory.mktemp("extract") / "admin.pot", ".")


def test_the_admin_catalog_is_up_to_date_and_german_complete(extracted_admin: Catalog) -> None:
    """The admin speaks English (the source) and German, from a catalog of its own."""
    template = read(TRANSLATIONS_DIR / "admin.pot")
    assert ids(extracted_admin) == ids(template), "run 'make update-catalogs'"
    german = read(TRANSLATIONS_DIR / "de" / "LC_MESSAGES" / "admin.po", "de")
    assert ids(german) == ids(extracted_admin)
    for message in german:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"no German for {message.id!r}"
        assert not message.fuzzy, f"fuzzy German for {message.id!r}"
        source = message.id if isinstance(message.id, tuple) else (message.id,)
        assert {p for s in source for p in PERCENT_PLACEHOLDER.findall(s)} == {
            p for s in strings for p in PERCENT_PLACEHOLDER.findall(s)
        }, f"placeholders differ in {message.id!r}"
