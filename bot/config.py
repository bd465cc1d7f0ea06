"""Configuration from environment variables and an optional ``.env`` file.

A mistake in the configuration stops start-up with one plain sentence that names the
variable and what it expects; nobody should have to read a traceback to fix a typo.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from knowledge.index_cache import cache_folder
from knowledge.model import LANGUAGES

SHIPPED_CONTENT_DIR = Path(__file__).resolve().parent.parent / "knowledge" / "content"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/wegweiser.db"
TELEGRAM_API_URL = "https://api.telegram.org"

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS_PART = re.compile(
    r"^(?P<days>[a-z]{3}(?:-[a-z]{3})?(?:,[a-z]{3}(?:-[a-z]{3})?)*)\s+"
    r"(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})$"
)

OfficeHours = dict[int, tuple[dt.time, dt.time]]


class ConfigError(Exception):
    """A configuration value is missing or malformed; the message is for people."""


def parse_office_hours(text: str) -> OfficeHours:
    """Parse ``"mon-thu 09:00-16:00; fri 09:00-13:00"`` into weekday → (start, end)."""
    hours: OfficeHours = {}
    for part in (p.strip().lower() for p in text.split(";")):
        if not part:
            continue
        m = _HOURS_PART.match(part)
        if m is None:
            raise ValueError(f"cannot read {part!r}")
        start = dt.time.fromisoformat(m["start"].zfill(5))
        end = dt.time.fromisoformat(m["end"].zfill(5))
        if end <= start:
            raise ValueError(f"in {part!r} the end lies before the start")
        for span in m["days"].split(","):
            first, _, last = span.partition("-")
            if first not in _WEEKDAYS or (last and last not in _WEEKDAYS):
                raise ValueError(f"unknown weekday in {span!r}")
            a = _WEEKDAYS.index(first)
            b = _WEEKDAYS.index(last) if last else a
            for day in range(a, b + 1):
                hours[day] = (start, end)
    return hours


def normalise_database_url(url: str) -> str:
    """Accept the usual spellings and choose the async driver for each database."""
    url = url.strip()
    for prefix, driver in (
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(prefix):
            return driver + url[len(prefix) :]
    if url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
        return url
    raise ValueError("expects a sqlite:///path or postgresql://user:password@host/db URL")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    telegram_api_url: str = TELEGRAM_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    # The advisors' group where new cases open.
    advisor_chat_id: int | None = None
    # Earlier advisors' groups: their open cases finish there (replies, commands and buttons
    # keep working) while new cases open in advisor_chat_id. Telegram archives very old
    # topics in very large forums, so a busy network moves to a fresh group now and then.
    advisor_old_chat_ids: Annotated[tuple[int, ...], NoDecode] = ()
    content_dir: Path = SHIPPED_CONTENT_DIR
    default_language: Literal["de", "en", "ar", "uk", "ru", "fa", "tr", "cs"] = "de"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    timezone: str = "Europe/Berlin"
    office_hours: Annotated[OfficeHours, NoDecode] = Field(
        default_factory=lambda: parse_office_hours("mon-thu 09:00-16:00; fri 09:00-13:00")
    )
    # Saxony's public holidays close the advisors' office (false: they work on holidays too).
    public_holidays: bool = True
    # Message texts of a case are purged this many days after the case closed.
    retention_days: int = Field(default=90, ge=1, le=3650)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    # Set by `wegweiser run --webhook --workers N` for its workers: they share WEBHOOK_PORT
    # (SO_REUSEPORT), and only worker 0 publishes the bot's commands and descriptions.
    webhook_reuse_port: bool = False
    worker_index: int = Field(default=0, ge=0)
    # The advisors' interface language (cards, buttons in their group).
    advisor_language: Literal["de", "en", "ar", "uk", "ru", "fa", "tr", "cs"] = "de"
    # A message this many hours after a case was closed reopens it; later it starts afresh.
    reopen_hours: float = Field(default=24.0, ge=0)
    # Cases nobody took are reminded after this many minutes of office hours.
    remind_minutes: int = Field(default=30, ge=1)
    # Sentence vectors of the content phrasings, kept across restarts (derived data only).
    embedding_cache: Path = cache_folder() / "embeddings.npz"
    # How often a running bot looks for newly imported content, in seconds.
    content_poll_seconds: float = Field(default=30.0, gt=0)
    # Our own pacing below Telegram's flood limits (messages per second overall, per
    # second to one person, per minute into one group). Lower them if Telegram answers
    # with many 429s; raise them only if Telegram has granted the bot more.
    send_per_second: int = Field(default=30, ge=1, le=1000)
    send_per_chat_per_second: int = Field(default=1, ge=1, le=100)
    send_per_group_per_minute: int = Field(default=20, ge=1, le=6000)
    # Polling mode: /healthz, /readyz and /metrics on this port (webhook workers serve them
    # beside the webhook). Unset: not served.
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_host: str = "127.0.0.1"
    # "json": one JSON object per log line (for log collectors); "text" for people.
    log_format: Literal["text", "json"] = "text"
    # The web admin (``wegweiser admin``): where it listens, and how its sign-in behaves.
    admin_host: str = "127.0.0.1"
    admin_port: int = Field(default=8081, ge=1, le=65535)
    # Signed-in browsers are signed out after this many idle minutes.
    admin_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # This many wrong passwords in a row lock an account for admin_lockout_minutes.
    admin_max_failures: int = Field(default=5, ge=1, le=100)
    admin_lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Session cookies only over HTTPS; set false only for a local trial over plain HTTP.
    admin_secure_cookies: bool = True
    # How often `wegweiser admin` checks the content's web addresses (sources, websites).
    admin_link_check_hours: float = Field(default=24.0, gt=0)

    @field_validator("bot_token", mode="before")
    @classmethod
    def _token_shape(cls, value: Any) -> Any:
        if value in (None, ""):
            return None
        if not re.fullmatch(r"\d+:[A-Za-z0-9_-]{10,}", str(value).strip()):
            raise ValueError("expects the token from BotFather, like 123456789:AAE...")
        return str(value).strip()

    @field_validator("telegram_api_url", "webhook_url", mode="before")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("expects an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("webhook_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("expects the public https:// address Telegram will call")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        assert value is not None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("expects a redis://host:port/db URL")
        return value

    @field_validator("advisor_old_chat_ids", mode="before")
    @classmethod
    def _chat_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(re.fullmatch(r"-\d+", part) for part in parts):
                raise ValueError("expects group ids separated by commas, like -1001234567890,-1009876543210")
            return tuple(int(part) for part in parts)
        return value

    @field_validator("content_dir")
    @classmethod
    def _content_dir(cls, value: Path) -> Path:
        if not value.is_dir():
            raise ValueError(f"expects a folder with content files, and {value} is not one")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("expects a time zone name such as Europe/Berlin") from exc
        return value

    @field_validator("office_hours", mode="before")
    @classmethod
    def _office_hours(cls, value: Any) -> Any:
        if isinstance(value, str):
            return parse_office_hours(value)
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def advisor_chat_ids(self) -> tuple[int, ...]:
        """Every advisors' group the bot serves: the one for new cases first, then the earlier ones."""
        if self.advisor_chat_id is None:
            return ()
        return (self.advisor_chat_id, *(i for i in self.advisor_old_chat_ids if i != self.advisor_chat_id))

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def require_token(self) -> None:
        """Anything that talks to the Bot API needs the token."""
        if self.bot_token is None:
            raise ConfigError("BOT_TOKEN is not set: it expects the token BotFather gave you.")

    def require_telegram(self) -> None:
        """The Telegram bot needs a token and the advisors' group; say which is missing."""
        self.require_token()
        if self.advisor_chat_id is None:
            raise ConfigError(
                "ADVISOR_CHAT_ID is not set: it expects the id of the advisors' supergroup, "
                "a negative number like -1001234567890."
            )


