"""The directory in a real Redis: imports, groups, cancellations, the cache."""

from __future__ import annotations

import json
from datetime import date

import pytest
import redis

from flows.model import Group, OccurrenceId
from hrw_sms.meetings.directory import MAX_TEXT, DirectoryError, DirectoryStore
from hrw_sms.meetings.feed import FeedError, example_feed
from hrw_sms.store import keys

NY = "America/New_York"


def meeting(slug: str, **fields: object) -> dict:
    return {"slug": slug, "name": slug.title(), "day": 1, "time": "19:00", "timezone": NY} | fields


def feed(*meetings: dict) -> str:
    return json.dumps(list(meetings), indent=2)


def snapshot(r: redis.Redis) -> dict[bytes, object]:
    """Every key and its value, to prove that nothing changed."""
    dump: dict[bytes, object] = {}
    for key in r.keys("*"):
        kind = r.type(key)
        if kind == b"hash":
            dump[key] = r.hgetall(key)
        elif kind == b"set":
            dump[key] = r.smembers(key)
        else:
            dump[key] = r.get(key)
    return dump


@pytest.fixture
def store(r: redis.Redis) -> DirectoryStore:
    return DirectoryStore(r)


def test_examples_import_cleanly(store: DirectoryStore) -> None:
    summary = store.import_feed(example_feed())
    assert len(summary.added) == 14 and not summary.updated
    directory = store.load()
    assert len(directory.meetings) == 14
    assert directory.groups["hrw-en-espanol"].name == "HRW en Español"
    assert directory.version == 1


def test_import_is_idempotent(store: DirectoryStore, r: redis.Redis) -> None:
    first = store.import_feed(example_feed())
    before = snapshot(r)
    second = store.import_feed(example_feed())
    assert first.changed and not second.changed
    assert second.unchanged == sorted(first.added)
    assert second.added == second.updated == second.groups_created == []
    assert snapshot(r) == before
    assert store.version() == 1


def test_update_and_summary(store: DirectoryStore) -> None:
    store.import_feed(feed(meeting("a"), meeting("b")))
    summary = store.import_feed(feed(meeting("a", time="20:00"), meeting("c", group="Owls")))
    assert (summary.added, summary.updated, summary.unchanged) == (["c"], ["a"], [])
    assert summary.removed == [] and summary.groups_created == ["owls"]
    assert summary.describe() == (
        "meetings: 1 added, 1 updated, 0 unchanged, 0 removed; new groups: owls"
    )
    assert set(store.load().meetings) == {"a", "b", "c"}  # b kept: no --prune
    assert store.version() == 2


def test_stored_shape(store: DirectoryStore, r: redis.Redis) -> None:
    store.import_feed(feed(meeting("a", time="07:05:00", day=[3, 1])))
    stored = json.loads(r.hget(keys.MEETINGS, "a"))
    assert stored["time"] == "07:05" and stored["days"] == [1, 3]


def test_malformed_feed_changes_nothing(store: DirectoryStore, r: redis.Redis) -> None:
    store.import_feed(example_feed())
    store.set_cancelled("example-amherst-sunday", date(2030, 1, 6), True)
    before = snapshot(r)
    bad = feed(meeting("new-one"), meeting("example-amherst-sunday", time="25:00"))
    with pytest.raises(FeedError) as info:
        store.import_feed(bad, prune=True)
    assert info.value.reasons == [
        "line 9: meeting \"example-amherst-sunday\": 'time' must be HH:MM, got '25:00'"
    ]
    with pytest.raises(FeedError):
        store.import_feed("[{", prune=True)
    assert snapshot(r) == before


def test_prune_removes_missing_meetings_and_their_cancellations(store: DirectoryStore) -> None:
    store.import_feed(feed(meeting("a"), meeting("b"), meeting("ab")))
    store.set_cancelled("a", date(2030, 1, 7), True)
    store.set_cancelled("ab", date(2030, 1, 7), True)
    kept = store.import_feed(feed(meeting("ab")))
    assert kept.removed == [] and set(store.load().meetings) == {"a", "b", "ab"}
    summary = store.import_feed(feed(meeting("ab")), prune=True)
    assert summary.removed == ["a", "b"]
    directory = store.load()
    assert set(directory.meetings) == {"ab"}
    assert directory.cancelled == {OccurrenceId("ab", date(2030, 1, 7))}


def test_dry_run_changes_nothing(store: DirectoryStore, r: redis.Redis) -> None:
    store.import_feed(feed(meeting("a")))
    before = snapshot(r)
    summary = store.import_feed(feed(meeting("b")), prune=True, dry_run=True)
    assert (summary.added, summary.removed, summary.dry_run) == (["b"], ["a"], True)
    assert "dry run" in summary.describe()
    assert snapshot(r) == before


