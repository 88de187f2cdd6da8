"""Time-zone names as calendars write them -> IANA zones (their country: core/zone_countries.py).

Why: Outlook and Exchange name zones the Windows way ("W. Europe Standard Time") or by the
Windows display name ("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"), and
icalendar takes such a zone's VTIMEZONE as an anonymous custom zone: followcal then planned the
interview in the user's zone. Resolving the name to IANA keeps the interview's own zone (and with
it the region fall-back, which needs a zone that belongs to one country).
"""

from __future__ import annotations

import re
from functools import lru_cache

from followcal.core.zone_countries import RULE_ZONES, iana_zones as _iana

# The standard Windows display names (tzutil /l, Windows 10/11; older Outlook wrote "GMT" and
# "&"), keyed by the text after the "(UTC+hh:mm)" prefix, normalised by _display_key.
_DISPLAY_NAMES: dict[str, str] = {
    "International Date Line West": "Dateline Standard Time",
    "Coordinated Universal Time-11": "UTC-11",
    "Hawaii": "Hawaiian Standard Time",
    "Alaska": "Alaskan Standard Time",
    "Baja California": "Pacific Standard Time (Mexico)",
    "Pacific Time (US and Canada)": "Pacific Standard Time",
    "Arizona": "US Mountain Standard Time",
    "Chihuahua, La Paz, Mazatlan": "Mountain Standard Time (Mexico)",
    "La Paz, Mazatlan": "Mountain Standard Time (Mexico)",
    "Mountain Time (US and Canada)": "Mountain Standard Time",
    "Central America": "Central America Standard Time",
    "Central Time (US and Canada)": "Central Standard Time",
    "Guadalajara, Mexico City, Monterrey": "Central Standard Time (Mexico)",
    "Saskatchewan": "Canada Central Standard Time",
    "Bogota, Lima, Quito, Rio Branco": "SA Pacific Standard Time",
    "Bogota, Lima, Quito": "SA Pacific Standard Time",
    "Chetumal": "Eastern Standard Time (Mexico)",
    "Eastern Time (US and Canada)": "Eastern Standard Time",
    "Havana": "Cuba Standard Time",
    "Indiana (East)": "US Eastern Standard Time",
    "Atlantic Time (Canada)": "Atlantic Standard Time",
    "Caracas": "Venezuela Standard Time",
    "Asuncion": "Paraguay Standard Time",
    "Georgetown, La Paz, Manaus, San Juan": "SA Western Standard Time",
    "Santiago": "Pacific SA Standard Time",
    "Newfoundland": "Newfoundland Standard Time",
    "Brasilia": "E. South America Standard Time",
    "City of Buenos Aires": "Argentina Standard Time",
    "Buenos Aires": "Argentina Standard Time",
    "Cayenne, Fortaleza": "SA Eastern Standard Time",
    "Greenland": "Greenland Standard Time",
    "Montevideo": "Montevideo Standard Time",
    "Coordinated Universal Time-02": "UTC-02",
    "Azores": "Azores Standard Time",
    "Cabo Verde Is.": "Cape Verde Standard Time",
    "Cape Verde Is.": "Cape Verde Standard Time",
    "Coordinated Universal Time": "UTC",
    "Dublin, Edinburgh, Lisbon, London": "GMT Standard Time",
    "Greenwich Mean Time : Dublin, Edinburgh, Lisbon, London": "GMT Standard Time",
    "Monrovia, Reykjavik": "Greenwich Standard Time",
    "Casablanca": "Morocco Standard Time",
    "Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna": "W. Europe Standard Time",
    "Belgrade, Bratislava, Budapest, Ljubljana, Prague": "Central Europe Standard Time",
    "Brussels, Copenhagen, Madrid, Paris": "Romance Standard Time",
    "Sarajevo, Skopje, Warsaw, Zagreb": "Central European Standard Time",
    "West Central Africa": "W. Central Africa Standard Time",
    "Athens, Bucharest": "GTB Standard Time",
    "Athens, Bucharest, Istanbul": "GTB Standard Time",
    "Beirut": "Middle East Standard Time",
    "Cairo": "Egypt Standard Time",
    "Chisinau": "E. Europe Standard Time",
    "Harare, Pretoria": "South Africa Standard Time",
    "Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius": "FLE Standard Time",
    "Helsinki, Kiev, Riga, Sofia, Tallinn, Vilnius": "FLE Standard Time",
    "Jerusalem": "Israel Standard Time",
    "Baghdad": "Arabic Standard Time",
    "Istanbul": "Turkey Standard Time",
    "Kuwait, Riyadh": "Arab Standard Time",
    "Moscow, St. Petersburg": "Russian Standard Time",
    "Moscow, St. Petersburg, Volgograd": "Russian Standard Time",
    "Nairobi": "E. Africa Standard Time",
    "Tehran": "Iran Standard Time",
    "Abu Dhabi, Muscat": "Arabian Standard Time",
    "Baku": "Azerbaijan Standard Time",
    "Kabul": "Afghanistan Standard Time",
    "Ashgabat, Tashkent": "West Asia Standard Time",
    "Islamabad, Karachi": "Pakistan Standard Time",
    "Chennai, Kolkata, Mumbai, New Delhi": "India Standard Time",
    "Sri Jayawardenepura": "Sri Lanka Standard Time",
    "Kathmandu": "Nepal Standard Time",
    "Dhaka": "Bangladesh Standard Time",
    "Yangon (Rangoon)": "Myanmar Standard Time",
    "Bangkok, Hanoi, Jakarta": "SE Asia Standard Time",
    "Beijing, Chongqing, Hong Kong, Urumqi": "China Standard Time",
    "Kuala Lumpur, Singapore": "Singapore Standard Time",
    "Perth": "W. Australia Standard Time",
    "Taipei": "Taipei Standard Time",
    "Osaka, Sapporo, Tokyo": "Tokyo Standard Time",
    "Seoul": "Korea Standard Time",
    "Adelaide": "Cen. Australia Standard Time",
    "Darwin": "AUS Central Standard Time",
    "Brisbane": "E. Australia Standard Time",
    "Canberra, Melbourne, Sydney": "AUS Eastern Standard Time",
    "Hobart": "Tasmania Standard Time",
    "Auckland, Wellington": "New Zealand Standard Time",
    "Fiji": "Fiji Standard Time",
    "Nuku'alofa": "Tonga Standard Time",
}

