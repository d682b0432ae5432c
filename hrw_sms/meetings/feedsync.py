"""Feeds kept in sync: the registry of feed URLs, fetching with conditional requests, and one
sync (fetch, check, import as the feed's own meetings) that changes nothing when it fails.

The directory writes go through DirectoryStore.import_feed with `source=url`, so a sync adds,
updates and removes only the meetings that came from its feed. The state of each feed (its
validators, last outcome and reason) lives in keys.FEED_STATE; texts to coordinators are the
caller's (workers/feeds.py), told by `SyncOutcome.transition`.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit

import redis
import requests
from urllib3.exceptions import HTTPError, ProtocolError, ReadTimeoutError

from flows.occurrences import is_timezone
from hrw_sms.meetings.directory import DirectoryError, DirectoryStore
from hrw_sms.meetings.feed import FeedError
from hrw_sms.store import keys

FETCH_TIMEOUT = (5.0, 20.0)  # seconds: connect, then between two reads of the answer
# seconds for the whole body: a server trickling a byte at a time never trips the read
# timeout, so the fetch also gives up once this has passed (checked after every read)
FETCH_DEADLINE = 30.0
MAX_FEED_BYTES = 20 * 1024 * 1024  # a 5,000-meeting feed is ~2.5 MB; more is not a feed
LOCK_SECONDS = 120  # one sync of a feed at a time; a crashed sync frees it by expiry
USER_AGENT = "hrw-sms feed sync (+https://github.com/)"


class FetchError(Exception):
    """A feed that could not be fetched; the message is one line for an operator."""


@dataclass(frozen=True)
class Fetched:
    """A fetch's answer: `text` is None when the server said 304 Not Modified."""

    text: str | None
    etag: str | None = None
    last_modified: str | None = None


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def feed_label(url: str, limit: int = 48) -> str:
    """A feed as people can tell it from the site's other feeds, short enough for a text:
    host and path, no scheme, "www." or query ("https://www.aa-west.org/feeds/tsml.json?k=1"
    -> "aa-west.org/feeds/tsml.json"). Longer than `limit`: the host, "…" and the path's end."""
    parts = urlsplit(url)
    if not parts.netloc:
        return url[:limit]
    host = parts.netloc.removeprefix("www.")
    label = f"{host}{parts.path.rstrip('/')}"
    if len(label) <= limit:
        return label
    tail = parts.path.rstrip("/").rsplit("/", 1)[-1]
    room = limit - len(host) - 2  # "/…"
    if room >= 8:
        return f"{host}/…{tail[-(room - 1) :]}" if len(tail) >= room else f"{host}/…/{tail}"
    return label[: limit - 1] + "…"


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: tuple[float, float] = FETCH_TIMEOUT,
    max_bytes: int = MAX_FEED_BYTES,
    deadline: float | None = None,
) -> Fetched:
    """GET a feed, conditionally when validators are given. Raises FetchError (one line).

    `deadline` (seconds, default FETCH_DEADLINE) bounds the whole fetch from the request
    on: the body is read as it arrives and the fetch stops once the deadline has passed (so
    it ends within `deadline` plus at most one read timeout, even from a server that sends
    a byte at a time)."""
    started = time.monotonic()
    deadline = FETCH_DEADLINE if deadline is None else deadline
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with requests.get(url, headers=headers, timeout=timeout, stream=True) as response:
            if response.status_code == 304:
                return Fetched(None, etag, last_modified)
            if response.status_code != 200:
                reason = f" {response.reason}" if response.reason else ""
                raise FetchError(f"{_host(url)} answered HTTP {response.status_code}{reason}")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"the feed is larger than {max_bytes // 1_000_000} MB")
            body = bytearray()
            while chunk := response.raw.read1(64 * 1024, decode_content=True):
                body += chunk
                if len(body) > max_bytes:
                    raise FetchError(f"the feed is larger than {max_bytes // 1_000_000} MB")
                if time.monotonic() - started > deadline:
                    raise FetchError(
                        f"{_host(url)} sent the feed too slowly (not all of it within "
                        f"{deadline:g} seconds)"
                    )
            return Fetched(
                bytes(body).decode("utf-8-sig", errors="replace"),
                response.headers.get("ETag"),
                response.headers.get("Last-Modified"),
            )
    except (requests.Timeout, ReadTimeoutError):
        raise FetchError(f"{_host(url)} did not answer within {timeout[1]:g} seconds") from None
    except requests.ConnectionError as exc:
        if isinstance(exc.args[0] if exc.args else None, ProtocolError):
            raise FetchError(f"{_host(url)} closed the connection before answering") from None
        raise FetchError(f"cannot connect to {_host(url)}") from None
    except (requests.RequestException, HTTPError):
        # The body read straight from urllib3: a connection broken off, a bad chunk or
        # compression. One plain line, not the library's class name.
        raise FetchError(f"{_host(url)} broke off while sending the feed") from None


