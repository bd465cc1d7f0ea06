"""What every admin page shares: the signed-in account, its language, CSRF, templates."""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any

from babel.support import NullTranslations
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.admin import accounts
from bot.admin.accounts import Permission
from bot.admin.security import CSRF_FIELD, SESSION_COOKIE, same_token
from bot.db.models import AdminAccount
from dialogs.i18n import TRANSLATIONS_DIR, load_catalog

HERE = Path(__file__).resolve().parent
ADMIN_LANGUAGES = ("de", "en")
LANGUAGE_COOKIE = "wegweiser_admin_lang"
DOMAIN = "admin"

_catalogs: dict[str, NullTranslations] = {
    lang: load_catalog(TRANSLATIONS_DIR, lang, DOMAIN) for lang in ADMIN_LANGUAGES
}
_current: contextvars.ContextVar[NullTranslations] = contextvars.ContextVar(
    "admin_translations", default=_catalogs["en"]
)


def gettext(message: str) -> str:
    return _current.get().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.get().ngettext(singular, plural, n)


def _(message: str) -> str:
    return gettext(message)


templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]


def admin_language(request: Request) -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in ADMIN_LANGUAGES:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in ADMIN_LANGUAGES:
            return code
    return "de"


@dataclass
class Context:
    request: Request
    db: AsyncSession
    account: AdminAccount
    csrf: str
    language: str
    form: FormData | None = None

    def may(self, permission: Permission) -> bool:
        return accounts.may(self.account, permission)

    def render(self, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        return render(self.request, template, status_code, account=self.account, csrf=self.csrf, **values)


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    values.setdefault("account", None)
    values.setdefault("csrf", "")
    page = templates.get_template(template).render(
        request=request,
        lang=_lang_of(request),
        Permission=Permission,
        may=(lambda p: values["account"] is not None and accounts.may(values["account"], p)),
        **values,
    )
    return HTMLResponse(page, status_code=status_code)


def _lang_of(request: Request) -> str:
    return str(request.scope.get("admin_language", "de"))


Handler = Callable[[Context], Awaitable[Response]]


def page(*needs: Permission) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """A page for signed-in accounts holding ``needs``: one transaction per request, the
    session's CSRF token checked on every form sent, 403 for what the role may not do."""

    def decorate(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        @wraps(handler)
        async def endpoint(request: Request) -> Response:
            language = _lang_of(request)
            sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
            async with sessions.begin() as db:
                signed = await accounts.current(
                    db, request.cookies.get(SESSION_COOKIE), request.app.state.policy
                )
                if signed is None:
                    target = request.url.path
                    return RedirectResponse(f"/login?next={target}", status_code=303)
                form = None
                if request.method == "POST":
                    form = await request.form()
                    if not same_token(signed.csrf, str(form.get(CSRF_FIELD) or "")):
                        return render(
                            request,
                            "error.html",
                            403,
                            account=signed.account,
                            csrf=signed.csrf,
                            message=_(
                                "This form has expired or did not come from this site. "
                                "Open the page again and repeat your change."
                            ),
                        )
                context = Context(request, db, signed.account, signed.csrf, language, form)
                if not all(context.may(p) for p in needs):
                    return context.render(
                        "error.html", 403, message=_("Your account may not open this page.")
                    )
                return await handler(context)

        return public(endpoint)  # in the visitor's language

    return decorate


def public(handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """A page without sign-in (the sign-in page itself), in the visitor's language."""

    @wraps(handler)
    async def endpoint(request: Request) -> Response:
        language = admin_language(request)
        request.scope["admin_language"] = language
        token = _current.set(_catalogs[language])
        try:
            return await handler(request)
        finally:
            _current.reset(token)

    return endpoint


def field(form: FormData | None, name: str) -> str:
    value = form.get(name) if form is not None else None
    return value if isinstance(value, str) else ""


def N_(message: str) -> str:
    """Marks a string for the catalog that is translated where it is shown."""
    return message


# Shown through ``_(value)`` in templates: role, kind and field names.
SHOWN_NAMES = (
    N_("admin"),
    N_("manager"),
    N_("editor"),
    N_("translator"),
    N_("observer"),
    N_("faq"),
    N_("contact"),
    N_("event"),
    N_("offer"),
    N_("question"),
    N_("variants"),
    N_("answer"),
    N_("description"),
    N_("opening_hours"),
    N_("phone_note"),
    N_("address_note"),
    N_("title"),
    N_("place"),
    N_("registration"),
    # The statistics' table titles and fixed column names (bot.db.statistics).
    N_("Starts per campaign link"),
    N_("Languages chosen"),
    N_("Topics viewed"),
    N_("Towns named"),
    N_("Entries viewed"),
    N_("👍 per entry"),
    N_("👎 per entry"),
    N_("Typed questions by outcome"),
    N_("“None of these” chosen after “did you mean”"),
    N_("Cases"),
    N_("Minutes to the first advisor reply, by the day the case was opened"),
    N_("Interest checks started and finished, per month and language"),
    N_("Occupational fields in interest check results, per month and language"),
    N_("(no campaign)"),
    N_("total"),
    N_("answered"),
    N_("suggested"),
    N_("unanswered"),
    N_("none of these"),
    N_("opened"),
    N_("taken"),
    N_("closed"),
    N_("urgent"),
    N_("cases answered"),
    N_("median minutes"),
    N_("p90 minutes"),
    # Topics, and the states of cases.
    N_("training"),
    N_("internship"),
    N_("counselling"),
    N_("recognition"),
    N_("german"),
    N_("events"),
    N_("residence"),
    N_("crisis"),
    N_("open"),
    N_("waiting"),
    # The facts' field names (bot.admin.details).
    N_("topic"),
    N_("region"),
    N_("tags"),
    N_("contacts"),
    N_("sources"),
    N_("checked_on"),
    N_("review_by"),
    N_("review_status"),
    N_("reviewed"),
    N_("needs_verification"),
    N_("organisation"),
    N_("address"),
    N_("town"),
    N_("phone"),
    N_("email"),
    N_("website"),
    N_("languages"),
    N_("topics"),
    # An offer's facts and kinds.
    N_("company"),
    N_("fields"),
    N_("kind"),
    N_("team_languages"),
    N_("contact.person"),
    N_("contact.phone"),
    N_("contact.email"),
    N_("contact.url"),
    N_("valid_from"),
    N_("valid_until"),
    N_("welcome.agreed_on"),
    N_("schulpraktikum"),
    N_("freiwilliges_praktikum"),
    N_("einstiegsqualifizierung"),
    N_("ausbildung"),
    N_("editor_note"),
    N_("starts_at"),
    N_("ends_at"),
)
