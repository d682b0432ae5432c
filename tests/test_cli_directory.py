"""`hrw-sms import`, `export`, `group set` and `group list` against a real Redis."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner, Result

from hrw_sms.cli import main
from hrw_sms.meetings.directory import DirectoryStore
from hrw_sms.meetings.feed import example_feed

NY = "America/New_York"


@pytest.fixture
def run(redis_url: str):
    runner = CliRunner()

    def invoke(*args: str, stdin: str | None = None) -> Result:
        return runner.invoke(main, list(args), input=stdin, env={"REDIS_URL": redis_url})

    return invoke


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    path = tmp_path / "examples.json"
    path.write_text(example_feed(), encoding="utf-8")
    return path


def keys_and_values(r: redis.Redis) -> dict:
    return {key: r.dump(key) for key in r.keys("*")}


def line_of(text: str, index: int) -> int:
    """The line the index-th meeting's object starts on (its "{" opens a line of its own)."""
    opening = [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "{"]
    return opening[index]


def test_import_then_again_reports_unchanged(run, examples: Path) -> None:
    first = run("import", str(examples))
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("meetings: 14 added, 0 updated, 0 unchanged, 0 removed")
    assert "hrw-en-espanol" in first.stdout
    second = run("import", str(examples))
    assert second.exit_code == 0
    assert second.stdout.strip() == "meetings: 0 added, 0 updated, 14 unchanged, 0 removed"


def test_import_from_stdin_with_prune_and_dry_run(run, examples: Path) -> None:
    run("import", str(examples))
    one = json.dumps([json.loads(example_feed())[0]])
    dry = run("import", "-", "--prune", "--dry-run", stdin=one)
    assert dry.exit_code == 0
    assert "13 removed" in dry.stdout and "dry run" in dry.stdout
    done = run("import", "-", "--prune", stdin=one)
    assert "1 unchanged, 13 removed" in done.stdout
    assert len(json.loads(run("export").stdout)) == 1


def test_export_is_a_feed(run, examples: Path) -> None:
    run("import", str(examples))
    result = run("export")
    assert result.exit_code == 0
    exported = json.loads(result.stdout)
    assert len(exported) == 14
    assert '"group": "HRW en Español"' in result.stdout  # UTF-8, not \u escapes
    assert result.stdout.startswith('[\n  {\n    "slug"')  # indent=2


def test_bad_feed_lists_reasons_and_changes_nothing(
    run, examples: Path, tmp_path: Path, r: redis.Redis
) -> None:
    run("import", str(examples))
    before = keys_and_values(r)
    bad = tmp_path / "bad.json"
    feed = json.loads(example_feed())
    feed[1]["time"] = "25:00"
    feed[3]["day"] = 9
    text = json.dumps(feed, indent=2)
    bad.write_text(text, encoding="utf-8")
    result = run("import", str(bad), "--prune")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f'{bad}: line {line_of(text, 1)}: meeting "example-northampton-focused": '
        "'time' must be HH:MM, got '25:00'",
        f'{bad}: line {line_of(text, 3)}: meeting "example-holyoke-tuesday": '
        "'day' must be 0-6 (0 = Sunday) or a list of them, got 9",
        f"Error: {bad}: 2 problems in the feed; nothing was changed",
    ]
    assert keys_and_values(r) == before


