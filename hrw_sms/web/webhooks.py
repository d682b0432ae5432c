"""What every Twilio webhook checks first: content type, signature, the caller's number."""

from __future__ import annotations

import logging

from flask import Request, Response
from twilio.request_validator import RequestValidator, compare

from hrw_sms.base.config import Settings

log = logging.getLogger(__name__)

FORM = "application/x-www-form-urlencoded"


def signed_url(request: Request, settings: Settings) -> str:
    """The URL Twilio signed: HRW_PUBLIC_URL + path + query behind a proxy, else as received."""
    if settings.public_url:
        query = request.query_string.decode("latin-1")
        return settings.public_url + request.path + (f"?{query}" if query else "")
    return request.url


def reject(status: int, reason: str) -> Response:
    """A plain-text `status` response (400 or 403) with `reason`, for a malformed webhook."""
    return Response(reason + "\n", status=status, mimetype="text/plain")


def _valid(token: str, request: Request, settings: Settings, signature: str) -> bool:
    """Twilio's own check. The URL exactly as signed is tried first (one HMAC); only a
    mismatch goes on to the validator's full check, which also tries with and without a port."""
    validator = RequestValidator(token)
    url = signed_url(request, settings)
    if compare(validator.compute_signature(url, request.form), signature):
        return True
    return validator.validate(url, request.form, signature)


def check_request(request: Request, settings: Settings) -> Response | None:
    """A 400 or 403 answer for a request Twilio did not send, or None to go on."""
    if request.mimetype != FORM:
        return reject(400, f"expected {FORM}")
    if settings.twilio_auth_token:
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature or not _valid(settings.twilio_auth_token, request, settings, signature):
            log.warning("rejected a request to %s with a bad or missing signature", request.path)
            return reject(403, "invalid or missing X-Twilio-Signature")
    return None
