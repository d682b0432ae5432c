"""Offline places from the `zipcodes` data package: no geocoding service, nothing leaves us."""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from functools import cache, cached_property

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
        """The (latitude, longitude) in degrees of the ZIP code's first 5 digits, or None."""
        return self._zips.get(zip_code[:5])

    def town_points(self, town: str) -> dict[str, Point]:
        """Every state with a town of that name, and the town's centre there."""
        return dict(self._towns.get(normalise(town), {}))

    @cached_property
    def _grid(self) -> dict[tuple[int, int], list[tuple[float, float, str, str, str]]]:
        """Zip centres bucketed by whole degrees: (lat, lon, zip, town, state)."""
        grid: dict[tuple[int, int], list[tuple[float, float, str, str, str]]] = defaultdict(list)
        with self._lock:
            for z in zipcodes.list_all():
                if z.get("lat") and z.get("long"):
                    lat, lon = float(z["lat"]), float(z["long"])
                    cell = (math.floor(lat), math.floor(lon))
                    grid[cell].append((lat, lon, z["zip_code"], z["city"], z["state"]))
        return dict(grid)

    def nearest_zip(self, point: Point) -> tuple[str, str, str] | None:
        """(zip, town, state) of the zip centre nearest `point` within about a degree (tens
        of miles); None out at sea or outside the US."""
        lat, lon = point
        shrink = math.cos(math.radians(lat)) ** 2
        cell = (math.floor(lat), math.floor(lon))
        best: tuple[float, tuple[str, str, str]] | None = None
        for dlat in (-1, 0, 1):
            for dlon in (-1, 0, 1):
                for a, b, code, town, state in self._grid.get((cell[0] + dlat, cell[1] + dlon), ()):
                    gap = (a - lat) ** 2 + shrink * (b - lon) ** 2
                    if best is None or gap < best[0]:
                        best = (gap, (code, town, state))
        return best[1] if best and best[0] <= 1.0 else None

    def approximate_point(
        self, postal_code: str | None, city: str | None, state: str | None
    ) -> Point | None:
        """Where to put a meeting whose feed gave no coordinates: its ZIP code's centre, else
        its town's centre in its state (a town name alone only when one state has it)."""
        if postal_code and (point := self.zip_point(postal_code)):
            return point
        if not city:
            return None
        points = self.town_points(city)
        if state and state.strip().upper() in points:
            return points[state.strip().upper()]
        return next(iter(points.values())) if len(points) == 1 and not state else None


@cache
def shared_places() -> ZipPlaces:
    """One ZipPlaces for the process's imports (its indexes are large: build them once)."""
    return ZipPlaces()
