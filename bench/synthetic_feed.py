"""A synthetic Meeting Guide feed for benchmarks: ~1,000 meetings across US timezones.

Deterministic for a given seed. Towns are real (their zip codes, coordinates and timezones
come from the offline `zipcodes` package, as the app's own zip search does); street
addresses, rooms and meeting names are made up.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

import zipcodes

# Group name → (timezone of the group, the towns its meetings are in as (city, state)).
REGIONS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "HRW Western Mass": (
        "America/New_York",
        [("Northampton", "MA"), ("Holyoke", "MA"), ("Springfield", "MA"), ("Amherst", "MA")],
    ),
    "HRW Boston": (
        "America/New_York",
        [("Boston", "MA"), ("Cambridge", "MA"), ("Somerville", "MA"), ("Worcester", "MA")],
    ),
    "HRW Southern New England": (
        "America/New_York",
        [("Providence", "RI"), ("Hartford", "CT"), ("New Haven", "CT")],
    ),
    "HRW New York": (
        "America/New_York",
        [("Albany", "NY"), ("Buffalo", "NY"), ("Rochester", "NY"), ("Brooklyn", "NY")],
    ),
    "HRW Mid-Atlantic": (
        "America/New_York",
        [("Philadelphia", "PA"), ("Pittsburgh", "PA"), ("Baltimore", "MD"), ("Richmond", "VA")],
    ),
    "HRW Southeast": (
        "America/New_York",
        [("Charlotte", "NC"), ("Durham", "NC"), ("Atlanta", "GA"), ("Savannah", "GA")],
    ),
    "HRW Great Lakes": (
        "America/New_York",
        [("Columbus", "OH"), ("Cleveland", "OH"), ("Detroit", "MI")],
    ),
    "HRW Chicagoland": ("America/Chicago", [("Chicago", "IL"), ("Evanston", "IL")]),
    "HRW Upper Midwest": (
        "America/Chicago",
        [("Milwaukee", "WI"), ("Madison", "WI"), ("Minneapolis", "MN"), ("Saint Paul", "MN")],
    ),
    "HRW Heartland": (
        "America/Chicago",
        [("Saint Louis", "MO"), ("Kansas City", "MO"), ("Nashville", "TN"), ("Memphis", "TN")],
    ),
    "HRW Gulf Coast": (
        "America/Chicago",
        [("New Orleans", "LA"), ("Houston", "TX"), ("Austin", "TX"), ("Dallas", "TX")],
    ),
    "HRW Mountain": (
        "America/Denver",
        [("Denver", "CO"), ("Boulder", "CO"), ("Albuquerque", "NM"), ("Salt Lake City", "UT")],
    ),
    "HRW Arizona": ("America/Phoenix", [("Phoenix", "AZ"), ("Tucson", "AZ"), ("Flagstaff", "AZ")]),
    "HRW Bay Area": (
        "America/Los_Angeles",
        [("Oakland", "CA"), ("San Francisco", "CA"), ("Berkeley", "CA"), ("San Jose", "CA")],
    ),
    "HRW Southern California": (
        "America/Los_Angeles",
        [("Los Angeles", "CA"), ("Long Beach", "CA"), ("San Diego", "CA")],
    ),
    "HRW Pacific Northwest": (
        "America/Los_Angeles",
        [("Portland", "OR"), ("Seattle", "WA"), ("Spokane", "WA"), ("Eugene", "OR")],
    ),
    "HRW Alaska": ("America/Anchorage", [("Anchorage", "AK"), ("Fairbanks", "AK")]),
    "HRW Hawaii": ("Pacific/Honolulu", [("Honolulu", "HI"), ("Hilo", "HI")]),
}
SPANISH_GROUP = "HRW en Español"
SPANISH_TOWNS = [
    ("Holyoke", "MA"),
    ("Springfield", "MA"),
    ("Brooklyn", "NY"),
    ("Houston", "TX"),
    ("Los Angeles", "CA"),
    ("Phoenix", "AZ"),
]
ONLINE_GROUP = "HRW Online"
ONLINE_ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]

ROOMS = [
    "Community Room",
    "Resource Center",
    "Library Meeting Room",
    "Church Hall",
    "Wellness Space",
    "Peer Center",
    "Recovery Café",
    "Health Clinic Annex",
    "Youth Center",
    "Union Hall",
]
STREETS = ["Main St", "Elm St", "Pleasant St", "Center St", "Broadway", "Maple Ave", "Park Ave"]
STREETS += ["Washington St", "Church St", "High St", "Oak St", "2nd St", "Market St"]
TIMES = ["07:00", "08:30", "10:00", "12:00", "12:30", "15:00", "17:30", "18:00", "18:30"]
TIMES += ["19:00", "19:30", "20:00", "21:00", "22:00"]
NOTES = [
    "Side door, second floor.",
    "Coffee and snacks.",
    "Supplies available: naloxone, test strips.",
    "Wheelchair accessible; ramp at the back.",
    "Parking behind the building.",
    "Lunch is served.",
    "Wound care table after the meeting.",
    "Childcare available; ask at the desk.",
]


@dataclass(frozen=True)
class Town:
    city: str
    state: str
    timezone: str
    zips: tuple[tuple[str, float, float], ...]  # (zip, lat, long)


def _town_index() -> dict[tuple[str, str], list[tuple[str, float, float, str]]]:
    index: dict[tuple[str, str], list[tuple[str, float, float, str]]] = {}
    for z in zipcodes.list_all():
        if z.get("lat") and z.get("long") and z.get("zip_code_type") == "STANDARD":
            key = (z["city"].lower(), z["state"])
            index.setdefault(key, []).append(
                (z["zip_code"], float(z["lat"]), float(z["long"]), z.get("timezone") or "")
            )
    return index


def towns() -> dict[tuple[str, str], Town]:
    """Every town named in REGIONS or SPANISH_TOWNS, with its real zip codes."""
    index = _town_index()
    wanted = {t for _, (_, ts) in REGIONS.items() for t in ts} | set(SPANISH_TOWNS)
    found: dict[tuple[str, str], Town] = {}
    for city, state in sorted(wanted):
        rows = index.get((city.lower(), state))
        if not rows:
            raise RuntimeError(f"zipcodes has no {city}, {state}")
        tz = rows[0][3]
        found[(city, state)] = Town(city, state, tz, tuple((z, la, lo) for z, la, lo, _ in rows))
    return found


def _in_person(rng: random.Random, town: Town) -> dict:
    zip_code, lat, lon = rng.choice(town.zips)
    return {
        "location": f"{town.city} {rng.choice(ROOMS)}",
        "address": f"{rng.randint(1, 2400)} {rng.choice(STREETS)}",
        "city": town.city,
        "state": town.state,
        "postal_code": zip_code,
        # Within a mile or two of the zip code's centre.
        "latitude": round(lat + rng.uniform(-0.02, 0.02), 5),
        "longitude": round(lon + rng.uniform(-0.02, 0.02), 5),
    }


def _days(rng: random.Random) -> int | list[int]:
    roll = rng.random()
    if roll < 0.12:
        return sorted(rng.sample(range(7), rng.choice([2, 3])))
    if roll < 0.15:
        return [1, 2, 3, 4, 5]  # weekdays
    return rng.randrange(7)


def _end(start: str, rng: random.Random) -> str:
    hour, minute = map(int, start.split(":"))
    total = hour * 60 + minute + rng.choice([60, 90, 90, 120])
    return f"{(total // 60) % 24:02d}:{total % 60:02d}"


def generate(count: int = 1000, seed: int = 2) -> tuple[str, list[str]]:
    """The feed as JSON text, and the zip codes of its in-person meetings."""
    rng = random.Random(seed)
    places = towns()
    meetings: list[dict] = []
    zips: set[str] = set()
    plan: list[tuple[str, str | None, list[Town]]] = [
        (name, tz, [places[t] for t in ts]) for name, (tz, ts) in REGIONS.items()
    ]
    spanish = [places[t] for t in SPANISH_TOWNS]
    for n in range(count):
        roll = rng.random()
        entry: dict
        if roll < 0.15:  # online only
            tz = rng.choice(ONLINE_ZONES)
            start = rng.choice(TIMES)
            entry = {
                "name": f"HRW Online {rng.choice(['Morning', 'Midday', 'Evening', 'Late'])} "
                f"Check-in #{n}",
                "timezone": tz,
                "group": ONLINE_GROUP,
                "types": ["O", "ONL"],
                "conference_url": f"https://meet.example.org/hrw-{n}",
            }
            if rng.random() < 0.6:
                entry["conference_phone"] = f"+1646555{n % 10000:04d}"
        elif roll < 0.22:  # Spanish-language, in person
            town = rng.choice(spanish)
            start = rng.choice(TIMES)
            entry = {
                "name": f"Reunión en español, {town.city} #{n}",
                "timezone": town.timezone,
                "group": SPANISH_GROUP,
                "types": ["O", "S"],
                **_in_person(rng, town),
            }
        else:
            group, _, region = rng.choice(plan)
            town = rng.choice(region)
            start = rng.choice(TIMES)
            focused = rng.random() < 0.12
            entry = {
                "name": f"{town.city} {'Focused ' if focused else ''}"
                f"{rng.choice(['Morning', 'Noon', 'Afternoon', 'Evening', 'Night'])} "
                f"Meeting #{n}",
                "timezone": town.timezone,
                "group": group,
                "types": ["C" if focused else "O"],
                **_in_person(rng, town),
            }
            if rng.random() < 0.1:  # hybrid
                entry["conference_url"] = f"https://meet.example.org/hybrid-{n}"
            if rng.random() < 0.02:
                entry["types"] = [*entry["types"], "TC"]  # temporarily closed
        entry = {
            "slug": f"bench-{n:04d}",
            "day": _days(rng),
            "time": start,
            "end_time": _end(start, rng),
            **entry,
        }
        if rng.random() < 0.6:
            entry["notes"] = rng.choice(NOTES)
        if entry.get("postal_code"):
            zips.add(entry["postal_code"])
        meetings.append(entry)
    return json.dumps(meetings, ensure_ascii=False, indent=1), sorted(zips)


def far_zips(rng: random.Random, count: int) -> list[str]:
    """Real zip codes picked at random anywhere in the US (most have no meeting nearby)."""
    all_zips = [z["zip_code"] for z in zipcodes.list_all() if z.get("lat") and z.get("long")]
    return rng.sample(all_zips, count)


if __name__ == "__main__":
    text, zs = generate()
    print(text[:2000])
    print(len(json.loads(text)), "meetings;", len(zs), "zip codes")
