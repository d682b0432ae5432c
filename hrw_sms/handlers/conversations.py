"""Run one inbound text through the participant flow: load, step, save, apply, render."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime

import redis
from redis.commands.core import Script

from flows import dispatch
from flows.context import Context
from flows.keywords import Command, parse
from flows.model import Directory
from flows.render_sms import render_messages
from flows.session import BroadcastSummary, Caller, CoordinatorView, Session
from hrw_sms.base.connection import HeldScripts
from hrw_sms.base.phone import mask
from hrw_sms.handlers import broadcasts
from hrw_sms.handlers.effects import Stale, apply_effects
from hrw_sms.handlers.services import Services
from hrw_sms.store import hosts, keys, prefs, subscriptions

log = logging.getLogger(__name__)

# A step whose effect met changed state (another host took the meeting) is replayed on the
# fresh state; each replay means someone else's change landed, so a few always suffice.
STALE_REPLAYS = 5


class Busy(RuntimeError):
    """Another request holds this number's conversation for too long."""


# Take the number's conversation and claim the MessageSid (sid '' for none) in one round
# trip: -1 when the conversation is busy (try again shortly), 0 when the message was handled
# before, 1 to go. A Lua function, so the arrival script (hrw_sms.handlers.arrival) runs it
# too. Both keys hold the attempt's token, so the same attempt sent again (the web's one
# retry after a connection lost once the command was sent) finds them its own and goes on,
# rather than finding its text "busy" or "handled before" and leaving it unanswered.
BEGIN_LUA = """
local function begin(lock, sid, token, px, ex)
  if not redis.call('SET', lock, token, 'NX', 'PX', px)
      and redis.call('GET', lock) ~= token then
    return -1
  end
  if sid ~= '' and not redis.call('SET', sid, token, 'NX', 'EX', ex)
      and redis.call('GET', sid) ~= token then
    redis.call('DEL', lock)
    return 0
  end
  return 1
end
"""
_BEGIN = BEGIN_LUA + "return begin(KEYS[1], KEYS[2] or '', ARGV[1], ARGV[2], ARGV[3])\n"
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# What a text needs to know of its number, read in one script (also inside the arrival
# script). k: 1 directory version, 2 session, 3 prefs, 4 opt-out set, 5 reminders,
# 6 coordinator groups, 7 host groups, 8 host asks, 9 host hosting. a: 1 number id,
# 2 now (UTC seconds; '' reads no hosting), 3 asks looked at. Returns the 9 answers in that
# order (caller_from reads them).
CALLER_LUA = (
    """
local function caller_reads(k, a)
  local found = {
    redis.call('GET', k[1]),
    redis.call('GET', k[2]),
    redis.call('HGET', k[3], '"""
    + prefs.FIELD
    + """'),
    redis.call('SISMEMBER', k[4], a[1]),
    redis.call('SMEMBERS', k[5]),
    redis.call('SMEMBERS', k[6]),
  }
  if a[2] ~= '' then
    found[7] = redis.call('SMEMBERS', k[7])
    found[8] = redis.call('ZREVRANGE', k[8], 0, tonumber(a[3]) - 1)
    found[9] = redis.call('ZRANGEBYSCORE', k[9], a[2], '+inf', 'LIMIT', 0, 1)
  end
  return found
end
"""
)
CALLER_KEYS = 9
CALLER_ARGS = 3
_CALLER_SCRIPT = Script(None, (CALLER_LUA + "return caller_reads(KEYS, ARGV)\n").encode())  # type: ignore[arg-type]
LOCK_WAIT = 2.0  # seconds a text waits for the same number's previous one


