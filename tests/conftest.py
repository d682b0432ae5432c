from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import redis

from tests.redis_server import RedisServer

TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_URL = "https://hrw.example.org"
# The web app needs HRW_SECRET_KEY beside TWILIO_AUTH_TOKEN; apps and processes the tests
# start inherit this one (tests/test_console_*.py check what happens without it).
os.environ.setdefault("HRW_SECRET_KEY", "test-console-secret-key-0123456789")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """A clean private Redis for each test."""
    redis_server.client().flushall()
    return redis_server.url


@pytest.fixture
def r(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-cases", action="store_true", help="rewrite flow case expectations")
