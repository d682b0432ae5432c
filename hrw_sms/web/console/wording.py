"""Refusals from the core, worded for a coordinator: whole plain sentences that name the
meeting (not its slug) and the date as people say it. The core's own messages stay the
CLI's one-liners; this only rewords them for the page."""

from __future__ import annotations

from datetime import date

from flows.model import Directory
from hrw_sms.store import hosts

DAYS = ("Sundays", "Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays")


def day_label(day: date) -> str:
    """'Tuesday, Dec 1': a date as a coordinator says it (the year is plain from the page)."""
    return day.strftime("%A, %b %-d")


def sentence(text: str) -> str:
    """`text` as a sentence: a capital first letter and a closing full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def host_refusal(exc: hosts.HostError, directory: Directory, number: str = "") -> str:
    """A store.hosts refusal as plain sentences (`number`: the masked number it was about)."""
    if isinstance(exc, hosts.NotAHost):
        who = number or "That number"
        return f"{who} is not a host of this group yet. Add them under Hosts below first."
    if not isinstance(exc, hosts.OccurrenceError):
        return sentence(str(exc))
    meeting = directory.meetings.get(exc.meeting)
    name = meeting.name if meeting else "That meeting"
    when = day_label(exc.day) if exc.day else ""
    if isinstance(exc, hosts.NoMeeting):
        return "That meeting is no longer on the schedule. Choose one from the list."
    if isinstance(exc, hosts.NotMeetingDay):
        days = " and ".join(DAYS[d % 7] for d in exc.days) or "no set day"
        return f"{name} does not meet on {when}: it meets on {days}. Choose one of its dates."
    if isinstance(exc, hosts.Cancelled):
        return (
            f"That meeting is cancelled on {when}: {name} does not meet that day, so it "
            "has no host to set. Choose another date."
        )
    if isinstance(exc, hosts.PastDay):
        return f"{when} has passed. Choose a date from today on."
    if isinstance(exc, hosts.Started):
        return f"{name} on {when} has already started, so its host can no longer be changed."
    if isinstance(exc, hosts.NothingToClear):
        return f"{name} on {when} has no host to clear."
    if isinstance(exc, hosts.Changed):
        return (f"{name} on {when} changed while you were looking (a host answered, or "
                "someone else changed it), so nothing was cleared. Check the roster and "
                "try again.")  # fmt: skip
    if isinstance(exc, hosts.NotHostable):
        return f"{name} is temporarily closed, so it has no host to set."
    return sentence(str(exc))


def bad_number(raw: str) -> str:
    """The one refusal of every console form for a phone number that could not be read
    (base.phone.to_e164 or is_plain_number said no): `raw` as typed, shown back (clipped)."""
    shown = " ".join(raw.split())[:40]
    if not shown:
        return "Please give a phone number, like 413-555-0100."
    return f'That is not a phone number we can text: "{shown}". Write it like 413-555-0100.'


def dropped_note(chars: str) -> str:
    """A note for a text that loses `chars` (flows.gsm.dropped) in sending: "" when none."""
    if not chars:
        return ""
    shown = " ".join(chars[:8]) + (" and others" if len(chars) > 8 else "")
    which = "it is" if len(chars) == 1 else "they are"
    return (
        f"Text messages cannot carry {shown}, so {which} left out when sent "
        "(the preview shows the text without them)."
    )
