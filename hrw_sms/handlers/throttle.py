"""Loops and floods: how much one number may make the line say or send, and what past that.

The one owner of every per-number limit (README "Loops and floods"). Two parts:

- `check_text`: the budget of inbound texts, asked by POST /sms before a text is handled.
  One Redis round trip (a Lua script) counts the text and returns a `Verdict`:
  ANSWER (handle it as ever), NOTICE (this text tripped a limit: send the short notice
  instead), or SILENT (inside the quiet window: an empty <Response/>).
- `allow_action`: a named per-number limit on actions that make the line text someone
  ("text me" on a call now; TALK requests and console sign-in codes call it when built).

Every trip and every refused action adds one to the day's usage counter
(keys.usage) and logs one line with the number masked. State is per number id, expires on its
own, and holds no bodies: only a keyed hash of the folded text, and times.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from redis.commands.core import Script

from flows.keywords import Command, normalise, parse
from hrw_sms.base.phone import mask
from hrw_sms.handlers.services import Services
from hrw_sms.store import keys, prefs

log = logging.getLogger(__name__)

# --- the budget for inbound texts, and why these numbers ---
# A person browsing by hand reads each reply (up to three segments) before the next text: a
# brisk session (MEETINGS, 3, MORE, 8, WELCOME, MEETINGS again because a reply was slow...)
# is 2-4 texts a minute, and a burst of 15 in a minute is already fast thumbs. Twenty in five
# minutes leaves that burst room to spare, while an auto-responder answering each reply
# within seconds passes it in about a minute. (README "Loops and floods".)
BUDGET_TEXTS = 20  # more than this many texts ...
BUDGET_WINDOW = 5 * 60  # ... in this many seconds trips
# The same text that is not one of the line's words (folded: case, accents, spaces, digits
# and punctuation), 5 times in 10 minutes: a person re-sending "where is it?" twice or three
# times is fine; "I am away until Monday. Ref 17" five times is a machine. The line's words
# (MEETINGS, MORE, list numbers...) are exempt: re-sending MEETINGS because a reply was slow
# is ordinary, and "1", "2" fold to the same empty text.
REPEATS = 5
REPEAT_WINDOW = 10 * 60
# Short acknowledgements people send again and again ("thanks", "ok gracias"), folded as
# fold() does: exempt from the repeat rule only (the budget and loop rules still count them).
# A long away-message is never one of these, so an auto-responder still trips at REPEATS.
_ACKNOWLEDGEMENTS = (
    "THANKS THANKYOU THANKSALOT THANKYOUSOMUCH THX TY TYSM OK OKAY OKK K KK OKTHANKS OKTHANKYOU "
    "OKTHX GOTIT COOL GREAT NICE BYE BYEBYE GOODBYE SOUNDSGOOD PERFECT YEP YUP "
    "GRACIAS OKGRACIAS MUCHASGRACIAS GRACIASOK VALE DEACUERDO PERFECTO BUENO ADIOS CHAO CHAU "
    "SALUDOS ENTENDIDO LISTO DALE SALE"
)
ACKNOWLEDGEMENTS = frozenset(_ACKNOWLEDGEMENTS.split())
QUIET = 15 * 60  # seconds of silence after a trip
# Loop sign: a text that is not one of the line's words and arrives within LOOP_GAP seconds
# of the line's previous reply is an answer "at once" (the line's words neither add to nor
# break the streak). Nobody reads a reply and types an answer that fast ten times in a row;
# two automatic repliers answering each other do it from the first exchange. Ten trips a
# loop of varied texts in about twenty seconds, before the budget (twenty-one) would. The
# gap is seen from our webhook, so it includes both carriers' delivery times: a loop
# through slow carriers can take longer than this, and then the budget and the repeat rule
# (which do not depend on timing) stop it.
LOOP_GAP = 2.0
LOOP_STREAK = 10
STATE_IDLE_TTL = 60  # seconds the state outlives a text when no window is running

# A text that starts with one of the line's words but runs on for more words than any
# command takes is a sentence ("Hi! I am away until Monday, back soon"), not a command.
# Free-text commands (BROADCAST, EXERCISE) carry their own text and stay commands.
MAX_COMMAND_ARGS = 4
FREE_TEXT_COMMANDS = frozenset({"BROADCAST", "EXERCISE"})
NOT_COMMANDS = frozenset({"UNKNOWN", "EMPTY", "OPTOUT_HINT"})


class Kind(StrEnum):
    """How the budget treats a text."""

    CARRIER = "carrier"  # STOP / START words: always honoured, never the notice
    HELP = "help"  # answered at most once in a quiet window
    WORD = "word"  # one of the line's words: counted, never as a repeat
    OTHER = "other"  # anything else: counted, and as a repeat when the same


class Verdict(StrEnum):
    """What POST /sms does with a text."""

    ANSWER = "answer"
    NOTICE = "notice"
    SILENT = "silent"


@dataclass(frozen=True)
class Decision:
    """The budget's answer for one text."""

    verdict: Verdict
    reason: str | None = None  # on NOTICE: "budget", "repeat" or "loop"
    language: str | None = None  # on NOTICE: the number's language (saved, else its session's)