# --- the registry ---


@dataclass(frozen=True)
class FeedState:
    """What the last syncs of one feed found. Times are ISO 8601 UTC strings."""

    status: str = "new"  # "new" (never synced), "ok" or "failing"
    checked: str | None = None  # the last attempt
    synced: str | None = None  # the last success
    reason: str | None = None  # why it is failing (one line)
    failing_since: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    digest: str | None = None  # sha256 of the last body imported: same body, no parse
    meetings: int = 0  # meetings the feed had at its last success
    summary: str | None = None  # the last success's one-line report


@dataclass(frozen=True)
class Feed:
    url: str
    timezone: str | None
    state: FeedState


@dataclass(frozen=True)
class SyncOutcome:
    url: str
    ok: bool
    message: str  # one line: what changed, "unchanged (304)", or why it failed
    transition: str | None = None  # "failing" when it starts failing, "recovered" when back
    state: FeedState | None = None


def url_id(url: str) -> str:
    """A feed's stable id for Redis keys: the first 24 hex digits of SHA-256 of its URL."""
    return hashlib.sha256(url.encode()).hexdigest()[:24]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def check_url(url: str) -> str:
    """A feed URL as registered: http(s) with a host. Raises DirectoryError (one line)."""
    cleaned = url.strip()
    parts = urlsplit(cleaned)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DirectoryError(f"feed URL must start with http:// or https://, got {url!r}")
    return cleaned


def add_feed(client: redis.Redis, url: str, timezone: str | None, now: datetime) -> bool:
    """Register a feed (or change its --timezone); True if it is new."""
    url = check_url(url)
    if timezone is not None and not is_timezone(timezone.strip()):
        raise DirectoryError(
            f"unknown timezone {timezone!r}: use an IANA name like America/New_York"
        )
    record = {"timezone": timezone.strip() if timezone else None, "added": now.isoformat()}
    return bool(client.hset(keys.FEEDS, url, json.dumps(record)))


def remove_feed(client: redis.Redis, url: str) -> bool:
    """Forget a feed (its meetings stay, now owned by nobody's sync); True if it existed."""
    pipe = client.pipeline(transaction=True)
    pipe.hdel(keys.FEEDS, url)
    pipe.hdel(keys.FEED_STATE, url)
    return bool(pipe.execute()[0])


def _state_from(raw: bytes | str | None) -> FeedState:
    return FeedState(**json.loads(_text(raw))) if raw else FeedState()


def feeds(client: redis.Redis) -> list[Feed]:
    """Every registered feed with its state, by URL."""
    pipe = client.pipeline(transaction=True)
    pipe.hgetall(keys.FEEDS)
    pipe.hgetall(keys.FEED_STATE)
    registered, states = pipe.execute()
    found = []
    for raw_url, raw in registered.items():
        url = _text(raw_url)
        found.append(
            Feed(url, json.loads(_text(raw)).get("timezone"), _state_from(states.get(raw_url)))
        )
    return sorted(found, key=lambda f: f.url)


def describe(feed: Feed) -> str:
    """One line of `feed list`: URL, outcome, last sync, and the reason of a failure."""
    s = feed.state
    zone = f" [{feed.timezone}]" if feed.timezone else ""
    if s.status == "new":
        return f"{feed.url}{zone}\tnot synced yet"
    if s.status == "ok":
        return (
            f"{feed.url}{zone}\tok, {s.meetings} meetings, checked {s.checked}, "
            f"last change {s.synced}"
        )
    return (
        f"{feed.url}{zone}\tFAILING since {s.failing_since} (checked {s.checked}): {s.reason}; "
        f"keeping the {s.meetings} meetings of {s.synced or 'no good sync'}"
    )


