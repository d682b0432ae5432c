"""The one outbound path: every text a worker sends goes through send_text.

Idempotency, the choice made here: *exactly once where it can be known, never twice*.

A logical message (message_id) is claimed with SET NX before its HTTP request, and the
claim is kept once Twilio has answered for good. Three things can happen after a claim:

- Twilio answers (201, 4xx, 429, 5xx). The outcome is certain: recorded; a 429/5xx
  releases the claim so the retry sends again (Twilio made no message).
- The request certainly never left (connection refused, connect timeout): released too.
- Nobody knows (read timeout, connection dropped mid-request, worker killed): the claim
  stays with status "in_doubt"/"sending" and the time the attempt started. A later try
  does not resend blindly: it asks Twilio for the newest messages to the number and looks
  for this body created since the attempt started. Found: recorded as sent, never resent.
  Not found: it waits until IN_FLIGHT_LIMIT after the attempt started (longer than the
  client timeout, so an abandoned request has been finished or dropped by then) and looks
  once more before taking the claim over and sending.

A pure at-most-once rule (never resend after a crash) would lose every reminder a killed
worker was holding; a blind at-least-once rule would double-send whenever Twilio is merely
slow, which is exactly when timeouts happen. Asking Twilio costs one GET per doubtful send.
What is left: a message Twilio made but hides from the list (content retention off, or a
body Twilio rewrote beyond recognition) can still go twice after a doubtful attempt.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, NoReturn

import redis
import requests
import urllib3
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.rest import Client

from flows.gsm import segments
from hrw_sms.base.config import QuietHours, Settings
from hrw_sms.base.phone import mask
from hrw_sms.jobs.consent import Consent
from hrw_sms.store import keys, optouts, usage
from hrw_sms.store.identity import hash_key, number_id
from workers.ratelimit import RateLimiter
from workers.twilio_client import DEFAULT_TIMEOUT, build_client

log = logging.getLogger(__name__)

Kind = Literal["reply", "host", "reminder", "bulk"]
KINDS: tuple[str, ...] = ("reply", "host", "reminder", "bulk")
HELD_IN_QUIET_HOURS = frozenset({"reminder", "bulk"})  # replies and host prompts are answers

BACKOFF_START = 1.0  # README "Workers": retries after 429/5xx start within seconds...
BACKOFF_CAP = 60.0  # ...and back off to at most a minute
MAX_ATTEMPTS = 12  # 1+2+4+...+60 s: about 6 minutes of trying, then finally failed
RATE_WAIT_MAX = 5.0  # sleep for a shorter token wait; hand a longer one back to the queue
IN_FLIGHT_LIMIT = DEFAULT_TIMEOUT + 20.0  # an attempt older than this is over, one way or another
RECONCILE_PAGE = 20  # newest messages to a number to look through for a doubtful send
CLOCK_SKEW = 300.0  # seconds of disagreement allowed between our clock and Twilio's

INVALID_NUMBER_CODES = frozenset({21211, 21614})
TOO_MANY_REQUESTS = 20429

_MESSAGE_ID = re.compile(r"[A-Za-z0-9_.:|/=@-]{1,200}")
_E164 = re.compile(r"\+[1-9]\d{7,14}")


def utc_now() -> datetime:
    """Now, aware, in UTC."""
    return datetime.now(UTC)


class MissingSender(RuntimeError):
    """Neither TWILIO_FROM_NUMBER nor TWILIO_MESSAGING_SERVICE_SID is set."""


class RetryableSendError(Exception):
    """Not sent this time, but it may be: run the same call again after `backoff` seconds."""

    def __init__(self, message_id: str, backoff: float, reason: str, code: int | None = None):
        super().__init__(f"{message_id}: {reason}; retry in {backoff:.1f} s")
        self.message_id = message_id
        self.backoff = backoff
        self.reason = reason
        self.code = code


@dataclass(frozen=True)
class Outcome:
    """How one send_text call ended (a retryable failure raises RetryableSendError instead)."""

    message_id: str
    status: Literal["sent", "failed", "skipped", "deferred"]
    reason: str = ""
    error_code: int | None = None
    sid: str | None = None
    until: datetime | None = None  # when a deferred text may go (UTC)
    earlier: bool = False  # settled before this call; this call sent nothing

    def __str__(self) -> str:
        if self.status == "deferred" and self.until is not None:
            return f"deferred until {self.until.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
        detail = " ".join(p for p in (str(self.error_code or ""), self.reason) if p)
        return f"{self.status}: {detail}" if detail else self.status


@dataclass(frozen=True)
class Deps:
    """What send_text needs; build one per worker process and keep it."""

    redis: redis.Redis
    settings: Settings
    twilio: Client
    hash_key: bytes
    limiter: RateLimiter
    clock: Callable[[], datetime] = utc_now
    sleep: Callable[[float], None] = time.sleep

    @classmethod
    def build(
        cls,
        settings: Settings,
        client: redis.Redis,
        *,
        twilio: Client | None = None,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] = time.sleep,
    ) -> Deps:
        """The outbound path's dependencies from settings: a Twilio client (unless given),
        the shared RateLimiter at HRW_SEND_RATE segments a second, the clock and sleep.
        Raises MissingSender or MissingCredentials when settings lack them."""
        if not settings.twilio_from_number and not settings.twilio_messaging_service_sid:
            raise MissingSender("set TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID to send")
        return cls(
            redis=client,
            settings=settings,
            twilio=twilio or build_client(settings),
            hash_key=hash_key(client, settings.number_hash_key),
            limiter=RateLimiter(client, settings.send_rate),
            clock=clock,
            sleep=sleep,
        )


def backoff_for(attempts: int) -> float:
    """Seconds before retry number `attempts`: 1, 2, 4, ... capped at 60."""
    return min(BACKOFF_CAP, BACKOFF_START * 2 ** max(0, attempts - 1))


def quiet_until(now: datetime, timezone: str, quiet: QuietHours | None) -> datetime | None:
    """The UTC moment quiet hours end if `now` falls in them in `timezone`, else None."""
    return None if quiet is None else quiet.ends(now, timezone)


def held_until(
    now: datetime, timezone: str, quiet: QuietHours | None, deadline: datetime | None = None
) -> datetime | None:
    """When a text held by quiet hours may go (UTC), or None to send it now.

    The one rule for texts about a meeting (reminders, cancellation notices, host prompts):
    quiet hours hold it until they end, unless the meeting starts (`deadline`) by then, when
    holding it would only lose it: then it goes at once."""
    until = quiet_until(now, timezone, quiet)
    if until is None or (deadline is not None and until >= deadline):
        return None
    return until


@dataclass(frozen=True)
class Checks:
    """What must still hold for one text at the moment it is handed to Twilio.

    `consent`: what the text is about (None for a reply: opt-outs only). `slot`: for a
    broadcast, its recipient list and this recipient's index there; FORGET overwrites the
    slot (keys.ERASED), and an erased recipient is skipped without any record."""

    nid: str
    consent: Consent | None = None
    slot: tuple[str, int] | None = None

    def script_args(self, message_id: str) -> tuple[list[str], list[str | int]]:
        """The check's KEYS (after the first two) and ARGV (from the 8th on), for _CHECK."""
        consent_key, members = ("", ())
        if self.consent is not None:
            consent_key, members = self.consent.key_and_members(self.nid)
        slot_key, index = self.slot if self.slot is not None else ("", "")
        check_keys = [
            keys.OPTED_OUT, keys.invalid_number(self.nid), keys.outbound_busy(self.nid),
            keys.outbound_of(self.nid), consent_key or keys.OPTED_OUT, slot_key or keys.OPTED_OUT,
        ]  # fmt: skip
        args: list[str | int] = [
            message_id, self.nid, keys.OUTBOUND_BUSY_MS, index,
            "1" if self.consent is not None else "0", *members,
        ]  # fmt: skip
        return check_keys, args


