"""A text's arrival: everything POST /sms must know before the flow runs, in one round trip.

Before the flow can step, a text from a plain number needs five answers from Redis: is the
number in the peer line (a relay under way, an ask, an offer), what the flood budget says,
the day's usage counts, the number's conversation lock with the MessageSid claim, and what
we know of the number (session, language, reminders, roles). Asked one by one they cost five
round trips, most of the webhook's time (bench/profile_sms.py); here one script asks them
all, built from the Lua functions their owners keep:

- the budget: hrw_sms.handlers.throttle.BUDGET_LUA (the rule and its numbers),
- the lock and claim: hrw_sms.handlers.conversations.BEGIN_LUA,
- what we know of a number: hrw_sms.handlers.conversations.CALLER_LUA,
- the counters: hrw_sms.store.usage (names).

The order is the one POST /sms always had: the peer line first, then the budget, then the
conversation. When the peer line may be concerned (a relay key of the number exists, or the
text is TALK or TAKE) the script stops at once, having changed nothing, and the caller takes
the peer line's own path (hrw_sms.web.sms.number_reply).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from redis.commands.core import Script

from flows.keywords import Command
from hrw_sms.handlers import throttle
from hrw_sms.handlers.conversations import (
    BEGIN_LUA,
    CALLER_ARGS,
    CALLER_KEYS,
    CALLER_LUA,
    Conversation,
    caller_call,
)
from hrw_sms.handlers.services import Services
from hrw_sms.store import keys, usage


class Outcome(StrEnum):
    """What the arrival script found."""

    PEER = "peer"  # the peer line's business: nothing was counted or taken
    SILENT = "silent"  # the budget: inside a quiet window, no reply
    NOTICE = "notice"  # the budget: this text tripped a limit, send the short notice
    DUPLICATE = "duplicate"  # this MessageSid was handled before
    BUSY = "busy"  # another text of this number holds its conversation: wait for it
    GO = "go"  # the conversation is held and the caller's state read


@dataclass(frozen=True)
class Arrival:
    """The answer for one text. `decision` is the budget's (None on PEER); `conversation`
    is held on GO (let it go with handle_held); `found` is CALLER_LUA's answers on GO."""

    outcome: Outcome
    decision: throttle.Decision | None = None
    conversation: Conversation | None = None
    found: list | None = None


# KEYS: 1 opt-out set, 2 peer person, 3 peer held, 4 number lock, 5 MessageSid claim ('' for
# none), then throttle.BUDGET_KEYS budget keys (the third is the day's usage hash), then
# CALLER_KEYS caller keys.
# ARGV: 1 number id, 2 lock token, 3 lock ttl (ms), 4 claim ttl (s), 5 usage ttl (s),
# 6 the counter an answered text adds to ('' for none), then throttle.BUDGET_ARGS budget
# arguments, then CALLER_ARGS caller arguments.
_B = 5  # keys before the budget's
_C = _B + throttle.BUDGET_KEYS  # keys before the caller's
_A = 6  # arguments before the budget's
_CA = _A + throttle.BUDGET_ARGS  # arguments before the caller's
_ARRIVE = (
    throttle.BUDGET_LUA
    + BEGIN_LUA
    + CALLER_LUA
    + f"""
local function slice(list, from, count)
  local part = {{}}
  for i = 1, count do part[i] = list[from + i] end
  return part
end
local nid = ARGV[1]
if redis.call('SISMEMBER', KEYS[1], nid) == 0
    and (redis.call('EXISTS', KEYS[2]) == 1 or redis.call('SCARD', KEYS[3]) > 0) then
  return {{'peer'}}
end
local decision = budget(slice(KEYS, {_B}, {throttle.BUDGET_KEYS}),
                        slice(ARGV, {_A}, {throttle.BUDGET_ARGS}))
local day = KEYS[{_B + 3}]
redis.call('HINCRBY', day, '{usage.RECEIVED}', 1)
if decision[1] == 'answer' and ARGV[6] ~= '' then redis.call('HINCRBY', day, ARGV[6], 1) end
redis.call('EXPIRE', day, tonumber(ARGV[5]))
if decision[1] ~= 'answer' then return decision end
-- Read before taking: a fault while reading (a key of the wrong type) then leaves no lock
-- and no claim behind, so Twilio's retry of this text is acted on. (Redis does not undo a
-- script's writes when it fails part way.)
local found = caller_reads(slice(KEYS, {_C}, {CALLER_KEYS}), slice(ARGV, {_CA}, {CALLER_ARGS}))
local took = begin(KEYS[4], KEYS[5], ARGV[2], ARGV[3], ARGV[4])
if took == -1 then return {{'busy'}} end
if took == 0 then return {{'duplicate'}} end
return {{'go', found}}
"""
)
ARRIVE_SCRIPT = Script(None, _ARRIVE.encode())  # type: ignore[arg-type]


def arrival_call(
    services: Services, number: str, body: str, sid: str | None, command: Command
) -> tuple[Conversation, list[str], list[str | int]]:
    """The conversation to hold, and the keys and arguments of the arrival script, for a
    text from `number` (E.164) with `command` = parse(body)."""
    nid = services.number_id(number)
    now = services.clock()
    conversation = Conversation(services.redis, nid, sid)
    budget_keys, budget_args = throttle.budget_call(services, number, body, sid, command, nid)
    caller_keys, caller_args = caller_call(nid, now)
    answered_counter = usage.word_counter(command.word) or ""
    script_keys = [
        keys.OPTED_OUT,
        keys.peer_person(nid),
        keys.peer_held(nid),
        conversation.lock_key,
        conversation.sid_key or "",
        *budget_keys,
        *caller_keys,
    ]
    script_args = [
        nid,
        conversation.token,
        keys.NUMBER_LOCK_TTL * 1000,
        keys.MESSAGE_SID_TTL,
        keys.USAGE_TTL,
        answered_counter,
        *budget_args,
        *caller_args,
    ]
    return conversation, script_keys, script_args


def arrive(
    services: Services, number: str, body: str, sid: str | None, command: Command
) -> Arrival:
    """Run the arrival script for a text from `number` (E.164) with `command` = parse(body).

    On GO the number's conversation is held: hand it to
    hrw_sms.handlers.conversations.handle_held, which lets it go. Raises redis.RedisError
    when Redis fails (POST /sms then answers with its fallback)."""
    conversation, script_keys, script_args = arrival_call(services, number, body, sid, command)
    result = services.scripts(ARRIVE_SCRIPT, services.redis, script_keys, script_args)
    outcome = result[0].decode() if isinstance(result[0], bytes) else result[0]
    if outcome == Outcome.PEER:
        return Arrival(Outcome.PEER)
    if outcome in (throttle.Verdict.SILENT, throttle.Verdict.NOTICE):
        return Arrival(Outcome(outcome), throttle.decision_of(result, number))
    answer = throttle.Decision(throttle.Verdict.ANSWER)
    if outcome == Outcome.GO:
        conversation.held = True
        return Arrival(Outcome.GO, answer, conversation, result[1])
    return Arrival(Outcome(outcome), answer)
