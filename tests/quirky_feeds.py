"""Small Meeting Guide feeds of our own, each carrying the quirks real feeds have.

Written by hand for these tests (no records copied from anyone's feed): every place,
number and link is made up; ZIP codes are real only so their town and zone can be found.
"""

from __future__ import annotations

import json

# Each record names the quirk it carries in its slug.
QUIRKS: list[dict] = [
    {  # no timezone, no group: the zone comes from the ZIP code (Ben Lomond, California)
        "slug": "zip-zone",
        "name": "Mountain Circle",
        "day": 3,
        "time": "19:00",
        "formatted_address": "9 Pine Rd, Ben Lomond, CA 95005, USA",
    },
    {  # no timezone, no ZIP: the zone comes from the coordinates (Denver)
        "slug": "coordinate-zone",
        "name": "Front Range Online and In Person",
        "day": [1, 4],
        "time": "18:30",
        "latitude": 39.7392,
        "longitude": -104.9903,
        "location": "Union Hall",
    },
    {  # by appointment: no day and no time
        "slug": "by-appointment",
        "name": "One to One Peer Support",
        "timezone": "America/New_York",
        "notes": "Call ahead to set a time.",
        "conference_phone": "+1 413 555 0199",
    },
    {  # HTML in the text fields, a doubled comma and spaces in the address, blank fields
        "slug": "html-notes",
        "name": "Tuesday &amp; Friends",
        "day": 2,
        "time": "20:00",
        "timezone": "America/New_York",
        "location": "<b>St. Luke&#39;s</b> Hall",
        "formatted_address": "14  Elm St,, Northampton,  MA 01060, USA",
        "notes": "<p>Side door&nbsp;after 7.</p><p>Ramp at the back<br>Coffee &amp; tea</p>",
        "location_notes": "<em>Parking</em> behind the church",
        "end_time": "",
        "types": ["O", ""],
        "city": "",
        "latitude": "",
        "longitude": "",
    },
    {  # a dial-in with its meeting ID and passcode in the notes; the spec's notes fields
        "slug": "dial-in",
        "name": "Lunch Line",
        "day": 5,
        "time": "12:00",
        "timezone": "America/Chicago",
        "conference_url": "https://meet.example.org/j/5550101",
        "conference_url_notes": "Password: calm",
        "conference_phone": "+1 312 555 0101",
        "conference_phone_notes": "Meeting ID: 555 0101 222<br>Passcode: 8642",
        "regions": ["Online", "Midwest"],
        "attendance_option": "online",
        "unknown_vendor_field": {"nested": [1, 2, 3]},
        "contact_1_email": "someone@example.org",
    },
    {  # only a town, no address, no link: in person, not "online"
        "slug": "town-only",
        "name": "Riverside Morning",
        "day": 0,
        "time": "09:00",
        "timezone": "America/New_York",
        "city": "Holyoke",
        "state": "MA",
    },
    {  # attendance_option says hybrid; the address has only a state and ZIP after the street
        "slug": "hybrid",
        "name": "Hybrid Evening",
        "day": 6,
        "time": "18:00",
        "timezone": "America/Los_Angeles",
        "address": "12 Ocean St",
        "state": "CA",
        "postal_code": "95005",
        "conference_url": "https://meet.example.org/j/5550102",
        "attendance_option": "hybrid",
        "region": "Santa Cruz County",
        "sub_region": "San Lorenzo Valley",
    },
    {  # attendance_option says in person although a link is listed (a stale link)
        "slug": "in-person-with-stale-link",
        "name": "Back in the Room",
        "day": 4,
        "time": "19:30",
        "timezone": "America/New_York",
        "formatted_address": "1 Main St, Holyoke, MA 01040",
        "conference_url": "https://meet.example.org/j/old",
        "attendance_option": "in_person",
    },
    {  # inactive: kept, never listed
        "slug": "inactive",
        "name": "Paused Group",
        "day": 1,
        "time": "10:00",
        "timezone": "America/New_York",
        "formatted_address": "3 Main St, Holyoke, MA 01040",
        "attendance_option": "inactive",
    },
]


def quirky_text(meetings: list[dict] | None = None) -> str:
    return json.dumps(QUIRKS if meetings is None else meetings, indent=2, ensure_ascii=False)


# A hand-kept feed: trailing commas after the last member and the last meeting.
TRAILING_COMMAS = """[
  {
    "slug": "comma-one",
    "name": "Commas, Everywhere",
    "day": 1,
    "time": "19:00",
    "timezone": "America/New_York",
  },
  {
    "slug": "comma-two",
    "name": "A string with ,] inside",
    "day": [2, 3,],
    "time": "19:00",
    "timezone": "America/New_York",
  },
]
"""
