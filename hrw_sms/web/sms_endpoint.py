"""POST /sms served ahead of Flask's routing: the webhook's hot path as a WSGI middleware.

Every text Twilio delivers comes here. The webhook's floor (everything but the flow) cost
0.61 ms of server CPU a text through a Flask view and redis-py's pool, and 0.41 ms through
this endpoint and the held connection of hrw_sms.base.connection.HeldScripts
(bench/floor_app.py; README "The floor"). So `SmsEndpoint` wraps the app's `wsgi_app`
(Flask's way to add middleware) and answers POST /sms itself with the pieces Flask uses:
werkzeug's input stream and form parser under the app's MAX_CONTENT_LENGTH,
MAX_FORM_MEMORY_SIZE and MAX_FORM_PARTS, the webhook checks of hrw_sms.web.webhooks and
hrw_sms.web.sms.answer. Every other request (other paths, other methods on /sms) goes on
to Flask unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.formparser import FormDataParser
from werkzeug.http import HTTP_STATUS_CODES, parse_options_header
from werkzeug.wsgi import get_content_length, get_current_url, get_input_stream

from hrw_sms.handlers.services import Services
from hrw_sms.web.sms import PLAIN, XML, answer, fallback_text, twiml_xml
from hrw_sms.web.webhooks import FORM, check_form, check_signature, url_signed

log = logging.getLogger(__name__)

PATH = "/sms"
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Answer = Callable[[Services, MultiDict[str, str]], tuple[int, str, str]]


class SmsEndpoint:
    """WSGI middleware: POST /sms answered here, anything else passed to `app`'s own
    wsgi_app. Install with `app.wsgi_app = SmsEndpoint(app, services)`; `reply` is what
    answers a checked form (hrw_sms.web.sms.answer; bench/floor_app.py gives another)."""

    def __init__(self, app: Flask, services: Services, reply: Answer = answer) -> None:
        # The size limits are read here, once: set them in app.config before this is made.
        self.next: WSGIApp = app.wsgi_app
        self.services = services
        self.reply = reply
        self.max_content_length: int | None = app.config["MAX_CONTENT_LENGTH"]
        self.parser = FormDataParser(
            max_form_memory_size=app.config["MAX_FORM_MEMORY_SIZE"],
            max_form_parts=app.config["MAX_FORM_PARTS"],
            cls=MultiDict,
        )

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST":
            return self.next(environ, start_response)
        try:
            status, mimetype, body = self.respond(environ)
        except HTTPException as exc:  # a body over the app's limits: 413, as Flask answers
            return exc(environ, start_response)
        except Exception:
            # Never a 5xx to Twilio, even for a fault before the text was read (the Flask
            # view would have answered 500 there: the one way the two differ, deliberately).
            log.exception("could not read a text; sent the fallback reply")
            status, mimetype, body = 200, XML, twiml_xml([fallback_text(self.services)])
        data = body.encode()
        start_response(
            f"{status} {HTTP_STATUS_CODES[status].upper()}",  # werkzeug's own status line
            [("Content-Type", f"{mimetype}; charset=utf-8"), ("Content-Length", str(len(data)))],
        )
        return [data]

    def respond(self, environ: dict[str, Any]) -> tuple[int, str, str]:
        """(status, mimetype, body) for one POST /sms. Raises werkzeug's HTTPException for a
        body over the app's size limits."""
        settings = self.services.settings
        mimetype, options = parse_options_header(environ.get("CONTENT_TYPE", ""))
        problem = check_form(mimetype.lower())
        if problem is not None:  # the body is not read for a request that is not a form
            return problem[0], PLAIN, problem[1] + "\n"
        stream = get_input_stream(environ, max_content_length=self.max_content_length)
        _, form, _ = self.parser.parse(stream, FORM, get_content_length(environ), options)
        query = environ.get("QUERY_STRING", "").encode("latin-1")
        received = "" if settings.public_url else get_current_url(environ)
        url = url_signed(settings, PATH, query, received)
        signature = environ.get("HTTP_X_TWILIO_SIGNATURE", "")
        problem = check_signature(settings, signature, url, form, PATH)
        if problem is not None:
            return problem[0], PLAIN, problem[1] + "\n"
        return self.reply(self.services, form)
