"""What the Spanish SMS texts cost, in segments: as sent (folded to GSM-7) and as they would
cost sent with every accent (UCS-2, 70 characters a segment), for this catalog and for the
catalog at another git revision.

    PYTHONPATH=$PWD python3 bench/spanish_segments.py [--before REV] [--keys]

Each template is filled with ordinary values (a meeting name, a time, a count), not the worst
case tests/test_texts.py checks. Prints one line per catalog and, with --keys, each key.
"""

from __future__ import annotations

import argparse
import re
import string
import subprocess
from pathlib import Path

from flows.gsm import is_gsm, segments, to_gsm
from flows.texts import es

TYPICAL = {
    "contact": "llama a Jordan al 413 555 0199",
    "place": "Northampton",
    "n": 3,
    "count": 12,
    "url": "https://meet.example.org/hrw-lunch",
    "phone": "+1 413 555 0100",
    "miles": "2.4",
    "what": " para hoy",
    "group": "HRW Northampton",
    "lead": "1 hora",
    "meeting": "Tuesday Night at the Library",
    "when": "mar 1 dic 6pm EST",
    "host": "+1******0123",
    "exercise": "Leemos un texto corto y luego conversamos.",
    "max": 280,
    "choices": "del 1 al 5",
    "text": "Hoy nos vemos en la sala 3.",
    "length": 520,
    "segments": 4,
    "limit": 412,
    "cut": 108,
    "total": 40,
    "queued": 3,
    "sent": 30,
    "delivered": 25,
    "failed": 2,
    "where": "Community Room, 20 West St, Northampton, MA 01060",
    "weekday": "mar",
    "day": 1,
    "month": 12,
    "month_name": "dic",
    "first": 1,
    "last": 5,
    "feed": "meetings.example.org",
    "reason": "no responde",
}


def fill(template: str) -> str:
    names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
    return template.format(**{k: TYPICAL[k] for k in names})


def cost(texts: dict[str, str]) -> dict[str, tuple[int, int, bool]]:
    """key → (segments as sent, folded; segments with every accent, as UCS-2 when needed;
    whether the folded text lost an accent)."""
    result = {}
    for key, template in texts.items():
        full = fill(template)
        sent = to_gsm(full)
        lost = bool(re.search(r"[áíóúÁÍÓÚ]", full))
        result[key] = (segments(sent), segments(full), lost)
        assert is_gsm(sent)
    return result


def catalog_at(rev: str) -> dict[str, str]:
    source = subprocess.run(
        ["git", "show", f"{rev}:flows/texts/es.py"],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    ).stdout
    scope: dict[str, object] = {}
    exec(compile(source, f"{rev}:flows/texts/es.py", "exec"), scope)  # our own catalog file
    return scope["TEXTS"]  # type: ignore[return-value]


def summary(label: str, costs: dict[str, tuple[int, int, bool]]) -> str:
    sent = sum(c[0] for c in costs.values())
    accented = sum(c[1] for c in costs.values())
    folded = sum(1 for c in costs.values() if c[2])
    over = sum(1 for c in costs.values() if c[1] > 3)
    return (
        f"{label}: {len(costs)} texts, {sent} segments as sent (GSM-7, folded); "
        f"{accented} with every accent (UCS-2 where needed), {over} of them over 3 segments; "
        f"{folded} texts lose an accent when folded"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", help="git revision of the catalog to compare with")
    parser.add_argument("--keys", action="store_true", help="one line per key")
    args = parser.parse_args()
    now = cost(es.TEXTS)
    before: dict[str, tuple[int, int, bool]] = {}
    if args.before:
        before = cost(catalog_at(args.before))
        print(summary(f"es.py at {args.before}", before))
        common = {k: now[k] for k in before if k in now}
        print(summary(f"es.py now, the same {len(common)} keys", common))
    print(summary("es.py now, every key", now))
    if args.keys:
        for key, (sent, accented, lost) in now.items():
            mark = " (folds)" if lost else ""
            was = ""
            if key in before:
                b_sent, b_accented, b_lost = before[key]
                was = f"   was {b_sent} sent, {b_accented} with accents" + (
                    " (folded)" if b_lost else ""
                )
            print(f"  {key:26} {sent} sent, {accented} with accents{mark}{was}")


if __name__ == "__main__":
    main()
