"""The Volunteers page: the peer line's volunteers of a group (numbers masked) and their
weekly shifts in the group's own time, with forms to add and remove both.

Every change goes through what `hrw-sms volunteer ...` and `hrw-sms shift ...` use
(store.volunteers.add, handlers.peer.remove_volunteer, store.volunteers.add_shift and
remove_shift: one owner each, with the overlap rule in the store) and is audited. Rows are
named in forms by a short digest of the stored shift or volunteer, never by a number."""

from __future__ import annotations

import hashlib
from zoneinfo import ZoneInfo

from flask import render_template, request

from flows.model import Group
from flows.peer import Shift, ShiftError, next_start, on_shift, parse_clock, parse_day
from hrw_sms.base.phone import BadNumber, is_plain_number, mask, to_e164
from hrw_sms.handlers import peer
from hrw_sms.store import volunteers
from hrw_sms.web.console import wording
from hrw_sms.web.console.auth import Viewer, services
from hrw_sms.web.console.groups import _audit, _group, bp, local_time

DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


class Refused(ValueError):
    """A change the page refuses; the message is a whole sentence for the coordinator."""


def ref(value: str) -> str:
    """The short name a form gives a stored shift or volunteer (a digest of its key)."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def shift_label(shift: Shift) -> str:
    """'Monday 10:00 PM to 2:00 AM (next day)': a weekly shift in the group's wall-clock time."""
    past = " (next day)" if shift.end <= shift.start else ""
    return f"{DAYS[shift.day]} {shift.start:%-I:%M %p} to {shift.end:%-I:%M %p}{past}"


@bp.route("/groups/<slug>/volunteers", methods=["GET", "POST"])
def volunteers_page(slug: str) -> str | tuple[str, int]:
    """The group's volunteers and shifts. POST `action`: add (phone), remove (volunteer: a
    row's ref), add_shift (phone, day 0-6, from, to as HH:MM), remove_shift (shift: a
    row's ref)."""
    who, group = _group(slug)
    svc = services()
    error = done = None
    if request.method == "POST":
        try:
            done = _change(who, group, request.form)
        except Refused as exc:
            error = str(exc)
    client, now = svc.redis, svc.clock()
    zone = ZoneInfo(group.timezone)
    nids = volunteers.listing_ids(client, slug)
    numbers = volunteers.numbers(client, nids)
    shifts = [s for s in volunteers.shifts(client, slug) if s.number_id in numbers]
    now_on = on_shift(shifts, zone, now)
    rows = [{"ref": ref(nid), "masked": mask(numbers[nid]), "on_shift": nid in now_on,
             "shifts": [{"ref": ref(s.key()), "label": shift_label(s)}
                        for s in sorted(shifts, key=lambda s: (s.day, s.start))
                        if s.number_id == nid]}
            for nid in nids if nid in numbers]  # fmt: skip
    rows.sort(key=lambda r: r["masked"])
    upcoming = next_start(shifts, zone, now)
    typed = {k: request.form.get(k, "")[:40] for k in ("action", "phone", "day", "from", "to")}
    page = render_template("console/volunteers.html", who=who, group=group, error=error,
                           done=done, rows=rows, days=DAYS, on_now=len(now_on),
                           next_shift=local_time(upcoming, group.timezone) if upcoming else None,
                           typed=typed if error else {})  # fmt: skip
    return (page, 400) if error else page


def _change(who: Viewer, group: Group, form: dict) -> str:
    action = form.get("action", "")
    if action == "add":
        return _add(who, group, _plain(form.get("phone", "")))
    if action == "remove":
        return _remove(who, group, form.get("volunteer", ""))
    if action == "add_shift":
        return _add_shift(who, group, form)
    if action == "remove_shift":
        return _remove_shift(who, group, form.get("shift", ""))
    raise Refused("Choose what to do with one of the buttons.")


def _plain(raw: str) -> str:
    """A plain phone number in E.164 (volunteers are rung and texted on their own number)."""
    raw = raw.strip()[:40]
    if not is_plain_number(raw):
        raise Refused(wording.bad_number(raw))
    try:
        return to_e164(raw)
    except BadNumber:
        raise Refused(wording.bad_number(raw)) from None


def _add(who: Viewer, group: Group, number: str) -> str:
    svc = services()
    if not volunteers.add(svc.redis, svc.number_id(number), number, group.slug):
        return f"{mask(number)} was already a volunteer of {group.name}."
    _audit(who, "add volunteer", group.slug, mask(number))
    return f"{mask(number)} is now a volunteer of {group.name}. Give them a shift below."


def _remove(who: Viewer, group: Group, wanted: str) -> str:
    svc = services()
    numbers = volunteers.numbers(svc.redis, volunteers.listing_ids(svc.redis, group.slug))
    number = next((n for nid, n in numbers.items() if ref(nid) == wanted), None)
    if number is None:
        raise Refused("That volunteer is no longer on the list, so nothing was removed.")
    ended = peer.remove_volunteer(svc, number, group.slug)
    if ended is None:  # removed meanwhile (another tab, the command line)
        raise Refused("That volunteer is no longer on the list, so nothing was removed.")
    _audit(who, "remove volunteer", group.slug, mask(number))
    tail = " A conversation they held was ended; both sides were told." if ended else ""
    return f"{mask(number)} no longer volunteers for {group.name}; their shifts went too.{tail}"


def _add_shift(who: Viewer, group: Group, form: dict) -> str:
    svc = services()
    number = _plain(form.get("phone", ""))
    try:
        day = parse_day(form.get("day", "")[:10])
        shift = Shift(svc.number_id(number), day, parse_clock(form.get("from", "")[:10]),
                      parse_clock(form.get("to", "")[:10]))  # fmt: skip
    except ShiftError as exc:
        raise Refused(wording.sentence(str(exc))) from None
    try:
        new = volunteers.add_shift(svc.redis, group.slug, shift)
    except volunteers.NotAVolunteer:
        raise Refused(f"{mask(number)} is not a volunteer of this group yet. "
                      "Add them as a volunteer first.") from None  # fmt: skip
    except volunteers.ShiftClash as exc:
        raise Refused(f"{shift_label(shift)} overlaps {mask(number)}'s shift "
                      f"{shift_label(exc.clash)}. Remove that one first, or pick other "
                      "hours.") from None  # fmt: skip
    if not new:
        return f"{mask(number)} already had {shift_label(shift)}."
    _audit(who, "add shift", group.slug, f"{mask(number)} {shift.describe()}")
    return f"{mask(number)} now has {shift_label(shift)} ({group.timezone} time)."


def _remove_shift(who: Viewer, group: Group, wanted: str) -> str:
    svc = services()
    shift = next((s for s in volunteers.shifts(svc.redis, group.slug) if ref(s.key()) == wanted),
                 None)  # fmt: skip
    if shift is None or not volunteers.remove_shift(svc.redis, group.slug, shift):
        raise Refused("That shift is no longer on the list, so nothing was removed.")
    number = volunteers.number_of(svc.redis, shift.number_id)
    _audit(who, "remove shift", group.slug, f"{mask(number)} {shift.describe()}")
    return f"{mask(number)} no longer has {shift_label(shift)}."
