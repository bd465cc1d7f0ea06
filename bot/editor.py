"""``wegweiser kb …``: the editors' commands. Reports live in ``knowledge.reports``.

Every command prints plain sentences for editors and returns the exit code: 0 when all
went well, 1 when the content or a sheet has problems (each named with where it is) or an
import that would remove items was not confirmed.
None of them builds the knowledge base's matcher.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import logging
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.content import ImportConflict, ImportResult, import_snapshot, load_snapshot
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import prepare_database
from dialogs.content_checks import load_checked
from knowledge import german_words, reports, sheets
from knowledge.loader import ContentError, ContentSnapshot, Problem, load_content


def _folder(settings: Settings, args: argparse.Namespace) -> Path:
    folder: Path | None = getattr(args, "folder", None)
    return folder or settings.content_dir


def _problems(header: str, problems: Sequence[Problem | str], out: TextIO) -> int:
    """Print a header and one indented line per problem; returns the exit code 1.

    Content problems are ordered by file and line, so each file's problems stand together.
    """
    ordered = sorted(problems, key=lambda p: (p.file, p.line or 0) if isinstance(p, Problem) else ("", 0))
    print(header, file=out)
    for problem in ordered:
        print(f"  {problem}", file=out)
    return 1


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


@asynccontextmanager
async def _database(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The database, migrated if it is SQLite (a PostgreSQL schema must be current)."""
    if settings.log_level != "DEBUG":
        logging.getLogger("alembic").setLevel(logging.WARNING)  # migration chatter is not for editors
    engine = create_engine(settings.database_url)
    try:
        await prepare_database(engine, settings)
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


async def _served(settings: Settings) -> tuple[ContentSnapshot, str]:
    """The content the bots serve and a sentence saying where it comes from."""
    from bot.db.reports import latest_content_revision

    async with _database(settings) as sessions, sessions() as session:
        snapshot = await load_snapshot(session)
        revision = await latest_content_revision(session)
    if snapshot is None or revision is None:
        return (
            load_content(settings.content_dir),
            f"Nothing has been imported yet, so this is the content folder {settings.content_dir}.",
        )
    created = revision.created_at
    if created.tzinfo is None:  # SQLite keeps UTC without the zone
        created = created.replace(tzinfo=dt.UTC)
    when = created.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M")
    return snapshot, f"Served content: revision {revision.id}, imported on {when} by {revision.author}."


async def validate(settings: Settings, args: argparse.Namespace) -> int:
    folder = _folder(settings, args)
    try:
        # The files, and each answer as the bot sends it (with its contact card, within
        # Telegram's length).
        snapshot = load_checked(folder)
    except ContentError as exc:
        count = _count(len(exc.problems), "problem")
        return _problems(f"{folder}: {count} to fix:", exc.problems, sys.stdout)
    print(
        f"{folder}: no problems in {_count(len(snapshot.faq), 'FAQ entry', 'FAQ entries')}, "
        f"{_count(len(snapshot.contacts), 'contact')} and {_count(len(snapshot.events), 'event')}"
        + (
            f", and in the interest check ({_count(len(snapshot.interests.statements), 'statement')}, "
            f"{_count(len(snapshot.interests.fields), 'occupational field')})."
            if snapshot.interests is not None
            else "."
        )
    )
    _german_warnings(snapshot)
    return 0


def _german_warnings(snapshot: ContentSnapshot) -> None:
    """German left in other languages: warnings, not problems (the content still loads).

    Contacts, events and the glossary are listed in full; FAQ translations are counted,
    and ``wegweiser kb coverage`` lists them for the translators."""
    findings = german_words.check(snapshot)
    others = [f for f in findings if f.kind != "faq"]
    faq = [f for f in findings if f.kind == "faq"]
    if not findings:
        return
    print("Warnings: German left in other languages (only names and glossary terms stay German):")
    for finding in others:
        print(f"  {finding}")
    if faq:
        print(
            f"  {_count(len(faq), 'FAQ translation')} keep German words or unexplained terms; "
            "'wegweiser kb coverage' lists them."
        )


def _author(args: argparse.Namespace) -> str:
    author: str | None = getattr(args, "author", None)
    if author:
        return author
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name, e.g. in a container
        return "unknown"


def _as_file(key: str) -> str:
    """``faq:berufsschule`` → ``faq/berufsschule.yaml``, ``glossary:glossary`` → ``glossary.yaml``."""
    kind, _, item_id = key.partition(":")
    folder = reports.FOLDERS.get(kind)
    return f"{folder}/{item_id}.yaml" if folder else f"{kind}.yaml"