@dataclass(frozen=True)
class Limit:
    """A sliding-window limit for one action and one number."""

    count: int  # at most this many ...
    window: int  # ... in this many seconds


# Per-number limits on actions that make the line text someone. Why these:
# - text_me: a call asks for the list and one or two meetings' details; six an hour lets a
#   person call back once more, and keeps a spoofed caller ID from texting a stranger much.
# - talk (the peer line): each request texts every volunteer on shift; three an hour lets
#   a person try again twice without paging volunteers without end.
# - sign_in_code (the console): codes live 10 minutes; five in 15 minutes covers typos and
#   slow texts, not a script that texts a coordinator codes all day.
ACTION_LIMITS: dict[str, Limit] = {
    "text_me": Limit(6, 60 * 60),
    "talk": Limit(3, 60 * 60),
    "sign_in_code": Limit(5, 15 * 60),
}


def fold(body: str) -> str:
    """The text as the repeat rule compares it: upper case, no accents, letters only (digits,
    spaces, punctuation and emoji dropped), so "Ref 1" and "ref 2!" are the same text."""
    return re.sub(r"[\W\d_]+", "", normalise(body[:2000]))


def kind_of(command: Command) -> Kind:
    """Classify a parsed text (flows.keywords.parse) for the budget."""
    if command.word in ("OPTOUT", "OPTIN"):
        return Kind.CARRIER
    if command.word == "HELP":
        return Kind.HELP
    if command.word in NOT_COMMANDS:
        return Kind.OTHER
    if command.word in FREE_TEXT_COMMANDS or len(command.args) <= MAX_COMMAND_ARGS:
        return Kind.WORD
    return Kind.OTHER


