"""HRW_NUMBER_HASH_KEY lives outside Redis (issue 9, item 3): required beside
TWILIO_AUTH_TOKEN, never written to Redis when set, refused when it disagrees with a key an
older version left there, and `hrw-sms hash-key move` takes such a key out without losing
the opt-outs it protects. Real config loading, the real CLI through click's CliRunner."""

from __future__ import annotations

import pytest
import redis
from click.testing import CliRunner, Result

from hrw_sms.app import create_app
from hrw_sms.base.config import ConfigError, Settings
from hrw_sms.cli import main
from hrw_sms.store import keys, optouts
from hrw_sms.store.identity import hash_key, number_id
from tests.conftest import PUBLIC_URL, TOKEN
from tests.webhook import Phone

PERSON = "+14135550177"
KEY = "a-key-kept-in-the-environment-0123456789"


def run(redis_url: str, *args: str, input: str | None = None, **extra: str) -> Result:
    environ = {"REDIS_URL": redis_url, "TWILIO_AUTH_TOKEN": TOKEN, **extra}
    return CliRunner().invoke(main, list(args), env=environ, input=input)


def app_env(redis_url: str, **extra: str) -> dict[str, str]:
    return {"REDIS_URL": redis_url, "TWILIO_AUTH_TOKEN": TOKEN, "HRW_PUBLIC_URL": PUBLIC_URL,
            **extra}  # fmt: skip


def only_line(exc: ConfigError) -> str:
    message = str(exc.code)
    assert "\n" not in message
    return message


def test_a_token_without_the_key_stops_start_up_with_one_line(redis_url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"TWILIO_AUTH_TOKEN": TOKEN})
    assert caught.value.variable == "HRW_NUMBER_HASH_KEY"
    assert "HRW_NUMBER_HASH_KEY must be set when TWILIO_AUTH_TOKEN is set" in only_line(
        caught.value
    )
    with pytest.raises(ConfigError, match="HRW_NUMBER_HASH_KEY"):
        create_app(app_env(redis_url))
    with pytest.raises(ConfigError, match="at least 16 characters"):
        Settings.from_env({"TWILIO_AUTH_TOKEN": TOKEN, "HRW_NUMBER_HASH_KEY": "short"})
    # The worker and every other command say the same, in one line, changing nothing.
    for args in (["worker", "--burst"], ["coordinator", "list"]):
        result = run(redis_url, *args)
        assert result.exit_code != 0
        assert result.output.count("\n") == 1 and "HRW_NUMBER_HASH_KEY" in result.output
    assert redis.Redis.from_url(redis_url).dbsize() == 0
    # Without a token (a local set-up) it is optional, as it is for the demo.
    assert Settings.from_env({}).number_hash_key is None
    assert Settings.from_env({"TWILIO_AUTH_TOKEN": TOKEN}, hash_key_required=False)


def test_a_configured_key_is_never_written_to_redis(redis_url: str, r: redis.Redis) -> None:
    app = create_app(app_env(redis_url, HRW_NUMBER_HASH_KEY=KEY))
    phone = Phone(app.test_client(), PERSON, TOKEN, PUBLIC_URL)
    phone.text("MEETINGS")
    assert phone.text("STOP") == ""
    assert not r.exists(keys.HASH_KEY)
    for key in r.scan_iter():
        assert KEY.encode() not in key
        if r.type(key) == b"string":
            assert KEY.encode() not in (r.get(key) or b"")
    assert optouts.is_opted_out(r, number_id(KEY.encode(), PERSON))


def test_a_key_that_differs_from_the_one_left_in_redis_is_refused(
    redis_url: str, r: redis.Redis
) -> None:
    old = hash_key(r)  # what an older version made and kept
    with pytest.raises(ConfigError, match="differs from the key still kept in Redis"):
        create_app(app_env(redis_url, HRW_NUMBER_HASH_KEY=KEY))
    result = run(redis_url, "worker", "--burst", HRW_NUMBER_HASH_KEY=KEY)
    assert result.exit_code != 0 and "hash-key move" in result.output
    assert r.get(keys.HASH_KEY) == old  # nothing changed


