"""Feeds for web and CLI tests, in Meeting Guide form."""

from __future__ import annotations

import json

MEETINGS = [
    {
        "name": "Tuesday Night at the Library",
        "slug": "forbes-tuesday",
        "day": 2,
        "time": "18:00",
        "end_time": "19:30",
        "timezone": "America/New_York",
        "types": ["O"],
        "group": "HRW Northampton",
        "location": "Community Room",
        "address": "20 West St",
        "city": "Northampton",
        "state": "MA",
        "postal_code": "01060",
        "latitude": 42.317,
        "longitude": -72.638,
        "notes": "Side door after 6.",
    },
    {
        "name": "Holyoke Focused Circle",
        "slug": "holyoke-focused",
        "day": 4,
        "time": "19:00",
        "timezone": "America/New_York",
        "types": ["C"],
        "group": "Valley Focused",
        "address": "1 Main St",
        "city": "Holyoke",
        "state": "MA",
        "latitude": 42.2043,
        "longitude": -72.6162,
    },
    {
        "name": "Online Lunch Break",
        "slug": "online-lunch",
        "day": [0, 1, 2, 3, 4, 5, 6],
        "time": "12:00",
        "timezone": "America/New_York",
        "types": ["O"],
        "group": "HRW Online",
        "conference_url": "https://meet.example.org/lunch",
        "conference_phone": "+1 413 555 0100",
    },
    {
        "name": "Reunión de Oakland",
        "slug": "oakland-espanol",
        "day": 2,
        "time": "18:30",
        "timezone": "America/Los_Angeles",
        "types": ["O", "S"],
        "group": "HRW en Español",
        "address": "100 Broadway",
        "city": "Oakland",
        "state": "CA",
        "postal_code": "94607",
        "latitude": 37.799,
        "longitude": -122.275,
    },
]


def feed_text(meetings: list[dict] | None = None) -> str:
    return json.dumps(MEETINGS if meetings is None else meetings, indent=2, ensure_ascii=False)