class Conversation:
    """One number's conversation, held for the length of one text."""

    def __init__(self, client: redis.Redis, nid: str, sid: str | None) -> None:
        self.client, self.nid = client, nid
        self.lock_key = keys.number_lock(nid)
        self.sid_key = keys.message_sid(sid[:64]) if sid else None
        self.token = secrets.token_hex(8)
        self.held = False

    def begin(self) -> bool:
        """Take the conversation; False if this MessageSid was handled before."""
        lock_keys = [self.lock_key] + ([self.sid_key] if self.sid_key else [])
        args = [self.token, keys.NUMBER_LOCK_TTL * 1000, keys.MESSAGE_SID_TTL]
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            # EVAL, not a registered script: in a pipeline redis-py would first ask SCRIPT
            # EXISTS (a round trip of its own), and these scripts are tiny.
            outcome = int(self.client.eval(_BEGIN, len(lock_keys), *lock_keys, *args))
            if outcome >= 0:
                self.held = outcome == 1
                return self.held
            if time.monotonic() > deadline:
                raise Busy("conversation busy")
            time.sleep(0.01)

    def release(self, pipe: redis.client.Pipeline | None = None) -> None:
        """Let go (inside `pipe` when given, so it costs no round trip of its own)."""
        if self.held:
            (pipe or self.client).eval(_RELEASE, 1, self.lock_key, self.token)
            self.held = False

    def forget_message(self) -> None:
        """Handling failed: let Twilio's retry of this message be acted on."""
        if self.sid_key:
            self.client.delete(self.sid_key)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def caller_call(nid: str, now: datetime | None) -> tuple[list[str], list[str | int]]:
    """The keys and arguments of CALLER_LUA for number id `nid` (hosting read as of `now`,
    none when None): CALLER_KEYS keys, then CALLER_ARGS arguments."""
    reads = [
        keys.DIRECTORY_VERSION,
        keys.session(nid),
        keys.prefs(nid),
        keys.OPTED_OUT,
        keys.reminders(nid),
        keys.coordinator_groups(nid),
        keys.host_groups(nid),
        keys.host_asks(nid),
        keys.host_hosting(nid),
    ]
    stamp = repr(now.timestamp()) if now is not None else ""
    return reads, [nid, stamp, hosts.ASKS_LOOKED_AT]


def read_caller(services: Services, nid: str, now: datetime | None) -> list:
    """CALLER_LUA's answers for `nid`: one round trip."""
    reads, args = caller_call(nid, now)
    return _CALLER_SCRIPT(keys=reads, args=args, client=services.redis)


def caller_from(
    services: Services, word: str, nid: str, now: datetime | None, found: list
) -> tuple[Caller, bytes | None, Directory]:
    """What we know of the number, its raw session and the directory, from CALLER_LUA's
    answers `found` (coordinators and hosts with open asks cost another round trip)."""
    client = services.redis
    version, raw_session, raw_language, opted_out, reminders, coordinates = found[:6]
    directory = services.directory.load(int(version or 0))
    caller = Caller(
        opted_out=bool(opted_out),
        language=prefs.decode(raw_language),
        reminders=frozenset(_text(r) for r in reminders),
        coordinator=_coordinator_view(client, directory, coordinates, word),
        host=hosts.view(client, nid, now, found[6:9]) if now is not None else None,
    )
    return caller, raw_session, directory


def load_caller(
    services: Services, nid: str, word: str = "", now: datetime | None = None
) -> tuple[Caller, bytes | None, Directory]:
    """What we know of the number, its raw session and the directory: one round trip for
    most people (coordinators' audiences cost more)."""
    return caller_from(services, word, nid, now, read_caller(services, nid, now))


def _coordinator_view(
    client: redis.Redis, directory: Directory, coordinates: set, word: str
) -> CoordinatorView | None:
    """Only for coordinators: their groups, audiences, and (for STATUS) the last broadcast."""
    groups = tuple(sorted(g for g in (_text(x) for x in coordinates) if g in directory.groups))
    if not groups:
        return None
    audiences = {g: len(subscriptions.group_subscribers(client, directory, g)) for g in groups}
    last = None
    if word == "STATUS":
        last_id = broadcasts.last_id(client, groups)
        found = broadcasts.progress(client, last_id) if last_id else None
        if found is not None:
            last = BroadcastSummary(
                found.broadcast_id, found.group, found.total, found.queued, found.sent,
                found.delivered, found.failed,
            )  # fmt: skip
    return CoordinatorView(groups, audiences, last)


# Write (or delete, when the JSON is '') the session, keep the language choice alive, and
# let the conversation go when the token still holds it: one script, one round trip.
# KEYS: 1 session, 2 prefs, 3 number lock. ARGV: 1 session JSON or '', 2 session ttl (s),
# 3 keep prefs ('1' or ''), 4 prefs ttl (s), 5 lock token ('' keeps the lock).
_SAVE = """
if ARGV[1] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))
end
if ARGV[3] ~= '' then redis.call('EXPIRE', KEYS[2], tonumber(ARGV[4])) end
if ARGV[5] ~= '' and redis.call('GET', KEYS[3]) == ARGV[5] then redis.call('DEL', KEYS[3]) end
return 1
"""
_SAVE_SCRIPT = Script(None, _SAVE.encode())  # type: ignore[arg-type]


