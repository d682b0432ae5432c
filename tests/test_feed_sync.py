"""Feeds kept in sync, against a local HTTP server that changes, answers 304, fails and
recovers; a real Redis; coordinators' texts through the real outbound path to the fake API."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import redis
from click.testing import CliRunner, Result

from hrw_sms.cli import main
from hrw_sms.jobs import queues
from hrw_sms.meetings import feedsync
from hrw_sms.meetings.directory import DirectoryStore
from hrw_sms.store import coordinators
from tests.fake_twilio import FakeTwilio
from tests.feed_server import FeedServer
from tests.feeds import MEETINGS, feed_text
from tests.worker_world import Clock, World

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # Tuesday 9 AM in New York
COORDINATOR = "+14135550177"


def own(meetings: list[dict], prefix: str) -> list[dict]:
    """The test meetings under other slugs (another group's feed)."""
    copied = copy.deepcopy(meetings)
    for m in copied:
        m["slug"] = f"{prefix}-{m['slug']}"
    return copied


def snapshot(r: redis.Redis) -> dict:
    """Every directory key and value (the feed state keys are allowed to change)."""
    found = {}
    for key in sorted(r.keys("hrw:dir:*")):
        found[key] = r.dump(key)
    return found


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer(feed_text()) as s:
        yield s


@pytest.fixture
def run(redis_url: str):
    runner = CliRunner()

    def invoke(*args: str, stdin: str | None = None) -> Result:
        return runner.invoke(main, list(args), input=stdin, env={"REDIS_URL": redis_url})

    return invoke


def sync(r: redis.Redis, url: str, minutes: int = 0) -> feedsync.SyncOutcome:
    return feedsync.sync_feed(r, url, NOW + timedelta(minutes=minutes))


# --- conditional requests and ownership ---


def test_first_sync_imports_then_an_unchanged_feed_costs_one_304(
    r: redis.Redis, server: FeedServer
) -> None:
    feedsync.add_feed(r, server.url, None, NOW)
    first = sync(r, server.url)
    assert first.ok and first.message.startswith("meetings: 4 added"), first.message
    store = DirectoryStore(r)
    assert {m.source for m in store.load().meetings.values()} == {server.url}
    version = store.version()
    second = sync(r, server.url, 15)
    assert second.ok and second.message == "unchanged (304 Not Modified)"
    assert server.statuses() == [200, 304]
    assert server.requests[1]["if_none_match"] and server.requests[1]["if_modified_since"]
    assert store.version() == version


def test_a_server_without_validators_costs_one_body_and_no_change(
    r: redis.Redis,
) -> None:
    with FeedServer(feed_text(), validators=False) as plain:
        feedsync.add_feed(r, plain.url, None, NOW)
        sync(r, plain.url)
        version = DirectoryStore(r).version()
        outcome = sync(r, plain.url, 15)
        assert outcome.message == "unchanged (same content)"
        assert DirectoryStore(r).version() == version


def test_a_sync_adds_updates_and_removes_only_its_own_meetings(
    r: redis.Redis, server: FeedServer
) -> None:
    store = DirectoryStore(r)
    hand = own(MEETINGS[:1], "hand")
    store.import_feed(feed_text(hand))  # from the CLI
    with FeedServer(feed_text(own(MEETINGS, "other"))) as other:
        for url in (server.url, other.url):
            feedsync.add_feed(r, url, None, NOW)
            assert sync(r, url).ok
        changed = copy.deepcopy(MEETINGS[1:])  # the first meeting leaves the feed
        changed[0]["time"] = "20:00"
        server.publish(feed_text(changed))
        outcome = sync(r, server.url, 15)
        assert outcome.message.startswith("meetings: 0 added, 1 updated, 2 unchanged, 1 removed")
        meetings = store.load().meetings
        assert "forbes-tuesday" not in meetings
        assert meetings["holyoke-focused"].time.hour == 20
        assert "hand-forbes-tuesday" in meetings and meetings["hand-forbes-tuesday"].source is None
        assert sum(1 for m in meetings.values() if m.source == other.url) == 4


def test_a_feed_cannot_take_over_another_sources_meetings(
    r: redis.Redis, server: FeedServer
) -> None:
    DirectoryStore(r).import_feed(feed_text())  # the same slugs, from the CLI
    feedsync.add_feed(r, server.url, None, NOW)
    before = snapshot(r)
    outcome = sync(r, server.url)
    assert not outcome.ok
    assert "already comes from the CLI import" in outcome.message
    assert snapshot(r) == before


def test_a_taken_slug_is_reported_with_the_feeds_other_problems(r: redis.Redis) -> None:
    from hrw_sms.meetings.feed import FeedError

    store = DirectoryStore(r)
    store.import_feed(feed_text())  # the CLI owns these slugs
    before = snapshot(r)
    taken = {"slug": "forbes-tuesday", "name": "Taken", "day": 2, "time": "18:00",
             "timezone": "America/New_York"}  # fmt: skip
    zoneless = {"slug": "zoneless", "name": "No Zone", "day": 3, "time": "19:00"}
    with pytest.raises(FeedError) as info:
        store.import_feed(json.dumps([taken, zoneless]), source="https://example.org/f.json")
    reasons = info.value.reasons
    assert len(reasons) == 2, reasons
    assert 'meeting "forbes-tuesday": already comes from the CLI import' in reasons[0]
    assert 'meeting "zoneless": no time zone' in reasons[1]
    assert snapshot(r) == before


# --- failures change nothing ---


def broken_record() -> str:
    bad = copy.deepcopy(MEETINGS)
    bad[2]["time"] = "25:00"
    return feed_text(bad)


@pytest.mark.parametrize(
    ("breakage", "reason"),
    [
        ("500", "answered HTTP 500"),
        ("drop", "closed the connection before answering"),
        ("invalid json", "not valid JSON"),
        ("bad record", "'time' must be HH:MM, got '25:00'"),
        ("empty", "the feed has no meetings: pruning would remove all 4"),
        ("too big", "the feed is larger than"),
    ],
)
def test_a_failed_sync_changes_nothing_and_says_why(
    r: redis.Redis, server: FeedServer, run, breakage: str, reason: str
) -> None:
    feedsync.add_feed(r, server.url, None, NOW)
    assert sync(r, server.url).ok
    before = snapshot(r)
    if breakage in ("500", "drop"):
        server.mode = breakage
    elif breakage == "invalid json":
        server.publish(feed_text()[:-40])
    elif breakage == "bad record":
        server.publish(broken_record())
    elif breakage == "empty":
        server.publish("[]")
    else:
        server.publish(json.dumps(MEETINGS * 1) + " " * (feedsync.MAX_FEED_BYTES + 1))
    outcome = sync(r, server.url, 15)
    assert not outcome.ok and reason in outcome.message, outcome.message
    assert outcome.message.count("nothing was changed") == 1, outcome.message
    assert snapshot(r) == before
    listed = run("feed", "list")
    assert listed.exit_code == 0
    line = listed.stdout.strip()
    assert "FAILING since 2026-11-24T14:15:00+00:00" in line and reason in line
    assert "keeping the 4 meetings" in line


def test_a_feed_that_does_not_answer_in_time_fails_with_one_line(server: FeedServer) -> None:
    server.mode = "slow"
    with pytest.raises(feedsync.FetchError) as info:
        feedsync.fetch(server.url, timeout=(1.0, 0.5))
    assert (
        str(info.value) == f"127.0.0.1:{server.httpd.server_port} did not answer within 0.5 seconds"
    )


def test_failing_then_failing_again_then_recovering_tells_once_each(
    r: redis.Redis, server: FeedServer
) -> None:
    feedsync.add_feed(r, server.url, None, NOW)
    assert sync(r, server.url).transition is None
    server.mode = "500"
    assert sync(r, server.url, 15).transition == "failing"
    assert sync(r, server.url, 30).transition is None
    server.mode = "ok"
    recovered = sync(r, server.url, 45)
    assert recovered.ok and recovered.transition == "recovered"
    (feed,) = feedsync.feeds(r)
    assert feed.state.status == "ok" and feed.state.reason is None


@contextmanager
def world(redis_url: str) -> Iterator[World]:
    clock = Clock(NOW)
    with FakeTwilio(clock=clock) as fake:
        yield World(redis_url, fake, clock, HRW_QUIET_HOURS="off")


def test_coordinators_get_one_text_when_it_fails_and_one_when_it_recovers(
    redis_url: str, server: FeedServer
) -> None:
    with world(redis_url) as w:
        feedsync.add_feed(w.redis, server.url, None, NOW)
        assert w.cli("feed", "sync").exit_code == 0
        services = w.app.extensions["hrw"]
        coordinators.add(w.redis, services.number_id(COORDINATOR), COORDINATOR, "hrw-northampton")
        server.mode = "500"
        for minutes in (15, 30, 45):
            w.clock.set(NOW + timedelta(minutes=minutes))
            result = w.cli("feed", "sync")
            assert result.exit_code == 1 and "answered HTTP 500" in result.stderr
            w.work()
        (failing,) = w.texts_to(COORDINATOR)
        assert failing.startswith("Harm Reduction Works-HRW: heads up")
        # host and path: two feeds on one site are told apart
        host = server.url.split("/")[2]
        assert f"at {host}/meetings.json stopped updating" in failing
        assert "answered HTTP 500" in failing
        server.mode = "ok"
        w.clock.set(NOW + timedelta(minutes=60))
        assert w.cli("feed", "sync").exit_code == 0
        w.work()
        assert len(w.texts_to(COORDINATOR)) == 2
        recovered = w.texts_to(COORDINATOR)[1]
        assert "127.0.0.1" in recovered and "/meetings.json is updating again" in recovered
        assert recovered.startswith("Harm Reduction Works-HRW: good news")


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("https://www.aa-west.org/feeds/tsml.json?key=secret", "aa-west.org/feeds/tsml.json"),
        ("https://aa-west.org/feeds/spanish.json", "aa-west.org/feeds/spanish.json"),
        (
            "https://meetings.example-intergroup-area.org/a/long/path/to/feed.json",
            "meetings.example-intergroup-area.org/…/feed.json",
        ),
    ],
)
def test_feed_label_names_host_and_path_within_the_limit(url: str, label: str) -> None:
    assert feedsync.feed_label(url, 48) == label


