"""The box a distance scan skips by (flows.search.reach_box) never drops a place within
reach: the boxed scan of the meetings sorted by latitude finds exactly what measuring every
meeting finds, in the same order."""

from __future__ import annotations

import math
import random
from types import SimpleNamespace

from haversine import Unit, haversine, inverse_haversine

from flows import search
from flows.occurrences import Timetable
from flows.search import FAR_MILES, NEAR_MILES, reach_box


def places(rng: random.Random, around: tuple[float, float], count: int) -> dict[str, tuple]:
    lat, lon = around
    found = {}
    for i in range(count):
        a = max(-89.9, min(89.9, lat + rng.uniform(-8, 8)))
        b = (lon + rng.uniform(-25, 25) + 180) % 360 - 180
        found[f"m{i}"] = (a, b)
    return found


def test_the_boxed_scan_finds_what_measuring_everything_finds() -> None:
    rng = random.Random(16)
    # US towns, Alaska, Hawaii, the Aleutians across the antimeridian, and the far north.
    centres = [(42.3, -72.6), (61.2, -149.9), (21.3, -157.8), (52.0, 179.5), (71.3, -156.8)]
    centres += [(rng.uniform(-80, 80), rng.uniform(-180, 180)) for _ in range(40)]
    for centre in centres:
        located = places(rng, centre, 400)
        for _ in range(5):
            lat = max(-89.9, min(89.9, centre[0] + rng.uniform(-3, 3)))
            point = (lat, (centre[1] + rng.uniform(-3, 3) + 180) % 360 - 180)
            for box, limit in ((True, NEAR_MILES), (False, FAR_MILES)):
                timetable = SimpleNamespace(memo={}, located=located)
                timetable.located_by_latitude = Timetable.located_by_latitude.func(timetable)  # type: ignore[attr-defined]
                boxed = search._reach(timetable, point, box)  # type: ignore[arg-type]
                everything = {
                    slug: miles
                    for slug, where in located.items()
                    for miles in (haversine(point, where, unit=Unit.MILES),)
                    if miles <= limit
                }
                assert boxed == everything, (point, box)
                assert list(boxed) == list(everything)  # the same order: it breaks ties


def test_the_box_is_tight_enough_to_pay() -> None:
    lat_reach, lon_reach = reach_box((42.3, -72.6), NEAR_MILES)
    assert lat_reach < 1.0 and lon_reach < 1.5  # about 0.87 and 1.2 degrees in Massachusetts
    assert reach_box((89.5, 0.0), NEAR_MILES)[1] == 180.0  # near a pole: no longitude bound


def test_a_place_just_inside_the_limit_is_never_boxed_out() -> None:
    """Places a hair inside NEAR_MILES and FAR_MILES, in every direction, from towns in the
    lower 48, Alaska, Hawaii and across the antimeridian: the boxed scan keeps every one."""
    for centre in [(42.3, -72.6), (61.2, -149.9), (21.3, -157.8), (52.0, 179.9), (71.3, -156.8)]:
        for box, limit in ((True, NEAR_MILES), (False, FAR_MILES)):
            located = {}
            for i in range(72):  # every 5 degrees of bearing
                bearing = math.radians(5 * i)
                lat, lon = inverse_haversine(centre, limit * (1 - 1e-9), bearing, unit=Unit.MILES)
                located[f"m{i}"] = (lat, (lon + 180) % 360 - 180)
            timetable = SimpleNamespace(memo={}, located=located)
            timetable.located_by_latitude = Timetable.located_by_latitude.func(timetable)  # type: ignore[attr-defined]
            inside = [
                s for s, w in located.items() if haversine(centre, w, unit=Unit.MILES) <= limit
            ]
            boxed = search._reach(timetable, centre, box)  # type: ignore[arg-type]
            assert sorted(boxed) == sorted(inside), (centre, limit)
            assert len(inside) > 60  # the places really are at the edge, and inside it