def _save(
    client: redis.Redis,
    nid: str,
    session: Session | None,
    caller: Caller,
    token: str = "",
    scripts: HeldScripts | None = None,
) -> None:
    """_SAVE_SCRIPT for number id `nid`: the session written (deleted when None), the
    language choice kept alive, and the conversation let go when `token` still holds it
    (through `scripts` on the webhook's hot path)."""
    save_keys = [keys.session(nid), keys.prefs(nid), keys.number_lock(nid)]
    save_args = [
        session.to_json() if session is not None else "",
        keys.SESSION_TTL,
        "1" if caller.language else "",
        keys.PREFS_TTL,
        token,
    ]
    if scripts is not None:
        scripts(_SAVE_SCRIPT, client, save_keys, save_args)
    else:
        _SAVE_SCRIPT(keys=save_keys, args=save_args, client=client)


def save_session(client: redis.Redis, nid: str, session: Session | None, caller: Caller) -> None:
    """Write a number's session (hold its conversation while you do)."""
    _save(client, nid, session, caller)


def _save_and_maybe_release(
    conversation: Conversation,
    session: Session | None,
    caller: Caller,
    release: bool,
    scripts: HeldScripts | None = None,
) -> None:
    """Write the session, and let the conversation go in the same round trip when nothing
    else is left to do."""
    token = conversation.token if release and conversation.held else ""
    _save(conversation.client, conversation.nid, session, caller, token, scripts)
    if token:
        conversation.held = False


@contextmanager
def number_lock(client: redis.Redis, nid: str) -> Iterator[None]:
    """Hold a number's conversation (for writers outside the text path, such as calls)."""
    conversation = Conversation(client, nid, None)
    conversation.begin()
    try:
        yield
    finally:
        with suppress(redis.exceptions.RedisError):
            conversation.release()


def handle_text(
    services: Services,
    number: str,
    body: str,
    sid: str | None = None,
    command: Command | None = None,
) -> list[str]:
    """The SMS replies to one inbound text (usually one; none after STOP). `command` is
    `parse(body)` when the caller has parsed the text already."""
    conversation = Conversation(services.redis, services.number_id(number), sid)
    if not conversation.begin():
        log.info("duplicate delivery of a text from %s ignored", mask(number))
        return []
    return handle_held(services, conversation, number, body, command)


def handle_held(
    services: Services,
    conversation: Conversation,
    number: str,
    body: str,
    command: Command | None = None,
    found: list | None = None,
) -> list[str]:
    """handle_text once `conversation` is held; `found` is CALLER_LUA's answers when the
    caller read them with the lock (hrw_sms.handlers.arrival). Lets the conversation go."""
    try:
        return _handle(services, conversation, number, body, command, found)
    except BaseException:
        conversation.forget_message()
        raise
    finally:
        with suppress(redis.exceptions.RedisError):
            conversation.release()


def _handle(
    services: Services,
    conversation: Conversation,
    number: str,
    body: str,
    command: Command | None,
    found: list | None,
) -> list[str]:
    nid = conversation.nid
    now = services.clock()
    command = parse(body) if command is None else command
    word = command.word
    first: bytes | None = None
    for replay in range(STALE_REPLAYS):
        reads = found if replay == 0 and found is not None else read_caller(services, nid, now)
        caller, raw_session, directory = caller_from(services, word, nid, now, reads)
        first = raw_session if replay == 0 else first  # replays start from the same state
        session = Session.from_json(first, caller.language or "en")
        ctx = Context(
            now,
            directory,
            services.timetable(directory, now),
            services.places,
            caller,
            services.settings.reminder_minutes,
        )
        result = dispatch.step(session, body, ctx, command)
        release = not result.effects
        _save_and_maybe_release(conversation, result.session, caller, release, services.scripts)
        try:
            apply_effects(services, number, nid, result.effects)
        except Stale as exc:
            if replay + 1 == STALE_REPLAYS:
                raise
            log.info("text from %s: %s; replaying on fresh state", mask(number), exc)
            continue
        break
    language = (result.session or session).language
    return render_messages(result.replies, language, now, services.settings.help_contact)