# --- changes reach reminders ---


def test_a_time_changed_by_the_feed_moves_the_reminder(redis_url: str, server: FeedServer) -> None:
    with world(redis_url) as w:
        feedsync.add_feed(w.redis, server.url, None, NOW)
        assert feedsync.sync_feed(w.redis, server.url, w.clock()).ok
        phone = w.phone("+14135550101")
        phone.text("MEETINGS TODAY")
        assert "Tuesday Night at the Library" in phone.text("REMIND 2")
        moved = copy.deepcopy(MEETINGS)
        moved[0]["time"] = "19:00"  # 6 PM -> 7 PM, same day
        server.publish(feed_text(moved))
        w.clock.set(datetime.fromisoformat("2026-11-24T16:30:00-05:00"))
        assert feedsync.sync_feed(w.redis, server.url, w.clock()).ok
        w.clock.set(datetime.fromisoformat("2026-11-24T17:00:00-05:00"))
        w.work()
        assert w.texts_to("+14135550101") == []  # nothing for the old 6 PM
        # The minute tick plans the new time.
        queues.queue(w.redis, queues.REPLIES).enqueue("workers.periodic.tick")
        w.work()
        w.clock.set(datetime.fromisoformat("2026-11-24T18:00:00-05:00"))
        w.work()
        (text,) = w.texts_to("+14135550101")
        assert "Tuesday Night at the Library, today 7pm EST" in text


