"""A group's pages: overview, broadcast, cancel, roster, usage, audit, flyer (texts.py has
the Texts page, peer_line.py the peer line's Volunteers page).

Every change goes through the core functions the CLI and the text commands use
(handlers.broadcasts, handlers.cancellations, store.hosts, meetings.directory) and is
audited with the signed-in number masked. Another group's pages answer 404."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import phonenumbers
import segno
from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from flows.gsm import dropped, segments
from flows.keywords import word_for
from flows.model import Group, Meeting
from flows.render_sms import broadcast_text, cancellation_text
from hrw_sms.base.phone import BadNumber, mask, to_e164
from hrw_sms.handlers import broadcasts, cancellations
from hrw_sms.handlers import roster as roster_core
from hrw_sms.meetings import feedsync
from hrw_sms.store import audit, hosts, subscriptions, usage
from hrw_sms.web.console import chart, confirm, wording
from hrw_sms.web.console.auth import Viewer, require_viewer, services, viewer
from hrw_sms.web.console.security import csrf

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates")
STATES = {"confirmed": "confirmed", "declined": "needs cover", "uncovered": "needs cover",
          "covered": "covered"}  # fmt: skip
ROSTER_DAYS = 14
FLYER_WORDS = {language: word_for("MEETINGS", language) for language in ("en", "es")}


@bp.before_request
def _protect() -> None:
    csrf.protect()


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response


@bp.errorhandler(404)
def _not_found(_error: Exception) -> tuple[str, int]:
    """A missing page or another group's page, in the console's own layout with a way back
    (the same answer for both, so it tells nobody which groups exist)."""
    return render_template("console/not_found.html", who=viewer()), 404


@bp.app_template_filter("local")
def local_time(at: str | datetime | None, timezone: str) -> str:
    """An aware time (or its ISO text, as stored) in the group's zone, as people read it:
    'Tue Nov 24, 10:00 AM'; '' for None. Every time a console page shows goes through this
    (or is a meeting's own local time), so none reads in UTC."""
    if not at:
        return ""
    moment = datetime.fromisoformat(at) if isinstance(at, str) else at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # stored times without an offset are UTC
    return moment.astimezone(ZoneInfo(timezone)).strftime("%a %b %-d, %-I:%M %p")


def _group(slug: str) -> tuple[Viewer, Group]:
    """The signed-in viewer and the group, or 404 (no such group, or not theirs: the same)."""
    who = require_viewer()
    group = services().directory.load().groups.get(slug)
    if group is None or not who.may_run(slug):
        abort(404)
    return who, group


def _audit(who: Viewer, action: str, group: str, detail: str, recipients: int = 0) -> None:
    svc = services()
    audit.record(svc.redis, svc.clock(), actor=who.session.number, channel="console",
                 action=action, group=group, detail=detail, recipients=recipients)  # fmt: skip


@bp.get("/groups")
def groups() -> Response | str:
    """GET /console/groups: the viewer's groups, or straight to the only one a coordinator has."""
    who = require_viewer()
    directory = services().directory.load()
    mine = [directory.groups[s] for s in who.groups if s in directory.groups]
    if len(mine) == 1 and not who.operator:
        return redirect(url_for("console.overview", slug=mine[0].slug))
    return render_template("console/groups.html", who=who, groups=mine)


def _coming(slug: str, days: int) -> list[dict]:
    """The group's occurrences in the next `days` days with host and state, soonest first."""
    svc = services()
    now = svc.clock()
    directory = svc.directory.load()
    table = svc.timetable(directory, now)
    records = {(r.meeting, r.day): r for r in
               hosts.roster(svc.redis, now - timedelta(hours=3), now + timedelta(days=days + 1),
                            group=slug)}  # fmt: skip
    numbers = hosts.numbers(svc.redis, [r.current for r in records.values() if r.current])
    rows = []
    for occ in table.occurrences:
        if occ.meeting.group != slug or occ.end <= now or occ.start > now + timedelta(days=days):
            continue
        rec = records.get((occ.meeting.slug, occ.local_date))
        host = numbers.get(rec.current) if rec and rec.current else None
        rows.append({"meeting": occ.meeting, "day": occ.local_date, "start": occ.local_start,
                     "cancelled": occ.cancelled, "host": mask(host) if host else None,
                     "state": _state(rec, occ.cancelled),
                     "version": rec.version if rec else None,
                     "started": occ.start <= now})  # fmt: skip
    return rows


def _state(rec: hosts.Hosting | None, cancelled: bool) -> str | None:
    """The hosting state in the roster's words: assigned (not asked yet), asked (prompted,
    no answer), confirmed, needs cover, covered, cancelled; None without a record."""
    if cancelled and rec is not None:
        return "cancelled"
    if rec is None:
        return None
    if rec.state == "assigned":
        return "asked" if rec.prompted == rec.host else "assigned"  # a new host: not yet
    return STATES.get(rec.state, rec.state)


def _broadcast_ids(slug: str, limit: int = 5) -> list[int]:
    svc = services()
    found = []
    for entry in reversed(audit.entries(svc.redis, svc.clock(), days=30)):
        if (
            entry.group == slug
            and entry.action == "broadcast"
            and entry.detail.startswith("broadcast ")
        ):
            found.append(int(entry.detail.split()[1]))
        if len(found) >= limit:
            break
    return found


@bp.get("/groups/<slug>")
def overview(slug: str) -> str:
    """GET a group's page: subscribers, the coming week's meetings, broadcasts, feeds; 404 when
    the group is unknown or not the viewer's."""
    who, group = _group(slug)
    svc = services()
    directory = svc.directory.load()
    count = len(subscriptions.group_subscribers(svc.redis, directory, slug))
    sent = [p for p in (broadcasts.progress(svc.redis, i) for i in _broadcast_ids(slug)) if p]
    feeds = feedsync.feeds(svc.redis)  # the line's feeds: each group's meetings may come from one
    return render_template("console/overview.html", who=who, group=group, subscribers=count,
                           coming=_coming(slug, 7), broadcasts=sent, feeds=feeds)  # fmt: skip


@bp.route("/groups/<slug>/broadcast", methods=["GET", "POST"])
def broadcast(slug: str) -> Response | str | tuple[str, int]:
    """First POST: the exact final text, its cost and a one-time confirm token. Second
    (confirm=yes with that token): send it, once; a repeated or stale Send sends nothing."""
    who, group = _group(slug)
    message = request.form.get("text", "")
    page = partial(render_template, "console/broadcast.html", who=who, group=group,
                   message=message, frame=_frame(group), held=_held_until(group))  # fmt: skip
    if request.method == "GET" or request.form.get("edit") == "yes":  # "Change it" keeps it
        return page()
    svc = services()
    try:
        draft = broadcasts.prepare(svc, slug, message[:2000])
    except broadcasts.Refused as exc:
        return page(error=str(exc)), 400
    if request.form.get("confirm") != "yes":
        return page(
            draft=draft,
            confirm=confirm.issue(svc.redis, slug, message),
            dropped=wording.dropped_note(dropped(message)),
        )
    if draft.recipients == 0:
        return page(error="Nobody gets this group's updates yet, so nothing was sent.")
    claim = confirm.claim(svc.redis, request.form.get("confirm_token", ""), slug, message)
    if isinstance(claim, int):  # this preview was sent already: show that broadcast
        return redirect(url_for("console.progress", slug=slug, broadcast_id=claim))
    if claim is not None:
        return page(error=claim, draft=draft, confirm=confirm.issue(svc.redis, slug, message)), 409
    broadcast_id = broadcasts.start(svc, draft, actor=who.session.number, channel="console")
    confirm.sent(svc.redis, request.form.get("confirm_token", ""), broadcast_id)
    return redirect(url_for("console.progress", slug=slug, broadcast_id=broadcast_id))


def _held_until(group: Group) -> str | None:
    """When a broadcast started now would go, if quiet hours hold it (bulk texts wait for
    them to end in the group's zone): "8:00 AM Wed Nov 25", the group's local time; else None."""
    svc = services()
    quiet = svc.settings.quiet_hours
    until = quiet.ends(svc.clock(), group.timezone) if quiet else None
    if until is None:
        return None
    return until.astimezone(ZoneInfo(group.timezone)).strftime("%-I:%M %p %a %b %-d")


def _frame(group: Group) -> tuple[str, str]:
    """What every broadcast of the group adds before and after the message, as sent (the
    live counter in static/counter.js adds the same, so it agrees with the preview)."""
    mark = "§MSG§"  # GSM-7 characters, so folding the whole keeps the mark
    before, _, after = broadcast_text(group.language, group.name, mark).partition(mark)
    return before, after


@bp.get("/groups/<slug>/broadcasts/<int:broadcast_id>")
def progress(slug: str, broadcast_id: int) -> str:
    """GET one broadcast's counts; 404 when it is not this group's."""
    who, group = _group(slug)
    found = broadcasts.progress(services().redis, broadcast_id)
    if found is None or found.group != slug:
        abort(404)
    held = None if found.done or not found.queued else _held_until(group)
    return render_template("console/progress.html", who=who, group=group, progress=found,
                           held=held)  # fmt: skip


@bp.route("/groups/<slug>/cancel", methods=["POST"])
def cancel(slug: str) -> Response | str | tuple[str, int]:
    """First POST (meeting, date): the notice and how many it reaches. confirm=yes: cancel."""
    who, group = _group(slug)
    svc = services()
    meeting_slug, raw_day = request.form.get("meeting", ""), request.form.get("date", "")
    meeting = svc.directory.load().meetings.get(meeting_slug)
    try:
        if meeting is None or meeting.group != slug:
            raise cancellations.Refused("that meeting is not one of this group's")
        plan = cancellations.plan(svc, meeting_slug, _day(raw_day))
    except (cancellations.Refused, ValueError) as exc:
        # The reasons start with the slug (the CLI's words): people here know the name.
        named = str(exc).replace(meeting_slug, meeting.name, 1) if meeting else str(exc)
        named = wording.sentence(named)
        return render_template("console/cancel.html", who=who, group=group, error=named), 400
    if request.form.get("confirm") != "yes":
        notice = cancellation_text(group.language, plan.occurrence, svc.clock())
        return render_template("console/cancel.html", who=who, group=group, plan=plan,
                               notice=notice, cost=segments(notice))  # fmt: skip
    # Cancelled meanwhile (a second click, another coordinator): its notices went once.
    with suppress(cancellations.AlreadyCancelled):
        cancellations.cancel(svc, plan, actor=who.session.number, channel="console")
    return redirect(url_for("console.overview", slug=slug))


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(f"Give the date as YYYY-MM-DD, not {raw[:20]!r}.") from None


@bp.route("/groups/<slug>/roster", methods=["GET", "POST"])
def roster(slug: str) -> str | tuple[str, int]:
    """Assign (meeting, date, phone), clear (action=clear with meeting, date and the version
    shown: a first POST asks, confirm=yes clears), add a host (add), remove one (remove)."""
    who, group = _group(slug)
    svc = services()
    error = done = clearing = None
    if request.method == "POST":
        try:
            if request.form.get("action") == "clear":
                done, clearing = _clear(who, slug, request.form)
            else:
                done = _roster_change(who, slug, request.form)
        except BadNumber:
            error = wording.bad_number(request.form.get("phone", ""))
        except hosts.HostError as exc:
            number = _masked_or_blank(request.form.get("phone", ""))
            error = wording.host_refusal(exc, svc.directory.load(), number)
        except ValueError as exc:
            error = wording.sentence(str(exc))
    directory = svc.directory.load()
    meetings = sorted((m for m in directory.meetings.values() if m.group == slug),
                      key=lambda m: m.name)  # fmt: skip
    people = [mask(n) for n in hosts.numbers(svc.redis, hosts.hosts_of(svc.redis, slug)).values()]
    # After a refusal the form keeps what was typed, so one mistake costs no retyping.
    typed = {k: request.form.get(k, "")[:40] for k in ("action", "meeting", "date", "phone")}
    page = render_template("console/roster.html", who=who, group=group, error=error, done=done,
                           coming=_coming(slug, ROSTER_DAYS), meetings=meetings,
                           hosts=sorted(people), typed=typed if error else {},
                           clearing=clearing, roster=True)  # fmt: skip
    return (page, 400) if error else page


def _masked_or_blank(raw: str) -> str:
    try:
        return mask(to_e164(raw[:40]))
    except BadNumber:
        return ""


def _roster_change(who: Viewer, slug: str, form: dict) -> str:
    svc = services()
    now = svc.clock()
    action = form.get("action", "assign")
    number = to_e164(form.get("phone", "")[:40])
    nid = svc.number_id(number)
    if action == "add":
        hosts.add_host(svc.redis, nid, number, slug)
        _audit(who, "add host", slug, mask(number))
        return f"{mask(number)} is a host of {slug}."
    if action == "remove":
        if hosts.remove_host(svc.redis, nid, slug, now) is None:
            raise ValueError(f"{mask(number)} is not a host of this group")
        _audit(who, "remove host", slug, mask(number))
        return f"{mask(number)} is no longer a host of {slug}."
    meeting_slug = form.get("meeting", "")
    meeting = _own_meeting(slug, meeting_slug)
    day = _day(form.get("date", ""))
    if not hosts.is_host(svc.redis, nid, slug):
        raise hosts.NotAHost(slug)
    hosts.assign(svc.redis, svc.directory.load(), meeting_slug, day, nid, now)
    svc.hosting_changed(meeting_slug, day)
    _audit(who, "assign host", slug, f"{meeting_slug} {day.isoformat()} {mask(number)}")
    return f"{mask(number)} hosts {meeting.name} on {wording.day_label(day)}."


def _own_meeting(slug: str, meeting_slug: str) -> Meeting:
    """The group's meeting by slug; ValueError for another group's or an unknown one."""
    meeting = services().directory.load().meetings.get(meeting_slug)
    if meeting is None or meeting.group != slug:
        raise ValueError("Choose one of this group's meetings.")
    return meeting


def _clear(who: Viewer, slug: str, form: dict) -> tuple[str | None, dict | None]:
    """action=clear: without confirm=yes, what clearing would do (nothing changes); with
    it, clear through handlers.roster (the CLI's `host clear`), only at the version shown."""
    svc = services()
    meeting = _own_meeting(slug, form.get("meeting", ""))
    day = _day(form.get("date", ""))
    raw_version = form.get("version", "")
    version = int(raw_version) if raw_version.isdigit() else None
    if form.get("confirm") != "yes":
        rec = hosts.hosting_of(svc.redis, meeting.slug, day)
        if rec is None:
            raise hosts.NothingToClear("nothing to clear", meeting.slug, day)
        host = hosts.number_of(svc.redis, rec.current) if rec.current else None
        told = roster_core.who_is_told(svc, rec)
        return None, {"meeting": meeting, "day": day, "version": rec.version,
                      "host": mask(host) if host else None, "told": mask(told) if told else None,
                      "state": _state(rec, False)}  # fmt: skip
    if version is None:
        raise ValueError("That request was incomplete, so nothing was cleared. Try again.")
    done = roster_core.clear_host(svc, meeting.slug, day, version=version,
                                  actor=who.session.number, channel="console")  # fmt: skip
    when = wording.day_label(day)
    note = (f" {mask(done.host)} is told by text that they need not host it." if done.told
            else "")  # fmt: skip
    return f"{meeting.name} on {when} has no host now.{note}", None


@bp.get("/groups/<slug>/usage")
def usage_page(slug: str) -> str:
    """GET the last 90 days of usage counts (the line's days, which turn over at midnight UTC:
    the page says when that is in the group's time), with a chart."""
    who, group = _group(slug)
    svc = services()
    today = svc.clock().astimezone(UTC).date()
    days = usage.daily(svc.redis, today, 90)
    # The line's counters are shared by every group, so their day cannot be each group's:
    # it turns over at midnight UTC. Say when that is here, in the group's own time.
    turnover = datetime.combine(today, time(0), UTC).astimezone(ZoneInfo(group.timezone))
    return render_template("console/usage.html", who=who, group=group, days=days,
                           totals=usage.totals(days), chart=chart.svg(days, usage.NAMES),
                           names=usage.NAMES, turnover=turnover.strftime("%-I:%M %p"),
                           day_before=turnover.date() < today)  # fmt: skip


@bp.get("/groups/<slug>/audit")
def audit_page(slug: str) -> str:
    """GET the group's audit entries (AUDIT_DAYS days), newest first."""
    who, group = _group(slug)
    svc = services()
    found = [e for e in audit.entries(svc.redis, svc.clock()) if e.group == slug]

    return render_template("console/audit.html", who=who, group=group, entries=found[::-1])


@bp.get("/groups/<slug>/flyer")
def flyer(slug: str) -> str:
    """The printable flyer: the line's number and, for each language, a QR code that opens a
    text to it with that language's word (MEETINGS, REUNIONES: flows.keywords, and a
    Spanish word gets Spanish answers). Without a known number (a Messaging Service and no
    TWILIO_FROM_NUMBER) it says so and prints no QR (a QR of "sms:?body=MEETINGS" would open
    a text to nobody)."""
    who, group = _group(slug)
    line = services().settings.twilio_from_number or ""
    codes = {}
    if line:
        for language, word in FLYER_WORDS.items():
            qr = segno.make(f"sms:{line}?body={word}", error="m")  # opens a text, ready to send
            codes[language] = qr.svg_inline(scale=6, dark="#000", light="#fff")
    return render_template("console/flyer.html", who=who, group=group, line=_readable(line),
                           codes=codes, words=FLYER_WORDS)  # fmt: skip


def _readable(e164: str) -> str:
    """The line's number as people write it: (413) 555-0000 at home, +44 20 ... abroad."""
    try:
        parsed = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    style = (phonenumbers.PhoneNumberFormat.NATIONAL if parsed.country_code == 1
             else phonenumbers.PhoneNumberFormat.INTERNATIONAL)  # fmt: skip
    return phonenumbers.format_number(parsed, style)
