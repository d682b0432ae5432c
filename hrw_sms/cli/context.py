"""What every command needs: settings and a Redis, made on first use."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import datetime

import click
import redis

from hrw_sms.base.config import ConfigError, Settings
from hrw_sms.base.connection import redis_for
from hrw_sms.demo.embedded import embedded_store
from hrw_sms.handlers.services import system_clock


class CliContext:
    def __init__(self, ctx: click.Context, clock: Callable[[], datetime] = system_clock) -> None:
        self._ctx = ctx
        self.clock = clock
        self._settings: Settings | None = None
        self._redis: redis.Redis | None = None
        self.store_description = "Redis at REDIS_URL"
        # Only the demo and `hash-key move` may run without HRW_NUMBER_HASH_KEY beside a token.
        self.hash_key_required = True

    @property
    def settings(self) -> Settings:
        """Settings read from the environment once. Raises click.ClickException with the one-line
        configuration error."""
        if self._settings is None:
            try:
                self._settings = Settings.from_env(
                    os.environ, hash_key_required=self.hash_key_required
                )
            except ConfigError as exc:
                raise click.ClickException(str(exc.code).removeprefix("hrw-sms: ")) from None
        return self._settings

    def redis(self) -> redis.Redis:
        """The configured Redis, or the embedded store (started for this command if needed)."""
        if self._redis is None:
            if self.settings.redis_configured:
                self._redis = redis_for(self.settings, timeouts=False)
                if self.settings.redis_sentinels:
                    self.store_description = (
                        f"Redis master {self.settings.redis_sentinel_master!r} "
                        "found through REDIS_SENTINELS"
                    )
            else:
                store = self._ctx.with_resource(embedded_store())
                self.store_description = store.description
                if store.url is None:
                    click.echo(
                        "note: changes go to an in-process store and are lost on exit", err=True
                    )
                self._redis = store.client
            try:
                self._redis.ping()
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
                raise click.ClickException(f"cannot reach Redis: {exc}") from None
        return self._redis


def fail(message: str) -> None:
    """Exit non-zero with one line."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """ "1 subscriber", "4 subscribers", "1 meeting": a count with its noun agreeing."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