def test_moving_the_key_out_keeps_every_opt_out(redis_url: str, r: redis.Redis) -> None:
    old = hash_key(r).decode()  # an older version's key, kept in Redis
    optouts.opt_out(r, number_id(old.encode(), PERSON))  # someone said STOP back then

    # Without the variable: shown once; nothing removed until the operator confirms.
    declined = run(redis_url, "hash-key", "move", input="n\n")
    assert declined.exit_code == 0, declined.output
    assert declined.output.count(old) == 1
    assert r.get(keys.HASH_KEY) == old.encode()
    confirmed = run(redis_url, "hash-key", "move", input="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert "Removed from Redis" in confirmed.output
    assert not r.exists(keys.HASH_KEY)

    # The operator set it: the same ids, so the STOP is still honoured.
    app = create_app(app_env(redis_url, HRW_NUMBER_HASH_KEY=old))
    assert Phone(app.test_client(), PERSON, TOKEN, PUBLIC_URL).text("MEETINGS") == ""
    assert not r.exists(keys.HASH_KEY)
    again = run(redis_url, "hash-key", "move", HRW_NUMBER_HASH_KEY=old)
    assert again.exit_code == 0 and "nothing to move" in again.output


def test_move_with_the_variable_already_set(redis_url: str, r: redis.Redis) -> None:
    old = hash_key(r).decode()
    wrong = run(redis_url, "hash-key", "move", HRW_NUMBER_HASH_KEY=KEY)
    assert wrong.exit_code == 1
    assert wrong.output.count("\n") == 1 and "differs" in wrong.output
    assert r.get(keys.HASH_KEY) == old.encode()  # nothing changed
    same = run(redis_url, "hash-key", "move", HRW_NUMBER_HASH_KEY=old)
    assert same.exit_code == 0, same.output
    assert old not in same.output  # never shown when the operator already has it
    assert not r.exists(keys.HASH_KEY)


def run_local(redis_url: str, *args: str, **extra: str) -> Result:
    """A command run by hand with neither TWILIO_AUTH_TOKEN nor HRW_NUMBER_HASH_KEY."""
    return CliRunner().invoke(main, list(args), env={"REDIS_URL": redis_url, **extra})


def test_a_command_without_the_key_never_makes_a_new_one_once_it_was_moved_out(
    redis_url: str, r: redis.Redis
) -> None:
    old = hash_key(r).decode()  # an older version's key, kept in Redis
    optouts.opt_out(r, number_id(old.encode(), PERSON))
    assert run(redis_url, "hash-key", "move", HRW_NUMBER_HASH_KEY=old).exit_code == 0
    assert not r.exists(keys.HASH_KEY) and r.exists(keys.HASH_KEY_CHECK)

    # An operator runs a command by hand, without the token or the key: refused, nothing made.
    for args in (["worker", "--burst"],):
        result = run_local(redis_url, *args)
        assert result.exit_code != 0, result.output
        assert "HRW_NUMBER_HASH_KEY must be set" in result.output
        assert not r.exists(keys.HASH_KEY)
    # So the real processes still start, with every opt-out found.
    app = create_app(app_env(redis_url, HRW_NUMBER_HASH_KEY=old))
    assert Phone(app.test_client(), PERSON, TOKEN, PUBLIC_URL).text("MEETINGS") == ""


def test_a_mistyped_key_is_refused_once_the_key_left_redis(redis_url: str, r: redis.Redis) -> None:
    app = create_app(app_env(redis_url, HRW_NUMBER_HASH_KEY=KEY))  # first use: fingerprint
    assert Phone(app.test_client(), PERSON, TOKEN, PUBLIC_URL).text("STOP") == ""
    assert r.exists(keys.HASH_KEY_CHECK) and not r.exists(keys.HASH_KEY)
    assert KEY.encode() not in (r.get(keys.HASH_KEY_CHECK) or b"")
    typo = KEY[:-1] + "X"
    with pytest.raises(ConfigError) as caught:
        create_app(app_env(redis_url, HRW_NUMBER_HASH_KEY=typo))
    assert "HRW_NUMBER_HASH_KEY" in only_line(caught.value)
    result = run(redis_url, "worker", "--burst", HRW_NUMBER_HASH_KEY=typo)
    assert result.exit_code != 0 and "HRW_NUMBER_HASH_KEY" in result.output
    assert result.output.strip().count("\n") == 0
    # A fresh, empty Redis without a token still makes and keeps its own key (local use).
    r.flushdb()
    made = hash_key(r)
    assert hash_key(r) == made and r.exists(keys.HASH_KEY_CHECK)
