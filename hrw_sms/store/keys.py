"""Every Redis key HRW-SMS uses: names, lifetimes and shapes. Nothing else builds key strings.

Numbers never appear in key names: per-number keys use `number_id`, a keyed hash (HMAC)
of the E.164 number, so a key listing reveals nobody.
"""

from __future__ import annotations

from datetime import date

from flows.model import OccurrenceId

PREFIX = "hrw:"

# --- lifetimes (seconds) ---
SESSION_TTL = 60 * 60  # conversation state: about an hour idle
PREFS_TTL = 365 * 24 * 60 * 60  # language choice, refreshed on use
MESSAGE_SID_TTL = 48 * 60 * 60  # Twilio retries within hours; remember a little longer
NUMBER_LOCK_TTL = 5  # seconds a webhook may hold a number's conversation

# --- secrets ---
HASH_KEY = PREFIX + "secret:number-hash"  # string: random key for number_id when none is configured
# string: HMAC of a fixed label under the key in use (identity.fingerprint); not a secret, kept
# for good so a different or missing key is refused rather than silently renaming every number
HASH_KEY_CHECK = PREFIX + "secret:number-hash-check"

# --- directory (hashes of JSON, plus a version bumped on every change) ---
GROUPS = PREFIX + "dir:groups"  # hash: group slug -> JSON
MEETINGS = PREFIX + "dir:meetings"  # hash: meeting slug -> JSON
CANCELLED = PREFIX + "dir:cancelled"  # set: "slug|YYYY-MM-DD"
DIRECTORY_VERSION = PREFIX + "dir:version"  # int, INCR on every directory change

# --- per number ---
OPTED_OUT = PREFIX + "optout"  # set of number_id; survives FORGET


def session(number_id: str) -> str:
    """String: JSON of flows.session.Session; expires SESSION_TTL after last use."""
    return f"{PREFIX}session:{number_id}"


def prefs(number_id: str) -> str:
    """Hash: language; expires PREFS_TTL after last change."""
    return f"{PREFIX}prefs:{number_id}"


def number_lock(number_id: str) -> str:
    """The key of a number's conversation lock (one text handled at a time per number)."""
    return f"{PREFIX}lock:{number_id}"


def message_sid(sid: str) -> str:
    """String "1": an inbound MessageSid already acted on."""
    return f"{PREFIX}sid:{sid}"


def cancelled_member(meeting_slug: str, day: date) -> str:
    """The member of CANCELLED (and a hosting record's name): flows.model.OccurrenceId's text
    by local date, `slug|YYYY-MM-DD`."""
    return str(OccurrenceId(meeting_slug, day))


def per_number_keys(number_id: str) -> list[str]:
    """Every key that belongs to one number alone (what FORGET deletes)."""
    return [
        session(number_id),
        prefs(number_id),
        subscriber(number_id),
        reminders(number_id),
        *outbound_per_number_keys(number_id),
        *host_per_number_keys(number_id),
        *coordinator_per_number_keys(number_id),
        *throttle_per_number_keys(number_id),
        *console_per_number_keys(number_id),
        *peer_per_number_keys(number_id),
    ]


# --- voice ---
def voice_session(call_id: str) -> str:
    """String: JSON of flows.session.Session for one call; expires SESSION_TTL after last use.

    `call_id` is a keyed hash of the CallSid (like number_id), so a call's state never names
    the caller and works the same for withheld numbers."""
    return f"{PREFIX}voice:session:{call_id}"


# --- subscriptions (REMIND): kept until NOREMIND, STOP or FORGET ---
SUBSCRIBED_MEETINGS = PREFIX + "subs:meetings"  # set: meeting slugs with at least one subscriber


def subscriber(number_id: str) -> str:
    """Hash: number (E.164), the address reminders and group updates go to."""
    return f"{PREFIX}subs:number:{number_id}"


def reminders(number_id: str) -> str:
    """Set: slugs of the meetings this number gets reminders for."""
    return f"{PREFIX}subs:of:{number_id}"


def meeting_subscribers(meeting_slug: str) -> str:
    """Set: number_ids reminded of this meeting (and so subscribed to its group's updates)."""
    return f"{PREFIX}subs:meeting:{meeting_slug}"


# --- demo only ---
DEMO_OUTBOX = PREFIX + "demo:outbox"  # list of JSON: texts the demo's local carrier "sent"
DEMO_OUTBOX_LIMIT = 200
DEMO_OUTBOX_TTL = 24 * 60 * 60
DEMO_OUTBOX_SEQ = PREFIX + "demo:outbox:seq"  # int: numbers the demo outbox's texts