def test_a_meeting_gone_from_its_feed_sends_no_reminder(redis_url: str, server: FeedServer) -> None:
    with world(redis_url) as w:
        feedsync.add_feed(w.redis, server.url, None, NOW)
        assert feedsync.sync_feed(w.redis, server.url, w.clock()).ok
        phone = w.phone("+14135550101")
        phone.text("MEETINGS TODAY")
        phone.text("REMIND 2")
        server.publish(feed_text(MEETINGS[1:]))
        assert feedsync.sync_feed(w.redis, server.url, w.clock()).ok
        w.clock.set(datetime.fromisoformat("2026-11-24T17:00:00-05:00"))
        w.work()
        assert w.texts_to("+14135550101") == []


# --- the CLI ---


def test_feed_add_list_remove(run, server: FeedServer) -> None:
    assert run("feed", "list").stderr.startswith("no feeds yet")
    added = run("feed", "add", server.url, "--timezone", "America/New_York")
    assert added.exit_code == 0 and added.stdout.startswith(f"added {server.url}")
    assert "not synced yet" in run("feed", "list").stdout
    synced = run("feed", "sync")
    assert synced.exit_code == 0 and "4 added" in synced.stdout
    listed = run("feed", "list").stdout
    assert f"{server.url} [America/New_York]\tok, 4 meetings" in listed
    removed = run("feed", "remove", server.url)
    assert removed.exit_code == 0
    assert removed.stdout.strip().endswith("its 4 meetings kept (now managed by `hrw-sms import`)")
    assert run("feed", "list").stderr.startswith("no feeds yet")
    again = run("feed", "remove", server.url)
    assert again.exit_code == 1 and "is not a registered feed" in again.stderr
    # Handed to the CLI: an import can now update and prune them.
    pruned = run("import", "-", "--prune", stdin=feed_text(MEETINGS[:1]))
    assert pruned.exit_code == 0 and "1 unchanged, 3 removed" in pruned.stdout


