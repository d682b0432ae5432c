"""The coordinators' console: a group's line, run from a phone's browser (DESIGN "Console").

Signed in by a code texted to the person's own number (auth.py); the group pages
(groups.py) call the same core functions as the CLI and the text commands, and audit."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

from hrw_sms.base.config import require_secret_key
from hrw_sms.handlers.services import Services

csrf = CSRFProtect()


class ConsoleSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session (which holds only the CSRF token), opened for the
    console's pages alone: Twilio's webhooks never use it, and opening it would cost every
    text a signature check of a cookie it does not send."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """The session under /console; None elsewhere (Flask then uses a null session)."""
        if not request.path.startswith("/console"):
            return None
        return super().open_session(app, request)


def init_app(app: Flask, services: Services, *, secret_required: bool = True) -> None:
    """Register the console on the app: its secret key, cookies, CSRF and pages.

    Raises ConfigError when HRW_SECRET_KEY is missing in production."""
    # cycle: auth and groups import `csrf` from this package
    from hrw_sms.web.console import (
        auth,
        groups,
        peer_line,  # noqa: F401  (adds the Volunteers page to groups.bp)
        texts,  # noqa: F401  (adds its page to groups.bp)
    )

    settings = services.settings
    secure = bool(settings.public_url and settings.public_url.startswith("https://"))
    app.config.update(
        SECRET_KEY=require_secret_key(settings, secret_required) or secrets.token_hex(32),
        SESSION_COOKIE_NAME="hrw_console_csrf",  # Flask's own cookie holds only the CSRF token
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        # Only the console's forms are checked: Twilio's webhooks are signed instead.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=12 * 60 * 60,
        CONSOLE_COOKIE_SECURE=secure,
    )
    app.session_interface = ConsoleSessions()
    csrf.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(groups.bp)