# --- broadcasts and the audit log ---
BROADCAST_TTL = 7 * 24 * 60 * 60  # STATUS and progress look back a week
AUDIT = PREFIX + "audit"  # sorted set: JSON entries scored by time; older than AUDIT_DAYS trimmed
AUDIT_DAYS = 90
BROADCAST_SEQ = PREFIX + "bcast:seq"  # int: the last broadcast id


def broadcast(broadcast_id: int) -> str:
    """Hash: group, actor (masked), channel, created, total, batches, body (deleted once
    every batch has run; retries carry their own copy until sent)."""
    return f"{PREFIX}bcast:{broadcast_id}"


def broadcast_recipients(broadcast_id: int) -> str:
    """List: number_ids, the group's subscribers when the broadcast started."""
    return f"{PREFIX}bcast:{broadcast_id}:to"


def broadcast_batches_done(broadcast_id: int) -> str:
    """Set: start indexes of the batches that have run."""
    return f"{PREFIX}bcast:{broadcast_id}:done"


def last_broadcast(group_slug: str) -> str:
    """String: the id of the group's most recent broadcast."""
    return f"{PREFIX}bcast:last:{group_slug}"


# --- hosts ---
# An occurrence is named "slug|YYYY-MM-DD" (cancelled_member, flows.model.OccurrenceId).
HOST_ROSTER = PREFIX + "host:roster"  # sorted set: occurrence names scored by start (UTC epoch)
HOSTING_KEEP = 2 * 24 * 60 * 60  # seconds an occurrence's hosting record outlives its end


def host_number(number_id: str) -> str:
    """Hash: number (E.164), where prompts and cover requests go."""
    return f"{PREFIX}host:number:{number_id}"


def host_groups(number_id: str) -> str:
    """Set: slugs of the groups this number hosts for."""
    return f"{PREFIX}host:groups:{number_id}"


def group_hosts(group_slug: str) -> str:
    """Set: number_ids of a group's hosts."""
    return f"{PREFIX}host:group:{group_slug}"


def host_asks(number_id: str) -> str:
    """Sorted set: "confirm|<occurrence>" or "cover|<occurrence>" scored by when last asked
    (epoch); the newest whose occurrence has not started is what a YES or NO answers."""
    return f"{PREFIX}host:asks:{number_id}"


def host_hosting(number_id: str) -> str:
    """Sorted set: occurrences this number hosts now (assigned and not declined, or covering),
    scored by start (epoch); EXERCISE sets the first one still to come."""
    return f"{PREFIX}host:hosting:{number_id}"


def hosting(occurrence: str) -> str:
    """Hash: one occurrence's hosting record: meeting, day, group, start, end (ISO, UTC),
    host (number_id assigned), state (assigned|confirmed|declined|uncovered|covered),
    cover (number_id covering), version (bumped by every change: the compare-and-set token),
    round (bumped each time a cover is sought), prompted (number_id of the assigned host once
    first asked). Expires HOSTING_KEEP after the occurrence ends."""
    return f"{PREFIX}host:occ:{occurrence}"


def hosting_asked(occurrence: str) -> str:
    """Set: number_ids asked to cover the occurrence; expires with its hosting record."""
    return f"{PREFIX}host:asked:{occurrence}"


def exercise(occurrence: str) -> str:
    """String: the exercise the host texted for the occurrence; expires when it ends."""
    return f"{PREFIX}host:exercise:{occurrence}"


def host_per_number_keys(number_id: str) -> list[str]:
    """Host keys that belong to one number alone (FORGET deletes these)."""
    return [host_number(number_id), host_groups(number_id), host_asks(number_id),
            host_hosting(number_id)]  # fmt: skip


# --- coordinators ---
def coordinator_number(number_id: str) -> str:
    """Hash: number (E.164) of a coordinator, where hosting news goes."""
    return f"{PREFIX}coord:number:{number_id}"


def coordinator_groups(number_id: str) -> str:
    """Set: slugs of the groups this number coordinates."""
    return f"{PREFIX}coord:groups:{number_id}"


def group_coordinators(group_slug: str) -> str:
    """Set: number_ids of a group's coordinators."""
    return f"{PREFIX}coord:group:{group_slug}"


def coordinator_per_number_keys(number_id: str) -> list[str]:
    """Coordinator keys that belong to one number alone (FORGET deletes these)."""
    return [coordinator_number(number_id), coordinator_groups(number_id)]


# --- planning ---
def planned(name: str) -> str:
    """String: set (NX) when a reminder or prompt for an occurrence has been scheduled, so
    planning twice schedules nothing twice. Expires after the occurrence."""
    return f"{PREFIX}planned:{name}"


# --- outbound ---
# Claim, record and sid map outlive any retry or duplicate job by far.
OUTBOUND_TTL = 30 * 24 * 60 * 60
# Numbers get ported or reissued: look again after a month.
INVALID_NUMBER_TTL = 30 * 24 * 60 * 60
SEND_RATE_BUCKET = PREFIX + "out:rate"  # string: GCRA theoretical arrival time (Redis TIME)