def test_feed_remove_can_drop_its_meetings(run, r: redis.Redis, server: FeedServer) -> None:
    run("import", "-", stdin=feed_text(own(MEETINGS[:1], "hand")))
    run("feed", "add", server.url)
    run("feed", "sync")
    dropped = run("feed", "remove", server.url, "--drop-meetings")
    assert dropped.exit_code == 0 and dropped.stdout.strip().endswith("its 4 meetings removed")
    assert list(DirectoryStore(r).load().meetings) == ["hand-forbes-tuesday"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["feed", "add", "ftp://example.org/x.json"], "feed URL must start with http"),
        (["feed", "add", "https://example.org/x.json", "--timezone", "Mars/X"], "unknown timezone"),
    ],
)
def test_feed_add_refuses_with_one_line(run, r: redis.Redis, args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 1 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert r.keys("*") == []


def test_the_tick_queues_each_due_feed_once_per_interval(
    r: redis.Redis, server: FeedServer
) -> None:
    from workers.feeds import queue_due

    feedsync.add_feed(r, server.url, None, NOW)
    assert queue_due(r, NOW, 15) == 1
    assert queue_due(r, NOW + timedelta(minutes=1), 15) == 0  # still queued: not twice
    sync(r, server.url)
    r.delete("rq:queue:hrw-bulk")
    assert queue_due(r, NOW + timedelta(minutes=14), 15) == 0  # checked 14 minutes ago
    assert queue_due(r, NOW + timedelta(minutes=15), 15) == 1


# --- issue 9, item 11 ---


def test_import_of_an_unreachable_url_fails_with_one_plain_line(run) -> None:
    result = run("import", "http://127.0.0.1:9/feed.json")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: cannot fetch http://127.0.0.1:9/feed.json: cannot connect to 127.0.0.1:9; "
        "nothing was changed\n"
    )


