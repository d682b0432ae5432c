"""What jobs need in a worker process: built once, from the environment unless installed."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import redis
from twilio.rest import Client

from hrw_sms.base.config import ConfigError, Settings
from hrw_sms.base.connection import redis_for
from hrw_sms.handlers.services import Services, system_clock
from workers.outbound import Deps
from workers.wiring import build_services


@dataclass
class Runtime:
    settings: Settings
    redis: redis.Redis
    clock: Callable[[], datetime] = system_clock
    twilio: Client | None = None  # tests point one at their fake API
    sleep: Callable[[float], None] = time.sleep
    _services: Services | None = field(default=None, repr=False)
    _deps: Deps | None = field(default=None, repr=False)

    @property
    def services(self) -> Services:
        """The jobs' Services, built once by workers.wiring.build_services."""
        if self._services is None:
            self._services = build_services(self.settings, self.redis, self.clock)
        return self._services

    def deps(self) -> Deps:
        """The outbound path's dependencies, built once (see Deps.build for errors)."""
        if self._deps is None:
            self._deps = Deps.build(
                self.settings, self.redis, twilio=self.twilio, clock=self.clock, sleep=self.sleep
            )
        return self._deps


_installed: Runtime | None = None


def install(runtime: Runtime | None) -> None:
    """Use this runtime for jobs in this process (tests, the demo's in-process worker)."""
    global _installed
    _installed = runtime


def current() -> Runtime:
    """The runtime jobs in this process use: the installed one, else one built from the
    environment on first use. Raises ConfigError when REDIS_URL is not set."""
    global _installed
    if _installed is None:
        settings = Settings.from_env(os.environ)
        if not settings.redis_configured:
            raise ConfigError("REDIS_URL", "is not set")
        _installed = Runtime(settings, redis_for(settings, timeouts=False))
    return _installed
