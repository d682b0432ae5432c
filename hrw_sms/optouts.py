"""The opt-out list: keyed hashes of numbers that said STOP (or that the carrier reports so)."""

from __future__ import annotations

import redis

from hrw_sms import keys


def is_opted_out(client: redis.Redis, number_id: str) -> bool:
    return bool(client.sismember(keys.OPTED_OUT, number_id))


def ask_if_opted_out(pipe: redis.client.Pipeline, number_id: str) -> None:
    """Queue the is_opted_out question on a pipeline (its answer is truthy if opted out)."""
    pipe.sismember(keys.OPTED_OUT, number_id)


def opt_out(client: redis.Redis, number_id: str) -> None:
    client.sadd(keys.OPTED_OUT, number_id)


def opt_in(client: redis.Redis, number_id: str) -> None:
    client.srem(keys.OPTED_OUT, number_id)