_PREFIX = re.compile(r"^\(\s*(?:UTC|GMT)\s*(?:[+-]\s*\d{1,2}(?::?\d{2})?)?\s*\)\s*", re.IGNORECASE)
_OFFSET = re.compile(r"^\(\s*(?:UTC|GMT)\s*(?:([+-])\s*(\d{1,2})(?::?(\d{2}))?)?\s*\)", re.IGNORECASE)


def _display_key(text: str) -> str:
    text = _PREFIX.sub("", text).replace("&", " and ")
    return " ".join(text.casefold().split())


_BY_DISPLAY = {_display_key(k): v for k, v in _DISPLAY_NAMES.items()}


@lru_cache(maxsize=1)
def _windows() -> dict[str, str]:
    """Windows zone id (case-folded) -> IANA, from the CLDR table icalendar ships."""
    try:
        from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON
    except ImportError:  # pragma: no cover - older icalendar
        # the module's pre-6 location, absent from the icalendar mypy sees
        from icalendar.windows_to_olson import WINDOWS_TO_OLSON  # type: ignore[no-redef,import-not-found]
    table = {k.casefold(): v for k, v in WINDOWS_TO_OLSON.items()}
    table.setdefault("utc-11", "Etc/GMT+11")
    table.setdefault("utc-02", "Etc/GMT+2")
    table.setdefault("utc", "Etc/UTC")
    return table