def outbound_claim(message_id: str) -> str:
    """String: the idempotency claim (a random token) of one logical outbound message."""
    return f"{PREFIX}out:claim:{message_id}"


def outbound(message_id: str) -> str:
    """Hash: one outbound message's status, reason, error_code, attempts, sid, kind, segments,
    started, until, delivery, delivery_error, updated. Never the body or the number."""
    return f"{PREFIX}out:msg:{message_id}"


SETTLED = frozenset({"sent", "failed", "skipped"})  # an outbound message's final statuses


def outbound_sid(sid: str) -> str:
    """String: the message_id of the outbound message Twilio knows as `sid`."""
    return f"{PREFIX}out:sid:{sid}"


def invalid_number(number_id: str) -> str:
    """String: the Twilio code (21211, 21614) that showed the number cannot take texts."""
    return f"{PREFIX}out:invalid:{number_id}"


def outbound_per_number_keys(number_id: str) -> list[str]:
    """Outbound keys that belong to one number alone (FORGET deletes these; the records
    listed in outbound_of are erased one by one first)."""
    return [invalid_number(number_id), outbound_busy(number_id), outbound_of(number_id)]


# --- loops and floods (hrw_sms/handlers/throttle.py owns the rules; these are only the names) ---
THROTTLED_ACTIONS = ("text_me", "talk", "sign_in_code")  # actions with a per-number limit
USAGE_TTL = 91 * 24 * 60 * 60  # the console shows 90 days of daily counts


def throttle(number_id: str) -> str:
    """Hash: until (epoch ms the quiet window ends), helped ("1" once HELP was answered in
    it), replied (epoch ms of the line's last reply), quick (replies answered within the loop
    gap, in a row). Expires on its own (the window, or a minute after the last text)."""
    return f"{PREFIX}throttle:{number_id}"


def throttle_log(number_id: str) -> str:
    """Sorted set: "<keyed hash of the folded text, or - for the line's words>:<MessageSid>"
    scored by arrival (epoch ms); only the last 10 minutes, never a body. Expires on its own."""
    return f"{PREFIX}throttle:log:{number_id}"


def action_log(action: str, number_id: str) -> str:
    """Sorted set: one member per time the number asked for `action` ("text_me", ...), scored
    by epoch ms; trimmed to the action's window and expiring with it."""
    return f"{PREFIX}limit:{action}:{number_id}"


def usage(day: date) -> str:
    """Hash: counter name -> count for one UTC day (throttle_budget, throttle_repeat,
    throttle_loop, limit_text_me, ...); counters only, never per number. Expires USAGE_TTL."""
    return f"{PREFIX}usage:{day.isoformat()}"


def throttle_per_number_keys(number_id: str) -> list[str]:
    """Throttle keys of one number (they expire anyway; FORGET deletes them at once)."""
    return [throttle(number_id), throttle_log(number_id)] + [
        action_log(action, number_id) for action in THROTTLED_ACTIONS
    ]


# --- consent at send time and erasure (FORGET) ---
# A slot of a broadcast's recipient list (broadcast_recipients) whose number said FORGET:
# the list keeps its positions (batches are ranges of it) and the slot counts as skipped.
ERASED = "-"
OUTBOUND_BUSY_MS = 1000  # how long an opt-down answer may wait for a send already under way


def outbound_busy(number_id: str) -> str:
    """String: set while a worker hands a text for this number to Twilio (after its last
    consent check, before Twilio answers); an opt-down answer waits for it to go."""
    return f"{PREFIX}out:busy:{number_id}"


def outbound_of(number_id: str) -> str:
    """Set: message_ids of the outbound records kept for this number (FORGET erases them,
    their claims and their sid maps); expires OUTBOUND_TTL after the last one was written."""
    return f"{PREFIX}out:of:{number_id}"


# --- feeds kept in sync (hrw_sms/meetings/feedsync.py) ---
FEEDS = PREFIX + "feeds"  # hash: feed URL -> JSON {timezone, added}
FEED_STATE = PREFIX + "feeds:state"  # hash: feed URL -> JSON of feedsync.FeedState


def feed_lock(url_id: str) -> str:
    """String: held while one feed syncs (url_id: a hash of its URL); expires on its own."""
    return f"{PREFIX}feeds:lock:{url_id}"


