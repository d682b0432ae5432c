"""The peer line's shell: TALK asks, TAKE connects, texts relayed both ways, DONE ends.

`intercept` sees a text before the ordinary flows: it answers a text that is the peer line's
business (a TALK, a TAKE, a DONE, or any text of someone in a live conversation) and says
None for everything else, which goes on to the flows as ever (a STOP after ending the
conversation). Relayed bodies go out through the one outbound path (an RQ job whose result
is dropped at once, so the body leaves Redis once it is sent) and are never logged or kept.

Who is on shift is flows.peer's pure answer over the groups' shifts (store/volunteers.py);
the ask and the conversation are store/relays.py's records."""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import redis

from flows import peer
from flows import render_voice as rv
from flows.keywords import Command
from flows.voice import Position
from hrw_sms.base.phone import mask
from hrw_sms.handlers import throttle
from hrw_sms.handlers.services import Services
from hrw_sms.jobs import queues
from hrw_sms.store import keys, prefs, relays, volunteers
from hrw_sms.store.relays import ASKED, LIVE, Relay

log = logging.getLogger(__name__)

CHECK_JOB = "workers.peer.check_relay"


# --- who is on shift ---


def shift_table(services: Services) -> list[tuple[str, ZoneInfo, list[peer.Shift]]]:
    """Each group's (slug, zone, shifts of its current volunteers)."""
    client = services.redis
    table = []
    for slug, group in sorted(services.directory.load().groups.items()):
        members = set(volunteers.listing_ids(client, slug))
        shifts = [s for s in volunteers.shifts(client, slug) if s.number_id in members]
        table.append((slug, ZoneInfo(group.timezone), shifts))
    return table


def on_shift(services: Services, now: datetime) -> dict[str, str]:
    """number_id -> E.164 of every volunteer on shift at `now`, in any group."""
    table = shift_table(services)
    nids = peer.on_shift_anywhere(((z, s) for _, z, s in table), now)
    return volunteers.numbers(services.redis, sorted(nids))


def next_shift(services: Services, now: datetime) -> tuple[datetime, ZoneInfo] | None:
    """The soonest shift start after `now` (UTC) in any group, with its group's zone; None
    when no shift is kept at all."""
    return peer.next_start_anywhere(((z, s) for _, z, s in shift_table(services)), now)


def nobody_text(services: Services, language: str, now: datetime) -> str:
    """No one on shift: when the next shift starts, and the safety words."""
    found = next_shift(services, now)
    line = services.settings.crisis_line
    if found is None:
        return peer.message(language, "peer_none_ever", line)
    when = peer.when_label(language, found[0], found[1], now)
    return peer.message(language, "peer_none", line, when=when)


# --- counting (the one daily usage hash: counters only) ---


def count(client: redis.Redis, now: datetime, field: str, amount: int = 1) -> None:
    """Add `amount` to the usage counter `field` of `now`'s UTC day (keys.usage); counters
    only, never per number."""
    day = keys.usage(now.astimezone(UTC).date())
    pipe = client.pipeline(transaction=False)
    pipe.hincrby(day, field, amount)
    pipe.expire(day, keys.USAGE_TTL)
    pipe.execute()


# --- sending ---


def send(services: Services, to: str, body: str, message_id: str) -> None:
    """Through the outbound path as a reply (opt-outs and the send rate apply)."""
    mid = queues.message_id(message_id)
    if not services.send_later(to, body, mid, "reply"):
        queues.enqueue_text(services.redis, mid, to, body, "reply")


def _language(services: Services, nid: str, fallback: str = "en") -> str:
    return prefs.language(services.redis, nid) or fallback


def _schedule_check(services: Services, relay_id: str, at: datetime) -> None:
    stamp = int(at.timestamp())
    queues.queue(services.redis, queues.REPLIES).enqueue_at(
        at, CHECK_JOB, relay_id,
        job_id=queues.job_id("peer", f"{relay_id}@{stamp}"),
        description=f"peer line check {relay_id}", result_ttl=0,
        failure_ttl=queues.FAILURE_TTL,
    )  # fmt: skip


# --- one inbound text ---


def lookup(services: Services, number: str) -> tuple[bool, Relay | None, list[Relay]]:
    """(opted out, the person's own open ask or conversation, the conversations the number
    holds as a volunteer): one round trip (hrw_sms.store.relays.lookup)."""
    return relays.lookup(services.redis, services.number_id(number))


