"""Content as files: a whole folder, or one language beside German for translators.

Language sheets (.csv or .xlsx) have the columns ``id, field, de, <lang>, source_revision``;
``field`` is question, variants (one per line) or answer, and ``source_revision`` is the
German revision the row shows. A translator fills the language column; importing the sheet
writes the translations into the FAQ files, records that they were made from that German
revision and marks them as no longer machine-translated.

Importing a sheet is all or nothing: every row is checked before any file is written, and
only the language's block in each file is rewritten, so the rest of the file (comments,
layout) stays as the editors wrote it.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge.loader import ContentSnapshot, _plain_message
from knowledge.model import LANGUAGES, RTL_LANGUAGES, SOURCE_LANGUAGE, FaqEntry
from knowledge.reports import FOLDERS, translation_of

FIELDS = ("question", "variants", "answer")
# libyaml when installed: the pure-Python parser takes seconds for a whole sheet.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,47}")  # as knowledge.model.Slug: never a path
SUFFIXES = (".csv", ".xlsx")


class SheetError(ValueError):
    """A sheet (or an export target) cannot be used; each problem is a plain sentence."""

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class SheetImport:
    language: str
    # Entries whose files were rewritten.
    changed: tuple[str, ...]
    # Of those, the ones translated from an older German revision than the file now has.
    outdated: tuple[str, ...]


# ---------------------------------------------------------------- YAML the way editors write it


class _Dumper(yaml.SafeDumper):
    """Multi-line text as ``|`` blocks and indented lists, like the shipped files."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


class _Quoted(str):
    """A one-line text to write in double quotes, as the shipped translations have them."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else ('"' if isinstance(value, _Quoted) else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style=style)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Quoted, _represent_str)


def _quoted(value: Any) -> Any:
    if isinstance(value, str):
        return _Quoted(value)
    if isinstance(value, list | tuple):
        return [_quoted(v) for v in value]
    return value


def dump_yaml(data: Any) -> str:
    """YAML the way editors write it: ``|`` blocks, indented lists, no wrapped lines."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)


# ---------------------------------------------------------------- export


def _check_target(target: Path) -> None:
    if target.suffix.lower() not in SUFFIXES:
        raise SheetError(f"{target}: the file name must end in .csv or .xlsx")


def _rows(snapshot: ContentSnapshot, lang: str) -> list[list[str | int]]:
    rows: list[list[str | int]] = [["id", "field", SOURCE_LANGUAGE, lang, "source_revision"]]
    for entry in sorted(snapshot.faq.values(), key=lambda e: e.id):
        source = translation_of(entry, SOURCE_LANGUAGE)
        target = translation_of(entry, lang)
        assert source is not None  # the model requires the German version
        for name in FIELDS:
            if name == "variants":
                de_text = "\n".join(source.variants)
                tr_text = "\n".join(target.variants) if target else ""
            else:
                de_text = getattr(source, name)
                tr_text = getattr(target, name) if target else ""
            rows.append([entry.id, name, de_text, tr_text, entry.source_revision])
    return rows


def export_language(snapshot: ContentSnapshot, lang: str, target: Path) -> int:
    """Write the FAQ in ``lang`` beside German to a .csv or .xlsx file; returns the entry count."""
    if lang not in LANGUAGES or lang == SOURCE_LANGUAGE:
        raise SheetError(
            f"'{lang}' is not a language to translate into; use one of {', '.join(LANGUAGES[1:])}"
        )
    _check_target(target)
    rows = _rows(snapshot, lang)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix.lower() == ".xlsx":
        _write_xlsx(rows, lang, target)
    else:
        # UTF-8 with a byte order mark, so spreadsheet programs pick the right encoding.
        with target.open("w", encoding="utf-8-sig", newline="") as fp:
            csv.writer(fp).writerows(rows)
    return len(snapshot.faq)


