"""The error a Bot API method answers with, in Telegram's own words."""

from __future__ import annotations

from typing import Any

_PREFIX = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Request Entity Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

_DEFAULT_DESCRIPTION = {403: "Forbidden: bot was blocked by the user"}


class ApiError(Exception):
    """A failed Bot API call: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, code: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    """400 with Telegram's ``Bad Request: `` prefix."""
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    return ApiError(403, f"Forbidden: {reason}")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def http_error(code: int, description: str | None = None) -> ApiError:
    """An error for an arbitrary status, worded the way Telegram words it."""
    if code == 429:
        return too_many_requests(2)
    if description is None:
        description = _DEFAULT_DESCRIPTION.get(code) or _PREFIX.get(code, "Error")
    return ApiError(code, description)