def test_export_round_trip(store: DirectoryStore) -> None:
    store.import_feed(example_feed())
    store.set_group("hrw-en-espanol", name="HRW en Español del Valle")  # renamed, same slug
    version = store.version()
    exported = store.export_feed()
    assert [e["slug"] for e in exported] == sorted(e["slug"] for e in exported)
    summary = store.import_feed(json.dumps(exported, ensure_ascii=False), prune=True)
    assert not summary.changed and store.version() == version
    assert store.export_feed() == exported


def test_cache_is_one_get_and_invalidates_on_version_change(
    store: DirectoryStore, r: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.import_feed(feed(meeting("a")))
    first = store.load()
    assert DirectoryStore(r).load() is first  # shared by stores on one client
    calls: list[str] = []
    real = r.execute_command
    monkeypatch.setattr(r, "execute_command", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    assert store.load() is first
    assert calls == ["GET"]
    monkeypatch.undo()
    other = DirectoryStore(redis.Redis(connection_pool=r.connection_pool))
    other.import_feed(feed(meeting("a"), meeting("b")))
    second = store.load()
    assert second is not first and set(second.meetings) == {"a", "b"}
    assert second.version == first.version + 1


def test_cache_follows_changes_from_another_process(store: DirectoryStore, redis_url: str) -> None:
    store.import_feed(feed(meeting("a")))
    assert set(store.load().meetings) == {"a"}
    elsewhere = DirectoryStore(redis.Redis.from_url(redis_url))
    elsewhere.import_feed(feed(meeting("b")))
    assert set(store.load().meetings) == {"a", "b"}


def test_set_group_creates_and_updates(store: DirectoryStore) -> None:
    created = store.set_group("owls", timezone=NY)
    assert created == Group("owls", "owls", NY)
    updated = store.set_group(
        "owls", name="Night Owls", kind="focused", language="es", welcome=" Hola.\r\n "
    )
    assert updated == Group("owls", "Night Owls", NY, "focused", "es", welcome="Hola.")
    version = store.version()
    assert store.set_group("owls", name="Night Owls") == updated
    assert store.version() == version  # nothing changed, nothing bumped
    assert store.groups() == [updated]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"slug": "new"}, "group 'new' is new: give it a --timezone"),
        ({"slug": "Bad Slug", "timezone": NY}, "must be lowercase letters"),
        ({"slug": "x", "timezone": "Mars/Olympus"}, "unknown timezone 'Mars/Olympus'"),
        ({"slug": "x", "timezone": NY, "kind": "closed"}, "kind must be open or focused"),
        ({"slug": "x", "timezone": NY, "language": "fr"}, "language must be en or es"),
        ({"slug": "x", "timezone": NY, "welcome": "  "}, "welcome text is empty"),
        (
            {"slug": "x", "timezone": NY, "agreements": "a" * (MAX_TEXT + 1)},
            f"agreements text is {MAX_TEXT + 1} characters; at most {MAX_TEXT}",
        ),
    ],
)
def test_set_group_refuses(store: DirectoryStore, r: redis.Redis, args: dict, message: str) -> None:
    with pytest.raises(DirectoryError, match=message.replace("(", r"\(")):
        store.set_group(**args)
    assert snapshot(r) == {}


def test_set_cancelled(store: DirectoryStore) -> None:
    store.import_feed(feed(meeting("a")))
    day = date(2030, 1, 7)
    assert store.set_cancelled("a", day, True) is True
    assert store.set_cancelled("a", day, True) is False
    assert store.load().cancelled == {OccurrenceId("a", day)}
    assert store.set_cancelled("a", day, False) is True
    assert store.load().cancelled == frozenset()
    with pytest.raises(DirectoryError, match="no meeting"):
        store.set_cancelled("nope", day, True)


def test_import_links_existing_group_without_overwriting(store: DirectoryStore) -> None:
    store.set_group("owls", name="Owls", timezone="America/Los_Angeles", welcome="Hi.")
    text = feed(
        {k: v for k, v in meeting("a", group="Owls", types=["C"]).items() if k != "timezone"}
    )
    summary = store.import_feed(text)
    assert summary.groups_created == []
    directory = store.load()
    assert directory.groups["owls"] == Group("owls", "Owls", "America/Los_Angeles", welcome="Hi.")
    assert directory.meetings["a"].timezone == "America/Los_Angeles"
