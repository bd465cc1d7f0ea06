"""Interface strings from Babel catalogs in ``translations/``; content has its own languages.

Catalogs are read from compiled ``.mo`` files when they are up to date, otherwise compiled
from the ``.po`` source in memory, so a checkout works before ``make`` compiled anything.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from gettext import GNUTranslations
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from knowledge.model import LANGUAGES


def _translations_dir() -> Path:
    """Beside the packages in a checkout; in the working directory of an installed image."""
    beside = Path(__file__).resolve().parent.parent / "translations"
    return beside if beside.is_dir() else Path.cwd() / "translations"


TRANSLATIONS_DIR = _translations_dir()
DOMAIN = "messages"

# Each language named in itself, in the order the language menu shows them.
LANGUAGE_NAMES: dict[str, str] = {
    "de": "Deutsch",
    "en": "English",
    "ar": "العربية",
    "uk": "Українська",
    "ru": "Русский",
    "fa": "فارسی",
    "tr": "Türkçe",
    "cs": "Čeština",
}


def load_catalog(folder: Path, lang: str, domain: str = DOMAIN) -> NullTranslations:
    """One language's catalog of ``domain`` (the web admin has its own, ``admin``)."""
    base = folder / lang / "LC_MESSAGES"
    po, mo = base / f"{domain}.po", base / f"{domain}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fp:
            return Translations(fp, domain=domain)
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=lang, domain=domain)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=domain)


class Catalogs:
    """All interface catalogs, loaded once; ``get(lang)`` gives that language's translator."""

    def __init__(self, folder: Path = TRANSLATIONS_DIR, languages: Iterable[str] = LANGUAGES) -> None:
        self._by_lang = {lang: load_catalog(folder, lang) for lang in languages}

    def by_language(self) -> dict[str, GNUTranslations]:
        return {lang: t for lang, t in self._by_lang.items() if isinstance(t, GNUTranslations)}

    def get(self, lang: str) -> NullTranslations:
        return self._by_lang.get(lang) or self._by_lang.get("en") or NullTranslations()

    def translate(self, lang: str, message: str) -> str:
        return self.get(lang).gettext(message)


def N_(message: str) -> str:
    """Mark a string for extraction where it is translated later."""
    return message
