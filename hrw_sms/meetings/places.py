"""Offline places from the `zipcodes` data package: no geocoding service, nothing leaves us."""

from __future__ import annotations

import threading
from collections import defaultdict
from functools import cached_property

import zipcodes

from flows.keywords import normalise

Point = tuple[float, float]


class ZipPlaces:
    """Zip code and town centres for US places. Indexes are built once, on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @cached_property
    def _zips(self) -> dict[str, Point]:
        with self._lock:
            return {
                z["zip_code"]: (float(z["lat"]), float(z["long"]))
                for z in zipcodes.list_all()
                if z.get("lat") and z.get("long")
            }

    @cached_property
    def _towns(self) -> dict[str, dict[str, Point]]:
        """Normalised town name → state → centre (mean of the town's zip codes)."""
        sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
        with self._lock:
            for z in zipcodes.list_all():
                if not (z.get("lat") and z.get("long")):
                    continue
                for city in [z["city"], *z.get("acceptable_cities", [])]:
                    acc = sums[(normalise(city), z["state"])]
                    acc[0] += float(z["lat"])
                    acc[1] += float(z["long"])
                    acc[2] += 1
        towns: dict[str, dict[str, Point]] = defaultdict(dict)
        for (town, state), (lat, lon, n) in sums.items():
            towns[town][state] = (lat / n, lon / n)
        return dict(towns)

    def warm(self) -> None:
        """Build the indexes now rather than on someone's first text."""
        _ = self._zips, self._towns

    def zip_point(self, zip_code: str) -> Point | None:
        return self._zips.get(zip_code[:5])

    def town_points(self, town: str) -> dict[str, Point]:
        """Every state with a town of that name, and the town's centre there."""
        return dict(self._towns.get(normalise(town), {}))
