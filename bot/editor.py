"""``wegweiser kb …``: the editors' commands. Reports live in ``knowledge.reports``."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from bot.config import Settings
from bot.content import import_folder, load_snapshot
from bot.db.engine import create_engine, create_session_factory
from knowledge import reports, sheets
from knowledge.loader import ContentSnapshot, load_content


def _folder(settings: Settings, args: argparse.Namespace) -> Path:
    folder: Path | None = getattr(args, "folder", None)
    return folder or settings.content_dir


async def validate(settings: Settings, args: argparse.Namespace) -> int:
    folder = _folder(settings, args)
    snapshot = load_content(folder)  # ContentError lists every problem (bot.errors)
    print(
        f"{folder}: no problems in {len(snapshot.faq)} FAQ entries, {len(snapshot.contacts)} contacts, "
        f"{len(snapshot.events)} events."
    )
    return 0


async def _served(settings: Settings) -> ContentSnapshot:
    from bot.app import prepare_database

    engine = create_engine(settings.database_url)
    try:
        await prepare_database(engine, settings)
        async with create_session_factory(engine)() as session:
            snapshot = await load_snapshot(session)
    finally:
        await engine.dispose()
    return snapshot if snapshot is not None else load_content(settings.content_dir)


async def import_content(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import prepare_database

    folder = _folder(settings, args)
    engine = create_engine(settings.database_url)
    try:
        await prepare_database(engine, settings)
        result = await import_folder(create_session_factory(engine), folder, args.author)
    finally:
        await engine.dispose()
    if result.unchanged:
        print("Nothing changed: the served content is the same as the folder.")
    else:
        print(
            f"Imported as revision {result.revision_id}: {len(result.added)} added, "
            f"{len(result.changed)} changed, {len(result.removed)} removed. "
            "Running bots pick it up within a minute."
        )
    return 0


async def export(settings: Settings, args: argparse.Namespace) -> int:
    snapshot = await _served(settings)
    target: Path = args.target
    if args.language:
        count = sheets.export_language(snapshot, args.language, target)
        print(f"Wrote {count} entries in {args.language} beside German to {target}.")
    else:
        count = sheets.export_folder(snapshot, target)
        print(f"Wrote {count} files to {target}.")
    return 0


async def import_sheet(settings: Settings, args: argparse.Namespace) -> int:
    folder = _folder(settings, args)
    changed = sheets.import_language(args.sheet, folder)
    print(
        f"Updated {len(changed)} entries in {folder}: {', '.join(changed) or 'none'}. "
        "Check them with 'wegweiser kb validate', then import."
    )
    return 0


async def coverage(settings: Settings, _args: argparse.Namespace) -> int:
    print(reports.format_coverage(reports.coverage(await _served(settings))))
    return 0


async def stale(settings: Settings, _args: argparse.Namespace) -> int:
    today = dt.datetime.now(settings.zone).date()
    print(reports.format_stale(reports.stale(await _served(settings), today)))
    return 0


async def unanswered(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import prepare_database
    from bot.db.reports import unanswered_questions

    engine = create_engine(settings.database_url)
    try:
        await prepare_database(engine, settings)
        async with create_session_factory(engine)() as session:
            questions = await unanswered_questions(session, days=args.days)
    finally:
        await engine.dispose()
    print(reports.format_groups(reports.group_questions(questions)))
    return 0