def due(client: redis.Redis, now: datetime, interval_minutes: int) -> list[str]:
    """Feeds whose last check is at least `interval_minutes` old (or that never synced)."""
    found = []
    for feed in feeds(client):
        checked = feed.state.checked
        if checked is None or (now - datetime.fromisoformat(checked)).total_seconds() >= (
            interval_minutes * 60 - 1  # a tick a second early still counts
        ):
            found.append(feed.url)
    return found


# --- one sync ---


def _save(client: redis.Redis, url: str, state: FeedState) -> None:
    # Only while the feed is registered: a sync racing `feed remove` leaves no state behind.
    if client.hexists(keys.FEEDS, url):
        client.hset(keys.FEED_STATE, url, json.dumps(asdict(state)))


def sync_feed(client: redis.Redis, url: str, now: datetime) -> SyncOutcome:
    """Fetch and import one registered feed; a failure changes nothing but the feed's state.

    Unchanged feeds cost one conditional request (304), or, from servers without
    validators, one body compared by digest; neither parses anything.
    """
    raw = client.hget(keys.FEEDS, url)
    if raw is None:
        return SyncOutcome(url, False, f"{url} is not a registered feed (see `feed list`)")
    timezone = json.loads(_text(raw)).get("timezone")
    lock = keys.feed_lock(url_id(url))
    if not client.set(lock, now.isoformat(), nx=True, ex=LOCK_SECONDS):
        return SyncOutcome(url, True, "a sync of this feed is already running")
    try:
        old = _state_from(client.hget(keys.FEED_STATE, url))
        stamp = now.isoformat()
        try:
            message, state = _attempt(client, url, timezone, old, stamp)
        except (FetchError, FeedError, DirectoryError) as exc:
            reason = _reason(exc)
            state = replace(
                old,
                status="failing",
                checked=stamp,
                reason=reason,
                failing_since=old.failing_since if old.status == "failing" else stamp,
            )
            _save(client, url, state)
            transition = "failing" if old.status != "failing" else None
            # A refusal may already say so itself (an empty feed's prune): say it once.
            unchanged = "" if reason.endswith("nothing was changed") else "; nothing was changed"
            return SyncOutcome(url, False, f"failed: {reason}{unchanged}", transition, state)
        _save(client, url, state)
        transition = "recovered" if old.status == "failing" else None
        return SyncOutcome(url, True, message, transition, state)
    finally:
        client.delete(lock)


def _reason(exc: Exception) -> str:
    if isinstance(exc, FeedError):
        first = exc.reasons[0] if exc.reasons else ""
        more = f" (and {len(exc.reasons) - 1} more)" if len(exc.reasons) > 1 else ""
        return f"{exc}: {first}{more}"
    return str(exc)


def _attempt(
    client: redis.Redis, url: str, timezone: str | None, old: FeedState, stamp: str
) -> tuple[str, FeedState]:
    """One fetch and import; the message and the new state. Raises on any failure."""
    fetched = fetch(url, etag=old.etag, last_modified=old.last_modified)
    ok = replace(old, status="ok", checked=stamp, reason=None, failing_since=None)
    if fetched.text is None:
        return "unchanged (304 Not Modified)", ok
    digest = hashlib.sha256(fetched.text.encode()).hexdigest()
    validators = {"etag": fetched.etag, "last_modified": fetched.last_modified}
    if digest == old.digest and old.status != "new":
        return "unchanged (same content)", replace(ok, **validators)
    # Pruned to the feed's own meetings; a feed suddenly empty is refused by import_feed.
    summary = DirectoryStore(client).import_feed(
        fetched.text, prune=True, timezone=timezone, source=url
    )
    count = len(summary.added) + len(summary.updated) + len(summary.unchanged)
    if count == 0:
        # An empty feed from a source that never had meetings: nothing to keep, but say so.
        raise DirectoryError("the feed has no meetings")
    line = summary.describe()
    return line, replace(
        ok, synced=stamp, digest=digest, meetings=count, summary=line, **validators
    )