_FIELD_HINTS = {
    "office_hours": 'like "mon-thu 09:00-16:00; fri 09:00-13:00"',
    "default_language": "one of " + ", ".join(LANGUAGES),
    "log_level": "one of DEBUG, INFO, WARNING, ERROR",
    "advisor_chat_id": "a whole number, the supergroup id like -1001234567890",
    "advisor_old_chat_ids": "group ids separated by commas, like -1001234567890,-1009876543210",
    "webhook_port": "a port number from 1 to 65535",
    "retention_days": "a number of days from 1 to 3650",
    "content_poll_seconds": "a positive number of seconds",
    "advisor_language": "one of " + ", ".join(LANGUAGES),
    "reopen_hours": "a number of hours, 0 or more",
    "remind_minutes": "a whole number of minutes, 1 or more",
    "send_per_second": "a whole number of messages from 1 to 1000",
    "send_per_chat_per_second": "a whole number of messages from 1 to 100",
    "send_per_group_per_minute": "a whole number of messages from 1 to 6000",
}


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning a validation error into one sentence per problem."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "configuration"
            message = str(error["msg"]).removeprefix("Value error, ")
            hint = _FIELD_HINTS.get(field)
            if hint and not message.startswith("expects"):
                message = f"expects {hint} ({message})"
            value = error.get("input")
            shown = (
                ""
                if "token" in field or "secret" in field or isinstance(value, dict)
                else f" (got {value!r})"
            )
            problems.append(f"{field.upper()} {message}{shown}.")
        raise ConfigError(" ".join(problems)) from None
