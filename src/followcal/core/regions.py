"""Region codes as people write them, and where an interview's region comes from.

Why: the two holiday libraries know different aliases (`holidays` takes UK, GBR and DEU,
workalendar only GB and DE), so an unnormalised code silently lost one library's holidays (UK got
half of England's bank holidays); and with no region set, a London or Berlin interview got US
holidays although its own time zone names the country. followup-rules.md "Holidays" has the
precedence: hint > company > option/config > the zone's country > US.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from followcal.core.zone_countries import zone_country
from followcal.errors import UnknownRegionError

# Codes people use that are not ISO 3166 alpha-2 (ISO reserves UK for the United Kingdom, GB is
# its code), and alpha-3 codes `holidays` has no class for.
_ALIASES = {"UK": "GB", "EL": "GR"}
_ALPHA3_EXTRA = {"GBR": "GB", "USA": "US", "DEU": "DE", "FRA": "FR", "JPN": "JP", "AUS": "AU", "CAN": "CA",
                 "ESP": "ES", "ITA": "IT", "NLD": "NL", "CHE": "CH", "AUT": "AT", "IRL": "IE", "BRA": "BR",
                 "IND": "IN", "NZL": "NZ", "SWE": "SE", "POL": "PL", "PRT": "PT", "BEL": "BE", "SGP": "SG",
                 "MEX": "MX", "ZAF": "ZA", "KOR": "KR", "CHN": "CN", "HKG": "HK", "NOR": "NO", "DNK": "DK",
                 "FIN": "FI", "CZE": "CZ", "ISR": "IL", "TWN": "TW", "ARG": "AR", "CHL": "CL", "COL": "CO"}

REGION_FROM = ("hint", "company", "option", "config", "zone", "default")


@lru_cache(maxsize=256)
def _alpha3(code: str) -> str:
    """alpha-3 -> alpha-2 from the table above, else from the `holidays` class of that name (it
    defines alpha-3 aliases; only that one country's module is imported); unknown codes as they are."""
    if code in _ALPHA3_EXTRA:
        return _ALPHA3_EXTRA[code]
    try:
        import holidays

        country = getattr(getattr(holidays, code, None), "country", None)
    except Exception:  # noqa: BLE001 - library boundary
        country = None
    return country.upper() if isinstance(country, str) and len(country) == 2 else code


def normalise_code(region: str) -> str:
    """` uk `, `gbr`, `us_ca`, `DEU-BY` -> `GB`, `GB`, `US-CA`, `DE-BY`: ISO 3166 alpha-2 (plus the
    subdivision), upper case, before either holiday library is asked."""
    code = region.strip().upper().replace("_", "-")
    country, dash, subdivision = code.partition("-")
    country = _ALIASES.get(country, country)
    if len(country) == 3:
        country = _alpha3(country)
    return country + dash + subdivision


def one_library_warning(region: str, sources: tuple[str, ...]) -> str | None:
    """The warning for a region only one library knows, else None."""
    if len(sources) != 1:
        return None
    other = "holidays" if sources[0] == "workalendar" else "workalendar"
    return f"region {region}: {other} does not know it; using the holidays of {sources[0]} alone"


def choose_region(
    *,
    hint: str | None,
    company: str | None,
    default: str | None,
    default_from: str,
    zone: str | None,
    region_of: Callable[[str], str],
    warn: list[str],
    uid: str,
) -> tuple[str, str]:
    """(region, where it came from) by the precedence of followup-rules.md.

    `default` is the --region option or the config's `region` (`default_from` says which), `zone`
    the interview's own time zone (None for floating and all-day times). A bad hint is a warning;
    a bad company or default region is the user's config error and propagates.
    """
    if hint:
        try:
            return region_of(hint), "hint"
        except UnknownRegionError:
            warn.append(f"event {uid}: Region: unknown region {hint!r}; ignored")
    if company:
        return region_of(company), "company"
    if default:
        return region_of(default), default_from
    country = zone_country(zone) if zone else None
    if country:
        try:
            return region_of(country), "zone"
        except UnknownRegionError:
            warn.append(f"event {uid}: time zone {zone}: neither holiday library knows {country}; using US")
    return region_of("US"), "default"