def may_concern(body: str, command: Command) -> bool:
    """True when a text is a peer-line word whatever the number's state (TALK, or TAKE),
    so POST /sms takes the peer line's own path (hrw_sms.handlers.arrival leaves it)."""
    return command.word == "TALK" or peer.read(body).word == "TAKE"


def in_conversation(found: tuple[bool, Relay | None, list[Relay]]) -> bool:
    """True when `found` (from lookup) has a conversation under way: a person texting a
    person, which the flood budget leaves alone (an ask still waiting is not one: its "still
    looking" replies are the line's own)."""
    opted_out, mine, held = found
    return not opted_out and ((mine is not None and mine.state == "live") or bool(held))


def intercept(
    services: Services,
    number: str,
    body: str,
    command: Command,
    sid: str | None = None,
    found: tuple[bool, Relay | None, list[Relay]] | None = None,
) -> list[str] | None:
    """The replies when the text is the peer line's business, else None. `found` is
    lookup(services, number) when the caller has it already."""
    client = services.redis
    nid = services.number_id(number)
    now = services.clock()
    opted_out, mine, held = found if found is not None else relays.lookup(client, nid)
    if opted_out:
        return None  # silence until START, as ever (a STOP ended their conversations)
    if mine is not None:
        return _from_person(services, mine, body, command, sid, now)
    said = peer.read(body)
    if held:
        answer = _from_volunteer(services, number, nid, held, said, body, command, sid, now)
        if answer is not None:
            return answer
    if said.word == "TAKE" and volunteers.is_volunteer(client, nid):
        return [peer.message(_language(services, nid), "peer_nothing_to_take")]
    if command.word == "TALK":
        language = "es" if command.spanish else _language(services, nid)
        return _talk(services, number, nid, language, now)
    return None


def _talk(services: Services, number: str, nid: str, language: str, now: datetime) -> list[str]:
    line = services.settings.crisis_line
    if not throttle.allow_action(services, "talk", number):
        return [peer.message(language, "peer_limit", line)]
    peers = {v: n for v, n in on_shift(services, now).items() if v != nid}
    if not peers:
        count(services.redis, now, "peer_text_no_one")
        log.info("peer line: TALK from %s, no one on shift", mask(number))
        return [nobody_text(services, language, now)]
    relay = relays.create(services.redis, number, nid, int(now.timestamp()), language)
    if relay is None:  # another TALK from this person opened one a moment ago
        return [peer.message(language, "peer_waiting", line)]
    relays.offered(services.redis, relay.relay_id, sorted(peers))
    for vid, to in sorted(peers.items()):
        offer = peer.message(_language(services, vid), "peer_offer", code=relay.relay_id)
        send(services, to, offer, f"peer:{relay.relay_id}:offer:{vid[:12]}")
    _schedule_check(services, relay.relay_id, now + timedelta(seconds=keys.PEER_ASK_TTL))
    log.info("peer line: TALK from %s offered to %d on shift", mask(number), len(peers))
    return [peer.message(language, "peer_asked", line)]


def _from_person(
    services: Services, relay: Relay, body: str, command: Command, sid: str | None, now: datetime
) -> list[str] | None:
    said = peer.read(body)
    language, line = relay.language, services.settings.crisis_line
    if command.word == "OPTOUT":  # ends the conversation; the flows then opt them out
        finish(services, relay, now, "stop")
        return None
    if relay.state == ASKED:
        if said.word == "DONE":
            finish(services, relay, now, "cancelled")
            return [peer.message(language, "peer_cancelled", line)]
        if command.word == "TALK":
            return [peer.message(language, "peer_waiting", line)]
        return None  # while waiting, the line's words work as ever
    if said.word == "DONE":
        finish(services, relay, now, "done_by_person")
        return [peer.message(language, "peer_done", line)]
    assert relay.volunteer is not None
    relays.touch(services.redis, relay, int(now.timestamp()))
    send(services, relay.volunteer, peer.prefixed(relay.relay_id, body), _relayed_id(relay, sid))
    return []


