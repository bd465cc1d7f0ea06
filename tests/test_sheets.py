"""Content as files: folder export round trip and translators' language sheets."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from bot.config import SHIPPED_CONTENT_DIR
from knowledge.loader import ContentSnapshot, load_content
from knowledge.model import MAX_ANSWER_CHARS
from knowledge.reports import translation_of
from knowledge.sheets import (
    SheetError,
    export_folder,
    export_language,
    import_language,
    set_german_revision,
)

Rows = list[list[Any]]
ENTRY = "berufsschule"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT_DIR, target)
    return target


def files(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.yaml"))}


def items(snapshot: ContentSnapshot) -> list[dict[str, Any]]:
    return sorted(snapshot.items(), key=lambda item: (item["kind"], item["id"]))


def read_rows(sheet: Path) -> Rows:
    if sheet.suffix == ".xlsx":
        book = load_workbook(sheet)
        try:
            return [["" if c is None else c for c in row] for row in book.active.iter_rows(values_only=True)]
        finally:
            book.close()
    with sheet.open(encoding="utf-8-sig", newline="") as fp:
        return list(csv.reader(fp))


def write_rows(sheet: Path, rows: Rows, delimiter: str = ",") -> None:
    if sheet.suffix == ".xlsx":
        book = Workbook()
        for row in rows:
            book.active.append(row)
        book.save(sheet)
        return
    with sheet.open("w", encoding="utf-8-sig", newline="") as fp:
        csv.writer(fp, delimiter=delimiter).writerows(rows)


def cell(rows: Rows, entry_id: str, field: str) -> list[Any]:
    return next(row for row in rows if row[0] == entry_id and row[1] == field)


def entry_data(folder: Path, entry_id: str = ENTRY) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((folder / "faq" / f"{entry_id}.yaml").read_text(encoding="utf-8"))
    return data


def edit_yaml(path: Path, change: Callable[[dict[str, Any]], object]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


# ---------------------------------------------------------------- folder export


def test_folder_export_round_trips(shipped: ContentSnapshot, tmp_path: Path) -> None:
    target = tmp_path / "export"
    count = export_folder(shipped, target)
    files = len(shipped.faq) + len(shipped.contacts) + len(shipped.events) + len(shipped.phrasings)
    assert count == files + 2 + 3 + 1  # glossary.yaml, synonyms.yaml, the interest check's three, towns.yaml
    again = load_content(target)
    assert items(again) == items(shipped)
    # Written the way editors write: unquoted dates, revision first, answers as blocks.
    text = (target / "faq" / f"{ENTRY}.yaml").read_text(encoding="utf-8")
    assert "\nchecked_on: 20" in text
    assert "\n  de:\n    revision: 1\n" in text
    assert "    answer: |-\n" in text
    # An event without a time is written as its date alone, as editors write it.
    day = next(e for e in shipped.events if e.all_day)
    event_text = (target / "events" / f"{day.id}.yaml").read_text(encoding="utf-8")
    assert f"\nstarts_at: {day.starts_at.date().isoformat()}\n" in event_text
    assert "all_day" not in event_text


def test_folder_export_refuses_a_folder_with_files(shipped: ContentSnapshot, tmp_path: Path) -> None:
    target = tmp_path / "export"
    target.mkdir()
    (target / "old.yaml").write_text("id: old\n", encoding="utf-8")
    with pytest.raises(SheetError, match="not an empty folder"):
        export_folder(shipped, target)
    assert [p.name for p in target.iterdir()] == ["old.yaml"]


# ---------------------------------------------------------------- language sheets out


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_language_sheet_has_id_field_german_language_and_revision(
    shipped: ContentSnapshot, tmp_path: Path, suffix: str
) -> None:
    sheet = tmp_path / f"uk{suffix}"
    assert export_language(shipped, "uk", sheet) == len(shipped.faq)
    rows = read_rows(sheet)
    assert rows[0] == ["id", "field", "de", "uk", "source_revision", "status"]
    assert len(rows) == 1 + 3 * len(shipped.faq)
    entry = shipped.faq[ENTRY]
    de, uk = entry.translations["de"], entry.translations["uk"]
    assert cell(rows, ENTRY, "question")[2:4] == [de.question, uk.question]
    assert cell(rows, ENTRY, "variants")[2:4] == ["\n".join(de.variants), "\n".join(uk.variants)]
    assert cell(rows, ENTRY, "answer")[2:4] == [de.answer, uk.answer]
    assert str(cell(rows, ENTRY, "answer")[4]) == str(entry.source_revision)
    assert uk.machine_translated
    assert {cell(rows, ENTRY, name)[5] for name in ("question", "variants", "answer")} == {
        "machine-translated"
    }


@pytest.mark.parametrize(
    ("lang", "target", "words"),
    [
        ("de", "de.csv", "'de' is not a language to translate into"),
        ("xx", "xx.csv", "'xx' is not a language to translate into"),
        ("uk", "uk.txt", "must end in .csv or .xlsx"),
    ],
)
def test_language_sheet_export_refuses_what_it_cannot_write(
    shipped: ContentSnapshot, tmp_path: Path, lang: str, target: str, words: str
) -> None:
    with pytest.raises(SheetError, match=words):
        export_language(shipped, lang, tmp_path / target)
    assert not (tmp_path / target).exists()


# ---------------------------------------------------------------- language sheets back in


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_import_writes_the_translation_and_marks_it_reviewed(
    folder: Path, tmp_path: Path, suffix: str
) -> None:
    before = files(folder)
    sheet = tmp_path / f"uk{suffix}"
    export_language(load_content(folder), "uk", sheet)
    rows = read_rows(sheet)
    cell(rows, ENTRY, "question")[3] = "Що таке Berufsschule і як часто туди ходити?"
    cell(rows, ENTRY, "variants")[3] = "берufsschule що це\n\n  скільки днів на тиждень  \n"
    cell(rows, ENTRY, "answer")[3] = "Перший рядок.\r\nДругий рядок."
    write_rows(sheet, rows)

    result = import_language(sheet, folder)

    assert result.language == "uk"
    assert result.outdated == ()
    # Only the entry whose texts changed; the untouched rows were not reviewed.
    assert result.changed == (ENTRY,)
    assert result.reviewed == (ENTRY,)
    assert result.confirmed == ()
    uk = entry_data(folder)["translations"]["uk"]
    assert uk == {
        "source_revision": 1,
        "machine_translated": False,
        "question": "Що таке Berufsschule і як часто туди ходити?",
        "variants": ["берufsschule що це", "скільки днів на тиждень"],
        "answer": "Перший рядок.\nДругий рядок.",
    }
    after = load_content(folder)  # still valid
    assert after.faq[ENTRY].translations["uk"].answer == "Перший рядок.\nДругий рядок."
    # Only the Ukrainian block of each file changed; every other line stayed as it was.
    for name, text in files(folder).items():
        old = before[name]
        if old == text:
            continue
        assert name.startswith("faq/"), name
        old_lines, new_lines = old.splitlines(), text.splitlines()
        start = old_lines.index("  uk:")
        assert new_lines[: start + 1] == old_lines[: start + 1]
        rest = old_lines[start + 1 :]
        # The block ends at the next key indented by two spaces or less.
        end = start + 1 + next(i for i, line in enumerate(rest) if line[:3].strip())
        assert new_lines[len(new_lines) - (len(old_lines) - end) :] == old_lines[end:]


def test_import_adds_a_missing_language_at_the_end_of_the_translations(folder: Path, tmp_path: Path) -> None:
    edit_yaml(folder / "faq" / f"{ENTRY}.yaml", lambda d: d["translations"].pop("tr"))
    sheet = tmp_path / "tr.csv"
    export_language(load_content(folder), "tr", sheet)
    rows = read_rows(sheet)
    assert cell(rows, ENTRY, "question")[3] == ""
    cell(rows, ENTRY, "question")[3] = "Berufsschule nedir?"
    cell(rows, ENTRY, "answer")[3] = "Meslek okulu."
    write_rows(sheet, [rows[0], *(row for row in rows[1:] if row[0] == ENTRY)])

    result = import_language(sheet, folder)

    assert result.changed == (ENTRY,)
    translations = entry_data(folder)["translations"]
    assert list(translations)[-1] == "tr"
    assert translations["tr"] == {
        "source_revision": 1,
        "machine_translated": False,
        "question": "Berufsschule nedir?",
        "answer": "Meslek okulu.",
    }
    assert "tr" in load_content(folder).faq[ENTRY].translations


def test_import_makes_a_stale_translation_current(folder: Path, tmp_path: Path) -> None:
    edit_yaml(folder / "faq" / f"{ENTRY}.yaml", lambda d: d["translations"]["de"].update(revision=2))
    assert load_content(folder).faq[ENTRY].is_stale("en")
    sheet = tmp_path / "en.xlsx"
    export_language(load_content(folder), "en", sheet)
    rows = read_rows(sheet)
    assert str(cell(rows, ENTRY, "question")[4]) == "2"
    assert cell(rows, ENTRY, "question")[5] == "outdated"
    # The translator checked the English text against the new German and found it right.
    cell(rows, ENTRY, "answer")[5] = "reviewed"
    write_rows(sheet, rows)

    result = import_language(sheet, folder)

    assert result.changed == result.confirmed == (ENTRY,)

    entry = load_content(folder).faq[ENTRY]
    assert entry.translations["en"].source_revision == 2
    assert not entry.translations["en"].machine_translated
    assert not entry.is_stale("en")


def test_a_sheet_of_an_older_german_text_leaves_the_translation_stale(folder: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "en.csv"
    export_language(load_content(folder), "en", sheet)
    rows = read_rows(sheet)
    cell(rows, ENTRY, "question")[3] = "What is a Berufsschule (vocational school)?"
    write_rows(sheet, rows)
    edit_yaml(folder / "faq" / f"{ENTRY}.yaml", lambda d: d["translations"]["de"].update(revision=2))

    result = import_language(sheet, folder)

    assert result.outdated == (ENTRY,)
    assert load_content(folder).faq[ENTRY].is_stale("en")


def test_import_reads_semicolons_and_revisions_written_as_decimals(folder: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "ru.csv"
    rows: Rows = [
        ["id", "field", "de", "ru", "source_revision"],
        [ENTRY, "question", "…", "Что такое Berufsschule?", "1.0"],
    ]
    write_rows(sheet, rows, delimiter=";")
    assert import_language(sheet, folder).changed == (ENTRY,)
    assert entry_data(folder)["translations"]["ru"]["question"] == "Что такое Berufsschule?"


def test_importing_the_same_sheet_twice_changes_nothing_the_second_time(folder: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "cs.csv"
    export_language(load_content(folder), "cs", sheet)
    rows = read_rows(sheet)
    cell(rows, ENTRY, "question")[3] = "Co je Berufsschule?"
    write_rows(sheet, rows)
    assert import_language(sheet, folder).changed == (ENTRY,)
    before = files(folder)
    assert import_language(sheet, folder).changed == ()
    assert files(folder) == before


def header(rows: Rows, value: list[Any]) -> None:
    rows[0] = value


def set_cell(entry_id: str, field: str, column: int, value: Any) -> Callable[[Rows], None]:
    def change(rows: Rows) -> None:
        cell(rows, entry_id, field)[column] = value

    return change


def add_row(*row: Any) -> Callable[[Rows], None]:
    def change(rows: Rows) -> None:
        rows.append(list(row))

    return change


BAD_SHEETS = [
    pytest.param(
        lambda rows: header(rows, ["id", "feld", "de", "uk", "source_revision"]),
        [
            "the first row must be: id, field, de, <language>, source_revision, status "
            "(it is: id, feld, de, uk, "
        ],
        id="bad-header",
    ),
    pytest.param(
        lambda rows: header(rows, ["id", "field", "de", "ukrainisch", "source_revision"]),
        ["'ukrainisch' in the first row is not a language to translate into"],
        id="unknown-language",
    ),
    pytest.param(
        add_row("gibt-es-nicht", "question", "Frage?", "Питання?", "1"),
        ["there is no FAQ entry 'gibt-es-nicht' (no file faq/gibt-es-nicht.yaml)"],
        id="unknown-id",
    ),
    pytest.param(
        add_row("../glossary", "question", "Frage?", "Питання?", "1"),
        ["'../glossary' in the id column is not an entry id"],
        id="id-that-is-a-path",
    ),
    pytest.param(
        set_cell(ENTRY, "answer", 4, "eins"),
        ["source_revision should be the German revision as a whole number such as 1, not 'eins'"],
        id="non-numeric-revision",
    ),
    pytest.param(
        set_cell(ENTRY, "answer", 4, "3"),
        ["source_revision 3 differs from 1 in row"],
        id="revisions-disagree-within-an-entry",
    ),
    pytest.param(
        lambda rows: [r.__setitem__(4, "3") for r in rows[1:] if r[0] == ENTRY],
        [f"source_revision 3 is newer than the German text of '{ENTRY}' (revision 1)"],
        id="revision-newer-than-german",
    ),
    pytest.param(
        set_cell(ENTRY, "question", 1, "frage"),
        ["the field column says 'frage'; use question, variants or answer"],
        id="unknown-field",
    ),
    pytest.param(
        set_cell(ENTRY, "answer", 3, "x" * (MAX_ANSWER_CHARS + 1)),
        [f"the answer is {MAX_ANSWER_CHARS + 1} characters long"],
        id="answer-too-long",
    ),
    pytest.param(
        set_cell(ENTRY, "answer", 5, "fertig"),
        ["the status column says 'fertig'; write reviewed when you have checked the translation"],
        id="unknown-status",
    ),
    pytest.param(
        set_cell(ENTRY, "answer", 3, "  "),
        ["the answer in column uk is empty, but the answer is required; write it, or delete the whole row"],
        id="emptied-answer",
    ),
    pytest.param(
        lambda rows: (
            set_cell(ENTRY, "answer", 4, "zwei")(rows),
            add_row("gibt-es-nicht", "answer", "", "Відповідь", "1")(rows),
        ),
        ["not 'zwei'", "there is no FAQ entry 'gibt-es-nicht'"],
        id="every-problem-at-once",
    ),
]


@pytest.mark.parametrize(("change", "words"), BAD_SHEETS)
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_bad_sheet_is_named_plainly_and_changes_nothing(
    folder: Path, tmp_path: Path, suffix: str, change: Callable[[Rows], object], words: list[str]
) -> None:
    sheet = tmp_path / f"uk{suffix}"
    export_language(load_content(folder), "uk", sheet)
    rows = read_rows(sheet)
    # A good change too, in the first entry: it must not be written either.
    rows[1][3] = "Нове питання?"
    change(rows)
    write_rows(sheet, rows)
    before = files(folder)

    with pytest.raises(SheetError) as caught:
        import_language(sheet, folder)

    assert files(folder) == before
    assert len(caught.value.problems) == len(words)
    for problem, expected in zip(caught.value.problems, words, strict=True):
        assert str(sheet) in problem
        assert expected in problem
        assert "\n" not in problem


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("uk.txt", b"id,field,de,uk,source_revision\n", "must end in .csv or .xlsx"),
        ("uk.xlsx", b"not a workbook", "cannot be opened as an Excel workbook"),
        (
            "uk.csv",
            "id,field,de,uk,source_revision\nx,question,ä,ö,1\n".encode("latin-1"),
            "save it as 'CSV UTF-8'",
        ),
        ("uk.csv", b"", "the first row must be"),
    ],
)
def test_an_unreadable_sheet_is_named_plainly(
    folder: Path, tmp_path: Path, name: str, content: bytes, words: str
) -> None:
    sheet = tmp_path / name
    sheet.write_bytes(content)
    with pytest.raises(SheetError, match=words):
        import_language(sheet, folder)


def test_a_problem_names_the_row_a_translator_sees(folder: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "uk.csv"
    export_language(load_content(folder), "uk", sheet)
    rows = read_rows(sheet)
    number = next(i for i, row in enumerate(rows, start=1) if row[:2] == [ENTRY, "variants"])
    rows[number - 1][4] = "zwei"
    write_rows(sheet, rows)
    with pytest.raises(SheetError) as caught:
        import_language(sheet, folder)
    assert caught.value.problems == [
        f"{sheet}, row {number}: source_revision should be the German revision as a whole number "
        "such as 1, not 'zwei'"
    ]


# ---------------------------------------------------------------- what a returned sheet marks reviewed


def machine_translated(folder: Path, lang: str) -> dict[str, bool]:
    translations = {e.id: translation_of(e, lang) for e in load_content(folder).faq.values()}
    return {entry_id: bool(tr and tr.machine_translated) for entry_id, tr in translations.items()}


@pytest.mark.parametrize("status_column", [True, False], ids=["with-status", "without-status"])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_whole_sheet_with_two_edited_cells_marks_only_those_entries_reviewed(
    folder: Path, tmp_path: Path, suffix: str, status_column: bool
) -> None:
    other = "anerkennung-kosten"
    before = machine_translated(folder, "uk")
    assert all(before.values())
    sheet = tmp_path / f"uk{suffix}"
    export_language(load_content(folder), "uk", sheet)
    rows = read_rows(sheet)
    cell(rows, ENTRY, "answer")[3] = "Професійна школа: теорія до практики на підприємстві."
    cell(rows, other, "question")[3] = "Скільки коштує визнання?"
    if not status_column:  # a sheet exported before the status column existed
        rows = [row[:5] for row in rows]
    write_rows(sheet, rows)
    files_before = files(folder)

    result = import_language(sheet, folder)

    assert result.changed == result.reviewed == tuple(sorted([ENTRY, other]))
    after = machine_translated(folder, "uk")
    assert {entry for entry, machine in after.items() if not machine} == {ENTRY, other}
    changed_files = {name for name, text in files(folder).items() if files_before[name] != text}
    assert changed_files == {f"faq/{ENTRY}.yaml", f"faq/{other}.yaml"}
    kept = entry_data(folder, other)["translations"]["uk"]
    assert kept["question"] == "Скільки коштує визнання?"
    assert kept["machine_translated"] is False


def test_status_reviewed_confirms_a_review_without_a_change(folder: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "ar.xlsx"
    export_language(load_content(folder), "ar", sheet)
    rows = read_rows(sheet)
    # Capitals and spaces as a spreadsheet program's autocorrect may leave them.
    cell(rows, ENTRY, "question")[5] = " Reviewed "
    cell(rows, "anerkennung-kosten", "answer")[5] = "Machine translated"
    write_rows(sheet, rows)
    old = entry_data(folder)["translations"]["ar"]

    result = import_language(sheet, folder)

    assert result.changed == result.confirmed == result.reviewed == (ENTRY,)
    new = entry_data(folder)["translations"]["ar"]
    assert new == {**old, "machine_translated": False}
    after = machine_translated(folder, "ar")
    assert [entry for entry, machine in after.items() if not machine] == [ENTRY]


def test_reviewed_without_a_translation_is_named(folder: Path, tmp_path: Path) -> None:
    edit_yaml(folder / "faq" / f"{ENTRY}.yaml", lambda d: d["translations"].pop("tr"))
    sheet = tmp_path / "tr.csv"
    export_language(load_content(folder), "tr", sheet)
    rows = read_rows(sheet)
    assert cell(rows, ENTRY, "answer")[3:] == ["", "1", "not translated"]
    cell(rows, ENTRY, "answer")[5] = "reviewed"
    number = rows.index(cell(rows, ENTRY, "answer")) + 1
    write_rows(sheet, rows)

    with pytest.raises(SheetError) as caught:
        import_language(sheet, folder)

    assert caught.value.problems == [
        f"{sheet}, row {number}: the status says reviewed, but there is no tr text of '{ENTRY}' to "
        "review; write the translation first"
    ]


def test_an_emptied_question_names_its_row_and_column(folder: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "ru.csv"
    export_language(load_content(folder), "ru", sheet)
    rows = read_rows(sheet)
    number = rows.index(cell(rows, ENTRY, "question")) + 1
    cell(rows, ENTRY, "question")[3] = ""
    write_rows(sheet, rows)
    before = files(folder)

    with pytest.raises(SheetError) as caught:
        import_language(sheet, folder)

    assert caught.value.problems == [
        f"{sheet}, row {number}: the question in column ru is empty, but the question is required; "
        "write it, or delete the whole row to keep the ru question the file has"
    ]
    assert files(folder) == before
    # Deleting the row instead keeps the file's question, as the sentence says.
    write_rows(sheet, [row for row in rows if row[:2] != [ENTRY, "question"]])
    assert import_language(sheet, folder).changed == ()
    assert files(folder) == before


def test_emptied_variants_keep_the_files_variants(folder: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "fa.csv"
    export_language(load_content(folder), "fa", sheet)
    rows = read_rows(sheet)
    old = entry_data(folder)["translations"]["fa"]
    assert old["variants"]
    cell(rows, ENTRY, "variants")[3] = ""
    cell(rows, ENTRY, "answer")[3] = "پاسخ تازه."
    write_rows(sheet, rows)

    assert import_language(sheet, folder).changed == (ENTRY,)

    new = entry_data(folder)["translations"]["fa"]
    assert new["variants"] == old["variants"]
    assert new["answer"] == "پاسخ تازه."


# ---------------------------------------------------------------- the German revision an import counted


def test_set_german_revision_changes_only_that_number(folder: Path) -> None:
    path = folder / "faq" / f"{ENTRY}.yaml"
    old = path.read_text(encoding="utf-8")

    set_german_revision(path, 3)

    new = path.read_text(encoding="utf-8")
    assert entry_data(folder)["translations"]["de"]["revision"] == 3
    changed = [(a, b) for a, b in zip(old.splitlines(), new.splitlines(), strict=True) if a != b]
    assert changed == [("    revision: 1", "    revision: 3")]
    assert load_content(folder).faq[ENTRY].is_stale("uk")
