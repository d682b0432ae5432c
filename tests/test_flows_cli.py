"""`hrw-sms flows`: transitions found by running the real flows, one per line."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from hrw_sms.cli import main

LINE = re.compile(r"^\S+ --[^-].*?--> \S.*$")


def test_flows_prints_one_transition_per_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["flows", "--mermaid", str(tmp_path / "flows.md")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines and all(LINE.match(line) for line in lines), [
        x for x in lines if not LINE.match(x)
    ]
    for expected in [
        "start --MEETINGS--> browsing-list",
        "browsing-list --NUMBER--> viewing-meeting",
        "start --FORGET--> confirming-forget",
        "confirming-forget --YES--> start",
        "start --STOP--> opted-out",
        "opted-out --MEETINGS--> opted-out",
        "opted-out --START--> start",
        "start --BROADCAST--> choosing-group",
        "choosing-group --NUMBER--> confirming-broadcast",
        "confirming-broadcast --YES--> start",
        "viewing-meeting --CANCEL--> confirming-cancel",
        "hosting:assigned --YES (assigned host)--> hosting:confirmed",
        "hosting:declined --YES (covering host)--> hosting:covered",
        "hosting:assigned --deadline, no answer--> hosting:uncovered",
        "hosting:covered --cover removed--> hosting:uncovered",
        "voice:main --1--> voice:list",
    ]:
        assert expected in lines
    diagram = (tmp_path / "flows.md").read_text()
    assert diagram.count("stateDiagram-v2") == 4 and "start --> browsing_list: MEETINGS" in diagram


def test_flows_can_show_one_flow() -> None:
    result = CliRunner().invoke(main, ["flows", "--flow", "host"])
    assert result.exit_code == 0 and all(
        line.startswith("hosting:") for line in result.output.splitlines()
    )
