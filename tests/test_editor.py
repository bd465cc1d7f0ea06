"""``wegweiser kb …`` as editors run it: a process, plain sentences and exit codes.

Every test runs ``python -m bot kb …`` in a temporary directory against its own SQLite
file; none of the commands builds the knowledge base's matcher.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook

from bot.config import SHIPPED_CONTENT_DIR
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import UnansweredQuestion, utcnow
from knowledge.loader import ContentSnapshot, load_content
from knowledge.model import LANGUAGES, MAX_ANSWER_CHARS

ROOT = Path(__file__).resolve().parent.parent


class Cli:
    """Runs the command line in ``cwd`` with its own database (and content folder)."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.database = cwd / "wegweiser.db"
        self.content_dir: Path | None = None

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)  # the conftest has removed any developer settings
        env["PYTHONPATH"] = str(ROOT)
        env["DATABASE_URL"] = f"sqlite:///{self.database}"
        if self.content_dir is not None:
            env["CONTENT_DIR"] = str(self.content_dir)
        result = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=self.cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.database) as conn:
            return conn.execute(sql).fetchall()


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT_DIR, target)
    return target


def faq(folder: Path, entry_id: str) -> Path:
    return folder / "faq" / f"{entry_id}.yaml"


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, start: str, after: str | None = None) -> int:
    """The 1-based number of the first line starting with ``start`` (after the line ``after``)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    first = lines.index(after) if after is not None else 0
    return next(i for i, line in enumerate(lines[first:], start=first + 1) if line.startswith(start))


def edit_yaml(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def items(folder: Path) -> list[dict[str, Any]]:
    return sorted(load_content(folder).items(), key=lambda item: (item["kind"], item["id"]))


# ---------------------------------------------------------------- validate


def test_validate_names_every_problem_with_file_line_and_a_sentence(
    cli: Cli, folder: Path, shipped: ContentSnapshot
) -> None:
    long_answer = len(shipped.faq["kompetenzcheck"].translations["de"].answer) + MAX_ANSWER_CHARS + 1
    replace(faq(folder, "asa-flex"), "topic: training\n", "")
    replace(faq(folder, "berufsschule"), "\n  uk:\n", "\n  xx:\n")
    shutil.copy(faq(folder, "ihk-hwk"), faq(folder, "kopie-ihk-hwk"))
    replace(faq(folder, "praktikum-finden"), "contacts: [", "contacts: [nobody-here, ")
    replace(faq(folder, "schulpraktikum"), "checked_on: 2026-11-27", "checked_on: 2026-13-45")
    replace(
        faq(folder, "kompetenzcheck"),
        "    answer: |-\n",
        "    answer: |-\n      " + "x" * MAX_ANSWER_CHARS + "\n",
    )

    result = cli("kb", "validate", "content")

    assert result.returncode == 1, result.stdout + result.stderr
    expected = [
        "content/faq/asa-flex.yaml:1: the required field 'topic' is missing",
        f"content/faq/berufsschule.yaml:{line_of(faq(folder, 'berufsschule'), '  xx:')}: "
        f"'xx' is not a supported language; use one of {', '.join(LANGUAGES)}",
        "content/faq/kopie-ihk-hwk.yaml:1: the id 'ihk-hwk' differs from the file name",
        "content/faq/kopie-ihk-hwk.yaml:1: the id 'ihk-hwk' is already used in content/faq/ihk-hwk.yaml",
        f"content/faq/praktikum-finden.yaml:{line_of(faq(folder, 'praktikum-finden'), 'contacts:')}: "
        "the contact 'nobody-here' does not exist",
        f"content/faq/schulpraktikum.yaml:{line_of(faq(folder, 'schulpraktikum'), 'checked_on:')}: "
        "'2026-13-45' is not a valid date; write it as YYYY-MM-DD",
        f"content/faq/kompetenzcheck.yaml:{line_of(faq(folder, 'kompetenzcheck'), '    answer:', '  de:')}: "
        f"the answer is {long_answer} characters long; one Telegram message leaves room for "
        f"{MAX_ANSWER_CHARS}, so shorten it or split it into two entries",
    ]
    lines = result.stdout.splitlines()
    assert lines[0] == f"content: {len(expected)} problems to fix:"
    body = [line.strip() for line in lines[1:]]
    assert len(body) == len(expected)
    for want in expected:
        assert any(line.startswith(want) for line in body), (want, body)


def test_validate_accepts_good_content(cli: Cli, folder: Path) -> None:
    result = cli("kb", "validate", "content")
    snapshot = load_content(folder)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"content: no problems in {len(snapshot.faq)} FAQ entries, {len(snapshot.contacts)} contacts "
        f"and {len(snapshot.events)} events."
    )
    # German left in translations is a warning, never a problem; contacts, events and the
    # glossary have none, and FAQ translations are counted for 'kb coverage' to list.
    assert not any(line.startswith(("  contacts/", "  events/", "  glossary.yaml")) for line in lines)
    assert all("FAQ translation" in line for line in lines[2:])


def test_validate_of_a_missing_folder_says_so(cli: Cli) -> None:
    result = cli("kb", "validate", "nowhere")
    assert result.returncode == 1
    assert "nowhere: the content folder does not exist" in result.stdout


# ---------------------------------------------------------------- import


def test_import_is_all_or_nothing_and_keeps_a_history(cli: Cli, folder: Path) -> None:
    count = len(items(folder))
    first = cli("kb", "import", "content", "--author", "alice")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0] == (
        f"Imported content as revision 1 by alice: {count} added, 0 changed, 0 removed."
    )

    replace(faq(folder, "berufsschule"), "checked_on: 2026-11-27", "checked_on: 2026-11-28")
    second = cli("kb", "import", "content", "--author", "bob")
    assert second.returncode == 0, second.stderr
    assert "Imported content as revision 2 by bob: 0 added, 1 changed, 0 removed." in second.stdout
    assert "  changed: faq/berufsschule.yaml" in second.stdout

    same = cli("kb", "import", "content", "--author", "bob")
    assert same.stdout.strip() == "Nothing changed: the served content is the same as the folder."

    # A broken file anywhere: nothing is imported, not even the good change beside it.
    replace(faq(folder, "asa-flex"), "checked_on: 2026-11-27", "checked_on: 2026-11-29")
    (folder / "faq" / "broken.yaml").write_text("id: broken\n", encoding="utf-8")
    broken = cli("kb", "import", "content", "--author", "carol")
    assert broken.returncode == 1
    assert broken.stdout == ""
    assert broken.stderr.startswith("Nothing was imported: content has ")
    assert "content/faq/broken.yaml:1: the required field 'topic' is missing" in broken.stderr

    revisions = cli.query("SELECT id, author, created_at, changes FROM content_revisions ORDER BY id")
    assert [(r[0], r[1]) for r in revisions] == [(1, "alice"), (2, "bob")]
    assert all(r[2] for r in revisions)
    assert len(json.loads(revisions[0][3])["added"]) == count
    assert json.loads(revisions[1][3]) == {"added": [], "changed": ["faq:berufsschule"], "removed": []}
    bodies = dict(cli.query("SELECT item_id, body FROM content_items WHERE kind = 'faq'"))
    assert json.loads(bodies["berufsschule"])["checked_on"] == "2026-11-28"
    assert json.loads(bodies["asa-flex"])["checked_on"] == "2026-11-27"
    assert "broken" not in bodies


# ---------------------------------------------------------------- export


def test_folder_export_round_trips(cli: Cli, folder: Path) -> None:
    assert cli("kb", "import", "content", "--author", "alice").returncode == 0

    result = cli("kb", "export", "exported")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("Served content: revision 1, imported on ")
    assert f"Wrote {len(items(folder))} files to exported." in result.stdout
    validated = cli("kb", "validate", "exported")
    assert validated.returncode == 0, validated.stdout
    assert items(cli.cwd / "exported") == items(folder)

    again = cli("kb", "export", "exported")
    assert again.returncode == 1
    assert "exported already exists and is not an empty folder" in again.stderr


def test_a_sheet_name_without_a_language_is_explained(cli: Cli) -> None:
    result = cli("kb", "export", "uk.xlsx")
    assert result.returncode == 1
    assert "add --language" in result.stderr
    assert not (cli.cwd / "uk.xlsx").exists()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_language_sheet_goes_out_and_comes_back_in(cli: Cli, folder: Path, suffix: str) -> None:
    cli.content_dir = folder  # nothing imported: the commands read the content folder
    sheet = cli.cwd / f"uk{suffix}"

    exported = cli("kb", "export", sheet.name, "--language", "uk")

    assert exported.returncode == 0, exported.stderr
    assert "Nothing has been imported yet" in exported.stdout
    assert "beside German to uk" in exported.stdout
    if suffix == ".xlsx":
        book = load_workbook(sheet)
        rows = [["" if c is None else str(c) for c in row] for row in book.active.iter_rows(values_only=True)]
        book.close()
    else:
        with sheet.open(encoding="utf-8-sig", newline="") as fp:
            rows = list(csv.reader(fp))
    assert rows[0] == ["id", "field", "de", "uk", "source_revision"]
    row = next(r for r in rows if r[:2] == ["berufsschule", "question"])
    row[3] = "Що таке Berufsschule?"
    with (cli.cwd / "back.csv").open("w", encoding="utf-8-sig", newline="") as fp:
        csv.writer(fp).writerows([rows[0], row])

    imported = cli("kb", "import-sheet", "back.csv", "content")

    assert imported.returncode == 0, imported.stderr
    assert (
        "Updated the uk (Ukrainian) translation of 1 FAQ entry in content: berufsschule." in imported.stdout
    )
    uk = yaml.safe_load(faq(folder, "berufsschule").read_text(encoding="utf-8"))["translations"]["uk"]
    assert uk["question"] == "Що таке Berufsschule?"
    assert uk["source_revision"] == 1
    assert uk["machine_translated"] is False
    assert cli("kb", "validate", "content").returncode == 0


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        (
            [
                ["id", "feld", "de", "uk", "source_revision"],
                ["berufsschule", "question", "", "Питання?", "1"],
            ],
            "bad.csv: the first row must be: id, field, de, <language>, source_revision",
        ),
        (
            [
                ["id", "field", "de", "uk", "source_revision"],
                ["gibt-es-nicht", "question", "", "Питання?", "1"],
            ],
            "bad.csv, row 2: there is no FAQ entry 'gibt-es-nicht' (no file faq/gibt-es-nicht.yaml)",
        ),
        (
            [
                ["id", "field", "de", "uk", "source_revision"],
                ["berufsschule", "question", "", "Питання?", "eins"],
            ],
            "bad.csv, row 2: source_revision should be the German revision as a whole number such as 1, "
            "not 'eins'",
        ),
    ],
    ids=["bad-header", "unknown-id", "non-numeric-revision"],
)
def test_a_bad_sheet_gets_one_plain_sentence_and_exit_code_1(
    cli: Cli, folder: Path, rows: list[list[str]], words: str
) -> None:
    with (cli.cwd / "bad.csv").open("w", encoding="utf-8-sig", newline="") as fp:
        csv.writer(fp).writerows(rows)
    before = {p: p.read_bytes() for p in folder.rglob("*.yaml")}

    result = cli("kb", "import-sheet", "bad.csv", "content")

    assert result.returncode == 1
    assert result.stdout == ""
    message = result.stderr.strip()
    assert "\n" not in message
    assert message.startswith(words)
    assert message.endswith(". Nothing was changed.")
    assert {p: p.read_bytes() for p in folder.rglob("*.yaml")} == before


# ---------------------------------------------------------------- coverage and stale


def test_coverage_and_stale_report_on_the_served_content(cli: Cli, folder: Path) -> None:
    edit_yaml(faq(folder, "berufsschule"), lambda d: d["translations"].pop("uk"))
    edit_yaml(faq(folder, "anerkennung-kosten"), lambda d: d["translations"]["de"].update(revision=2))
    total = len(load_content(folder).faq)
    assert cli("kb", "import", "content").returncode == 0

    result = cli("kb", "coverage")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Served content: revision 1")
    table = {line.split()[0]: line.split()[2:] for line in lines if line[:2] in LANGUAGES and "(" in line[:4]}
    assert table["de"] == [str(total), "0", "0", "0"]
    assert table["uk"] == [str(total - 1), "1", "1", str(total - 1)]
    assert table["en"] == [str(total), "0", "1", str(total)]
    assert "  uk (Ukrainian): berufsschule" in lines
    assert "  cs (Czech): anerkennung-kosten" in lines

    due = cli("kb", "stale")

    assert due.returncode == 0, due.stderr
    text = due.stdout
    assert "things to check on " in text
    assert any(
        line.split()[0] == "faq/anerkennung-kosten.yaml"
        and line.endswith("German revision 2 is newer than the translation into en, ar, uk, ru, fa, tr, cs")
        for line in text.splitlines()
        if line.strip()
    )
    assert "marked 'needs_verification'" in text
    assert "contacts/jobcenter-ssoe.yaml" in text
    assert "address, phone or e-mail not confirmed by a source" in text
    assert "events/schau-rein-2027.yaml" in text
    assert "date or details not confirmed by a source" in text


# ---------------------------------------------------------------- unanswered


async def _store_questions(url: str, rows: list[tuple[str, str, str, str | None, dt.timedelta]]) -> None:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        async with create_session_factory(engine).begin() as session:
            now = utcnow()
            session.add_all(
                UnansweredQuestion(
                    text=text, language=lang, reason=reason, entry_id=entry, created_at=now - ago
                )
                for text, lang, reason, entry, ago in rows
            )
    finally:
        await engine.dispose()


def test_unanswered_groups_similar_questions_with_counts_and_languages(cli: Cli) -> None:
    hours, days = dt.timedelta(hours=1), dt.timedelta(days=1)
    asyncio.run(
        _store_questions(
            f"sqlite+aiosqlite:///{cli.database}",
            [
                ("Wie finde ich eine Wohnung?", "de", "no_match", None, 5 * days),
                ("wie finde ich eine wohnug", "de", "no_match", None, 2 * days),
                ("Wie finde ich eine Wohnung", "uk", "unhelpful", "wohnen", 3 * days),
                ("Was kostet der Führerschein?", "de", "no_match", None, 1 * hours),
                ("was kostet der fuhrerschein", "en", "no_match", None, 2 * hours),
                ("Darf ich mit meinem Hund in den Bus?", "de", "no_match", None, 10 * days),
                ("Eine sehr alte Frage", "de", "no_match", None, 120 * days),
            ],
        )
    )

    result = cli("kb", "unanswered")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert (
        lines[0]
        == "6 unanswered questions in the last 90 days, in 3 groups of similar wording, most recent first:"
    )
    rows = lines[3:]
    assert len(rows) == 3
    licence, flat, dog = rows
    assert licence.split()[:3] == ["2", "de,", "en"]
    assert licence.endswith("Was kostet der Führerschein?")
    assert flat.split()[:3] == ["3", "de,", "uk"]
    assert "answer rated unhelpful (wohnen)" in flat
    assert flat.endswith("wie finde ich eine wohnug")  # the newest wording
    assert dog.split()[:2] == ["1", "de"]
    assert "Eine sehr alte Frage" not in result.stdout

    longer = cli("kb", "unanswered", "--days", "365")
    assert "7 unanswered questions in the last 365 days, in 4 groups" in longer.stdout
    assert longer.stdout.splitlines()[-1].endswith("Eine sehr alte Frage")


def test_unanswered_on_an_empty_database(cli: Cli) -> None:
    result = cli("kb", "unanswered", "--days", "7")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "No unanswered questions in the last 7 days."