# --- the console (hrw_sms/store/operators.py, hrw_sms/store/console.py) ---
OPERATORS = PREFIX + "operators"  # hash: number_id -> E.164 of each operator (every group)
CONSOLE_CODE_TTL = 10 * 60  # a sign-in code is good for 10 minutes
CONSOLE_LOCK_TTL = 15 * 60  # 5 wrong codes lock the number out this long
CONSOLE_MAX_TRIES = 5
CONSOLE_SESSION_TTL = 12 * 60 * 60  # a console session idles out after 12 hours


def console_code(number_id: str) -> str:
    """Hash: digest (keyed hash of the code, never the code), expires CONSOLE_CODE_TTL."""
    return f"{PREFIX}console:code:{number_id}"


def console_tries(number_id: str) -> str:
    """String: wrong codes in a row; expires CONSOLE_LOCK_TTL after the first one."""
    return f"{PREFIX}console:tries:{number_id}"


def console_lock(number_id: str) -> str:
    """String: set while the number may not sign in; expires CONSOLE_LOCK_TTL."""
    return f"{PREFIX}console:lock:{number_id}"


def console_session(token_id: str) -> str:
    """Hash: nid, number, created (ISO UTC); token_id is a hash of the cookie's token (Redis
    never holds the cookie itself). Expires CONSOLE_SESSION_TTL after the last use."""
    return f"{PREFIX}console:session:{token_id}"


def console_sessions_of(number_id: str) -> str:
    """Set: token_ids of the number's open console sessions (to end them all at once)."""
    return f"{PREFIX}console:sessions:{number_id}"


CONSOLE_CONFIRM_TTL = 15 * 60  # a broadcast preview's Send button works this long, once


def console_confirm(token_id: str) -> str:
    """String: a broadcast preview's one-time confirm, "pending <group> <text digest>" until
    its Send is pressed, then "sending", then "sent <broadcast_id>" (so a repeated Send shows
    that broadcast instead of sending again). token_id is a hash of the form's token.
    Expires CONSOLE_CONFIRM_TTL after the preview."""
    return f"{PREFIX}console:confirm:{token_id}"


def console_per_number_keys(number_id: str) -> list[str]:
    """Every console key named after a number: its code, tries, lock and sessions set (part of
    what FORGET deletes, see `per_number_keys`)."""
    return [console_code(number_id), console_tries(number_id), console_lock(number_id),
            console_sessions_of(number_id)]  # fmt: skip


# --- the peer line (hrw_sms/store/volunteers.py, shifts.py, relays.py) ---
PEER_ASK_TTL = 10 * 60  # seconds a TALK waits for a volunteer's TAKE before the person is told
PEER_IDLE = 60 * 60  # seconds without a text that end a conversation (README "The peer line")
PEER_RELAY_TTL = 2 * PEER_IDLE  # a conversation's record outlives its idle end by far
PEER_CALL_TTL = 5 * 60  # a ringing call's claim: longer than the Dial's timeout


def volunteer_number(number_id: str) -> str:
    """Hash: number (E.164) of a peer-line volunteer."""
    return f"{PREFIX}volunteer:{number_id}"


def volunteer_groups(number_id: str) -> str:
    """Set: group slugs the number volunteers for."""
    return f"{PREFIX}volunteer:groups:{number_id}"


def group_volunteers(group_slug: str) -> str:
    """Set: number_ids of the group's volunteers."""
    return f"{PREFIX}group:volunteers:{group_slug}"


def group_shifts(group_slug: str) -> str:
    """Hash: flows.peer.Shift.key() ("<number_id>|<day 0=Sun>|HH:MM|HH:MM") -> "1": the
    group's weekly shifts, in the group's time zone."""
    return f"{PREFIX}group:shifts:{group_slug}"


def peer_relay(relay_id: str) -> str:
    """Hash: one TALK and the conversation it became: state (asked|live|over), person,
    person_id, volunteer, volunteer_id (E.164 numbers and number_ids), asked, taken, last,
    ended (epoch seconds), version, language (the person's). Never a body. Expires
    PEER_RELAY_TTL after the last text."""
    return f"{PREFIX}peer:relay:{relay_id}"


def peer_person(number_id: str) -> str:
    """String: the relay_id of the person's open TALK or conversation; expires with it."""
    return f"{PREFIX}peer:person:{number_id}"


def peer_held(number_id: str) -> str:
    """Set: relay_ids a volunteer was offered or holds (their TAKE and texts pick from it)."""
    return f"{PREFIX}peer:held:{number_id}"


def peer_call(call_sid: str) -> str:
    """String: set (NX) by the first volunteer who presses 1 for a ringing call."""
    return f"{PREFIX}peer:call:{call_sid}"


def peer_per_number_keys(number_id: str) -> list[str]:
    """Peer-line keys of one number alone (FORGET deletes them after ending its relays)."""
    return [
        volunteer_number(number_id),
        volunteer_groups(number_id),
        peer_person(number_id),
        peer_held(number_id),
    ]
