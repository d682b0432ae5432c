"""Settings from the environment, checked once at start-up."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hrw_sms.base.phone import BadNumber, to_e164


class ConfigError(SystemExit):
    """Bad configuration. A SystemExit, so an uncaught one prints one line and no traceback."""

    def __init__(self, variable: str, problem: str) -> None:
        self.variable = variable
        super().__init__(f"hrw-sms: configuration error: {variable} {problem}")


@dataclass(frozen=True)
class QuietHours:
    start: int  # local hour quiet hours begin
    end: int  # local hour they end

    def contains(self, hour: int) -> bool:
        """True when the local `hour` (0-23) is quiet; the span may wrap midnight (21 to 8), and
        equal ends mean no quiet hours."""
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= hour < self.end
        return hour >= self.start or hour < self.end

    def ends(self, now: datetime, timezone: str) -> datetime | None:
        """The UTC moment these quiet hours end if `now` (aware) falls in them in `timezone`
        (an IANA name), else None. Raises ValueError for an unknown timezone."""
        try:
            tz = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {timezone!r}") from None
        local = now.astimezone(tz)
        if not self.contains(local.hour):
            return None
        day = local.date() if local.hour < self.end else local.date() + timedelta(days=1)
        # A wall time skipped by DST resolves to the first real instant after it (fold=0).
        return datetime.combine(day, dtime(self.end), tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class Settings:
    redis_url: str | None = None
    # REDIS_SENTINELS: (host, port) of each Sentinel; empty: REDIS_URL's host is the master
    redis_sentinels: tuple[tuple[str, int], ...] = ()
    redis_sentinel_master: str = "mymaster"  # REDIS_SENTINEL_MASTER: the master's name
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = field(default=None, repr=False)
    twilio_from_number: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_api_base: str | None = None
    public_url: str | None = None
    send_rate: float = 1.0
    reminder_minutes: int = 60
    host_reminders: tuple[timedelta, ...] = (timedelta(hours=48), timedelta(hours=2))
    quiet_hours: QuietHours | None = QuietHours(21, 8)
    help_contact: str | None = None
    number_hash_key: str | None = field(default=None, repr=False)
    voice_en: str = "Polly.Joanna"  # TwiML <Say> voice for English
    voice_es: str = "Polly.Lupe"  # and for Spanish (es-US)
    feed_interval: int = 15  # minutes between two syncs of each registered feed
    secret_key: str | None = field(default=None, repr=False)  # signs console cookies (CSRF)
    crisis_line: str | None = None  # a group's own crisis line, named in the peer line's texts

    @property
    def signatures_required(self) -> bool:
        """True when a Twilio auth token is set: webhooks must carry a valid X-Twilio-Signature."""
        return bool(self.twilio_auth_token)

    @property
    def redis_configured(self) -> bool:
        """A Redis is named (REDIS_URL or REDIS_SENTINELS); else the demo's embedded store."""
        return bool(self.redis_url or self.redis_sentinels)

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, hash_key_required: bool = True) -> Settings:
        """Read and check every variable; ConfigError (one line naming it) when one is bad.

        `hash_key_required=False` only for the demo (which may make and keep its own number
        hash key) and `hrw-sms hash-key move` (which helps set it)."""

        def get(name: str) -> str | None:
            value = env.get(name)
            return value.strip() if value and value.strip() else None

        public_url = get("HRW_PUBLIC_URL")
        if public_url:
            parts = urlsplit(public_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ConfigError("HRW_PUBLIC_URL", f"must be an http(s) URL, got {public_url!r}")
            public_url = public_url.rstrip("/")
        api_base = get("TWILIO_API_BASE")
        if api_base:
            parts = urlsplit(api_base)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ConfigError("TWILIO_API_BASE", f"must be an http(s) URL, got {api_base!r}")
            api_base = api_base.rstrip("/")
        from_number = get("TWILIO_FROM_NUMBER")
        if from_number:
            try:
                from_number = to_e164(from_number)
            except BadNumber as exc:
                raise ConfigError("TWILIO_FROM_NUMBER", str(exc)) from None
        service = get("TWILIO_MESSAGING_SERVICE_SID")
        if service and not re.fullmatch(r"MG[0-9a-fA-F]{32}", service):
            raise ConfigError(
                "TWILIO_MESSAGING_SERVICE_SID", "must look like MG followed by 32 hex digits"
            )
        redis_url = get("REDIS_URL")
        if redis_url and urlsplit(redis_url).scheme not in ("redis", "rediss", "unix"):
            raise ConfigError(
                "REDIS_URL", f"must start with redis://, rediss:// or unix://, got {redis_url!r}"
            )
        sentinels = _sentinels(get("REDIS_SENTINELS"))
        master = get("REDIS_SENTINEL_MASTER")
        if master is not None and not sentinels:
            raise ConfigError("REDIS_SENTINEL_MASTER", "is set but REDIS_SENTINELS is not")
        if master is not None and not re.fullmatch(r"[A-Za-z0-9._:-]{1,128}", master):
            raise ConfigError(
                "REDIS_SENTINEL_MASTER",
                f"must be a master name (letters, digits, . _ : -), got {master!r}",
            )
        if sentinels and redis_url and urlsplit(redis_url).scheme == "unix":
            raise ConfigError(
                "REDIS_URL",
                "must be redis:// or rediss:// when REDIS_SENTINELS is set (its database "
                f"number and password apply to the master), got {redis_url!r}",
            )
        auth_token = get("TWILIO_AUTH_TOKEN")
        hash_key = _number_hash_key(get("HRW_NUMBER_HASH_KEY"), auth_token, hash_key_required)
        return cls(
            redis_url=redis_url,
            redis_sentinels=sentinels,
            redis_sentinel_master=master or "mymaster",
            twilio_account_sid=get("TWILIO_ACCOUNT_SID"),
            twilio_auth_token=auth_token,
            twilio_from_number=from_number,
            twilio_messaging_service_sid=service,
            twilio_api_base=api_base,
            public_url=public_url,
            send_rate=_positive_float(get("HRW_SEND_RATE"), "HRW_SEND_RATE", 1.0),
            reminder_minutes=_whole_from_one(
                get("HRW_REMINDER_MINUTES"), "HRW_REMINDER_MINUTES", 60
            ),
            host_reminders=_leads(get("HRW_HOST_REMINDERS")),
            quiet_hours=_quiet_hours(get("HRW_QUIET_HOURS")),
            help_contact=get("HRW_HELP_CONTACT"),
            number_hash_key=hash_key,
            voice_en=_voice(get("HRW_VOICE_EN"), "HRW_VOICE_EN", "Polly.Joanna"),
            voice_es=_voice(get("HRW_VOICE_ES"), "HRW_VOICE_ES", "Polly.Lupe"),
            feed_interval=_whole_from_one(get("HRW_FEED_INTERVAL"), "HRW_FEED_INTERVAL", 15),
            secret_key=_secret_key(get("HRW_SECRET_KEY")),
            crisis_line=get("HRW_CRISIS_LINE"),
        )


def _sentinels(raw: str | None) -> tuple[tuple[str, int], ...]:
    """REDIS_SENTINELS: "host:port,host:port" ([v6::addr]:port too) -> ((host, port), ...)."""
    if raw is None:
        return ()
    found: list[tuple[str, int]] = []
    for part in raw.split(","):
        match = re.fullmatch(r"\s*(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})\s*", part)
        if not match or not 1 <= int(match.group(2)) <= 65535:
            raise ConfigError(
                "REDIS_SENTINELS",
                f"must be comma-separated host:port of Sentinels (port 1-65535), got {raw!r}",
            )
        address = (match.group(1).strip("[]"), int(match.group(2)))
        if address not in found:
            found.append(address)
    return tuple(found)


def _voice(raw: str | None, name: str, default: str) -> str:
    """A TwiML voice name: "Polly.Joanna", "Polly.Lupe-Neural", "Google.es-US-Standard-A"."""
    if raw is None:
        return default
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9._-]{0,63}", raw):
        raise ConfigError(name, f"must be a TwiML voice name like Polly.Joanna, got {raw!r}")
    return raw