def send_text(
    deps: Deps,
    message_id: str,
    to: str,
    body: str,
    kind: Kind,
    timezone: str | None = None,
    consent: Consent | None = None,
    slot: tuple[str, int] | None = None,
    deadline: datetime | None = None,
) -> Outcome:
    """Send one logical message once: opt-outs, consent, quiet hours, rate, idempotency.

    `message_id` names the logical message (deterministic, e.g. "remind:<meeting>:<date>:
    <number_id>"; never the number itself). `timezone` is the recipient's group timezone,
    required for reminders and bulk texts. `consent` is what the text is about and `slot`
    a broadcast recipient's place (see Checks): both are checked again in the same Redis
    step that claims the message, right before the HTTP request. `deadline` (UTC) is when
    the text stops being worth sending (a meeting's start): quiet hours that last past it
    do not hold it (held_until). Returns an Outcome; raises
    RetryableSendError when the same call should be made again after its backoff."""
    _check_args(message_id, to, body, kind, timezone)
    checks = Checks(number_id(deps.hash_key, to), consent, slot)
    nid = checks.nid
    record, skip = _look_up(deps.redis, message_id, checks)
    earlier = _settled_from(message_id, record)
    if earlier is not None:
        log.info("text %s to %s: already %s", message_id, mask(to), earlier)
        return earlier
    if skip:
        return _skipped(deps, message_id, to, skip, checks, kind)
    if kind in HELD_IN_QUIET_HOURS:
        assert timezone is not None
        until = held_until(deps.clock(), timezone, deps.settings.quiet_hours, deadline)
        if until is not None:
            _write(deps, message_id, to=to, status="deferred", until=until.isoformat(), kind=kind)
            outcome = Outcome(message_id, "deferred", "quiet hours", until=until)
            log.info("text %s to %s: %s", message_id, mask(to), outcome)
            return outcome
    cost = segments(body)
    wait = deps.limiter.acquire(cost, max_wait=RATE_WAIT_MAX)
    if wait > RATE_WAIT_MAX:
        raise RetryableSendError(message_id, wait, "send rate limit")
    if wait > 0:
        deps.sleep(wait)  # an opt-down that comes meanwhile is seen by the claim below
    token = secrets.token_hex(16)
    attempts, why = _claim(deps, message_id, token, kind, cost, checks)
    if why:
        return _skipped(deps, message_id, to, why, checks, kind)
    if attempts > 0:
        return _send(deps, message_id, to, body, kind, nid, token, attempts)
    if attempts < 0:
        return _settled(deps.redis, message_id) or _vanished(message_id)
    return _resume(deps, message_id, to, body, kind, checks, cost, token)