@lru_cache(maxsize=1)
def _tzdata_zones() -> frozenset[str]:
    """The zone list the tzdata package ships (one small file), empty without tzdata."""
    try:
        import tzdata  # type: ignore[import-untyped]

        # the file itself when tzdata is a plain folder (importlib.resources costs 5 ms to import)
        where = getattr(tzdata, "__file__", None)
        if where:
            import os

            path = os.path.join(os.path.dirname(where), "zones")
            if os.path.isfile(path):
                with open(path, encoding="utf-8") as handle:
                    return frozenset(z.strip() for z in handle if z.strip())
        from importlib.resources import files

        with files("tzdata").joinpath("zones").open("r") as handle:
            return frozenset(z.strip() for z in handle if z.strip())
    except (ImportError, FileNotFoundError, OSError):
        return frozenset()


@lru_cache(maxsize=512)
def known_zone(name: str) -> bool:
    """`name in zoneinfo.available_timezones()` for one name, without that call's walk over the
    whole zone folder (20 ms, most of a small calendar's read): in tzdata's list, or a file that
    walk would find under a TZPATH folder (not below right/ or posix/, no folder on the way a
    symbolic link) starting with the TZif magic; never "posixrules"."""
    import os
    import zoneinfo

    if name == "posixrules" or not name:
        return False
    if name in _tzdata_zones():
        return True
    parts = name.split("/")
    if any(p in ("", ".", "..") or os.sep in p or (os.altsep and os.altsep in p) for p in parts):
        return False
    if len(parts) > 1 and parts[0] in ("right", "posix"):
        return False
    for root in zoneinfo.TZPATH:
        if not os.path.exists(root):
            continue
        folder = root
        for part in parts[:-1]:
            folder = os.path.join(folder, part)
            if os.path.islink(folder) or not os.path.isdir(folder):
                break
        else:
            path = os.path.join(folder, parts[-1])
            if os.path.lexists(path) and not os.path.isdir(path):
                try:
                    with open(path, "rb") as handle:
                        if handle.read(4) == b"TZif":
                            return True
                except OSError:
                    pass
    return False


def iana_zone(tzid: str) -> str | None:
    """The IANA name a TZID means, or None: an IANA name itself, a Windows zone id, or a Windows
    display name ("(UTC-05:00) Eastern Time (US & Canada)"), quotes and case ignored."""
    name = tzid.strip().strip('"').strip()
    if not name:
        return None
    if known_zone(name):  # == `name in _iana()`, without listing every zone
        return name
    windows = _windows()
    folded = " ".join(name.casefold().split())
    if folded in windows:
        return windows[folded]
    windows_id = _BY_DISPLAY.get(_display_key(name))
    if windows_id is not None:
        return windows.get(windows_id.casefold())
    for zone in _iana():  # "europe/berlin"
        if zone.casefold() == folded:
            return zone
    return None


def fixed_offset_zone(tzid: str) -> str | None:
    """`Etc/GMT-1` for a display name that only says "(UTC+01:00) ..." and is unknown, else None."""
    match = _OFFSET.match(tzid.strip().strip('"'))
    if match is None:
        return None
    sign, hours, minutes = match.groups()
    if minutes not in (None, "00"):
        return None
    if not hours or int(hours) == 0:
        return "Etc/UTC"
    # POSIX-style Etc names have the sign inverted: UTC+01:00 is Etc/GMT-1
    return f"Etc/GMT{'-' if sign == '+' else '+'}{int(hours)}"


# Zones that stand for a set of rules, not a place: preferred when a custom VTIMEZONE is matched
# by its offsets, so a nameless zone never claims a country (and with it a holiday region).


def candidate_zones() -> list[str]:
    """Every IANA zone, country-less rule zones and Etc/ first, then the rest alphabetically."""
    rest = sorted(z for z in _iana() if z not in RULE_ZONES and not z.startswith("Etc/"))
    etc = sorted(z for z in _iana() if z.startswith("Etc/"))
    return [z for z in RULE_ZONES if z in _iana()] + etc + rest