def _positive_float(raw: str | None, name: str, default: float) -> float:
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(name, f"must be a number, got {raw!r}") from None
    if not value > 0 or value == float("inf"):
        raise ConfigError(name, f"must be greater than 0, got {raw!r}")
    return value


def _whole_from_one(raw: str | None, name: str, default: int) -> int:
    if raw is None:
        return default
    if not re.fullmatch(r"\d+", raw) or int(raw) < 1:
        raise ConfigError(name, f"must be a whole number from 1, got {raw!r}")
    return int(raw)


_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def _leads(raw: str | None) -> tuple[timedelta, ...]:
    if raw is None:
        return (timedelta(hours=48), timedelta(hours=2))
    leads = []
    for part in raw.split(","):
        match = re.fullmatch(r"\s*(\d+)\s*([dhm])\s*", part.lower())
        if not match or int(match.group(1)) < 1:
            raise ConfigError(
                "HRW_HOST_REMINDERS",
                f"must be leads like '48h,2h' (units d, h or m), got {raw!r}",
            )
        leads.append(timedelta(**{_UNITS[match.group(2)]: int(match.group(1))}))
    return tuple(sorted(set(leads), reverse=True))


def _quiet_hours(raw: str | None) -> QuietHours | None:
    if raw is None:
        return QuietHours(21, 8)
    if raw.lower() == "off":
        return None
    match = re.fullmatch(r"\s*(\d{1,2})\s*-\s*(\d{1,2})\s*", raw)
    if not match or not all(0 <= int(h) <= 23 for h in match.groups()):
        raise ConfigError(
            "HRW_QUIET_HOURS", f"must be 'START-END' hours 0-23 or 'off', got {raw!r}"
        )
    return QuietHours(int(match.group(1)), int(match.group(2)))


