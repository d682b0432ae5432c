"""One build_services for the app, the CLI and the workers; no callback silently unwired."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import redis
from rq import SimpleWorker

from hrw_sms.base.config import ConfigError, Settings
from hrw_sms.handlers.services import Services, Unwired
from hrw_sms.jobs import queues
from workers.runtime import Runtime, job_runtime
from workers.wiring import build_services
from workers.worker import build_worker

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


def what_the_job_sees() -> str:
    """A job (run by name, as RQ runs ours): the clock of the runtime it was handed."""
    return job_runtime().clock().isoformat()


def test_each_job_gets_the_runtime_of_the_worker_that_runs_it(r: redis.Redis) -> None:
    """No module global: two workers in one process, each with its own runtime, and a job
    queued as any version queues them (a plain RQ job naming a function)."""
    settings = Settings.from_env({}, hash_key_required=False)
    monday, tuesday = datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 24, tzinfo=UTC)
    replies = queues.queue(r, queues.REPLIES)
    seen = []
    for day in (monday, tuesday):
        job = replies.enqueue("tests.test_wiring.what_the_job_sees")
        build_worker(Runtime(settings, r, clock=lambda day=day: day)).work(burst=True)
        seen.append(job.return_value())
    assert seen == [monday.isoformat(), tuesday.isoformat()]
    with pytest.raises(RuntimeError, match="no runtime"):
        job_runtime()  # outside a job
    # RQ's own worker hands none: the job builds one from the environment, on its own
    # connection, for itself alone (an operator's `rq worker` by mistake serves jobs).
    stranger = replies.enqueue("tests.test_wiring.what_the_job_sees")
    SimpleWorker([replies], connection=r).work(burst=True)
    assert stranger.is_finished, stranger.exc_info
    seen_by_stranger = datetime.fromisoformat(stranger.return_value())
    assert abs((seen_by_stranger - datetime.now(UTC)).total_seconds()) < 3600  # the real clock
