"""Spreadsheets for translators: one language beside the German source, out and back in.

Rows: ``id, field, de, <lang>, source_revision``; ``field`` is question, answer or
variants (one per line). A translator fills the language column; importing marks the
translation as made from the current German revision and no longer machine-translated.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from knowledge.loader import ContentSnapshot
from knowledge.model import LANGUAGES, SOURCE_LANGUAGE

FIELDS = ("question", "variants", "answer")


class SheetError(ValueError):
    pass


def _rows(snapshot: ContentSnapshot, lang: str) -> list[list[str]]:
    rows = [["id", "field", SOURCE_LANGUAGE, lang, "source_revision"]]
    for entry in sorted(snapshot.faq.values(), key=lambda e: e.id):
        source = entry.translations[SOURCE_LANGUAGE]
        target = entry.translations.get(lang)  # type: ignore[call-overload]
        for name in FIELDS:
            if name == "variants":
                de_text = "\n".join(source.variants)
                tr_text = "\n".join(target.variants) if target else ""
            else:
                de_text = getattr(source, name)
                tr_text = getattr(target, name) if target else ""
            rows.append([entry.id, name, de_text, tr_text, str(entry.source_revision)])
    return rows


def export_language(snapshot: ContentSnapshot, lang: str, target: Path) -> int:
    if lang not in LANGUAGES or lang == SOURCE_LANGUAGE:
        raise SheetError(
            f"'{lang}' is not a language to translate into; use one of {', '.join(LANGUAGES[1:])}"
        )
    rows = _rows(snapshot, lang)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = lang
        for row in rows:
            sheet.append(row)
        book.save(target)
    elif target.suffix == ".csv":
        with target.open("w", encoding="utf-8-sig", newline="") as fp:
            csv.writer(fp).writerows(rows)
    else:
        raise SheetError(f"{target}: the file name must end in .csv or .xlsx")
    return len(snapshot.faq)


def _read(sheet: Path) -> list[list[str]]:
    if sheet.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(sheet, read_only=True)
        return [["" if c is None else str(c) for c in row] for row in book.active.iter_rows(values_only=True)]
    if sheet.suffix == ".csv":
        with sheet.open(encoding="utf-8-sig", newline="") as fp:
            return list(csv.reader(fp))
    raise SheetError(f"{sheet}: the file name must end in .csv or .xlsx")


def import_language(sheet: Path, folder: Path) -> list[str]:
    """Write the sheet's translations into the FAQ files of ``folder``; returns changed ids."""
    rows = _read(sheet)
    if not rows or len(rows[0]) < 5 or rows[0][:2] != ["id", "field"]:
        raise SheetError(f"{sheet}: the first row must be: id, field, de, <language>, source_revision")
    lang = rows[0][3].strip()
    if lang not in LANGUAGES or lang == SOURCE_LANGUAGE:
        raise SheetError(f"{sheet}: '{lang}' in the header is not a language to translate into")
    updates: dict[str, dict[str, Any]] = defaultdict(dict)
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 5 or row[1] not in FIELDS:
            raise SheetError(
                f"{sheet}, row {number}: expected id, field (question/variants/answer), de, {lang}, "
                "source_revision"
            )
        entry_id, name, text, revision = row[0].strip(), row[1], row[3].strip(), row[4].strip()
        if not text:
            continue
        if not revision.isdigit():
            raise SheetError(f"{sheet}, row {number}: source_revision must be a number")
        value: Any = [v.strip() for v in text.splitlines() if v.strip()] if name == "variants" else text
        updates[entry_id][name] = value
        updates[entry_id]["source_revision"] = int(revision)
    changed: list[str] = []
    for entry_id, fields in sorted(updates.items()):
        path = folder / "faq" / f"{entry_id}.yaml"
        if not path.exists():
            raise SheetError(f"{sheet}: the entry '{entry_id}' has no file {path}")
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        current = data.setdefault("translations", {}).get(lang, {})
        merged = {**current, **fields, "machine_translated": False}
        if "question" not in merged or "answer" not in merged:
            raise SheetError(f"{sheet}: '{entry_id}' needs both a question and an answer in {lang}")
        if merged != current:
            data["translations"][lang] = merged
            path.write_text(
                yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8"
            )
            changed.append(entry_id)
    return changed


def export_folder(snapshot: ContentSnapshot, target: Path) -> int:
    count = 0
    for item in snapshot.items():
        kind = item["kind"]
        if kind in ("glossary", "synonyms"):
            path = target / f"{kind}.yaml"
        else:
            sub = {"faq": "faq", "contact": "contacts", "event": "events"}[kind]
            path = target / sub / f"{item['id']}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            yaml.safe_dump(item["body"], allow_unicode=True, sort_keys=False, width=100), encoding="utf-8"
        )
        count += 1
    return count