MIN_HASH_KEY = 16  # characters: the key is all that stands between an id and its number


def _number_hash_key(raw: str | None, auth_token: str | None, required: bool) -> str | None:
    """HRW_NUMBER_HASH_KEY: required with TWILIO_AUTH_TOKEN (production), never kept in Redis."""
    if raw is None:
        if auth_token and required:
            raise ConfigError(
                "HRW_NUMBER_HASH_KEY",
                "must be set when TWILIO_AUTH_TOKEN is set (a key kept in Redis by an older "
                "version: `hrw-sms hash-key move`; a new one: `openssl rand -hex 32`)",
            )
        return None
    if len(raw) < MIN_HASH_KEY:
        raise ConfigError(
            "HRW_NUMBER_HASH_KEY", f"must be at least {MIN_HASH_KEY} characters, got {len(raw)}"
        )
    return raw


def _secret_key(raw: str | None) -> str | None:
    if raw is not None and len(raw) < MIN_HASH_KEY:
        raise ConfigError(
            "HRW_SECRET_KEY", f"must be at least {MIN_HASH_KEY} characters, got {len(raw)}"
        )
    return raw


def require_secret_key(settings: Settings, required: bool = True) -> str | None:
    """HRW_SECRET_KEY, which signs the console's cookies: the web app will not start without
    it in production (TWILIO_AUTH_TOKEN set); None otherwise (the app then makes a random one
    per process, so console sign-ins do not outlive a restart)."""
    if settings.secret_key is None and settings.twilio_auth_token and required:
        raise ConfigError(
            "HRW_SECRET_KEY",
            "must be set when TWILIO_AUTH_TOKEN is set (it signs the console's cookies; "
            "make one with `openssl rand -hex 32`)",
        )
    return settings.secret_key
