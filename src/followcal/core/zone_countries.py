"""IANA zones -> the country they belong to (zone.tab of tzdata), for the region fall-back: an
interview in Europe/Berlin counts German holidays when nothing else names a region."""

from __future__ import annotations

import os
from functools import lru_cache
from zoneinfo import available_timezones

# zones of no single country: never a region
RULE_ZONES = ("CET", "EET", "WET", "MET", "EST5EDT", "CST6CDT", "MST7MDT", "PST8PDT")


@lru_cache(maxsize=1)
def iana_zones() -> frozenset[str]:
    return frozenset(available_timezones())


@lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    """zone.tab: each zone of one country -> its ISO 3166 alpha-2 code (tzdata, else the system)."""
    data = _tzdata_file("zone.tab")
    if data is not None:
        text = data.decode("utf-8")
    else:  # tzdata missing: the system database
        try:
            with open("/usr/share/zoneinfo/zone.tab", encoding="utf-8") as fh:
                text = fh.read()
        except OSError:
            text = ""
    out: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) >= 3:
            out[parts[2].strip()] = parts[0].strip().upper()
    return out


def _tzif(zone: str) -> bytes | None:
    return _tzdata_file(*zone.split("/"))


def _tzdata_file(*parts: str) -> bytes | None:
    """A file under tzdata's zoneinfo folder, None without tzdata or such a file. Read from the
    folder where tzdata is one (importlib.resources costs 5 ms to import: a tenth of a plan)."""
    try:
        import tzdata  # type: ignore[import-untyped]
    except ImportError:
        return None
    where = getattr(tzdata, "__file__", None)
    folder = os.path.join(os.path.dirname(where), "zoneinfo") if where else ""
    if folder and os.path.isdir(folder):
        try:
            with open(os.path.join(folder, *parts), "rb") as fh:
                return fh.read()
        except OSError:
            return None
    try:
        from importlib.resources import files

        return files("tzdata.zoneinfo").joinpath(*parts).read_bytes()
    except Exception:  # noqa: BLE001 - a zipped tzdata without such a file
        return None


@lru_cache(maxsize=1)
def _countries_by_data() -> dict[bytes, frozenset[str]]:
    """TZif bytes -> the countries of the zone.tab zones with exactly those bytes (tzdata stores a
    link as a copy of its target, so a legacy name finds its zone)."""
    out: dict[bytes, set[str]] = {}
    for zone, country in _zone_countries().items():
        data = _tzif(zone)
        if data is not None:
            out.setdefault(data, set()).add(country)
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=512)
def zone_country(zone: str) -> str | None:
    """The country of a zone that belongs to one country (Europe/Berlin -> DE, and a legacy link
    such as Asia/Calcutta -> IN, the name CLDR gives "India Standard Time"); None for UTC, Etc/,
    rule zones, links shared by several countries and unknown names."""
    countries = _zone_countries()
    if zone in countries:
        return countries[zone]
    if zone.startswith("Etc/") or zone in RULE_ZONES or zone not in iana_zones():
        return None
    data = _tzif(zone)
    found = _countries_by_data().get(data, frozenset()) if data is not None else frozenset()
    return next(iter(found)) if len(found) == 1 else None