async def import_content(settings: Settings, args: argparse.Namespace) -> int:
    """Show what the folder changes, ask before removing anything, then import it.

    Without ``--yes`` a removal needs "yes" typed in a terminal; a script without a
    terminal is refused. ``--dry-run`` shows the preview only; ``--minor`` keeps the German
    revisions of changed texts (a typo fix: the translations stay current).
    """
    folder = _folder(settings, args)
    author = _author(args)
    minor = bool(getattr(args, "minor", False))
    try:
        # Everything 'kb validate' checks, also what only rendering shows (answers too long
        # with their contact card), before the database is touched.
        snapshot = load_checked(folder)
    except ContentError as exc:
        count = _count(len(exc.problems), "problem")
        return _problems(f"Nothing was imported: {folder} has {count}:", exc.problems, sys.stderr)
    async with _database(settings) as sessions:
        async with sessions() as session:
            plan = await import_snapshot(session, snapshot, author, str(folder), minor=minor, preview=True)
        if plan.unchanged:
            print("Nothing changed: the served content is the same as the folder.")
            if not getattr(args, "dry_run", False):
                _write_counted_revisions(folder, snapshot, plan)  # files behind the served revision
            return 0
        _print_preview(folder, plan)
        if getattr(args, "dry_run", False):
            print("This was a dry run: nothing was imported.")
            return 0
        if plan.removed and not getattr(args, "yes", False) and not _removal_confirmed(plan):
            return 1
        try:
            async with sessions.begin() as session:
                result = await import_snapshot(
                    session, snapshot, author, str(folder), minor=minor, expected=plan
                )
        except ImportConflict:
            print(
                "Nothing was imported: the served content changed after the preview (another import "
                "or a change in the web admin). Run 'wegweiser kb import' again to see what it changes now.",
                file=sys.stderr,
            )
            return 1
    print(
        f"Imported {folder} as revision {result.revision_id} by {author}: {len(result.added)} added, "
        f"{len(result.changed)} changed, {len(result.removed)} removed."
    )
    if result.removed:
        print("The removed items are kept in the content history with their last text.")
    _write_counted_revisions(folder, snapshot, result)
    print(f"Running bots pick it up within {settings.content_poll_seconds:.0f} seconds.")
    return 0


def _changed_file(key: str, plan: ImportResult) -> str:
    """``faq/x.yaml (languages: de, uk; fields: checked_on)``: what differs in a changed item."""
    parts = []
    languages, fields = plan.languages.get(key, ()), plan.fields.get(key, ())
    if languages:
        parts.append(f"languages: {', '.join(languages)}")
    if fields:
        parts.append(f"fields: {', '.join(fields)}")
    return f"{_as_file(key)} ({'; '.join(parts)})" if parts else _as_file(key)


def _print_preview(folder: Path, plan: ImportResult) -> None:
    print(
        f"{folder} compared with the served content: {len(plan.added)} added, "
        f"{len(plan.changed)} changed, {len(plan.removed)} removed."
    )
    if plan.added and plan.based_on is None:
        print(f"  added: all {_count(len(plan.added), 'item')} (nothing has been imported before)")
    elif plan.added:
        print(f"  added: {', '.join(_as_file(key) for key in plan.added)}")
    if plan.changed:
        print(f"  changed: {', '.join(_changed_file(key, plan) for key in plan.changed)}")
    if plan.removed:
        print(f"  removed: {', '.join(_as_file(key) for key in plan.removed)}")
    if plan.revised:
        counted = ", ".join(f"{_as_file(k)} ({old} → {new})" for k, (old, new) in plan.revised.items())
        print(
            "  German text changed, so the German revision goes up and the other languages show as "
            f"outdated until they are translated again: {counted}"
        )
    if plan.kept:
        print(
            "  German text changed as a minor edit (--minor): the revision stays and the translations "
            f"stay current: {', '.join(_as_file(key) for key in plan.kept)}"
        )


def _removal_confirmed(plan: ImportResult) -> bool:
    """Ask before items are removed; without a terminal, refuse."""
    items = _count(len(plan.removed), "item")
    if not sys.stdin.isatty():
        print(
            f"Nothing was imported: it would remove {items}, and removing needs a confirmation. "
            "Run it in a terminal to answer the question, or add --yes when the removal is intended.",
            file=sys.stderr,
        )
        return False
    print(f"Remove {items}? Type yes to import, anything else to stop: ", end="", flush=True)
    if sys.stdin.readline().strip().lower() != "yes":
        print("Nothing was imported.")
        return False
    return True


def _write_counted_revisions(folder: Path, snapshot: ContentSnapshot, result: ImportResult) -> None:
    """Write the German revisions the import counted into the files, so the folder says
    what is served (a translator's sheet names the served revision)."""
    written: list[str] = []
    for key, revision in sorted(result.counted.items()):
        origin = snapshot.origins.get(key)
        path = folder.parent / origin if origin else folder / _as_file(key)
        try:
            sheets.set_german_revision(path, revision)
        except OSError as exc:
            print(
                f"{path} could not be updated ({exc.strerror}): it still names an older German revision "
                f"than the {revision} now served. Write 'revision: {revision}' under de there, so the "
                "next translator's sheet fits the file.",
                file=sys.stderr,
            )
            continue
        written.append(f"{_as_file(key)} ({revision})")
    if written:
        print(
            f"The German revisions counted by the import were written into the files: {', '.join(written)}."
        )


