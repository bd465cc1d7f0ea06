"""Content as files: a whole folder, or one language beside German for translators.

Language sheets (.csv or .xlsx) have the columns
``id, field, de, <lang>, source_revision, status``; ``field`` is question, variants (one per
line) or answer, ``source_revision`` is the German revision the row shows and ``status``
the translation's state when it was exported: reviewed, machine-translated, outdated (made
from an older German text) or not translated. A translator fills the language column.

Importing the sheet writes into the FAQ files only the translations a translator worked
on: those whose text changed, and those whose status the translator set to "reviewed"
(a review without a change). They are recorded as made from the sheet's German revision
and lose their machine-translation notice; every other translation stays as it is, so
returning a whole sheet after editing two cells changes two entries. Sheets without the
status column (exported before it existed) work the same way, by changed text alone.
An emptied question or answer cell is a problem, never a silent "keep the old text".

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

from knowledge.loader import INTERESTS, ContentSnapshot, _plain_message
from knowledge.model import LANGUAGES, RTL_LANGUAGES, SOURCE_LANGUAGE, FaqEntry
from knowledge.reports import FOLDERS, translation_of
from knowledge.yaml_text import FastSafeLoader, load_yaml

FIELDS = ("question", "variants", "answer")
REQUIRED = ("question", "answer")
HEADER = ("id", "field", SOURCE_LANGUAGE, "<language>", "source_revision", "status")
# A translation's state as the status column shows it.
REVIEWED = "reviewed"
MACHINE_TRANSLATED = "machine-translated"
OUTDATED = "outdated"
NOT_TRANSLATED = "not translated"
STATUSES = (REVIEWED, MACHINE_TRANSLATED, OUTDATED, NOT_TRANSLATED)
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
    # Of those, the ones that were machine-translated and are now marked reviewed.
    reviewed: tuple[str, ...] = ()
    # Of those, the ones whose text stayed the same: the status column confirmed a review.
    confirmed: tuple[str, ...] = ()


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


def status_of(entry: FaqEntry, lang: str) -> str:
    """The translation's state as the status column shows it."""
    target = translation_of(entry, lang)
    if target is None:
        return NOT_TRANSLATED
    if entry.is_stale(lang):
        return OUTDATED
    return MACHINE_TRANSLATED if target.machine_translated else REVIEWED


def _rows(snapshot: ContentSnapshot, lang: str) -> list[list[str | int]]:
    rows: list[list[str | int]] = [["id", "field", SOURCE_LANGUAGE, lang, "source_revision", "status"]]
    for entry in sorted(snapshot.faq.values(), key=lambda e: e.id):
        source = translation_of(entry, SOURCE_LANGUAGE)
        target = translation_of(entry, lang)
        assert source is not None  # the model requires the German version
        status = status_of(entry, lang)
        for name in FIELDS:
            if name == "variants":
                de_text = "\n".join(source.variants)
                tr_text = "\n".join(target.variants) if target else ""
            else:
                de_text = getattr(source, name)
                tr_text = getattr(target, name) if target else ""
            rows.append([entry.id, name, de_text, tr_text, entry.source_revision, status])
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
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = lang
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEF", (30, 10, 60, 60, 16, 20), strict=True):
        sheet.column_dimensions[column].width = width
    # The status column offers its values as a list, so a typo cannot slip in.
    choices = DataValidation(type="list", formula1=f'"{",".join(STATUSES)}"', allow_blank=True)
    choices.error = f"Choose one of: {', '.join(STATUSES)}"
    choices.showErrorMessage = True
    sheet.add_data_validation(choices)
    choices.add(f"F2:F{max(len(rows), 2)}")
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
        if kind == INTERESTS:  # the interest check's three files, as editors keep them
            for name, body in item["body"].items():
                path = target / INTERESTS / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(dump_yaml(body), encoding="utf-8")
                count += 1
            continue
        # FAQ entries, contacts, events, offers and phrasings one per file; glossary.yaml,
        # synonyms.yaml and towns.yaml
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


@dataclass
class _Sheet:
    lang: str
    # The filled-in translations per entry id.
    updates: dict[str, _Update]
    # Emptied question or answer cells: entry id → field → sheet row number.
    empty: dict[str, dict[str, int]]
    # Entries whose status column says "reviewed": entry id → the first such row.
    reviewed: dict[str, int]


