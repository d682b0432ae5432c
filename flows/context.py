"""The read-only world a step sees: clock, directory, timetable, places and the caller."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flows.model import Directory
from flows.occurrences import Timetable
from flows.search import Places
from flows.session import Caller


@dataclass(frozen=True)
class Context:
    now: datetime  # aware
    directory: Directory
    timetable: Timetable
    places: Places
    caller: Caller = field(default_factory=Caller)
    reminder_minutes: int = 60


@dataclass(frozen=True)
class NoPlaces:
    """Places for tests and callers that have no place data."""

    def zip_point(self, zip_code: str) -> tuple[float, float] | None:
        """No places known: always None (the flows then search without distance)."""
        return None

    def town_points(self, town: str) -> dict[str, tuple[float, float]]:
        """No places known: always an empty mapping."""
        return {}