def _write_xlsx(rows: list[list[str | int]], lang: str, target: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = lang
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDE", (30, 10, 60, 60, 16), strict=True):
        sheet.column_dimensions[column].width = width
    top = Alignment(vertical="top", wrap_text=True)
    translated = Alignment(vertical="top", wrap_text=True, readingOrder=2 if lang in RTL_LANGUAGES else 0)
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = translated if cell.column == 4 else top
            if cell.data_type == "f":  # a text starting with '=' stays text, not a formula
                cell.data_type = "s"
    book.save(target)


def export_folder(snapshot: ContentSnapshot, target: Path) -> int:
    """Write every item as a file in the layout ``load_content`` reads; returns the file count.

    The target must be new or empty, so no old file can be mixed into the export.
    """
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise SheetError(
            f"{target} already exists and is not an empty folder; "
            "export into a new or empty folder, so no old file is mixed in"
        )
    count = 0
    for item in snapshot.items():
        kind = item["kind"]
        # FAQ entries, contacts, events and phrasings one per file; glossary.yaml and synonyms.yaml
        sub = FOLDERS.get(kind)
        path = target / sub / f"{item['id']}.yaml" if sub else target / f"{kind}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_yaml(_as_edited(item["body"])), encoding="utf-8")
        count += 1
    return count


# Revision keys first in each translation, as editors write them.
_FIRST = ("revision", "source_revision", "machine_translated")


def _ordered(translation: Mapping[str, Any]) -> dict[str, Any]:
    first = {k: translation[k] for k in _FIRST if k in translation}
    return first | {k: v for k, v in translation.items() if k not in _FIRST}


def _as_edited(body: Mapping[str, Any]) -> dict[str, Any]:
    """An item's stored data in the shape of the shipped files: dates without quotes and
    each translation starting with its revision."""
    shaped = dict(body)
    for key in ("checked_on", "review_by"):
        if isinstance(shaped.get(key), str):
            with contextlib.suppress(ValueError):
                shaped[key] = dt.date.fromisoformat(shaped[key])
    if shaped.get("all_day") is True:
        # An event without a time is written as the date alone, as editors write it.
        for key in ("starts_at", "ends_at"):
            value = shaped.get(key)
            if isinstance(value, str) and value[10:19] == "T00:00:00":
                shaped[key] = dt.date.fromisoformat(value[:10])
        del shaped["all_day"]
    translations = shaped.get("translations")
    if isinstance(translations, Mapping):
        shaped["translations"] = {
            lang: _ordered(tr) if isinstance(tr, Mapping) else tr for lang, tr in translations.items()
        }
    return shaped


# ---------------------------------------------------------------- import


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # spreadsheet programs turn 1 into 1.0
    return str(value)


def _read(sheet: Path) -> list[list[str]]:
    suffix = sheet.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            book = load_workbook(sheet, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError) as exc:
            raise SheetError(f"{sheet}: the file cannot be opened as an Excel workbook ({exc})") from exc
        try:
            return [[_cell(c) for c in row] for row in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    if suffix == ".csv":
        try:
            text = sheet.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SheetError(f"{sheet}: the file is not UTF-8; save it as 'CSV UTF-8'") from exc
        first = text.partition("\n")[0]
        # Spreadsheet programs in German settings separate columns with ';'.
        delimiter = max(",;\t", key=first.count)
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    raise SheetError(f"{sheet}: the file name must end in .csv or .xlsx")


def _clean(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


@dataclass
class _Update:
    rows: dict[str, int]  # field → sheet row number
    fields: dict[str, Any]
    revision: int
    revision_row: int


def _revision(text: str) -> int | None:
    """A whole number ≥ 1 ("2", or "2.0" as spreadsheet programs sometimes write it), else None."""
    try:
        number = float(text.strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() and number >= 1 else None


def _parse(sheet: Path, rows: list[list[str]], problems: list[str]) -> tuple[str, dict[str, _Update]]:
    """The sheet's language and its filled-in translations per entry id; row problems are
    added to ``problems``, a wrong first row raises at once."""
    header = [c.strip().lower() for c in rows[0]] if rows else []
    lang = header[3] if len(header) >= 5 else ""
    if len(header) < 5 or header[:3] != ["id", "field", SOURCE_LANGUAGE] or header[4] != "source_revision":
        raise SheetError(
            f"{sheet}: the first row must be: id, field, de, <language>, source_revision "
            f"(it is: {', '.join(c for c in header if c) or 'empty'})"
        )
    if lang not in LANGUAGES or lang == SOURCE_LANGUAGE:
        raise SheetError(
            f"{sheet}: '{rows[0][3].strip()}' in the first row is not a language to translate into; "
            f"use one of {', '.join(LANGUAGES[1:])}"
        )
    updates: dict[str, _Update] = {}
    for number, raw in enumerate(rows[1:], start=2):
        row = [*raw, "", "", "", "", ""][:5]
        if not any(cell.strip() for cell in row):
            continue
        where = f"{sheet}, row {number}"
        entry_id, name, text = row[0].strip(), row[1].strip().lower(), _clean(row[3])
        if not _ID.fullmatch(entry_id):
            problems.append(
                f"{where}: '{entry_id}' in the id column is not an entry id"
                if entry_id
                else f"{where}: the id column is empty"
            )
            continue
        if name not in FIELDS:
            problems.append(
                f"{where}: the field column says '{row[1].strip()}'; use question, variants or answer"
            )
            continue
        if not text:
            continue  # not translated (yet): the file keeps what it has
        revision = _revision(row[4])
        if revision is None:
            problems.append(
                f"{where}: source_revision should be the German revision as a whole number such as 1, "
                f"not '{row[4].strip()}'"
            )
            continue
        update = updates.setdefault(entry_id, _Update({}, {}, revision, number))
        if name in update.rows:
            problems.append(
                f"{where}: '{entry_id}' has a second {name} row (the first is row {update.rows[name]})"
            )
            continue
        if revision != update.revision:
            problems.append(
                f"{where}: source_revision {revision} differs from {update.revision} in row "
                f"{update.revision_row} of the same entry"
            )
            continue
        update.rows[name] = number
        update.fields[name] = (
            [v.strip() for v in text.split("\n") if v.strip()] if name == "variants" else text
        )
    return lang, updates


def _translation_errors(data: Mapping[str, Any], lang: str, update: _Update, where: str) -> list[str]:
    """Problems the new translation would have (answer too long, …), by sheet row."""
    try:
        FaqEntry.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = error["loc"]
            if loc[:2] != ("translations", lang):
                continue  # a problem of the file itself; 'wegweiser kb validate' names it
            name = str(loc[2]) if len(loc) > 2 else ""
            row = update.rows.get(name, update.revision_row)
            problems.append(f"{where}, row {row}: {_plain_message(error)}")
        return problems
    return []


def _replace_block(text: str, lang: str, translation: Mapping[str, Any]) -> str | None:
    """``text`` with only the ``translations: <lang>:`` block replaced (or added), or None
    when the file's layout is unusual (then the caller writes the whole file)."""
    if not text.endswith("\n"):
        text += "\n"
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None
    if not isinstance(root, yaml.MappingNode):
        return None
    node = next((v for k, v in root.value if k.value == "translations"), None)
    if not isinstance(node, yaml.MappingNode) or node.flow_style or not node.value:
        return None
    lines = text.splitlines(keepends=True)

    def end_of(value: yaml.Node) -> int:
        # A block ends on the line where the next key starts; blank lines and comments
        # in front of that key belong to it, not to the block.
        end = min(value.end_mark.line, len(lines))
        while end > 0 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
            end -= 1
        return end

    indent = node.value[0][0].start_mark.column
    texts = {name: _quoted(value) for name, value in translation.items()}
    block = dump_yaml({lang: texts}).splitlines(keepends=True)
    new = [" " * indent + line if line.strip() else line for line in block]
    for key, value in node.value:
        if key.value == lang:
            if not isinstance(value, yaml.MappingNode) or value.flow_style:
                return None
            return "".join(lines[: key.start_mark.line] + new + lines[end_of(value) :])
    end = end_of(node.value[-1][1])
    return "".join(lines[:end] + new + lines[end:])


def _load(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)  # a SafeLoader: builds plain data only


def _entry_data(text: str) -> tuple[dict[str, Any], dict[str, Any], int] | None:
    """A FAQ file's data, its translations and the German revision; None when unreadable."""
    try:
        data = _load(text)
    except yaml.YAMLError:
        return None
    translations = data.get("translations") if isinstance(data, dict) else None
    german = translations.get(SOURCE_LANGUAGE) if isinstance(translations, dict) else None
    revision = german.get("revision") if isinstance(german, dict) else None
    if not isinstance(data, dict) or not isinstance(translations, dict) or not isinstance(revision, int):
        return None
    return data, translations, revision


def import_language(sheet: Path, folder: Path) -> SheetImport:
    """Write the sheet's translations into the FAQ files of ``folder``, all or nothing."""
    problems: list[str] = []
    lang, updates = _parse(sheet, _read(sheet), problems)
    writes: dict[Path, str] = {}
    changed: list[str] = []
    outdated: list[str] = []
    for entry_id, update in sorted(updates.items()):
        where = f"{sheet}, row {update.revision_row}"
        path = folder / "faq" / f"{entry_id}.yaml"
        if not path.is_file():
            problems.append(f"{where}: there is no FAQ entry '{entry_id}' (no file faq/{entry_id}.yaml)")
            continue
        text = path.read_text(encoding="utf-8")
        loaded = _entry_data(text)
        if loaded is None:
            problems.append(
                f"faq/{entry_id}.yaml cannot be read (run 'wegweiser kb validate' to see why), "
                f"so row {update.revision_row} of {sheet} cannot be applied"
            )
            continue
        data, translations, current_revision = loaded
        if update.revision > current_revision:
            problems.append(
                f"{where}: source_revision {update.revision} is newer than the German text of "
                f"'{entry_id}' (revision {current_revision})"
            )
            continue
        current = translations.get(lang)
        current = dict(current) if isinstance(current, dict) else {}
        filled = {name: update.fields[name] for name in FIELDS if name in update.fields}
        merged = {"source_revision": 0, "machine_translated": False, **current, **filled}
        merged["source_revision"], merged["machine_translated"] = update.revision, False
        if "question" not in merged or "answer" not in merged:
            problems.append(f"{where}: '{entry_id}' needs both a question and an answer in {lang}")
            continue
        new_data = {**data, "translations": {**translations, lang: merged}}
        errors = _translation_errors(new_data, lang, update, str(sheet))
        if errors:
            problems += errors
            continue
        if merged == current:
            continue
        new_text = _replace_block(text, lang, merged)
        if new_text is None or _load(new_text) != new_data:
            new_text = dump_yaml(new_data)  # an unusual layout: write the whole file anew
        writes[path] = new_text
        changed.append(entry_id)
        if update.revision < current_revision:
            outdated.append(entry_id)
    if problems:
        raise SheetError(*problems)
    for path, new_text in writes.items():
        path.write_text(new_text, encoding="utf-8")
    return SheetImport(lang, tuple(changed), tuple(outdated))