def _sheet_failed(what: str, exc: sheets.SheetError) -> int:
    if len(exc.problems) == 1:
        print(f"{exc.problems[0]}. {what}", file=sys.stderr)
        return 1
    return _problems(f"{what} There are {len(exc.problems)} problems:", exc.problems, sys.stderr)


async def export(settings: Settings, args: argparse.Namespace) -> int:
    target: Path = args.target
    language: str | None = args.language
    if language is None and target.suffix.lower() in sheets.SUFFIXES:
        print(
            f"{target} is a spreadsheet name: add --language (for example --language uk) to export "
            "one language beside German, or give a folder name to export all content.",
            file=sys.stderr,
        )
        return 1
    snapshot, source = await _served(settings)
    try:
        if language:
            count = sheets.export_language(snapshot, language, target)
        else:
            count = sheets.export_folder(snapshot, target)
    except sheets.SheetError as exc:
        return _sheet_failed("Nothing was written.", exc)
    print(source)
    if language:
        print(
            f"Wrote {count} FAQ entries in {reports.language_label(language)} beside German to {target}. "
            f"Translators fill the '{language}' column, or write '{sheets.REVIEWED}' in the status column "
            f"of a text they checked and left as it is; then run 'wegweiser kb import-sheet {target}'. "
            "Only those entries are written and lose their machine-translation notice."
        )
    else:
        print(f"Wrote {count} files to {target}.")
    return 0


async def import_sheet(settings: Settings, args: argparse.Namespace) -> int:
    folder = _folder(settings, args)
    try:
        result = sheets.import_language(args.sheet, folder)
    except sheets.SheetError as exc:
        return _sheet_failed("Nothing was changed.", exc)
    label = reports.language_label(result.language)
    if not result.changed:
        print(
            f"Nothing changed: no {label} text in {args.sheet} differs from {folder}, and no status "
            f"says {sheets.REVIEWED} where the file does not already say so."
        )
        return 0
    print(
        f"Updated the {label} translation of {_count(len(result.changed), 'FAQ entry', 'FAQ entries')} "
        f"in {folder}: {', '.join(result.changed)}."
    )
    if result.confirmed:
        print(f"Of these, the status confirmed a review without a change: {', '.join(result.confirmed)}.")
    if result.reviewed:
        print(
            "These were machine-translated and are now marked reviewed (people no longer see the "
            f"machine-translation notice): {', '.join(result.reviewed)}."
        )
    print("Every other entry of the sheet stays as it was.")
    if result.outdated:
        print(
            "The German text changed after the sheet was exported, so these stay marked as stale: "
            f"{', '.join(result.outdated)}."
        )
    print("Check them with 'wegweiser kb validate', then run 'wegweiser kb import'.")
    return 0


async def coverage(settings: Settings, _args: argparse.Namespace) -> int:
    snapshot, source = await _served(settings)
    print(source)
    print(reports.format_coverage(reports.coverage(snapshot)))
    print()
    print(reports.format_item_coverage(reports.item_coverage(snapshot)))
    findings = german_words.check(snapshot)
    for kinds, title in (
        (("contact", "event", "glossary"), "German left in contacts, events and the glossary"),
        (("faq",), "German left in FAQ translations"),
    ):
        print()
        print(german_words.format_findings([f for f in findings if f.kind in kinds], title))
    return 0


async def stale(settings: Settings, _args: argparse.Namespace) -> int:
    snapshot, source = await _served(settings)
    today = dt.datetime.now(settings.zone).date()
    print(source)
    print(reports.format_stale(reports.stale(snapshot, today), today))
    return 0


async def unanswered(settings: Settings, args: argparse.Namespace) -> int:
    from bot.db.reports import unanswered_questions

    days: int = args.days
    if days < 1:
        print("--days must be 1 or more.", file=sys.stderr)
        return 1
    async with _database(settings) as sessions, sessions() as session:
        questions = await unanswered_questions(session, days=days)
    # Dates as the editors' calendar shows them, not UTC.
    local = [replace(q, created_at=q.created_at.astimezone(settings.zone)) for q in questions]
    groups = reports.group_questions(local)
    print(reports.format_groups(groups, days=days))
    links = _cross_language_links(groups)
    if links:
        print(links)
    return 0


def _cross_language_links(groups: list[reports.QuestionGroup]) -> str:
    """Groups in different languages that probably ask the same (knowledge.question_groups)."""
    from knowledge.match_dense import default_embedder
    from knowledge.question_groups import cross_language_links

    embedder = default_embedder()
    if embedder is None or len(groups) < 2:
        return ""
    languages = [min(g.languages) for g in groups]
    links = cross_language_links([g.example for g in groups], languages, embedder)
    if not links:
        return ""
    lines = ["", "Probably the same question in two languages (check before you merge them):"]
    for i, j, cosine in links:
        first, second = groups[i].example, groups[j].example
        lines.append(f"  [{languages[i]}] {first}  <->  [{languages[j]}] {second}  ({cosine:.2f})")
    return "\n".join(lines)
