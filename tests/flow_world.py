"""A small hand-made directory and fixed places for pure flow tests."""

from __future__ import annotations

from datetime import datetime, time

from flows.context import Context
from flows.model import Directory, Group, Meeting
from flows.occurrences import Timetable, timetable_window
from flows.session import Caller

GROUPS = {
    "northampton": Group(
        "northampton",
        "HRW Northampton",
        "America/New_York",
        "open",
        "en",
        welcome="Glad you found us. Coffee is on the back table.",
    ),
    "valley-focused": Group("valley-focused", "Valley Focused", "America/New_York", "focused"),
    "hrw-en-espanol": Group(
        "hrw-en-espanol",
        "HRW en Español",
        "America/Los_Angeles",
        "open",
        "es",
        welcome="Qué alegría verte. Aquí nadie te juzga.",
        agreements="Respeto ante todo. Lo que se dice aquí, aquí se queda.",
    ),
    "online": Group("online", "HRW Online", "America/New_York", "open"),
}


def meeting(
    slug: str, name: str, days: tuple[int, ...], at: str, tz: str, group: str, **extra: object
) -> Meeting:
    hh, mm = (int(x) for x in at.split(":"))
    return Meeting(
        slug=slug, name=name, days=days, time=time(hh, mm), timezone=tz, group=group, **extra
    )  # type: ignore[arg-type]


MEETINGS = {
    m.slug: m
    for m in [
        meeting(
            "forbes-tuesday",
            "Tuesday Night at the Library",
            (2,),
            "18:00",
            "America/New_York",
            "northampton",
            types=("O",),
            location="Community Room",
            address="20 West St, Northampton, MA 01060",
            city="Northampton",
            state="MA",
            postal_code="01060",
            latitude=42.3170,
            longitude=-72.6380,
            end_time=time(19, 30),
            notes="Side door after 6. Snacks and supplies.",
        ),
        meeting(
            "holyoke-focused",
            "Holyoke Focused Circle",
            (2, 4),
            "19:00",
            "America/New_York",
            "valley-focused",
            types=("C",),
            location="Church Hall",
            address="1 Main St, Holyoke, MA 01040",
            city="Holyoke",
            state="MA",
            latitude=42.2043,
            longitude=-72.6162,
        ),
        meeting(
            "amherst-sunday",
            "Amherst Sunday Morning",
            (0,),
            "10:00",
            "America/New_York",
            "northampton",
            types=("O",),
            address="5 Kellogg Ave, Amherst, MA 01002",
            city="Amherst",
            state="MA",
            latitude=42.3751,
            longitude=-72.5199,
        ),
        meeting(
            "online-daily",
            "Online Lunch Break",
            (0, 1, 2, 3, 4, 5, 6),
            "12:00",
            "America/New_York",
            "online",
            types=("O",),
            conference_url="https://meet.example.org/hrw-lunch",
            conference_phone="+1 413 555 0100",
        ),
        meeting(
            "oakland-espanol",
            "Reunión de Oakland",
            (3,),
            "18:30",
            "America/Los_Angeles",
            "hrw-en-espanol",
            types=("O", "S"),
            address="100 Broadway, Oakland, CA 94607",
            city="Oakland",
            state="CA",
            latitude=37.7990,
            longitude=-122.2750,
        ),
        meeting(
            "closed-for-now",
            "Paused Meeting",
            (2,),
            "17:00",
            "America/New_York",
            "northampton",
            types=("O", "TC"),
            address="9 Pleasant St, Northampton, MA 01060",
            city="Northampton",
            state="MA",
            latitude=42.32,
            longitude=-72.63,
        ),
    ]
}


class FixedPlaces:
    ZIPS = {
        "01060": (42.3223, -72.6313),
        "94607": (37.8070, -122.2850),
        "99501": (61.2, -149.9),
        "01002": (42.3732, -72.5199),  # Amherst: two meetings within 10 miles
        "01247": (42.7000, -73.1100),  # North Adams: rural, the nearest is 35 miles off
        "12901": (44.6995, -73.4529),  # Plattsburgh NY: every meeting is over 60 miles off
        "05401": (44.4759, -73.2121),  # Burlington VT: the same
    }
    TOWNS = {
        "NORTHAMPTON": {"MA": (42.3329, -72.6501), "PA": (40.68, -75.49)},
        "OAKLAND": {"CA": (37.80, -122.27), "ME": (44.54, -69.72)},
        "SPRINGFIELD": {"MA": (42.1015, -72.5898), "IL": (39.78, -89.65)},
        "HOPE": {"RI": (41.75, -71.56), "AR": (33.67, -93.59)},
    }

    def zip_point(self, zip_code: str) -> tuple[float, float] | None:
        return self.ZIPS.get(zip_code)

    def town_points(self, town: str) -> dict[str, tuple[float, float]]:
        return self.TOWNS.get(town.upper(), {})


def directory(**changes: object) -> Directory:
    base = {"groups": GROUPS, "meetings": MEETINGS, "cancelled": frozenset(), "version": 1}
    return Directory(**{**base, **changes})  # type: ignore[arg-type]


def context(now: datetime, caller: Caller = Caller(), d: Directory | None = None) -> Context:
    d = d or directory()
    start, end = timetable_window(now)
    return Context(now, d, Timetable.build(d, start, end), FixedPlaces(), caller)