def _revision(text: str) -> int | None:
    """A whole number ≥ 1 ("2", or "2.0" as spreadsheet programs sometimes write it), else None."""
    try:
        number = float(text.strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() and number >= 1 else None


def _status(text: str) -> str | None:
    """The status cell as one of ``STATUSES`` ("" when empty), or None when unknown.
    Capitals, spaces, dashes and underscores may differ ("Machine translated")."""
    words = " ".join(text.replace("-", " ").replace("_", " ").lower().split())
    if not words:
        return ""
    return next((status for status in STATUSES if status.replace("-", " ") == words), None)


def _parse(sheet: Path, rows: list[list[str]], problems: list[str]) -> _Sheet:
    """The sheet's language, its filled-in translations, emptied required cells and
    confirmed reviews per entry id; row problems are added to ``problems``, a wrong first
    row raises at once."""
    header = [c.strip().lower() for c in rows[0]] if rows else []
    lang = header[3] if len(header) >= 5 else ""
    if len(header) < 5 or header[:3] != ["id", "field", SOURCE_LANGUAGE] or header[4] != "source_revision":
        raise SheetError(
            f"{sheet}: the first row must be: {', '.join(HEADER)} "
            f"(it is: {', '.join(c for c in header if c) or 'empty'})"
        )
    if lang not in LANGUAGES or lang == SOURCE_LANGUAGE:
        raise SheetError(
            f"{sheet}: '{rows[0][3].strip()}' in the first row is not a language to translate into; "
            f"use one of {', '.join(LANGUAGES[1:])}"
        )
    # Sheets exported before the status column existed have five columns.
    has_status = len(header) >= 6 and header[5] == "status"
    parsed = _Sheet(lang, {}, {}, {})
    for number, raw in enumerate(rows[1:], start=2):
        row = [*raw, "", "", "", "", "", ""][:6]
        if not has_status:
            row[5] = ""
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
        status = _status(row[5])
        if status is None:
            problems.append(
                f"{where}: the status column says '{row[5].strip()}'; write {REVIEWED} when you have "
                f"checked the translation, or leave what the export wrote "
                f"({MACHINE_TRANSLATED}, {OUTDATED} or {NOT_TRANSLATED})"
            )
            continue
        if status == REVIEWED:
            parsed.reviewed.setdefault(entry_id, number)
        if not text:
            if name in REQUIRED:
                parsed.empty.setdefault(entry_id, {}).setdefault(name, number)
            continue  # not translated (yet), or no variants: the file keeps what it has
        revision = _revision(row[4])
        if revision is None:
            problems.append(
                f"{where}: source_revision should be the German revision as a whole number such as 1, "
                f"not '{row[4].strip()}'"
            )
            continue
        update = parsed.updates.setdefault(entry_id, _Update({}, {}, revision, number))
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
    return parsed


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
        root = yaml.compose(text, Loader=FastSafeLoader)
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
    return load_yaml(text)


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


def _as_in_sheet(translation: Mapping[str, Any], name: str) -> Any:
    """A field of the file's translation the way the sheet's cell reads after cleaning."""
    value = translation.get(name)
    if name == "variants":
        return [str(v).strip() for v in value or () if str(v).strip()]
    return _clean(str(value)) if value is not None else ""


def import_language(sheet: Path, folder: Path) -> SheetImport:
    """Write the sheet's translations into the FAQ files of ``folder``, all or nothing.

    Only translations whose text changed, or whose status a translator set to "reviewed",
    are written (and lose their machine-translation notice); the others stay as they are.
    """
    problems: list[str] = []
    parsed = _parse(sheet, _read(sheet), problems)
    lang = parsed.lang
    writes: dict[Path, str] = {}
    changed: list[str] = []
    outdated: list[str] = []
    reviewed: list[str] = []
    confirmed: list[str] = []
    for entry_id in sorted({*parsed.updates, *parsed.empty, *parsed.reviewed}):
        update = parsed.updates.get(entry_id)
        empty = parsed.empty.get(entry_id, {})
        # The row a problem of the whole entry names: its first filled-in row, else the first
        # emptied or reviewed one.
        marked = [parsed.reviewed[entry_id]] if entry_id in parsed.reviewed else []
        first_row = update.revision_row if update else min([*empty.values(), *marked])
        path = folder / "faq" / f"{entry_id}.yaml"
        if not path.is_file():
            if update is not None:
                problems.append(
                    f"{sheet}, row {first_row}: there is no FAQ entry '{entry_id}' "
                    f"(no file faq/{entry_id}.yaml)"
                )
            continue  # rows left empty for an entry that is gone: nothing to write
        text = path.read_text(encoding="utf-8")
        loaded = _entry_data(text)
        if loaded is None:
            problems.append(
                f"faq/{entry_id}.yaml cannot be read (run 'wegweiser kb validate' to see why), "
                f"so row {first_row} of {sheet} cannot be applied"
            )
            continue
        data, translations, current_revision = loaded
        current = translations.get(lang)
        current = dict(current) if isinstance(current, dict) else {}
        emptied = [
            (row, name) for name, row in sorted(empty.items(), key=lambda e: e[1]) if current.get(name)
        ]
        for row, name in emptied:
            problems.append(
                f"{sheet}, row {row}: the {name} in column {lang} is empty, but the {name} is required; "
                f"write it, or delete the whole row to keep the {lang} {name} the file has"
            )
        if emptied:
            continue
        if update is None:
            if entry_id in parsed.reviewed and not current:
                problems.append(
                    f"{sheet}, row {parsed.reviewed[entry_id]}: the status says {REVIEWED}, but there "
                    f"is no {lang} text of '{entry_id}' to review; write the translation first"
                )
            continue  # left untranslated: the file keeps what it has
        where = f"{sheet}, row {update.revision_row}"
        if update.revision > current_revision:
            problems.append(
                f"{where}: source_revision {update.revision} is newer than the German text of "
                f"'{entry_id}' (revision {current_revision})"
            )
            continue
        filled = {name: update.fields[name] for name in FIELDS if name in update.fields}
        text_changed = any(value != _as_in_sheet(current, name) for name, value in filled.items())
        if not text_changed and entry_id not in parsed.reviewed:
            continue  # returned as exported: no review to record, the file keeps what it has
        merged = {"source_revision": 0, "machine_translated": False, **current, **filled}
        revision = update.revision
        if not text_changed:
            # A confirmed review never makes the translation older than the file says.
            revision = max(revision, int(current.get("source_revision") or 0))
        merged["source_revision"], merged["machine_translated"] = revision, False
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
        if revision < current_revision:
            outdated.append(entry_id)
        if current.get("machine_translated"):
            reviewed.append(entry_id)
        if not text_changed:
            confirmed.append(entry_id)
    if problems:
        raise SheetError(*problems)
    for path, new_text in writes.items():
        path.write_text(new_text, encoding="utf-8")
    return SheetImport(lang, tuple(changed), tuple(outdated), tuple(reviewed), tuple(confirmed))


# ---------------------------------------------------------------- the German revision an import counted


def _with_revision(text: str, revision: int) -> str | None:
    """``text`` with only the number after ``translations: de: revision:`` replaced, or
    None when the file's layout is unusual."""
    try:
        root = yaml.compose(text, Loader=FastSafeLoader)
    except yaml.YAMLError:
        return None
    node: yaml.Node | None = root
    for name in ("translations", SOURCE_LANGUAGE, "revision"):
        if not isinstance(node, yaml.MappingNode):
            return None
        node = next((v for k, v in node.value if k.value == name), None)
    if not isinstance(node, yaml.ScalarNode) or node.style:
        return None  # absent, or a quoted number (plain is None or "", by parser)
    return text[: node.start_mark.index] + str(revision) + text[node.end_mark.index :]


def set_german_revision(path: Path, revision: int) -> None:
    """Write the German revision an import counted into a FAQ file, so the folder says
    what is served; only that number changes, the rest of the file stays as written.
    Raises ``OSError`` when the file cannot be read or written."""
    text = path.read_text(encoding="utf-8")
    loaded = _entry_data(text)
    if loaded is None or loaded[2] == revision:
        return
    data = loaded[0]
    data["translations"][SOURCE_LANGUAGE]["revision"] = revision
    new_text = _with_revision(text, revision)
    if new_text is None or _load(new_text) != data:
        new_text = dump_yaml(data)  # an unusual layout: write the whole file anew
    path.write_text(new_text, encoding="utf-8")
