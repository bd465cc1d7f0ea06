"""``wegweiser kb …`` as editors run it: plain sentences and exit codes.

Every test runs ``wegweiser kb …`` in a temporary directory against its own SQLite file
(``Cli``: mostly in this process, as ``python -m bot`` would); none of the commands but
``kb index`` builds the knowledge base's matcher.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from openpyxl import load_workbook

from bot.config import SHIPPED_CONTENT_DIR, load_settings
from bot.content import ImportConflict, import_folder, import_snapshot, latest_revision
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import UnansweredQuestion, utcnow
from knowledge.loader import ContentSnapshot, load_content
from knowledge.model import LANGUAGES, MAX_ANSWER_CHARS, FaqEntry
from knowledge.reports import FOLDERS
from knowledge.sheets import dump_yaml

ROOT = Path(__file__).resolve().parent.parent


class Cli:
    """Runs the command line in ``cwd`` with its own database (and content folder).

    In this test process, as ``python -m bot`` would (its ``main`` with the environment,
    folder and output of its own, never a terminal on stdin): starting Python with the
    application for each of this file's fifty commands took three of its four minutes.
    ``process=True`` starts a real process, for what a next start finds."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.database = cwd / "wegweiser.db"
        self.content_dir: Path | None = None
        self.env: dict[str, str] = {}

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)  # the conftest has removed any developer settings
        env["DATABASE_URL"] = f"sqlite:///{self.database}"
        if self.content_dir is not None:
            env["CONTENT_DIR"] = str(self.content_dir)
        env.update(self.env)
        return env

    def __call__(self, *args: str, process: bool = False) -> subprocess.CompletedProcess[str]:
        result = self._process(args) if process else self._in_here(args)
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def _process(self, args: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=self.cwd,
            env={**self.environment(), "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,  # never a terminal: nothing waits for an answer
        )

    def _in_here(self, args: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
        from bot.cli import main

        saved_env, saved_cwd = dict(os.environ), Path.cwd()
        out, err = io.StringIO(), io.StringIO()
        codes: list[int] = []

        def run() -> None:  # in a thread: an async test's event loop is running in this one
            try:
                codes.append(main(list(args)))
            except SystemExit as exc:  # argparse
                codes.append(exc.code if isinstance(exc.code, int) else 1)

        os.environ.clear()
        os.environ.update(self.environment())
        os.chdir(self.cwd)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                thread = threading.Thread(target=run)
                thread.start()
                thread.join()
        finally:
            os.environ.clear()
            os.environ.update(saved_env)
            os.chdir(saved_cwd)
        assert codes, f"the command raised:\n{err.getvalue()}"
        return subprocess.CompletedProcess(["wegweiser", *args], codes[0], out.getvalue(), err.getvalue())

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
        f"and {len(snapshot.events)} events, and in the interest check (18 statements, "
        "13 occupational fields)."
    )
    # German left in translations is a warning, never a problem; contacts, events and the
    # glossary have none, and FAQ translations are counted for 'kb coverage' to list.
    assert not any(line.startswith(("  contacts/", "  events/", "  glossary.yaml")) for line in lines)
    assert all("FAQ translation" in line for line in lines[2:])


def test_validate_names_an_answer_too_long_with_its_contact_card_with_the_other_problems(
    cli: Cli, folder: Path
) -> None:
    # Allowed on its own (under MAX_ANSWER_CHARS), too long with the question, the contact
    # card and the source line around it.
    allowed = ("Frag in deiner Berufsschule nach, wer dir hilft. " * 80)[: MAX_ANSWER_CHARS - 2] + "."
    edit_yaml(faq(folder, "jugendmigrationsdienst"), lambda d: d["translations"]["de"].update(answer=allowed))
    replace(faq(folder, "asa-flex"), "topic: training\n", "")

    result = cli("kb", "validate", "content")

    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "content: 2 problems to fix:"
    body = [line.strip() for line in lines[1:]]
    assert body[0] == "content/faq/asa-flex.yaml:1: the required field 'topic' is missing"
    at = line_of(faq(folder, "jugendmigrationsdienst"), "    answer:", "  de:")
    assert body[1].startswith(
        f"content/faq/jugendmigrationsdienst.yaml:{at}: with its question, the card of the contact "
        "'jugendmigrationsdienst-ssoe', the source line and the note that the bot answers while "
        "someone waits for an advisor, the de answer makes a message of "
    ), body
    assert body[1].endswith(" characters"), body
    assert "one Telegram message holds 4096, so shorten the answer by at least" in body[1]


def test_validate_of_a_missing_folder_says_so(cli: Cli) -> None:
    result = cli("kb", "validate", "nowhere")
    assert result.returncode == 1
    assert "nowhere: the content folder does not exist" in result.stdout


def test_index_keeps_the_sentence_vectors_for_the_next_start(cli: Cli, tmp_path: Path) -> None:
    cache = tmp_path / "vectors" / "embeddings.npz"
    warm = load_settings().embedding_cache  # the one `make test` filled: only new texts are embedded
    if warm.exists():
        cache.parent.mkdir()
        shutil.copyfile(warm, cache)
    cli.env["EMBEDDING_CACHE"] = str(cache)
    result = cli("kb", "index")
    assert result.returncode == 0, result.stderr
    assert "index of 44 FAQ entries ready in" in result.stdout
    assert f"sentence vectors in {cache}" in result.stdout
    with np.load(cache) as stored:
        kept = len(stored["keys"])
    assert kept > 44 * 8  # every entry's question and phrasings in eight languages
    indexes = cache.with_name("indexes")
    assert f"built indexes in {indexes}" in result.stdout
    assert len(list(indexes.glob("matcher-*.pickle"))) == 8  # one per language

    # The next start (here: the next index) loads what this one built.
    built = {p.name: p.stat().st_ino for p in indexes.iterdir()}
    assert cli("kb", "index", process=True).returncode == 0
    assert {p.name: p.stat().st_ino for p in indexes.iterdir()} == built

    again = cli("kb", "index", "nowhere")
    assert again.returncode == 1
    assert "nowhere: the content folder does not exist" in again.stderr


# ---------------------------------------------------------------- import


def test_import_is_all_or_nothing_and_keeps_a_history(cli: Cli, folder: Path) -> None:
    count = len(items(folder))
    first = cli("kb", "import", "content", "--author", "alice")
    assert first.returncode == 0, first.stderr
    # The preview first, then what was done.
    assert first.stdout.splitlines()[:3] == [
        f"content compared with the served content: {count} added, 0 changed, 0 removed.",
        f"  added: all {count} items (nothing has been imported before)",
        f"Imported content as revision 1 by alice: {count} added, 0 changed, 0 removed.",
    ]

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
    # The interest check is one item in three files.
    assert f"Wrote {len(items(folder)) + 2} files to exported." in result.stdout
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
    assert rows[0] == ["id", "field", "de", "uk", "source_revision", "status"]
    row = next(r for r in rows if r[:2] == ["berufsschule", "question"])
    assert row[5] == "machine-translated"
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


# ---------------------------------------------------------------- import: preview, confirmation, history


class Terminal(io.StringIO):
    """What an editor types, as from a terminal."""

    def isatty(self) -> bool:
        return True


async def run_import(
    cli: Cli,
    folder: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: io.StringIO,
    **options: bool,
) -> tuple[int, str, str]:
    """``wegweiser kb import`` in this process, with the options the command line gives."""
    from bot import editor

    settings = load_settings(database_url=f"sqlite:///{cli.database}")
    flags = {"yes": False, "dry_run": False, "minor": False} | options
    args = argparse.Namespace(folder=folder, author="dora", **flags)
    monkeypatch.setattr(sys, "stdin", stdin)
    code = await editor.import_content(settings, args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def served(cli: Cli) -> dict[str, dict[str, Any]]:
    return {
        f"{k}:{i}": json.loads(b) for k, i, b in cli.query("SELECT kind, item_id, body FROM content_items")
    }


def versions_of(cli: Cli, kind: str, item_id: str) -> list[tuple[int, bool, dict[str, Any], int | None, str]]:
    rows = cli.query(
        "SELECT number, removed, body, revision_id, author FROM content_versions "
        f"WHERE kind = '{kind}' AND item_id = '{item_id}' ORDER BY number"
    )
    return [(n, bool(r), json.loads(b), rev, who) for n, r, b, rev, who in rows]


def as_file(key: str) -> str:
    """``faq:berufsschule`` → ``faq/berufsschule.yaml``, as the commands name items."""
    kind, _, item_id = key.partition(":")
    return f"{FOLDERS[kind]}/{item_id}.yaml" if kind in FOLDERS else f"{kind}.yaml"


def keep_only(folder: Path, entry_id: str) -> None:
    """The new editor's folder: one FAQ entry, the rest deleted."""
    for path in (folder / "faq").glob("*.yaml"):
        if path.stem != entry_id:
            path.unlink()
    shutil.rmtree(folder / "events")


def test_an_import_that_removes_items_is_previewed_and_refused_without_a_terminal(
    cli: Cli, folder: Path
) -> None:
    assert cli("kb", "import", "content").returncode == 0
    before = served(cli)
    keep_only(folder, "berufsschule")
    gone = sorted(set(before) - {f"{item['kind']}:{item['id']}" for item in load_content(folder).items()})
    assert len(gone) > 40

    result = cli("kb", "import", "content")

    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("content compared with the served content: 0 added, ")
    assert lines[0].endswith(f" changed, {len(gone)} removed.")
    assert f"  removed: {', '.join(as_file(key) for key in gone)}" in lines
    assert (
        f"Nothing was imported: it would remove {len(gone)} items, and removing needs a confirmation. "
        "Run it in a terminal to answer the question, or add --yes when the removal is intended."
    ) in result.stderr.splitlines()
    assert served(cli) == before
    assert cli.query("SELECT count(*) FROM content_revisions") == [(1,)]


async def test_a_removal_happens_only_after_yes_and_stays_recoverable(
    cli: Cli, folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("kb", "import", "content", "--author", "alice").returncode == 0
    # A database imported before versions were kept: the history starts with this import.
    with sqlite3.connect(cli.database) as conn:
        conn.execute("DELETE FROM content_versions")
    before = served(cli)
    faq(folder, "asa-flex").unlink()

    code, out, _ = await run_import(cli, folder, capsys, monkeypatch, Terminal("no\n"))

    assert code == 1
    assert "  removed: faq/asa-flex.yaml" in out.splitlines()
    assert out.endswith("Remove 1 item? Type yes to import, anything else to stop: Nothing was imported.\n")
    assert served(cli) == before

    code, out, _ = await run_import(cli, folder, capsys, monkeypatch, Terminal("yes\n"))

    assert code == 0
    assert f"Imported {folder} as revision 2 by dora: 0 added, " in out
    assert "faq:asa-flex" not in served(cli)
    # The history keeps the served state and the removal, each in full.
    history = versions_of(cli, "faq", "asa-flex")
    assert [(n, removed, rev, who) for n, removed, _, rev, who in history] == [
        (1, False, 1, "alice"),
        (2, True, 2, "dora"),
    ]
    assert history[1][2] == before["faq:asa-flex"]
    # Undo: the kept body, written back as a file and imported, serves the entry again.
    faq(folder, "asa-flex").write_text(dump_yaml(history[1][2]), encoding="utf-8")
    code, out, _ = await run_import(cli, folder, capsys, monkeypatch, Terminal(""))
    assert code == 0, out
    assert served(cli)["faq:asa-flex"] == before["faq:asa-flex"]
    assert versions_of(cli, "faq", "asa-flex")[-1][:2] == (3, False)


async def test_yes_removes_without_a_terminal_and_a_dry_run_changes_nothing(
    cli: Cli, folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("kb", "import", "content").returncode == 0
    before = served(cli)
    keep_only(folder, "berufsschule")
    replace(faq(folder, "berufsschule"), "checked_on: 2026-11-27", "checked_on: 2026-11-28")
    file_before = faq(folder, "berufsschule").read_text(encoding="utf-8")

    code, out, _ = await run_import(cli, folder, capsys, monkeypatch, io.StringIO(), dry_run=True)

    assert code == 0
    lines = out.splitlines()
    assert "  changed: faq/berufsschule.yaml (fields: checked_on), " in out
    assert lines[-1] == "This was a dry run: nothing was imported."
    assert not any(line.startswith(("Remove", "Imported")) for line in lines)
    assert served(cli) == before
    assert cli.query("SELECT count(*) FROM content_revisions") == [(1,)]
    assert faq(folder, "berufsschule").read_text(encoding="utf-8") == file_before

    code, out, err = await run_import(cli, folder, capsys, monkeypatch, io.StringIO(), yes=True)

    assert code == 0, err
    assert "Remove" not in out
    assert "The removed items are kept in the content history with their last text." in out
    assert {key for key in served(cli) if key.startswith("faq:")} == {"faq:berufsschule"}
    removed = cli.query("SELECT count(*) FROM content_versions WHERE removed AND revision_id = 2")
    assert removed == [(len(before) - len(served(cli)),)]


def test_a_changed_german_text_counts_the_revision_up_by_itself(cli: Cli, folder: Path) -> None:
    entry = faq(folder, "berufsschule")
    assert cli("kb", "import", "content", "--author", "alice").returncode == 0
    old_answer = served(cli)["faq:berufsschule"]["translations"]["de"]["answer"]
    # The meaning changes; nobody raises 'revision: 1'.
    replace(entry, "Meistens an 1 bis 2 Tagen pro Woche.", "Meistens an 2 Tagen pro Woche.")
    edited = entry.read_text(encoding="utf-8")

    result = cli("kb", "import", "content", "--author", "bob")

    assert result.returncode == 0, result.stderr
    assert "  changed: faq/berufsschule.yaml (languages: de)" in result.stdout
    assert (
        "  German text changed, so the German revision goes up and the other languages show as "
        "outdated until they are translated again: faq/berufsschule.yaml (1 → 2)"
    ) in result.stdout
    assert (
        "The German revisions counted by the import were written into the files: faq/berufsschule.yaml (2)."
    ) in result.stdout
    body = served(cli)["faq:berufsschule"]
    stored = FaqEntry.model_validate(body)
    assert stored.source_revision == 2
    assert [lang for lang in LANGUAGES if stored.is_stale(lang)] == list(LANGUAGES[1:])
    # The file says what is served: only its revision line changed.
    now = entry.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(edited.splitlines(), now, strict=True) if a != b]
    assert changed == [("    revision: 1", "    revision: 2")]
    assert cli("kb", "validate", "content").returncode == 0
    # Importing the folder again changes nothing: the revision is not counted twice.
    again = cli("kb", "import", "content")
    assert again.stdout.strip() == "Nothing changed: the served content is the same as the folder."
    # A folder behind the served revision (an older copy) is brought up to it.
    replace(entry, "    revision: 2\n", "    revision: 1\n")
    behind = cli("kb", "import", "content")
    assert behind.stdout.splitlines() == [
        "Nothing changed: the served content is the same as the folder.",
        "The German revisions counted by the import were written into the files: faq/berufsschule.yaml (2).",
    ]
    assert yaml.safe_load(entry.read_text(encoding="utf-8"))["translations"]["de"]["revision"] == 2

    coverage = cli("kb", "coverage").stdout.splitlines()
    table = {
        line.split()[0]: line.split()[2:] for line in coverage if line[:2] in LANGUAGES and "(" in line[:4]
    }
    assert all(table[lang][2] == "1" for lang in LANGUAGES[1:])
    assert "  uk (Ukrainian): berufsschule" in coverage
    # Both states are kept in full.
    history = versions_of(cli, "faq", "berufsschule")
    assert [(n, who) for n, _, _, _, who in history] == [(1, "alice"), (2, "bob")]
    assert history[0][2]["translations"]["de"]["answer"] == old_answer
    assert history[1][2] == body


async def test_a_minor_import_keeps_the_revision(
    cli: Cli, folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("kb", "import", "content").returncode == 0
    replace(faq(folder, "berufsschule"), "Dort lernst du die Theorie", "Dort lernst du dei Theorie")
    assert cli("kb", "import", "content").returncode == 0  # the typo, counted as a change: revision 2
    replace(faq(folder, "berufsschule"), "Dort lernst du dei Theorie", "Dort lernst du die Theorie")

    code, out, _ = await run_import(cli, folder, capsys, monkeypatch, io.StringIO(), minor=True)

    assert code == 0
    assert (
        "  German text changed as a minor edit (--minor): the revision stays and the translations "
        "stay current: faq/berufsschule.yaml"
    ) in out
    stored = FaqEntry.model_validate(served(cli)["faq:berufsschule"])
    assert stored.source_revision == 2
    assert "Dort lernst du die Theorie" in stored.translations["de"].answer


async def test_the_revision_is_counted_from_the_served_one_never_down(cli: Cli, folder: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{cli.database}")
    try:
        await migrate.upgrade(engine)
        sessions = create_session_factory(engine)
        await import_folder(sessions, folder, "alice")

        def german(entry_id: str, **change: Any) -> None:
            edit_yaml(faq(folder, entry_id), lambda d: d["translations"]["de"].update(change))

        # The file's own higher revision wins; a lower one never lowers what is served.
        german("berufsschule", revision=3, question="Was ist die Berufsschule?")
        german("asa-flex", revision=1)
        result = await import_folder(sessions, folder, "bob")
        assert result.revised == {"faq:berufsschule": (1, 3)}
        assert result.changed == ("faq:berufsschule",)
        german("berufsschule", revision=1, question="Was ist eine Berufsschule?")
        result = await import_folder(sessions, folder, "bob")
        assert result.revised == {"faq:berufsschule": (3, 4)}
        assert result.counted == {"faq:berufsschule": 4}
        german("berufsschule", revision=1)
        assert (await import_folder(sessions, folder, "bob")).unchanged

        # A preview is applied only while the served content is what it saw.
        german("asa-flex", question="Was ist AsA flex genau?")
        async with sessions() as session:
            plan = await import_snapshot(session, load_content(folder), "carol", "content", preview=True)
        assert plan.revision_id is None
        assert plan.revised == {"faq:asa-flex": (1, 2)}
        german("berufsschule", answer="Die Berufsschule ist der Schul-Teil deiner Ausbildung.")
        await import_folder(sessions, folder, "dora")
        with pytest.raises(ImportConflict):
            async with sessions.begin() as session:
                await import_snapshot(session, load_content(folder), "carol", "content", expected=plan)
        async with sessions() as session:
            assert await latest_revision(session) == 4
    finally:
        await engine.dispose()


def test_import_options_on_the_command_line(cli: Cli, folder: Path) -> None:
    """--dry-run, --yes and --minor as editors type them (needs the bot/cli.py wiring)."""
    assert cli("kb", "import", "content").returncode == 0
    faq(folder, "asa-flex").unlink()
    replace(faq(folder, "berufsschule"), "Dort lernst du die Theorie", "Dort lernst du dei Theorie")

    dry = cli("kb", "import", "content", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[-1] == "This was a dry run: nothing was imported."
    assert "faq:asa-flex" in served(cli)

    done = cli("kb", "import", "content", "--yes", "--minor")
    assert done.returncode == 0, done.stderr
    assert "Imported content as revision 2 by " in done.stdout
    assert "faq:asa-flex" not in served(cli)
    assert served(cli)["faq:berufsschule"]["translations"]["de"]["revision"] == 1
    assert "--minor" in cli("kb", "import", "--help").stdout