def _from_volunteer(
    services: Services,
    number: str,
    nid: str,
    held: list[Relay],
    said: peer.PeerWord,
    body: str,
    command: Command,
    sid: str | None,
    now: datetime,
) -> list[str] | None:
    language = _language(services, nid)
    live = [r for r in held if r.state == LIVE and r.volunteer_id == nid]
    if command.word == "OPTOUT":
        for relay in live:
            finish(services, relay, now, "volunteer_stop")
        return None
    if said.word == "TAKE":
        return [_take(services, number, nid, held, said.code, language, now)]
    if not live:
        return None  # only offers: their own words (a host's YES...) work as ever
    by_code = {r.relay_id: r for r in live}
    if said.code in by_code:
        target, text = by_code[said.code], said.rest
    elif len(live) == 1:
        target, text = live[0], body
    else:
        return [peer.message(language, "peer_pick", count=len(live), code=live[0].relay_id)]
    if said.word == "DONE":
        finish(services, target, now, "done_by_volunteer")
        return [peer.message(language, "peer_done_volunteer", code=target.relay_id)]
    relays.touch(services.redis, target, int(now.timestamp()))
    send(services, target.person, text, _relayed_id(target, sid))
    return []


def _take(
    services: Services,
    number: str,
    nid: str,
    held: list[Relay],
    code: str | None,
    language: str,
    now: datetime,
) -> str:
    """The first TAKE connects; later ones are told it is taken."""
    if code is not None:
        chosen = next((r for r in held if r.relay_id == code), None)
    else:  # the newest ask still waiting, else the newest offer (to say it's taken)
        asks = [r for r in held if r.state == ASKED]
        offers = [r for r in held if r.volunteer_id != nid]
        chosen = max(asks or offers, key=lambda r: r.asked, default=None)
    if chosen is None:
        return peer.message(language, "peer_nothing_to_take")
    if not relays.take(services.redis, chosen.relay_id, number, nid, int(now.timestamp())):
        return peer.message(language, "peer_taken_other", code=chosen.relay_id)
    count(services.redis, now, "peer_text_conversations")
    connected = peer.message(
        chosen.language, "peer_connected_person", services.settings.crisis_line
    )
    send(services, chosen.person, connected, f"peer:{chosen.relay_id}:connected")
    log.info("peer line: %s took a conversation", mask(number))
    # From their second conversation on, texts without a code can't be routed: say so now.
    now_held = sum(1 for r in held if r.state == LIVE and r.volunteer_id == nid) + 1
    if now_held > 1:
        return peer.message(language, "peer_connected_more", code=chosen.relay_id, n=now_held)
    return peer.message(language, "peer_connected_volunteer", code=chosen.relay_id)


def _relayed_id(relay: Relay, sid: str | None) -> str:
    # From the inbound MessageSid: a webhook Twilio delivers twice relays once.
    return f"peer:{relay.relay_id}:{sid or relays.fresh_token()}"


# --- endings ---

# why -> (tell the person, tell the volunteer)
_TELL = {
    "stop": (None, "peer_done_volunteer"),  # the person said STOP
    "volunteer_stop": ("peer_done", None),  # the volunteer did
    "cancelled": (None, None),
    "done_by_person": (None, "peer_done_volunteer"),
    "done_by_volunteer": ("peer_done", None),
    "idle": ("peer_idle", "peer_done_volunteer"),
    "removed": ("peer_done", "peer_done_volunteer"),
    "nobody_took": ("peer_nobody_took", None),
}


def finish(services: Services, relay: Relay, now: datetime, why: str) -> bool:
    """End an ask or a conversation once, and tell whoever the reason leaves uninformed;
    False if it had ended already (someone else's DONE came first)."""
    before = relays.end(services.redis, relay, int(now.timestamp()))
    if not before:
        return False
    person_key, volunteer_key = _TELL[why]
    if before == LIVE:
        minutes = math.ceil(max(0, int(now.timestamp()) - (relay.taken or relay.asked)) / 60)
        count(services.redis, now, "peer_text_minutes", minutes)
    if person_key and (before == LIVE or why == "nobody_took"):
        said = peer.message(relay.language, person_key, services.settings.crisis_line)
        send(services, relay.person, said, f"peer:{relay.relay_id}:end:p")
    if volunteer_key and before == LIVE and relay.volunteer:
        vlang = _language(services, relay.volunteer_id or "")
        said = peer.message(vlang, volunteer_key, code=relay.relay_id)
        send(services, relay.volunteer, said, f"peer:{relay.relay_id}:end:v")
    log.info("peer line: conversation %s ended (%s)", relay.relay_id, why)
    return True


