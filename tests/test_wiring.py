"""One build_services for the app, the CLI and the workers; no callback silently unwired."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest
import redis

from hrw_sms.base.config import ConfigError, Settings
from hrw_sms.handlers.services import Services, Unwired
from workers.runtime import Runtime
from workers.wiring import build_services

ROOT = Path(__file__).resolve().parent.parent


def test_an_unwired_callback_raises_instead_of_doing_nothing(r: redis.Redis) -> None:
    bare = Services(settings=Settings.from_env({}, hash_key_required=False), redis=r)
    with pytest.raises(Unwired):
        bare.schedule_changed("forbes-tuesday")
    with pytest.raises(Unwired):
        bare.hosting_changed("forbes-tuesday", date(2026, 11, 24))


def test_app_cli_and_workers_get_the_same_wiring(r: redis.Redis) -> None:
    settings = Settings.from_env({}, hash_key_required=False)
    for services in (build_services(settings, r), Runtime(settings, r).services):
        assert services.outbox is not None
        assert services.on_schedule_change is not None
        assert services.on_hosting_change is not None
    with pytest.raises(ConfigError):
        build_services(settings)  # no client and no REDIS_URL


def test_only_the_commands_that_serve_the_app_build_one() -> None:
    """The CLI gets Services from build_services, not from a whole Flask app."""
    building = set()
    for path in sorted((ROOT / "hrw_sms" / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "hrw_sms.app":
                building.add(path.name)
    assert building == {"chat.py", "demo.py"}  # they serve it (a chat, the demo's server)