def status_of(client: redis.Redis, message_id: str) -> dict[str, str]:
    """The stored record of one outbound message (empty if unknown or expired)."""
    raw = client.hgetall(keys.outbound(message_id))
    return {k.decode(): v.decode() for k, v in raw.items()}


# --- the steps ---


def _check_args(message_id: str, to: str, body: str, kind: str, timezone: str | None) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if not _MESSAGE_ID.fullmatch(message_id):
        raise ValueError(f"message_id must be 1-200 of A-Z a-z 0-9 _.:|/=@-, got {message_id!r}")
    if not _E164.fullmatch(to):
        raise ValueError("`to` must be an E.164 number")
    if to[1:] in message_id or to[-10:] in message_id:
        raise ValueError("message_id must not contain the phone number (it becomes a key)")
    if not body:
        raise ValueError("body is empty")
    if kind in HELD_IN_QUIET_HOURS and not timezone:
        raise ValueError(f"a {kind} text needs the recipient's timezone for quiet hours")


# Why a number must not get this text now ('' if it may): the same test before the rate
# wait (_LOOK_UP) and inside the claim (_CLAIM), so an opt-down answered while a worker waits
# or holds a batch is seen right before the HTTP request.
# KEYS[3..8]: opt-out set, invalid flag, busy flag, the number's record index, the consent
# set, the broadcast recipient list. ARGV[8..]: message_id, number_id, busy ms, slot index
# ('' = none), '1' to test consent, then the members any one of which must be in that set.
_CHECK = """
local function why_not()
  if ARGV[11] ~= '' and redis.call('LINDEX', KEYS[8], tonumber(ARGV[11])) ~= ARGV[9] then
    return 'erased'
  end
  if redis.call('SISMEMBER', KEYS[3], ARGV[9]) == 1 then return 'opted out' end
  if redis.call('EXISTS', KEYS[4]) == 1 then return 'invalid number' end
  if ARGV[12] == '1' then
    if #ARGV < 13 then return 'consent' end
    for _, found in ipairs(redis.call('SMISMEMBER', KEYS[7], unpack(ARGV, 13))) do
      if found == 1 then return false end
    end
    return 'consent'
  end
  return false
end
"""

