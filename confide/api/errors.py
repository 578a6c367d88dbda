"""Error mapping: every failure of the API answers `{"error", "message"[, "fields"]}` in JSON.

Domain errors keep their own status and code. Schema errors name the fields with messages written
here from the error type and the schema's limits, never from the submitted values, so no
confidential text can come back in an error (or land in a log).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from confide.core.errors import DomainError, NotFound, ValidationFailed
from confide.ledger.services import DurabilityUnconfirmed

logger = logging.getLogger("confide.api")

UNAUTHORIZED = "Send a valid API token as 'Authorization: Bearer <token>'."
# The action committed but its flush to disk was not confirmed (ledger.services): never "retry".
UNCONFIRMED = (
    "The action was saved, but the server could not confirm it is stored safely on disk. Do not "
    "send it again: read the record to see it, and tell the agency's administrator."
)
INVALID = "Some fields are missing or not valid; see 'fields'."
MAX_FIELD_NAME = 60

_PROBLEMS: dict[str, str] = {
    "missing": "is required",
    "extra_forbidden": "is not a field of this request",
    "string_type": "must be text",
    "string_too_long": "is longer than {max_length} characters",
    "too_long": "has more than {max_length} items",
    "list_type": "must be a list",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "enum": "must be one of {expected}",
    "literal_error": "must be one of {expected}",
    "date_type": "must be a date (YYYY-MM-DD)",
    "date_parsing": "must be a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "must be a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "must be a date (YYYY-MM-DD)",
    "dict_type": "must be a JSON object",
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
}


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": code, "message": message}
    if fields is not None:
        body["fields"] = fields
    return body


def field_name(loc: Sequence[object]) -> str:
    """`("body", "payload", "labels", 0)` -> `labels.0`; the JSON body as a whole -> `request`."""
    source, *rest = [str(part) for part in loc] or ["request"]
    if source == "body":
        # Drop the endpoint's parameter name; a note's `body` field must not be confused with it.
        source, rest = "request", rest[1:]
    return (".".join(rest) or source)[:MAX_FIELD_NAME]


def problem(error: dict[str, Any]) -> str:
    """A plain message for one pydantic error, built only from the schema's own limits."""
    template = _PROBLEMS.get(str(error.get("type")), "is not valid")
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError, ValueError):
        return "is not valid"


def schema_fields(errors: list[dict[str, Any]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in errors:
        name = field_name(error.get("loc", ()))
        text = problem(error)
        fields[name] = text if name not in fields else f"{fields[name]}; {text}"
    return fields


def install(api: NinjaAPI) -> None:
    """Replace ninja's default handlers with ours."""
    handlers: dict[type[Exception], Callable[[HttpRequest, Any], HttpResponse]] = {
        DomainError: lambda r, e: _domain(api, r, e),
        ValidationError: lambda r, e: _validation(api, r, e),
        AuthenticationError: lambda r, e: _unauthorized(api, r),
        HttpError: lambda r, e: _http_error(api, r, e),
        Http404: lambda r, e: _domain(api, r, NotFound()),
        RequestDataTooBig: lambda r, e: _too_big(api, r),
        DurabilityUnconfirmed: lambda r, e: _unconfirmed(api, r),
        Exception: lambda r, e: _unexpected(api, r, e),
    }
    for exc_class, handler in handlers.items():
        api.add_exception_handler(exc_class, handler)


def _domain(api: NinjaAPI, request: HttpRequest, exc: DomainError) -> HttpResponse:
    fields = exc.fields if isinstance(exc, ValidationFailed) else None
    return api.create_response(
        request, error_body(exc.code, exc.message, fields), status=exc.status
    )


def _validation(api: NinjaAPI, request: HttpRequest, exc: ValidationError) -> HttpResponse:
    body = error_body(ValidationFailed.code, INVALID, schema_fields(exc.errors))
    return api.create_response(request, body, status=422)


def _unauthorized(api: NinjaAPI, request: HttpRequest) -> HttpResponse:
    response = api.create_response(request, error_body("unauthorized", UNAUTHORIZED), status=401)
    response["WWW-Authenticate"] = 'Bearer realm="confide"'
    return response


def _http_error(api: NinjaAPI, request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        # ninja's only 400: a body that is not JSON (its DEBUG text quotes the parser's error).
        body = error_body("bad_request", "The request body must be a JSON object.")
    else:
        body = error_body(f"http_{exc.status_code}", exc.message)
    return api.create_response(request, body, status=exc.status_code)


def _too_big(api: NinjaAPI, request: HttpRequest) -> HttpResponse:
    limit_kb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
    body = error_body("too_large", f"The request body is larger than {limit_kb} KB.")
    return api.create_response(request, body, status=413)


def _unconfirmed(api: NinjaAPI, request: HttpRequest) -> HttpResponse:
    logger.error("api: an action committed but its flush to disk was not confirmed")
    body = {**error_body("durability_unconfirmed", UNCONFIRMED), "committed": True}
    return api.create_response(request, body, status=500)


def _unexpected(api: NinjaAPI, request: HttpRequest, exc: Exception) -> HttpResponse:
    if settings.DEBUG:
        raise exc
    # The exception's message may quote data (a database error can); log its type and stack only.
    stack = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("api: unhandled %s\n%s", type(exc).__name__, stack)
    body = error_body("server_error", "Something went wrong on the server.")
    return api.create_response(request, body, status=500)
