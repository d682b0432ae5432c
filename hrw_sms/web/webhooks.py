"""What every Twilio webhook checks first: content type, signature, the caller's number.

The checks work on plain values (check_form, check_signature), so POST /sms can run them
without a Flask request (hrw_sms.web.sms_endpoint); check_request is the same for a Flask
view."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Request, Response
from twilio.request_validator import RequestValidator, compare

from hrw_sms.base.config import Settings

log = logging.getLogger(__name__)

FORM = "application/x-www-form-urlencoded"


def signed_url(request: Request, settings: Settings) -> str:
    """The URL Twilio signed: HRW_PUBLIC_URL + path + query behind a proxy, else as received."""
    return url_signed(settings, request.path, request.query_string, request.url)


def url_signed(settings: Settings, path: str, query_string: bytes, received_url: str) -> str:
    """signed_url from plain values: the request's path, its raw query string and its URL as
    received (werkzeug's request.url or werkzeug.wsgi.get_current_url)."""
    if settings.public_url:
        query = query_string.decode("latin-1")
        return settings.public_url + path + (f"?{query}" if query else "")
    return received_url


def reject(status: int, reason: str) -> Response:
    """A plain-text `status` response (400 or 403) with `reason`, for a malformed webhook."""
    return Response(reason + "\n", status=status, mimetype="text/plain")


def _valid(token: str, url: str, form: Mapping[str, Any], signature: str) -> bool:
    """Twilio's own check. The URL exactly as signed is tried first (one HMAC); only a
    mismatch goes on to the validator's full check, which also tries with and without a port."""
    validator = RequestValidator(token)
    if compare(validator.compute_signature(url, form), signature):
        return True
    return validator.validate(url, form, signature)


def check_form(mimetype: str) -> tuple[int, str] | None:
    """(400, reason) for a body that is not a form, or None: checked before the body is read."""
    return None if mimetype == FORM else (400, f"expected {FORM}")


def check_signature(
    settings: Settings, signature: str, url: str, form: Mapping[str, Any], path: str
) -> tuple[int, str] | None:
    """(403, reason) for a bad or missing X-Twilio-Signature when TWILIO_AUTH_TOKEN is set,
    or None to go on. `form` is the parsed body (a werkzeug MultiDict: repeated names are
    all signed), `url` the URL Twilio signed (url_signed), `path` for the log line only."""
    token = settings.twilio_auth_token
    if token and (not signature or not _valid(token, url, form, signature)):
        log.warning("rejected a request to %s with a bad or missing signature", path)
        return 403, "invalid or missing X-Twilio-Signature"
    return None


def check_request(request: Request, settings: Settings) -> Response | None:
    """A 400 or 403 answer for a request Twilio did not send, or None to go on."""
    problem = check_form(request.mimetype) or check_signature(
        settings,
        request.headers.get("X-Twilio-Signature", ""),
        signed_url(request, settings),
        request.form,
        request.path,
    )
    return reject(*problem) if problem is not None else None