_LOOK_UP = (
    _CHECK
    + """
return {why_not() or '', redis.call('HGETALL', KEYS[2])}
"""
)


def _look_up(
    client: redis.Redis, message_id: str, checks: Checks
) -> tuple[dict[str, str], str | None]:
    """The message's record and why the number must not be texted, in one round trip."""
    check_keys, check_args = checks.script_args(message_id)
    script_keys = [keys.outbound_claim(message_id), keys.outbound(message_id), *check_keys]
    args = ["", "", "", "", "", "", "", *check_args]
    why, flat = client.register_script(_LOOK_UP)(keys=script_keys, args=args)
    record = {_str(flat[i]): _str(flat[i + 1]) for i in range(0, len(flat), 2)}
    return record, _str(why) or None


def _str(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _skipped(deps: Deps, message_id: str, to: str, why: str, checks: Checks, kind: str) -> Outcome:
    """Settle a text the number must not get. An erased broadcast recipient leaves no record
    (FORGET took it out; its slot counts as skipped). A text whose subject the number left
    is recorded for a broadcast (its progress counts it) or when it has a record already;
    otherwise (reminders, notices, prompts) it leaves nothing under the number, so a FORGET
    that races with a batch holding the number is not undone by the batch."""
    if why == "erased":
        log.info("text %s to %s: skipped (erased)", message_id, mask(to))
        return Outcome(message_id, "skipped", "erased")
    if why == "consent":
        assert checks.consent is not None
        reason = checks.consent.reason
        # A record already there (a text held for quiet hours, or retried) is settled, so a
        # broadcast's progress ends; FORGET erased any record, and none is made again.
        if checks.slot is None and not deps.redis.exists(keys.outbound(message_id)):
            log.info("text %s to %s: skipped (%s)", message_id, mask(to), reason)
            return Outcome(message_id, "skipped", reason)
        return _finish(deps, message_id, to, "skipped", reason, kind=kind)
    return _finish(deps, message_id, to, "skipped", why, kind=kind)


def _settled(client: redis.Redis, message_id: str) -> Outcome | None:
    return _settled_from(message_id, status_of(client, message_id))


def _settled_from(message_id: str, record: dict[str, str]) -> Outcome | None:
    if record.get("status") not in keys.SETTLED:
        return None
    code = record.get("error_code")
    return Outcome(
        message_id,
        record["status"],  # type: ignore[arg-type]
        record.get("reason", ""),
        int(code) if code else None,
        record.get("sid") or None,
        earlier=True,
    )


def _vanished(message_id: str) -> NoReturn:
    raise RetryableSendError(message_id, BACKOFF_START, "record changed while claiming")


# Claim the message for one attempt: SET NX (or take over `expected`, a stale claim), and
# mark the record "sending" in the same step, so no crash can leave one without the other.
# The opt-out and consent checks run in the same step, and a claim raises the number's busy
# flag until Twilio has answered (an opt-down answer waits for it, at most OUTBOUND_BUSY_MS).
_CLAIM = (
    _CHECK
    + """
local st = redis.call('HGET', KEYS[2], 'status')
if st == 'sent' or st == 'failed' or st == 'skipped' then return {-1, ''} end
local why = why_not()
if why then return {0, why} end
local current = redis.call('GET', KEYS[1])
if ARGV[7] == '' then
  if current then return {0, ''} end
elseif current ~= ARGV[7] then
  return {0, ''}
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
local attempts = redis.call('HINCRBY', KEYS[2], 'attempts', 1)
redis.call('HSET', KEYS[2], 'status', 'sending', 'started', ARGV[3], 'kind', ARGV[4],
           'segments', ARGV[5], 'updated', ARGV[6])
redis.call('HDEL', KEYS[2], 'until')
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('SET', KEYS[5], '1', 'PX', ARGV[10])
redis.call('SADD', KEYS[6], ARGV[8])
redis.call('EXPIRE', KEYS[6], ARGV[2])
return {attempts, ''}
"""
)

# Give the claim back after an answer that proves Twilio made no message (429, 5xx).
_RELEASE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[2], 'status', 'retrying', 'error_code', ARGV[2], 'reason', ARGV[3],
           'updated', ARGV[4])
