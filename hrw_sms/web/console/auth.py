"""Signing in to the console: a phone number, then the 6-digit code texted to it.

Only coordinators (their groups) and operators (every group) may sign in. Any other number
sees the same "we texted a code" page, and nothing is sent. The code goes out through the
outbound path as a reply (never held by quiet hours); a per-number limit
(throttle.allow_action "sign_in_code") keeps the line from being used to flood a phone."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

import redis
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from flows.texts import text
from hrw_sms.base.phone import BadNumber, mask, to_e164
from hrw_sms.handlers.services import Services
from hrw_sms.handlers.throttle import allow_action
from hrw_sms.store import console, coordinators, keys, operators, prefs
from hrw_sms.web.console import wording
from hrw_sms.web.console.security import csrf

log = logging.getLogger(__name__)

bp = Blueprint("console_auth", __name__, template_folder="templates", static_folder="static",
               static_url_path="/console/static")  # fmt: skip
COOKIE = "hrw_console"


def services() -> Services:
    """The app's Services (set by create_app); KeyError outside an app made by it."""
    return current_app.extensions["hrw"]


def _secret() -> bytes:
    return services().load_hash_key()


@dataclass(frozen=True)
class Viewer:
    """Who is signed in: their session, whether an operator, and the groups they may run."""

    session: console.Session
    operator: bool
    groups: tuple[str, ...]  # slugs, sorted

    @property
    def masked(self) -> str:
        """The signed-in number, masked for the page."""
        return mask(self.session.number)

    def may_run(self, slug: str) -> bool:
        """True when this viewer may act for group `slug`: an operator, or its coordinator."""
        return self.operator or slug in self.groups


def may_sign_in(client: redis.Redis, nid: str) -> bool:
    """True when `nid` may use the console: an operator or a coordinator of some group."""
    return operators.is_operator(client, nid) or bool(coordinators.groups_of(client, nid))


def viewer() -> Viewer | None:
    """The signed-in person for this request, read afresh each time: a coordinator removed
    (or an operator removed, or a number that said FORGET) is signed out at once."""
    if "console_viewer" in g:
        return g.console_viewer
    svc = services()
    session = console.session_of(svc.redis, request.cookies.get(COOKIE))
    found = None
    if session is not None:
        operator = operators.is_operator(svc.redis, session.nid)
        if operator:
            slugs = tuple(sorted(svc.directory.load().groups))
        else:
            slugs = tuple(coordinators.groups_of(svc.redis, session.nid))
        if operator or slugs:
            found = Viewer(session, operator, slugs)
        else:
            console.end_session(svc.redis, session)
    g.console_viewer = found
    return found


def require_viewer() -> Viewer:
    """The signed-in viewer; without one, aborts with a redirect to the sign-in page."""
    found = viewer()
    if found is None:
        abort(redirect(url_for("console_auth.sign_in")))
    return found


@bp.before_request
def _protect() -> None:
    csrf.protect()  # every POST: a missing or wrong token is a 400 and changes nothing


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@bp.get("/console")
def sign_in() -> Response | str:
    """GET /console: the phone-number form, or the groups page when already signed in."""
    if viewer() is not None:
        return redirect(url_for("console.groups"))
    return render_template("console/sign_in.html")


@bp.post("/console")
def send_code() -> str:
    """Text a code to a number that may sign in; every number sees the same next page."""
    raw = request.form.get("phone", "")
    try:
        number = to_e164(raw[:40])
    except BadNumber:
        return render_template("console/sign_in.html", error=wording.bad_number(raw),
                               phone=raw[:40]), 400  # type: ignore[return-value]  # fmt: skip
    svc = services()
    nid = svc.number_id(number)
    client = svc.redis
    # Every number counts toward the limit and can be locked by wrong codes, so "wait 15
    # minutes" tells a stranger nothing about which numbers may sign in.
    if console.locked(client, nid) or not allow_action(svc, "sign_in_code", number):
        return render_template("console/code.html", phone=number, wait=True)
    if may_sign_in(client, nid):
        code = console.new_code()
        console.keep_code(client, _secret(), nid, code)
        language = prefs.language(client, nid) or "en"
        svc.send_later(number, text(language, "console_code", code=code),
                       f"console:{secrets.token_hex(8)}", "reply")  # fmt: skip
        log.info("console: sign-in code sent to %s", mask(number))
    return render_template("console/code.html", phone=number)


@bp.post("/console/code")
def check_code() -> Response | tuple[str, int]:
    """POST /console/code: sign in with the texted code (one use, 10 minutes); a 400 page
    saying why when it fails, a lock after too many wrong codes."""
    raw, code = request.form.get("phone", ""), request.form.get("code", "")
    try:
        number = to_e164(raw[:40])
    except BadNumber:
        return redirect(url_for("console_auth.sign_in"))
    svc = services()
    client = svc.redis
    nid = svc.number_id(number)
    if console.locked(client, nid):
        error = "Too many wrong codes. Wait 15 minutes, then ask for a new code."
    elif console.check_code(client, _secret(), nid, code[:20]) and may_sign_in(client, nid):
        token = console.open_session(client, nid, number, svc.clock())
        response = redirect(url_for("console.groups"))
        response.set_cookie(COOKIE, token, max_age=keys.CONSOLE_SESSION_TTL, httponly=True,
                            samesite="Lax", path="/console",
                            secure=current_app.config["CONSOLE_COOKIE_SECURE"])  # fmt: skip
        log.info("console: %s signed in", mask(number))
        return response
    elif console.locked(client, nid):
        error = "Too many wrong codes. Wait 15 minutes, then ask for a new code."
    else:
        error = (
            "That code didn't work. Codes work once, for 10 minutes: check it, "
            "or ask for a new one."
        )
    return render_template("console/code.html", phone=number, error=error), 400


@bp.post("/console/sign-out")
def sign_out() -> Response:
    """POST /console/sign-out: end the session, drop its cookie, back to sign-in."""
    found = viewer()
    if found is not None:
        console.end_session(services().redis, found.session)
    response = redirect(url_for("console_auth.sign_in"))
    response.delete_cookie(COOKIE, path="/console")
    return response
