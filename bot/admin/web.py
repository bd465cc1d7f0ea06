"""The web admin (``wegweiser admin``): an ASGI application on the bot's database.

Plain Starlette with Jinja2 templates rather than an admin framework: the work here is an
editorial workflow over validated content documents (per-language status, side-by-side
translation, versions), which sqladmin and starlette-admin, built for editing table rows,
do not model; sign-in, CSRF and roles would have been our own code on either as well.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.admin import accounts, details, editorial, inbox, links, removal
from bot.admin.accounts import AccountError, Permission, Policy, Role
from bot.admin.audit import audit, recent
from bot.admin.charts import bar_chart
from bot.admin.editorial import EditorialError
from bot.admin.pages import (
    ADMIN_LANGUAGES,
    HERE,
    LANGUAGE_COOKIE,
    Context,
    _,
    field,
    page,
    public,
    render,
)
from bot.admin.security import (
    CSRF_FIELD,
    PRE_SESSION_COOKIE,
    SESSION_COOKIE,
    RateLimit,
    SecurityHeaders,
    same_token,
)
from bot.db import reports
from bot.db import statistics as stats
from bot.db.models import AdminAccount, Advisor, Case, LinkCheck, User
from dialogs.i18n import LANGUAGE_NAMES
from knowledge.match_dense import Embedder
from knowledge.model import BERLIN, LANGUAGES, SOURCE_LANGUAGE, TOPICS


def _safe_next(target: str) -> str:
    """Only a path of this site (no '//host' or 'https:' redirect elsewhere)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _client(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


# ---------------------------------------------------------------- signing in and out


@public
async def login(request: Request) -> Response:
    state = request.app.state
    pre = request.cookies.get(PRE_SESSION_COOKIE) or secrets.token_urlsafe(32)
    error = ""
    status = 200
    if request.method == "POST":
        form = await request.form()
        if not same_token(request.cookies.get(PRE_SESSION_COOKIE), field(form, CSRF_FIELD)):
            error, status = _("This form has expired. Please sign in again."), 403
        elif not state.login_limit.allow(_client(request)):
            error, status = _("Too many sign-in attempts from here. Wait a few minutes and try again."), 429
        else:
            sessions: async_sessionmaker[AsyncSession] = state.sessions
            async with sessions.begin() as db:
                result = await accounts.sign_in(
                    db, field(form, "username"), field(form, "password"), state.policy
                )
                if result.account is not None and result.token is not None:
                    await audit(
                        db, result.account, "sign in", f"account:{result.account.username}", None, None
                    )
            if result.account is not None and result.token is not None:
                response = RedirectResponse(
                    _safe_next(request.query_params.get("next", "/")), status_code=303
                )
                response.set_cookie(
                    SESSION_COOKIE,
                    result.token,
                    httponly=True,
                    secure=state.secure_cookies,
                    samesite="strict",
                )
                response.delete_cookie(PRE_SESSION_COOKIE)
                return response
            if result.locked_until is not None:
                error, status = (
                    _(
                        "This account is locked after too many wrong passwords. "
                        "Try again later or ask an administrator."
                    ),
                    403,
                )
            else:
                error, status = _("User name or password is wrong."), 401
    form_page = render(
        request, "login.html", status, csrf=pre, error=error, next=request.query_params.get("next", "/")
    )
    form_page.set_cookie(
        PRE_SESSION_COOKIE, pre, httponly=True, secure=request.app.state.secure_cookies, samesite="strict"
    )
    return form_page


@page()
async def logout(ctx: Context) -> Response:
    await accounts.sign_out(ctx.db, ctx.request.cookies.get(SESSION_COOKIE))
    await audit(ctx.db, ctx.account, "sign out", f"account:{ctx.account.username}", None, None)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@public
async def choose_language(request: Request) -> Response:
    lang = request.query_params.get("lang", "")
    response = RedirectResponse(_safe_next(request.query_params.get("next", "/")), status_code=303)
    if lang in ADMIN_LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response


@page()
async def home(ctx: Context) -> Response:
    return ctx.render("home.html")


# ---------------------------------------------------------------- content


def _visible_languages(account: AdminAccount) -> tuple[str, ...]:
    if accounts.may(account, Permission.EDIT_CONTENT) or accounts.role_of(account) is not Role.TRANSLATOR:
        return LANGUAGES
    return (SOURCE_LANGUAGE, *accounts.languages_of(account))


@page(Permission.VIEW_CONTENT)
async def content_list(ctx: Context) -> Response:
    kind = ctx.request.query_params.get("kind", "faq")
    if kind not in editorial.EDITABLE_KINDS:
        kind = "faq"
    params = ctx.request.query_params
    show, search = params.get("show", ""), params.get("q", "")[:100]
    page = int(params["page"]) if params.get("page", "").isdigit() else 1
    overview = await editorial.items_overview(ctx.db, kind, show=show, search=search, page=page)
    return ctx.render(
        "content_list.html",
        kind=kind,
        kinds=editorial.EDITABLE_KINDS,
        overview=overview,
        show=show,
        search=search,
        languages=_visible_languages(ctx.account),
    )


async def _state_or_404(ctx: Context) -> editorial.ItemState | Response:
    kind, item_id = ctx.request.path_params["kind"], ctx.request.path_params["item_id"]
    state = await editorial.item_state(ctx.db, kind, item_id) if kind in editorial.EDITABLE_KINDS else None
    if state is None:
        return ctx.render("error.html", 404, message=_("This item does not exist."))
    return state


@page(Permission.VIEW_CONTENT)
async def content_item(ctx: Context) -> Response:
    state = await _state_or_404(ctx)
    if isinstance(state, Response):
        return state
    return ctx.render(
        "content_item.html",
        state=state,
        versions=await editorial.history(ctx.db, state.kind, state.item_id),
        languages=_visible_languages(ctx.account),
        names=LANGUAGE_NAMES,
        may_edit=lambda lang: accounts.may_edit_language(ctx.account, lang),
    )


def _form_fields(ctx: Context, kind: str) -> dict[str, Any]:
    return {name: field(ctx.form, name) for name in editorial.TEXT_FIELDS[kind]}


@page(Permission.VIEW_CONTENT)
async def translation(ctx: Context) -> Response:
    state = await _state_or_404(ctx)
    if isinstance(state, Response):
        return state
    language = ctx.request.path_params["language"]
    if language not in LANGUAGES or not accounts.may_edit_language(ctx.account, language):
        return ctx.render("error.html", 403, message=_("Your account may not edit this language."))
    kind, item_id = state.kind, state.item_id
    errors: list[str] = []
    notice = ""
    lang_state = state.languages[language]
    values: dict[str, Any] = dict(
        lang_state.draft.fields if lang_state.draft is not None else (lang_state.published or {})
    )
    if ctx.form is not None:
        action = field(ctx.form, "action")
        values = _form_fields(ctx, kind)
        try:
            if action in ("save", "submit", "publish"):
                await editorial.save_draft(
                    ctx.db,
                    ctx.account,
                    kind,
                    item_id,
                    language,
                    values,
                    submit=action != "save",
                    minor=field(ctx.form, "minor") == "on",
                    reviewed=field(ctx.form, "reviewed") == "on",
                )
                if action == "publish":
                    await editorial.publish(ctx.db, ctx.account, kind, item_id, language)
                    notice = "published"
                else:
                    notice = "submitted" if action == "submit" else "saved"
            elif action == "discard":
                await editorial.discard_draft(ctx.db, ctx.account, kind, item_id, language)
                notice = "discarded"
            elif action == "confirm":
                await editorial.confirm_review(ctx.db, ctx.account, kind, item_id, language)
                notice = "confirmed"
        except EditorialError as exc:
            errors = exc.problems
        if not errors:
            return RedirectResponse(f"/content/{kind}/{item_id}/{language}?done={notice}", status_code=303)
    german = state.languages[SOURCE_LANGUAGE].published or {}
    changes_since: dict[str, list[editorial.Piece]] = {}
    published = lang_state.published
    if language != SOURCE_LANGUAGE and lang_state.outdated and published is not None:
        then = await editorial.german_when_translated(
            ctx.db, kind, item_id, int(published.get("source_revision") or 1)
        )
        if then is not None:
            changes_since = editorial.diff_texts(kind, then, german)
    return ctx.render(
        "translation.html",
        status_code=422 if errors else 200,
        state=state,
        language=language,
        lang_state=lang_state,
        german=german,
        values=values,
        errors=errors,
        done=ctx.request.query_params.get("done", ""),
        fields=editorial.TEXT_FIELDS[kind],
        list_fields=editorial.LIST_FIELDS,
        required=editorial.REQUIRED[kind],
        changes_since=changes_since,
        field_text=editorial.field_text,
        names=LANGUAGE_NAMES,
        rtl=language in ("ar", "fa"),
    )


def _details_form(ctx: Context, kind: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for spec in details.FIELDS[kind]:
        if spec.shape == "choices":
            values[spec.name] = [str(v) for v in ctx.form.getlist(spec.name)] if ctx.form is not None else []
        else:
            values[spec.name] = field(ctx.form, spec.name)
    for name in details.NEW_TEXTS[kind]:
        values[name] = field(ctx.form, name)
    return values


@page(Permission.VIEW_CONTENT)
async def item_details(ctx: Context) -> Response:
    state = await _state_or_404(ctx)
    if isinstance(state, Response):
        return state
    errors: list[str] = []
    values: dict[str, Any] = details.form_values(state.kind, state.body)
    if ctx.form is not None:
        values = _details_form(ctx, state.kind)
        try:
            await details.save_details(ctx.db, ctx.account, state.kind, state.item_id, values)
            return RedirectResponse(f"/content/{state.kind}/{state.item_id}?done=details", status_code=303)
        except EditorialError as exc:
            errors = exc.problems
    return ctx.render(
        "details.html",
        status_code=422 if errors else 200,
        state=state,
        kind=state.kind,
        specs=details.FIELDS[state.kind],
        values=values,
        errors=errors,
        new=False,
        names=LANGUAGE_NAMES,
    )


@page(Permission.PUBLISH)
async def new_item(ctx: Context) -> Response:
    kind = ctx.request.query_params.get("kind", "faq")
    if kind not in details.FIELDS:
        kind = "faq"
    errors: list[str] = []
    today = dt.datetime.now(BERLIN).date()
    values: dict[str, Any] = {
        **details.default_dates(today),
        "question": ctx.request.query_params.get("question", ""),
    }
    if ctx.form is not None:
        values = _details_form(ctx, kind)
        item_id = field(ctx.form, "id").strip()
        values["id"] = item_id
        try:
            await details.create_item(ctx.db, ctx.account, kind, item_id, values)
            return RedirectResponse(f"/content/{kind}/{item_id}?done=created", status_code=303)
        except EditorialError as exc:
            errors = exc.problems
    return ctx.render(
        "details.html",
        status_code=422 if errors else 200,
        state=None,
        kind=kind,
        specs=details.FIELDS[kind],
        texts=details.NEW_TEXTS[kind],
        values=values,
        errors=errors,
        new=True,
        names=LANGUAGE_NAMES,
    )


@page(Permission.PUBLISH)
async def remove(ctx: Context) -> Response:
    kind, item_id = ctx.request.path_params["kind"], ctx.request.path_params["item_id"]
    if field(ctx.form, "confirm") != "on":
        return ctx.render("error.html", 422, message=_("Tick the box to confirm the removal."))
    try:
        await removal.remove_item(ctx.db, ctx.account, kind, item_id)
    except EditorialError as exc:
        return ctx.render("error.html", 422, message=" ".join(exc.problems))
    return RedirectResponse("/content/removed?done=removed", status_code=303)


@page(Permission.VIEW_CONTENT)
async def removed_list(ctx: Context) -> Response:
    errors: list[str] = []
    if ctx.form is not None:
        if not ctx.may(Permission.PUBLISH):
            return ctx.render("error.html", 403, message=_("Your account may not change this."))
        kind, item_id = field(ctx.form, "kind"), field(ctx.form, "item_id")
        try:
            await removal.bring_back(ctx.db, ctx.account, kind, item_id)
            return RedirectResponse(f"/content/{kind}/{item_id}?done=back", status_code=303)
        except EditorialError as exc:
            errors = exc.problems
    return ctx.render(
        "removed.html",
        status_code=422 if errors else 200,
        items=await removal.removed_items(ctx.db),
        errors=errors,
        done=ctx.request.query_params.get("done", ""),
    )


@page(Permission.VIEW_CONTENT)
async def version_view(ctx: Context) -> Response:
    state = await _state_or_404(ctx)
    if isinstance(state, Response):
        return state
    number = int(ctx.request.path_params["number"])
    history = await editorial.history(ctx.db, state.kind, state.item_id)
    chosen = next((v for v in history if v.number == number), None)
    if chosen is None:
        return ctx.render("error.html", 404, message=_("This version does not exist."))
    if ctx.form is not None and field(ctx.form, "action") == "restore":
        try:
            await editorial.restore(ctx.db, ctx.account, state.kind, state.item_id, number)
        except EditorialError as exc:
            return ctx.render(
                "error.html", 403 if isinstance(exc, editorial.NotAllowed) else 422, message=str(exc)
            )
        return RedirectResponse(f"/content/{state.kind}/{state.item_id}?done=restored", status_code=303)
    previous = next((v for v in history if v.number < number), None)
    diffs = {
        lang: editorial.diff_texts(
            state.kind,
            editorial.texts(previous.body, lang) if previous is not None else {},
            editorial.texts(chosen.body, lang),
        )
        for lang in _visible_languages(ctx.account)
    }
    return ctx.render(
        "version.html",
        state=state,
        version=chosen,
        previous=previous,
        diffs={k: v for k, v in diffs.items() if v},
        current=history[0].number if history else None,
        names=LANGUAGE_NAMES,
    )


# ---------------------------------------------------------------- accounts and audit


def _role_choices(actor: AdminAccount) -> list[Role]:
    return [role for role in Role if accounts.may_manage(actor, role)]


@page(Permission.MANAGE_ACCOUNTS)
async def account_list(ctx: Context) -> Response:
    errors: list[str] = []
    if ctx.form is not None:
        try:
            role = Role(field(ctx.form, "role"))
            if not accounts.may_manage(ctx.account, role):
                raise AccountError(_("Your account may not create this role."))
            languages = tuple(str(v) for v in ctx.form.getlist("languages"))
            created = await accounts.create_account(
                ctx.db,
                field(ctx.form, "username"),
                field(ctx.form, "password"),
                role,
                field(ctx.form, "display_name"),
                languages,
            )
            await accounts.audit_account(ctx.db, ctx.account, "create account", created)
            return RedirectResponse("/accounts?done=created", status_code=303)
        except (AccountError, ValueError) as exc:
            errors = [str(exc)]
    rows = list(await ctx.db.scalars(select(AdminAccount).order_by(AdminAccount.username)))
    return ctx.render(
        "accounts.html",
        status_code=422 if errors else 200,
        rows=rows,
        roles=_role_choices(ctx.account),
        languages=[code for code in LANGUAGES if code != SOURCE_LANGUAGE],
        names=LANGUAGE_NAMES,
        errors=errors,
        done=ctx.request.query_params.get("done", ""),
        now=dt.datetime.now(dt.UTC),
    )


@page(Permission.MANAGE_ACCOUNTS)
async def account_edit(ctx: Context) -> Response:
    target = await ctx.db.get(AdminAccount, int(ctx.request.path_params["account_id"]))
    if target is None or not accounts.may_manage(ctx.account, accounts.role_of(target)):
        return ctx.render("error.html", 403, message=_("Your account may not change this account."))
    errors: list[str] = []
    if ctx.form is not None:
        before = accounts.account_summary(target)
        try:
            role = Role(field(ctx.form, "role"))
            if not accounts.may_manage(ctx.account, role):
                raise AccountError(_("Your account may not give this role."))
            if target.id == ctx.account.id and role is not accounts.role_of(ctx.account):
                raise AccountError(_("You cannot change your own role."))
            accounts.change_role(target, role, tuple(str(v) for v in ctx.form.getlist("languages")))
            target.display_name = field(ctx.form, "display_name").strip()[:100] or target.username
            active = field(ctx.form, "active") == "on"
            if target.id == ctx.account.id and not active:
                raise AccountError(_("You cannot deactivate your own account."))
            target.active = active
            password = field(ctx.form, "password")
            if password:
                accounts.set_password(target, password)
            if field(ctx.form, "unlock") == "on":
                target.locked_until, target.failed_logins = None, 0
            if password or not active:
                await accounts.end_sessions(ctx.db, target.id)
            await accounts.audit_account(ctx.db, ctx.account, "change account", target, before)
            return RedirectResponse("/accounts?done=changed", status_code=303)
        except (AccountError, ValueError) as exc:
            errors = [str(exc)]
    return ctx.render(
        "account_edit.html",
        status_code=422 if errors else 200,
        target=target,
        roles=_role_choices(ctx.account),
        languages=[code for code in LANGUAGES if code != SOURCE_LANGUAGE],
        chosen=accounts.languages_of(target),
        names=LANGUAGE_NAMES,
        errors=errors,
    )


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def parse_period(text: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """A calendar period: "2026" (a year), "2026-Q4" (a quarter) or "2026-11" (a month).

    Only fixed calendar periods are offered: two overlapping windows (the 1st to the 30th
    and the 1st to the 31st) would differ by one day, and their totals would show that
    day's counts below 5."""
    try:
        if len(text) == 4 and text.isdigit():
            start, end = dt.date(int(text), 1, 1), dt.date(int(text), 12, 31)
        elif len(text) == 7 and text[4:6] == "-Q" and text[6] in "1234":
            quarter = int(text[6])
            start = dt.date(int(text[:4]), 3 * quarter - 2, 1)
            end = _month_end(start.year, 3 * quarter)
        elif len(text) == 7 and text[4] == "-":
            start = dt.date(int(text[:4]), int(text[5:]), 1)
            end = _month_end(start.year, start.month)
        else:
            return None
    except ValueError:
        return None
    if start > today or start.year < 2020:
        return None
    return start, min(end, today)


def period_choices(today: dt.date) -> list[str]:
    """The last 13 months, 5 quarters and 3 years, newest first."""
    months = []
    year, month = today.year, today.month
    for _month in range(13):
        months.append(f"{year}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    quarter = (today.month - 1) // 3 + 1
    quarters = []
    year = today.year
    for _quarter in range(5):
        quarters.append(f"{year}-Q{quarter}")
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return months + quarters + [str(today.year - n) for n in range(3)]


@page(Permission.VIEW_STATISTICS)
async def statistics_page(ctx: Context) -> Response:
    today = dt.datetime.now(BERLIN).date()
    chosen = ctx.request.query_params.get("period", "") or f"{today.year}-{today.month:02d}"
    period = parse_period(chosen, today)
    if period is None:
        return ctx.render("error.html", 404, message=_("There are no statistics for this period."))
    start, end = period
    figures = await stats.daily_statistics(ctx.db, start, end)
    download = ctx.request.query_params.get("format", "")
    name = f"wegweiser-statistics-{chosen}"
    if download == "csv":
        return Response(
            stats.to_csv(figures),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{name}.csv"'},
        )
    if download == "xlsx":
        return Response(
            stats.to_xlsx(figures),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"content-disposition": f'attachment; filename="{name}.xlsx"'},
        )
    charts = []
    for table, title in (
        (figures.starts, _("People starting per day")),
        (figures.questions, _("Questions per day")),
    ):
        grid = table.grid()
        charts.append(bar_chart(title, figures.days, [row[-1] for row in grid[1:-1]]))  # type: ignore[misc]
    return ctx.render(
        "statistics.html",
        figures=figures,
        charts=charts,
        start=start,
        end=end,
        chosen=chosen,
        choices=period_choices(today),
    )


def _codes(values: list[str], allowed: tuple[str, ...]) -> str:
    return ",".join(v for v in allowed if v in values)


@page(Permission.MANAGE_ADVISORS)
async def advisor_list(ctx: Context) -> Response:
    """Who may take, answer and close cases in the advisors' group."""
    errors: list[str] = []
    if ctx.form is not None:
        raw_id = field(ctx.form, "telegram_id").strip()
        name = field(ctx.form, "display_name").strip()
        if not raw_id.isdigit() or not 0 < int(raw_id) < 2**52:
            errors.append(_("The Telegram id is the number the advisor's /me shows in the advisors' group."))
        if not name:
            errors.append(_("The advisor needs a display name."))
        if not errors:
            advisor = await ctx.db.get(Advisor, int(raw_id))
            before = _advisor_summary(advisor) if advisor is not None else None
            if advisor is None:
                advisor = Advisor(telegram_id=int(raw_id))
                ctx.db.add(advisor)
            advisor.display_name = name[:60]
            advisor.languages = _codes([str(v) for v in ctx.form.getlist("languages")], LANGUAGES)
            advisor.topics = _codes([str(v) for v in ctx.form.getlist("topics")], TOPICS)
            advisor.active = field(ctx.form, "active") == "on"
            advisor.role = advisor.role or "advisor"
            await ctx.db.flush()
            await audit(
                ctx.db,
                ctx.account,
                "save advisor",
                f"advisor:{advisor.telegram_id}",
                before,
                _advisor_summary(advisor),
            )
            return RedirectResponse("/advisors?done=saved", status_code=303)
    rows = list(await ctx.db.scalars(select(Advisor).order_by(Advisor.active.desc(), Advisor.display_name)))
    chosen = ctx.request.query_params.get("edit", "")
    editing = next((a for a in rows if str(a.telegram_id) == chosen), None)
    return ctx.render(
        "advisors.html",
        status_code=422 if errors else 200,
        rows=rows,
        editing=editing,
        errors=errors,
        languages=LANGUAGES,
        topics=TOPICS,
        names=LANGUAGE_NAMES,
        done=ctx.request.query_params.get("done", ""),
    )


def _advisor_summary(advisor: Advisor) -> dict[str, object]:
    return {
        "display_name": advisor.display_name,
        "languages": advisor.languages,
        "topics": advisor.topics,
        "active": advisor.active,
    }


CASE_STATES = ("waiting", "taken", "closed")


@page(Permission.MANAGE_ADVISORS)
async def case_list(ctx: Context) -> Response:
    """Cases with pseudonym, language, topic, state, waiting time and advisor; no texts."""
    state = ctx.request.query_params.get("state", "open")
    query = (
        select(Case, User.pseudonym, Advisor.display_name)
        .join(User, User.id == Case.user_id)
        .outerjoin(Advisor, Advisor.telegram_id == Case.advisor_id)
        .order_by(Case.urgent.desc(), Case.created_at)
        .limit(500)
    )
    if state == "open":
        query = query.where(Case.state != "closed")
    elif state in CASE_STATES:
        query = query.where(Case.state == state)
    now = dt.datetime.now(dt.UTC)
    rows = []
    for case, pseudonym, advisor in (await ctx.db.execute(query)).all():
        waited_until = case.taken_at or case.closed_at or now
        rows.append(
            {
                "id": case.id,
                "pseudonym": pseudonym,
                "language": case.language,
                "topic": case.topic or "",
                "state": case.state,
                "urgent": case.urgent,
                "opened": case.created_at.astimezone(BERLIN),
                "waited_minutes": max(0, int((waited_until - case.created_at).total_seconds() // 60)),
                "advisor": advisor or "",
            }
        )
    return ctx.render("cases.html", rows=rows, state=state, states=("open", *CASE_STATES))


INBOX_DAYS = (7, 30, 90)


@page(Permission.VIEW_CONTENT)
async def unanswered(ctx: Context) -> Response:
    """The unanswered inbox: groups by meaning, "none of these" and 👎 per entry."""
    raw = ctx.request.query_params.get("days", "")
    days = int(raw) if raw.isdigit() and int(raw) in INBOX_DAYS else 30
    embedder = ctx.request.app.state.embedder
    groups = await inbox.inbox(ctx.db, days, embedder)
    done = ctx.request.query_params.get("done", "")
    if ctx.form is not None:
        if not ctx.may(Permission.EDIT_CONTENT):
            return ctx.render("error.html", 403, message=_("Your account may not change this."))
        chosen = field(ctx.form, "group")
        index = int(chosen) if chosen.isdigit() else -1
        if 0 <= index < len(groups):
            marked = await reports.mark_handled(ctx.db, groups[index].texts, days)
            await audit(
                ctx.db, ctx.account, "mark handled", "unanswered", None, {"questions": marked, "days": days}
            )
        return RedirectResponse(f"/unanswered?days={days}&done=handled", status_code=303)
    return ctx.render(
        "unanswered.html",
        groups=groups,
        days=days,
        periods=INBOX_DAYS,
        unhelpful=await inbox.unhelpful_per_entry(ctx.db, days),
        none_of_these=await inbox.none_of_these(ctx.db, days),
        done=done,
        names=LANGUAGE_NAMES,
    )


@page(Permission.VIEW_CONTENT)
async def link_report(ctx: Context) -> Response:
    broken, checked = await links.broken_links(ctx.db)
    latest = await ctx.db.scalar(select(func.max(LinkCheck.checked_at)))
    return ctx.render("links.html", broken=broken, checked=checked, latest=latest)


@page(Permission.VIEW_AUDIT)
async def audit_log(ctx: Context) -> Response:
    return ctx.render("audit.html", entries=await recent(ctx.db, 200))


async def health(_request: Request) -> Response:
    return Response("ok", media_type="text/plain")


def build_admin_app(
    sessions: async_sessionmaker[AsyncSession],
    *,
    policy: Policy | None = None,
    secure_cookies: bool = True,
    login_limit: RateLimit | None = None,
    embedder: Embedder | None = None,
) -> Starlette:
    """The admin application; ``embedder`` joins unanswered questions across languages
    (by default the bot's sentence model, loaded when the inbox is first opened)."""
    routes = [
        Route("/", home),
        Route("/health", health),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/language", choose_language),
        Route("/content", content_list),
        Route("/content/new", new_item, methods=["GET", "POST"]),
        Route("/content/removed", removed_list, methods=["GET", "POST"]),
        Route("/content/{kind}/{item_id}", content_item),
        Route("/content/{kind}/{item_id}/details", item_details, methods=["GET", "POST"]),
        Route("/content/{kind}/{item_id}/remove", remove, methods=["POST"]),
        Route("/content/{kind}/{item_id}/versions/{number:int}", version_view, methods=["GET", "POST"]),
        Route("/content/{kind}/{item_id}/{language}", translation, methods=["GET", "POST"]),
        Route("/accounts", account_list, methods=["GET", "POST"]),
        Route("/accounts/{account_id:int}", account_edit, methods=["GET", "POST"]),
        Route("/audit", audit_log),
        Route("/statistics", statistics_page),
        Route("/advisors", advisor_list, methods=["GET", "POST"]),
        Route("/cases", case_list),
        Route("/unanswered", unanswered, methods=["GET", "POST"]),
        Route("/links", link_report),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)])
    app.state.sessions = sessions
    app.state.policy = policy or Policy()
    app.state.secure_cookies = secure_cookies
    app.state.login_limit = login_limit or RateLimit()
    app.state.embedder = embedder
    return app
