"""The twilio REST client for outbound sending: explicit timeout, TWILIO_API_BASE, quiet logs."""

from __future__ import annotations

import logging
import os
from urllib.parse import unquote

from requests.utils import get_environ_proxies
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from hrw_sms.base.config import Settings
from hrw_sms.base.phone import mask_in_text

TWILIO_API = "https://api.twilio.com"
DEFAULT_TIMEOUT = 10.0  # seconds for connect and for each read; a hung request becomes a retry


class MissingCredentials(RuntimeError):
    """TWILIO_ACCOUNT_SID or TWILIO_AUTH_TOKEN is not set."""


class _MaskNumbers(logging.Filter):
    """Rewrite a record so no whole phone number reaches any handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Query strings carry numbers URL-encoded (%2B1503...): decode so they are recognised.
        record.msg = mask_in_text(unquote(record.getMessage()))
        record.args = ()
        return True


# twilio's client logs every request URL and query at INFO (a list filtered by To shows the
# number), so it gets its own logger that only passes warnings, masked.
_http_log = logging.getLogger("workers.twilio_http")
_http_log.setLevel(logging.WARNING)
_http_log.addFilter(_MaskNumbers())


def _mask_urllib3() -> None:
    """urllib3 logs request lines (with query strings) at DEBUG: mask numbers there too."""
    pool_log = logging.getLogger("urllib3.connectionpool")
    if not any(isinstance(f, _MaskNumbers) for f in pool_log.filters):
        pool_log.addFilter(_MaskNumbers())


def build_client(settings: Settings, timeout: float = DEFAULT_TIMEOUT) -> Client:
    """A twilio Client for `settings`, aimed at TWILIO_API_BASE when that is set."""
    sid, token = settings.twilio_account_sid, settings.twilio_auth_token
    if not sid or not token:
        raise MissingCredentials("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are needed to send")
    _mask_urllib3()
    # max_retries stays unset: requests then never retries by itself, and we retry with our
    # own backoff and idempotency rules (a silent resend could double-send).
    base = settings.twilio_api_base or TWILIO_API
    http = TwilioHttpClient(timeout=timeout, logger=_http_log, proxy=get_environ_proxies(base))
    if http.session is not None:
        # requests would read proxy and CA settings from the environment again on every
        # request (a fifth of a send's CPU): they were read once, just above and here.
        http.session.trust_env = False
        http.session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get(
            "CURL_CA_BUNDLE", True
        )
    environment = None
    if settings.twilio_api_base:
        # TWILIO_EDGE / TWILIO_REGION from the process environment would rewrite the host
        # name of TWILIO_API_BASE; a non-empty mapping stops the library reading os.environ.
        environment = {"TWILIO_ACCOUNT_SID": sid}
    client = Client(sid, token, account_sid=sid, http_client=http, environment=environment)
    if settings.twilio_api_base:
        # The Api domain (api.twilio.com, where Messages live) joins every URI to base_url.
        client.api.base_url = settings.twilio_api_base
    return client