def check(services: Services, relay_id: str) -> str:
    """The scheduled look at an ask or a conversation: an ask nobody took in time ends
    (the person is told); a conversation an hour silent ends (both told); else look again
    an hour after its last text."""
    relay = relays.get(services.redis, relay_id)
    now = services.clock()
    if relay is None or relay.state not in (ASKED, LIVE):
        return "over"
    stamp = int(now.timestamp())
    if relay.state == ASKED:
        if stamp >= relay.asked + keys.PEER_ASK_TTL:
            count(services.redis, now, "peer_text_no_one")
            finish(services, relay, now, "nobody_took")
            return "nobody took it"
        _schedule_check(services, relay_id, _at(relay.asked + keys.PEER_ASK_TTL))
        return "waiting"
    if stamp >= relay.last + keys.PEER_IDLE:
        finish(services, relay, now, "idle")
        return "ended after an hour without texts"
    _schedule_check(services, relay_id, _at(relay.last + keys.PEER_IDLE))
    return "alive"


def _at(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def remove_volunteer(services: Services, number: str, group: str) -> int | None:
    """Stop the E.164 `number` volunteering for `group` (their shifts there go); if they
    volunteer nowhere else, a conversation they hold ends, both sides told. None when they
    were not a volunteer of the group, else how many conversations ended. The one path for
    `hrw-sms volunteer remove` and the console's Volunteers page."""
    nid = services.number_id(number)
    if not volunteers.remove(services.redis, nid, group):
        return None
    return volunteer_removed(services, nid)


def volunteer_removed(services: Services, nid: str) -> int:
    """A volunteer left the line (no group left): their conversations end, both told."""
    if volunteers.is_volunteer(services.redis, nid):
        return 0
    now = services.clock()
    live = [
        r for r in relays.held_by(services.redis, nid) if r.state == LIVE and r.volunteer_id == nid
    ]
    return sum(finish(services, relay, now, "removed") for relay in live)


# --- by voice (hrw_sms/web/voice.py renders these as TwiML) ---


def call_turn(services: Services, position: Position) -> rv.Ring | rv.Turn:
    """Key 7: ring every volunteer on shift, or say when the next shift starts."""
    now = services.clock()
    peers = on_shift(services, now)
    if not peers:
        count(services.redis, now, "peer_calls_no_one")
        log.info("peer line: a call asked for a peer, no one on shift")
        return missed_turn(services, position, now, tried=False)
    log.info("peer line: ringing %d on shift for a call", len(peers))
    ordered = sorted(peers.items())
    numbers = tuple(n for _, n in ordered)
    whispers = tuple("es" if _language(services, v) == "es" else "en" for v, _ in ordered)
    return rv.ring(position, numbers, services.settings.crisis_line, whispers)  # type: ignore[arg-type]


def missed_turn(services: Services, position: Position, now: datetime, tried: bool) -> rv.Turn:
    """What a caller hears when no peer took the call (`tried`) or none is on shift: try
    again in a few minutes while someone is on shift, else when the next shift starts; the
    safety words and the text route, then the main menu."""
    if tried and on_shift(services, now):
        return rv.peer_missed(position, None, tried, services.settings.crisis_line, busy=True)
    found = next_shift(services, now)
    when = None
    if found is not None:
        start, zone = found
        when = rv.peer_when(position.language, start.astimezone(zone), now.astimezone(zone))
    return rv.peer_missed(position, when, tried, services.settings.crisis_line)


def take_call(services: Services, parent_call_sid: str, volunteer: str | None) -> bool:
    """A volunteer pressed 1: True for the first one (the call is theirs), else False."""
    who = services.number_id(volunteer) if volunteer else relays.fresh_token()
    return relays.claim_call(services.redis, parent_call_sid, who)


def call_ended(
    services: Services, parent_call_sid: str, status: str, position: Position
) -> rv.Turn | None:
    """The Dial's outcome (DialCallStatus), counted; None when a volunteer took the call
    (it is over), else the caller hears missed_turn (try again soon while someone is on
    shift, else when the next shift starts) and the menu again."""
    now = services.clock()
    taken = services.redis.exists(keys.peer_call(parent_call_sid))
    if status == "completed" and taken:
        count(services.redis, now, "peer_calls_connected")
        return None
    count(services.redis, now, "peer_calls_no_one")
    return missed_turn(services, position, now, tried=True)
