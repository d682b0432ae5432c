"""What a text is about, so the outbound path can check at the moment of sending that the
number still wants it.

A text that is not a reply the person asked for is *about* something: a meeting (its
reminder), a group (broadcasts, cancellation notices), or a role in a group (host prompts,
coordinators' notices). Jobs carry that as a small tuple (`About`, picklable and stable);
`resolve` turns it into a `Consent`: the Redis set the number must still be in. STOP, FORGET,
NOREMIND (one meeting or all, which ends a group's updates with its last meeting) and a 21610
all take the number out of those sets, so one membership test covers every opt-down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from flows.model import Directory
from hrw_sms.store import keys

# ("meeting", slug) | ("group", slug) | ("host", group) | ("coordinator", group)
About = tuple[str, str]
ABOUT_KINDS = ("meeting", "group", "host", "coordinator")


@dataclass(frozen=True)
class Consent:
    """The text may go only while the number is in `of`'s set for at least one of `names`:

    - "reminders": the number's own set of meeting slugs (keys.reminders); `names` are the
      meeting's slug, or every meeting of the group (a group's updates);
    - "hosts" / "coordinators": the group's set of number_ids; `names` is the group.
    An empty `names` (a group with no meetings left) means nobody consents."""

    of: Literal["reminders", "hosts", "coordinators"]
    names: tuple[str, ...]
    reason: str = "no longer subscribed"

    def key_and_members(self, nid: str) -> tuple[str, tuple[str, ...]]:
        """The set to test and the members any one of which must be in it."""
        if self.of == "reminders":
            return keys.reminders(nid), self.names
        role_key = keys.group_hosts if self.of == "hosts" else keys.group_coordinators
        if not self.names:
            return role_key(""), ()
        return role_key(self.names[0]), (nid,)


def resolve(about: About | None, directory: Callable[[], Directory]) -> Consent | None:
    """The Consent for a job's `about` (None: a reply, checked for opt-outs only).

    `directory` is called only for a group's updates (to list its meetings now). Raises
    ValueError for an unknown kind."""
    if about is None:
        return None
    kind, name = about
    if kind == "meeting":
        return Consent("reminders", (name,))
    if kind == "group":
        slugs = sorted(m.slug for m in directory().meetings.values() if m.group == name)
        return Consent("reminders", tuple(slugs))
    if kind == "host":
        return Consent("hosts", (name,), "no longer a host of the group")
    if kind == "coordinator":
        return Consent("coordinators", (name,), "no longer a coordinator of the group")
    raise ValueError(f"about must be one of {', '.join(ABOUT_KINDS)}, got {kind!r}")


def for_meeting(slug: str, group: str | None) -> About:
    """A cancellation or group notice about a meeting: its group's updates, or (for a
    meeting without a group) its own subscribers."""
    return ("group", group) if group else ("meeting", slug)