redis.call('HDEL', KEYS[2], 'started')
redis.call('EXPIRE', KEYS[2], ARGV[5])
return 1
"""


def _claim(
    deps: Deps,
    message_id: str,
    token: str,
    kind: str,
    cost: int,
    checks: Checks,
    expected: str = "",
) -> tuple[int, str]:
    """(attempt number > 0, "") if claimed, (0, "") if someone holds the claim, (-1, "") if
    already settled, (0, why) if the number must not get it now (see _CHECK)."""
    now = deps.clock()
    args = [token, keys.OUTBOUND_TTL, repr(now.timestamp()), kind, cost, now.isoformat(), expected]
    check_keys, check_args = checks.script_args(message_id)
    claim_keys = [keys.outbound_claim(message_id), keys.outbound(message_id), *check_keys]
    attempts, why = deps.redis.register_script(_CLAIM)(keys=claim_keys, args=args + check_args)
    return int(attempts), _str(why)


def _send(
    deps: Deps,
    message_id: str,
    to: str,
    body: str,
    kind: str,
    nid: str,
    token: str,
    attempts: int,
) -> Outcome:
    settings = deps.settings
    params: dict[str, str] = {"to": to, "body": body}
    if settings.twilio_messaging_service_sid:
        params["messaging_service_sid"] = settings.twilio_messaging_service_sid
    if settings.twilio_from_number:
        params["from_"] = settings.twilio_from_number
    if settings.public_url:
        params["status_callback"] = settings.public_url + "/status"
    try:
        message = deps.twilio.messages.create(**params)
    except (TwilioRestException, TwilioServiceException) as exc:
        deps.redis.delete(keys.outbound_busy(nid))
        return _rejected(deps, message_id, to, kind, nid, token, attempts, exc.status, exc.code)
    except requests.RequestException as exc:
        deps.redis.delete(keys.outbound_busy(nid))
        if _never_sent(exc):
            return _retry(deps, message_id, to, kind, token, attempts, None, "Twilio unreachable")
        reason = f"no answer ({type(exc).__name__})"
        _write(deps, message_id, to=to, status="in_doubt", reason=reason)
        backoff = backoff_for(attempts)
        log.warning(
            "text %s to %s: no answer from Twilio; checking in %.0f s",
            message_id,
            mask(to),
            backoff,
        )
        raise RetryableSendError(message_id, backoff, "no answer from Twilio") from None
    return _record_sent(deps, message_id, to, kind, message.sid)


def _rejected(
    deps: Deps,
    message_id: str,
    to: str,
    kind: str,
    nid: str,
    token: str,
    attempts: int,
    status: int,
    code: int | None,
) -> Outcome:
    """Twilio answered with an error: retry 429/5xx, settle everything else."""
    code = code or status
    if status == 429 or code == TOO_MANY_REQUESTS:
        return _retry(deps, message_id, to, kind, token, attempts, code, "rate limited by Twilio")
    if status >= 500:
        return _retry(deps, message_id, to, kind, token, attempts, code, f"Twilio HTTP {status}")
    if code == optouts.OPTED_OUT_AT_CARRIER:
        # The carrier says the person opted out: exactly what their STOP does (one function).
        # Not waiting for sends, as STOP's answer does: this worker is the one sending.
        optouts.stop(deps.redis, nid)
        return _finish(deps, message_id, to, "failed", "opted out at the carrier", code, kind)
    if code in INVALID_NUMBER_CODES:
        deps.redis.set(keys.invalid_number(nid), code, ex=keys.INVALID_NUMBER_TTL)
        return _finish(deps, message_id, to, "failed", "invalid number", code, kind)
    if status in (401, 403):
        # Every text will fail the same way until an operator fixes the credentials.
        log.error("Twilio refused our credentials (HTTP %s, code %s)", status, code)
    reason = f"rejected by Twilio (HTTP {status})"
    return _finish(deps, message_id, to, "failed", reason, code, kind)


def _retry(
    deps: Deps,
    message_id: str,
    to: str,
    kind: str,
    token: str,
    attempts: int,
    code: int | None,
    reason: str,
) -> Outcome:
    """Twilio made no message: release the claim and raise, or give up after MAX_ATTEMPTS."""
    if attempts >= MAX_ATTEMPTS:
        return _finish(deps, message_id, to, "failed", f"{reason}; gave up after {attempts}", code)
    now = deps.clock().isoformat()
    args = [token, "" if code is None else code, reason, now, keys.OUTBOUND_TTL]
    claim_keys = [keys.outbound_claim(message_id), keys.outbound(message_id)]
    deps.redis.register_script(_RELEASE)(keys=claim_keys, args=args)
    backoff = backoff_for(attempts)
    log.warning(
        "text %s to %s: %s (%s); retry %d in %.0f s",
        message_id,
        mask(to),
        reason,
        code,
        attempts + 1,
        backoff,
    )
    raise RetryableSendError(message_id, backoff, reason, code)


def _resume(
    deps: Deps,
    message_id: str,
    to: str,
    body: str,
    kind: str,
    checks: Checks,
    cost: int,
    token: str,
) -> Outcome:
    """The claim is held: wait for a live attempt, or settle a doubtful one, or take over."""
    nid = checks.nid
    record = status_of(deps.redis, message_id)
    status = record.get("status")
    if status in keys.SETTLED:
        return _settled(deps.redis, message_id) or _vanished(message_id)
    attempts = int(record.get("attempts") or 0)
    age = deps.clock().timestamp() - float(record.get("started") or 0)
    remaining = max(BACKOFF_START, IN_FLIGHT_LIMIT - age)
    if status == "sending" and age < IN_FLIGHT_LIMIT:
        raise RetryableSendError(message_id, remaining, "being sent by another worker")
    # "in_doubt" (no answer), or "sending" too long (its worker died): did Twilio make it?
    sid = _find_on_twilio(deps, message_id, to, body, float(record.get("started") or 0))
    if sid is not None:
        return _record_sent(deps, message_id, to, kind, sid, earlier=True)
    if age < IN_FLIGHT_LIMIT:
        raise RetryableSendError(message_id, remaining, "no answer from Twilio yet")
    held = deps.redis.get(keys.outbound_claim(message_id))
    if held is None:
        raise RetryableSendError(message_id, BACKOFF_START, "claim released meanwhile")
    if attempts >= MAX_ATTEMPTS:
        reason = f"{record.get('reason') or 'no answer'}; gave up after {attempts}"
        code = record.get("error_code")
        return _finish(deps, message_id, to, "failed", reason, int(code) if code else None, kind)
    attempts, why = _claim(deps, message_id, token, kind, cost, checks, expected=held.decode())
    if why:
        return _skipped(deps, message_id, to, why, checks, kind)
    if attempts <= 0:
        raise RetryableSendError(message_id, BACKOFF_START, "taken over by another worker")
    log.info("text %s to %s: not found at Twilio; sending again", message_id, mask(to))
    return _send(deps, message_id, to, body, kind, nid, token, attempts)


def _find_on_twilio(deps: Deps, message_id: str, to: str, body: str, started: float) -> str | None:
    """The sid of this message if Twilio made it during the doubtful attempt, else None."""
    try:
        recent = deps.twilio.messages.list(to=to, limit=RECONCILE_PAGE)
    except (TwilioException, requests.RequestException) as exc:
        raise RetryableSendError(
            message_id, BACKOFF_START * 5, f"could not ask Twilio ({type(exc).__name__})"
        ) from None
    for message in recent:
        if body not in (message.body or ""):  # Twilio may add a compliance line
            continue
        created = message.date_created
        if created is not None and created.timestamp() < started - CLOCK_SKEW:
            continue
        owner = deps.redis.get(keys.outbound_sid(message.sid))
        if owner is not None and owner.decode() != message_id:
            continue  # the same words, sent earlier as another message
        return message.sid
    return None


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request cannot have reached Twilio (so resending is safe)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout | requests.exceptions.SSLError):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError) and exc.args:
        cause = getattr(exc.args[0], "reason", exc.args[0])  # MaxRetryError wraps the cause
        return isinstance(cause, urllib3.exceptions.NewConnectionError)
    return False


def _record_sent(
    deps: Deps, message_id: str, to: str, kind: str, sid: str, earlier: bool = False
) -> Outcome:
    pipe = deps.redis.pipeline(transaction=True)
    pipe.set(keys.outbound_sid(sid), message_id, ex=keys.OUTBOUND_TTL)
    pipe.delete(keys.outbound_busy(number_id(deps.hash_key, to)))  # handed over: Twilio has it
    pipe.hdel(keys.outbound(message_id), "reason", "error_code", "started", "until")
    _write(deps, message_id, pipe=pipe, to=to, status="sent", sid=sid, kind=kind)
    if kind == "reminder" and not earlier:
        usage.count(pipe, deps.clock(), "reminders_sent")  # the console's Usage page
    pipe.execute()
    outcome = Outcome(message_id, "sent", sid=sid, earlier=earlier)
    log.info("text %s (%s) to %s: sent %s", message_id, kind, mask(to), sid)
    return outcome


def _finish(
    deps: Deps,
    message_id: str,
    to: str,
    status: Literal["failed", "skipped"],
    reason: str,
    code: int | None = None,
    kind: str | None = None,
) -> Outcome:
    fields: dict[str, str | int] = {"status": status, "reason": reason}
    fields["error_code"] = "" if code is None else code
    if kind:
        fields["kind"] = kind
    pipe = deps.redis.pipeline(transaction=True)
    pipe.hdel(keys.outbound(message_id), "started", "until")
    _write(deps, message_id, pipe=pipe, to=to, **fields)
    pipe.execute()
    outcome = Outcome(message_id, status, reason, code)
    log.info("text %s to %s: %s", message_id, mask(to), outcome)
    return outcome


def _write(
    deps: Deps,
    message_id: str,
    pipe: redis.client.Pipeline | None = None,
    to: str = "",
    **fields: str | int,
) -> None:
    """Set fields on the message's record (never a body or a number) and keep it alive; the
    record is listed under its number (`to`), so FORGET can find and erase it."""
    target = pipe if pipe is not None else deps.redis.pipeline(transaction=True)
    record = keys.outbound(message_id)
    target.hset(record, mapping={**fields, "updated": deps.clock().isoformat()})
    target.expire(record, keys.OUTBOUND_TTL)
    if to:
        index = keys.outbound_of(number_id(deps.hash_key, to))
        target.sadd(index, message_id)
        target.expire(index, keys.OUTBOUND_TTL)
    if pipe is None:
        target.execute()


def skip_text(deps: Deps, message_id: str, to: str, reason: str, kind: Kind) -> Outcome:
    """Settle a message as skipped without sending (e.g. a reminder that would come too late)."""
    earlier = _settled(deps.redis, message_id)
    return earlier or _finish(deps, message_id, to, "skipped", reason, kind=kind)


# Settle a broadcast text as skipped, unless its recipient's slot was erased (FORGET): then
# nothing may be written under the number again.
_SKIP_UNLESS_ERASED = """
if redis.call('LINDEX', KEYS[2], tonumber(ARGV[1])) ~= ARGV[2] then return 0 end
local st = redis.call('HGET', KEYS[1], 'status')
if st == 'sent' or st == 'failed' or st == 'skipped' then return -1 end
redis.call('HSET', KEYS[1], 'status', 'skipped', 'reason', ARGV[3], 'error_code', '',
           'kind', ARGV[4], 'updated', ARGV[5])
redis.call('HDEL', KEYS[1], 'started', 'until')
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('SADD', KEYS[3], ARGV[7])
redis.call('EXPIRE', KEYS[3], ARGV[6])
return 1
"""


def skip_unless_erased(
    deps: Deps, message_id: str, nid: str, slot: tuple[str, int], kind: Kind
) -> str:
    """A broadcast recipient no longer subscribed (its address is gone): settle the text as
    skipped, or leave nothing at all when FORGET erased the recipient's slot meanwhile."""
    script_keys = [keys.outbound(message_id), slot[0], keys.outbound_of(nid)]
    now = deps.clock().isoformat()
    reason = "no longer subscribed"
    args = [slot[1], nid, reason, kind, now, keys.OUTBOUND_TTL, message_id]
    done = int(deps.redis.register_script(_SKIP_UNLESS_ERASED)(keys=script_keys, args=args))
    log.info("text %s: %s", message_id, {1: reason, 0: "erased"}.get(done, "already settled"))
    return "skipped" if done >= 0 else "already settled"