def test_import_of_a_url_answering_an_error_fails_with_one_line(run, server: FeedServer) -> None:
    server.mode = "500"
    result = run("import", server.url)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: cannot fetch {server.url}: 127.0.0.1:{server.httpd.server_port} answered "
        "HTTP 500 Internal Server Error; nothing was changed"
    ]


def test_prune_that_would_empty_the_directory_is_refused(run, r: redis.Redis) -> None:
    assert run("import", "-", stdin=feed_text()).exit_code == 0
    before = snapshot(r)
    for empty in ("[]", '{"meetings": []}'):
        result = run("import", "-", "--prune", stdin=empty)
        assert result.exit_code == 1
        assert result.stderr == (
            "Error: import -: the feed has no meetings: pruning would remove all 4; "
            "nothing was changed\n"
        )
        assert snapshot(r) == before


# --- a feed with nothing to list, a trickling server, a path or scheme that cannot be read ---


def unlistable(meetings: list[dict]) -> list[dict]:
    """The same records, kept "by appointment" (no day and time) or marked inactive."""
    changed = copy.deepcopy(meetings)
    for i, m in enumerate(changed):
        if i % 2:
            m["attendance_option"] = "inactive"
        else:
            del m["day"], m["time"]
    return changed


def test_prune_that_would_leave_nothing_to_list_is_refused(run, r: redis.Redis) -> None:
    assert run("import", "-", stdin=feed_text()).exit_code == 0
    before = snapshot(r)
    result = run("import", "-", "--prune", stdin=feed_text(unlistable(MEETINGS)))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "no meeting that can be listed" in result.stderr
    assert "nothing was changed" in result.stderr
    assert snapshot(r) == before
    # Some still listable: the import goes ahead.
    mixed = unlistable(MEETINGS)[:2] + MEETINGS[2:]
    assert run("import", "-", "--prune", stdin=feed_text(mixed)).exit_code == 0


def test_a_feed_that_suddenly_has_nothing_to_list_is_a_failed_sync(
    r: redis.Redis, server: FeedServer
) -> None:
    feedsync.add_feed(r, server.url, None, NOW)
    assert sync(r, server.url).ok
    before = snapshot(r)
    server.publish(feed_text(unlistable(MEETINGS)))
    outcome = sync(r, server.url, 15)
    assert not outcome.ok and outcome.transition == "failing"
    assert "no meeting that can be listed" in outcome.message
    assert snapshot(r) == before


def test_a_trickling_feed_is_given_up_at_the_deadline(
    r: redis.Redis, server: FeedServer, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    server.mode = "trickle"  # a byte every 0.2 s: about 10 minutes for the whole feed
    monkeypatch.setattr(feedsync, "FETCH_DEADLINE", 1.0)
    started = time.monotonic()
    result = run("import", server.url)
    assert time.monotonic() - started < 30  # not the minutes the trickle would take
    assert result.exit_code == 1
    host = f"127.0.0.1:{server.httpd.server_port}"
    assert result.stderr == (
        f"Error: cannot fetch {server.url}: {host} sent the feed too slowly (not all of it "
        "within 1 seconds); nothing was changed\n"
    )
    feedsync.add_feed(r, server.url, None, NOW)  # the worker's sync gives up the same way
    outcome = sync(r, server.url)
    assert not outcome.ok and "sent the feed too slowly" in outcome.message


def test_a_scheme_or_path_that_cannot_be_read_is_one_plain_line(run, tmp_path) -> None:
    result = run("import", "ftp://example.org/f.json")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: cannot fetch ftp://example.org/f.json: only http:// and https:// feeds can be "
        "fetched, not ftp://; nothing was changed\n"
    )
    missing = tmp_path / "feed.json"
    result = run("import", str(missing))
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot read {missing}: no such file\n"
    result = run("import", str(tmp_path))
    assert result.stderr == f"Error: cannot read {tmp_path}: it is a folder, not a file\n"