# The budget as a Lua function, so that POST /sms can run it inside the one script that
# also takes the conversation (hrw_sms.handlers.arrival) and check_text on its own.
# k: 1 state hash, 2 text log, 3 usage hash, 4 prefs hash, 5 opt-out set, 6 session.
# a: 1 now (ms), 2 kind, 3 member ("<fold hash or ->:<unique>"), 4 number id,
#    5 budget texts, 6 budget window (ms), 7 repeats, 8 repeat window (ms), 9 quiet (ms),
#    10 loop gap (ms), 11 loop streak, 12 idle ttl (ms), 13 usage ttl (s).
# Returns {verdict} or {"notice", reason, language or false}.
BUDGET_LUA = (
    """
local function budget(k, a)
  local now = tonumber(a[1])
  local kind = a[2]
  if redis.call('SISMEMBER', k[5], a[4]) == 1 then return {'answer'} end
  local quiet_until = tonumber(redis.call('HGET', k[1], 'until') or '0')
  if quiet_until > now then
    if kind == 'carrier' then return {'answer'} end
    if kind == 'help' and redis.call('HSETNX', k[1], 'helped', '1') == 1 then
      return {'answer'}
    end
    return {'silent'}
  end
  redis.call('ZREMRANGEBYSCORE', k[2], '-inf', now - tonumber(a[8]))
  -- Twilio's retry of a message already counted: counted once, and not an answer "at once".
  if redis.call('ZSCORE', k[2], a[3]) then return {'answer'} end
  redis.call('ZADD', k[2], now, a[3])
  local reason = false
  if redis.call('ZCOUNT', k[2], now - tonumber(a[6]), '+inf') > tonumber(a[5]) then
    reason = 'budget'
  end
  local prefix = string.match(a[3], '^[^:]*:')
  if not reason and prefix ~= '-:' then
    local same = 0
    for _, member in ipairs(redis.call('ZRANGE', k[2], 0, -1)) do
      if string.sub(member, 1, #prefix) == prefix then same = same + 1 end
    end
    if same >= tonumber(a[7]) then reason = 'repeat' end
  end
  local streak = 0
  local replied = tonumber(redis.call('HGET', k[1], 'replied') or '-1')
  if replied >= 0 and now - replied <= tonumber(a[10]) then
    -- only texts that are not the line's words make the streak: a fast script of MEETINGS,
    -- 1, MORE... is someone testing the line, and the budget still bounds it.
    streak = tonumber(redis.call('HGET', k[1], 'quick') or '0')
    if kind == 'other' then streak = streak + 1 end
  end
  if not reason and streak >= tonumber(a[11]) then reason = 'loop' end
  if reason and kind ~= 'carrier' then
    redis.call('DEL', k[1], k[2])
    redis.call('HSET', k[1], 'until', now + tonumber(a[9]))
    -- HELP that trips a window gets the notice, which names AYUDA/HELP: that is the window's
    -- one HELP answer, so the next HELP stays silent too.
    if kind == 'help' then redis.call('HSET', k[1], 'helped', '1') end
    redis.call('PEXPIRE', k[1], tonumber(a[9]))
    redis.call('HINCRBY', k[3], 'throttle_' .. reason, 1)
    redis.call('EXPIRE', k[3], tonumber(a[13]))
    local language = redis.call('HGET', k[4], '"""
    + prefs.FIELD
    + """')
    if not language then
      -- no saved choice: the language the conversation is in, if one is open
      language = string.match(redis.call('GET', k[6]) or '', '"language":%s*"(%a+)"') or false
    end
    return {'notice', reason, language}
  end
  redis.call('HSET', k[1], 'replied', now, 'quick', streak)
  redis.call('PEXPIRE', k[1], tonumber(a[12]))
  redis.call('PEXPIRE', k[2], tonumber(a[8]))
  return {'answer'}
end
"""
)
BUDGET_KEYS = 6
BUDGET_ARGS = 13
_CHECK = BUDGET_LUA + "return budget(KEYS, ARGV)\n"


# EVALSHA: the script's text is not sent (nor hashed by Redis) on every text. Bytes, so no
# client is needed to compute the SHA; every call passes its own client.
_CHECK_SCRIPT = Script(None, _CHECK.encode())  # type: ignore[arg-type]


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


