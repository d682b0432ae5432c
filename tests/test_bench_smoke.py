"""The /sms profile still runs against the app as configured today (a bench that cannot start
measures nothing: one once stopped at a new required setting and nobody saw)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs Debian's redis-server")
def test_profile_sms_runs_a_few_texts() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "bench/profile_sms.py",
            "--requests",
            "40",
            "--warmup",
            "10",
            "--top",
            "3",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "all texts:" in out.stdout
    assert "by tottime" in out.stdout