def test_json_syntax_error(run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[\n  {"slug": "a" "name": "A"}\n]', encoding="utf-8")
    result = run("import", str(bad))
    assert result.exit_code == 1
    assert f"{bad}: line 2, column 16: not valid JSON" in result.stderr


def test_missing_file(run, tmp_path: Path) -> None:
    result = run("import", str(tmp_path / "nope.json"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot read {tmp_path / 'nope.json'}")
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreachable_url(run) -> None:
    result = run("import", "http://127.0.0.1:9/feed.json")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot fetch http://127.0.0.1:9/feed.json")


def test_group_set_and_list(run, tmp_path: Path) -> None:
    welcome = tmp_path / "welcome.txt"
    welcome.write_text("Welcome to Night Owls.\n", encoding="utf-8")
    created = run("group", "set", "night-owls", "--name", "Night Owls", "--timezone", NY)
    assert created.exit_code == 0, created.output
    assert created.stdout == "night-owls\tNight Owls\tAmerica/New_York, open, en\n"
    updated = run("group", "set", "night-owls", "--kind", "focused", "--welcome-file", str(welcome))
    assert updated.stdout == (
        "night-owls\tNight Owls\tAmerica/New_York, focused, en, own welcome\n"
    )
    run("group", "set", "a-group", "--timezone", "America/Los_Angeles", "--language", "es")
    listed = run("group", "list")
    assert listed.exit_code == 0
    assert listed.stdout.splitlines() == [
        "a-group\ta-group\tAmerica/Los_Angeles, open, es",
        "night-owls\tNight Owls\tAmerica/New_York, focused, en, own welcome",
    ]


def test_group_set_keeps_a_welcome_in_the_groups_other_language(
    run, tmp_path: Path, redis_url: str
) -> None:
    bienvenida = tmp_path / "bienvenida.txt"
    bienvenida.write_text("Bienvenida a Night Owls.\n", encoding="utf-8")
    run("group", "set", "night-owls", "--name", "Night Owls", "--timezone", NY)
    spanish = run("group", "set", "night-owls", "--text-language", "es",
                  "--welcome-file", str(bienvenida))  # fmt: skip
    assert spanish.exit_code == 0, spanish.output
    assert spanish.stdout == "night-owls\tNight Owls\tAmerica/New_York, open, en, in es: welcome\n"
    group = DirectoryStore(redis.Redis.from_url(redis_url)).load().groups["night-owls"]
    assert group.welcome is None and group.welcome_es == "Bienvenida a Night Owls."
    assert group.own_text("welcome", "es") == "Bienvenida a Night Owls."
    alone = run("group", "set", "night-owls", "--text-language", "es")
    assert alone.exit_code != 0 and "--text-language needs --welcome-file" in alone.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--timezone", "Mars/Olympus"],
            "Error: group set owls: unknown timezone 'Mars/Olympus': "
            "use an IANA name like America/New_York",
        ),
        ([], "Error: group set owls: group 'owls' is new: give it a --timezone"),
        (["--timezone", NY, "--kind", "closed"], "Error: Invalid value for '--kind'"),
    ],
)
def test_group_set_refuses(run, r: redis.Redis, args: list[str], message: str) -> None:
    result = run("group", "set", "owls", *args)
    assert result.exit_code != 0
    assert message in result.stderr
    assert r.keys("*") == []


def test_long_agreements_are_refused(run, tmp_path: Path, r: redis.Redis) -> None:
    long = tmp_path / "agreements.txt"
    long.write_text("Treat everyone with respect. " * 20, encoding="utf-8")
    result = run("group", "set", "owls", "--timezone", NY, "--agreements-file", str(long))
    assert result.exit_code == 1
    assert "agreements text is 579 characters; at most 400 fit in a text message" in (result.stderr)
    assert r.keys("*") == []


def test_empty_group_list(run) -> None:
    result = run("group", "list")
    assert result.exit_code == 0 and result.stdout == ""


@pytest.mark.parametrize(
    ("words", "how"),
    [("\U0001f600" * 100, "arrive empty"), ("\U0001f64f\U0001f64f\U0001f64f ok", "lose most")],
)
def test_group_texts_of_mostly_emoji_are_refused(
    run, tmp_path: Path, r: redis.Redis, words: str, how: str
) -> None:
    """SMS cannot carry emoji (flows.gsm.to_gsm drops them): such a text would go out blank
    or nearly, so it is refused, saying why, in either language, and nothing is saved."""
    run("group", "set", "owls", "--timezone", NY)
    before = keys_and_values(r)
    emoji = tmp_path / "agreements.txt"
    emoji.write_text(words, encoding="utf-8")
    for extra in ([], ["--text-language", "es"]):
        result = run("group", "set", "owls", *extra, "--agreements-file", str(emoji))
        assert result.exit_code == 1
        assert f"the agreements would {how}" in result.stderr
        assert "text messages cannot carry emoji" in result.stderr
        assert keys_and_values(r) == before
    kept = tmp_path / "welcome.txt"
    kept.write_text("Respeto \U0001f64f siempre.", encoding="utf-8")
    assert run("group", "set", "owls", "--welcome-file", str(kept)).exit_code == 0