def budget_call(
    services: Services,
    address: str,
    body: str,
    sid: str | None,
    command: Command,
    nid: str | None = None,
) -> tuple[list[str], list[str | int]]:
    """The keys and arguments of BUDGET_LUA for one text from `address` (E.164, or a channel
    address; `nid` its number id when the caller has it): BUDGET_KEYS keys, then BUDGET_ARGS
    arguments."""
    kind = kind_of(command)
    nid = services.number_id(address) if nid is None else nid
    now = services.clock()
    # Keyed like number ids, so a listing cannot be matched against common texts.
    # A text with no letters at all (emoji, "?", blank) is not one text sent again and again:
    # people send several different emoji, and they all fold to nothing.
    folded = fold(body) if kind is Kind.OTHER else ""
    if folded in ACKNOWLEDGEMENTS:  # "thanks" five times is a polite person, not a machine
        folded = ""
    label = services.number_id("text:" + folded)[:12] if folded else "-"
    # The MessageSid makes the member unique, and a retried delivery counts once.
    member = f"{label}:{(sid or '')[:64] or secrets.token_hex(8)}"
    budget_keys = [
        keys.throttle(nid),
        keys.throttle_log(nid),
        keys.usage(now.astimezone(UTC).date()),
        keys.prefs(nid),
        keys.OPTED_OUT,
        keys.session(nid),
    ]
    budget_args: list[str | int] = [
        _ms(now),
        kind.value,
        member,
        nid,
        BUDGET_TEXTS,
        BUDGET_WINDOW * 1000,
        REPEATS,
        REPEAT_WINDOW * 1000,
        QUIET * 1000,
        int(LOOP_GAP * 1000),
        LOOP_STREAK,
        STATE_IDLE_TTL * 1000,
        keys.USAGE_TTL,
    ]
    return budget_keys, budget_args


def decision_of(result: list, address: str) -> Decision:
    """The Decision from BUDGET_LUA's answer for a text from `address` (logged, masked,
    when it trips a limit)."""
    verdict = Verdict(_text(result[0]))
    if verdict is not Verdict.NOTICE:
        return Decision(verdict)
    reason = _text(result[1])
    log.warning(
        "throttle: %s tripped the %s limit; no replies for %d minutes",
        mask(address),
        reason,
        QUIET // 60,
    )
    return Decision(verdict, reason, prefs.decode(result[2]) if len(result) > 2 else None)


def check_text(
    services: Services,
    address: str,
    body: str,
    sid: str | None = None,
    command: Command | None = None,
) -> Decision:
    """Count one inbound text from `address` (E.164, or a channel address) and decide.

    `command` is `parse(body)` when the caller has it. One round trip. Raises
    redis.RedisError when Redis fails (the caller answers with its fallback)."""
    budget_keys, budget_args = budget_call(services, address, body, sid, command or parse(body))
    result = _CHECK_SCRIPT(keys=budget_keys, args=budget_args, client=services.redis)
    return decision_of(result, address)


# KEYS: 1 action log, 2 usage hash. ARGV: 1 now (ms), 2 window (ms), 3 count, 4 member,
# 5 usage field, 6 usage ttl (s). Returns 1 when allowed (counted once per member), 0 when
# refused.
_ACTION = """
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
if redis.call('ZSCORE', KEYS[1], ARGV[4]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  redis.call('HINCRBY', KEYS[2], ARGV[5], 1)
  redis.call('EXPIRE', KEYS[2], tonumber(ARGV[6]))
  return 0
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
"""
_ACTION_SCRIPT = Script(None, _ACTION.encode())  # type: ignore[arg-type]


def allow_action(services: Services, action: str, number: str, once: str | None = None) -> bool:
    """Count one `action` ("text_me", "talk", "sign_in_code") for `number` (E.164) if it is
    within its limit (ACTION_LIMITS) and say True; False, counting nothing, when it is not.

    `once` names a logical action (an outbound message id): asked again within the window,
    it is allowed and not counted again (the outbound path sends it once anyway).
    Raises KeyError for an action without a limit; redis.RedisError when Redis fails."""
    limit = ACTION_LIMITS[action]
    nid = services.number_id(number)
    now = services.clock()
    # Keyed, so the log names no call or text; random when every request counts.
    member = services.number_id("action:" + once)[:16] if once else secrets.token_hex(8)
    allowed = _ACTION_SCRIPT(
        keys=[keys.action_log(action, nid), keys.usage(now.astimezone(UTC).date())],
        args=[
            _ms(now),
            limit.window * 1000,
            limit.count,
            member,
            f"limit_{action}",
            keys.USAGE_TTL,
        ],
        client=services.redis,
    )
    if not int(allowed):
        log.warning(
            "throttle: %s reached the %s limit (%d in %d minutes); refused",
            mask(number),
            action,
            limit.count,
            limit.window // 60,
        )
        return False
    return True
