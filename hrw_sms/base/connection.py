"""Redis connections: short timeouts, so a Redis outage is noticed within a second."""

from __future__ import annotations

import redis

CONNECT_TIMEOUT = 0.3
COMMAND_TIMEOUT = 0.5


def connect(url: str, *, timeouts: bool = True) -> redis.Redis:
    """A client for `url`. Workers and the CLI may ask for no command timeout (long jobs)."""
    options: dict = {"health_check_interval": 30}
    if timeouts:
        options |= {"socket_connect_timeout": CONNECT_TIMEOUT, "socket_timeout": COMMAND_TIMEOUT}
    return redis.Redis.from_url(url, **options)
