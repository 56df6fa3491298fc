"""Countries and cities as people name them, to ISO 3166 two-letter country codes.

Country names are the Unicode CLDR's English names (from Babel); the cities are the ones
FastTrack customers are most often named by, and those that decide where FastTrack for Azure is
available (mainland China, Russia, Hong Kong, Taiwan, Macao, India).
"""

from __future__ import annotations

from functools import cache

from babel import Locale

_COUNTRY_ALIASES = {
    "usa": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "america": "US",
    "united states of america": "US",
    "uk": "GB",
    "u.k.": "GB",
    "britain": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "prc": "CN",
    "mainland china": "CN",
    "people's republic of china": "CN",
    "russian federation": "RU",
    "hong kong": "HK",
    "hong kong sar": "HK",
    "macau": "MO",
    "macao": "MO",
    "macao sar": "MO",
    "korea": "KR",
    "uae": "AE",
    "holland": "NL",
    "czech republic": "CZ",
}

_CITIES = {
    # Where FastTrack for Azure is not available, or only by exception.
    "beijing": "CN",
    "shanghai": "CN",
    "shenzhen": "CN",
    "guangzhou": "CN",
    "chengdu": "CN",
    "hangzhou": "CN",
    "wuhan": "CN",
    "tianjin": "CN",
    "nanjing": "CN",
    "moscow": "RU",
    "saint petersburg": "RU",
    "st petersburg": "RU",
    "st. petersburg": "RU",
    "novosibirsk": "RU",
    "taipei": "TW",
    "kaohsiung": "TW",
    "taichung": "TW",
    "mumbai": "IN",
    "delhi": "IN",
    "new delhi": "IN",
    "bangalore": "IN",
    "bengaluru": "IN",
    "hyderabad": "IN",
    "chennai": "IN",
    "pune": "IN",
    "kolkata": "IN",
    "noida": "IN",
    "gurgaon": "IN",
    # Elsewhere.
    "seattle": "US",
    "redmond": "US",
    "bellevue": "US",
    "new york": "US",
    "san francisco": "US",
    "los angeles": "US",
    "chicago": "US",
    "boston": "US",
    "atlanta": "US",
    "dallas": "US",
    "houston": "US",
    "washington": "US",
    "toronto": "CA",
    "vancouver": "CA",
    "montreal": "CA",
    "mexico city": "MX",
    "sao paulo": "BR",
    "são paulo": "BR",
    "rio de janeiro": "BR",
    "buenos aires": "AR",
    "london": "GB",
    "manchester": "GB",
    "edinburgh": "GB",
    "dublin": "IE",
    "paris": "FR",
    "lyon": "FR",
    "berlin": "DE",
    "munich": "DE",
    "frankfurt": "DE",
    "hamburg": "DE",
    "amsterdam": "NL",
    "brussels": "BE",
    "zurich": "CH",
    "geneva": "CH",
    "vienna": "AT",
    "madrid": "ES",
    "barcelona": "ES",
    "milan": "IT",
    "rome": "IT",
    "lisbon": "PT",
    "stockholm": "SE",
    "oslo": "NO",
    "copenhagen": "DK",
    "helsinki": "FI",
    "warsaw": "PL",
    "prague": "CZ",
    "istanbul": "TR",
    "dubai": "AE",
    "riyadh": "SA",
    "tel aviv": "IL",
    "johannesburg": "ZA",
    "cape town": "ZA",
    "nairobi": "KE",
    "lagos": "NG",
    "cairo": "EG",
    "tokyo": "JP",
    "osaka": "JP",
    "seoul": "KR",
    "singapore": "SG",
    "kuala lumpur": "MY",
    "jakarta": "ID",
    "bangkok": "TH",
    "manila": "PH",
    "sydney": "AU",
    "melbourne": "AU",
    "auckland": "NZ",
}


@cache
def _country_names() -> dict[str, str]:
    """Lower-cased English country name -> code, for the two-letter codes only (not regions)."""
    territories = Locale("en").territories
    return {
        name.lower(): code
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha()
    }


def country_name(code: str) -> str:
    return str(Locale("en").territories.get(code.upper(), code.upper()))


def country_code(name: str) -> str | None:
    """ "United States", "us", "USA", "UK" -> the two-letter code; None when not a country."""
    wanted = " ".join(name.split()).strip(" .").lower()
    if not wanted:
        return None
    if len(wanted) == 2 and wanted.upper() in Locale("en").territories:
        return wanted.upper()
    return _COUNTRY_ALIASES.get(wanted) or _country_names().get(wanted)


def city_country(city: str) -> str | None:
    return _CITIES.get(" ".join(city.split()).lower())


def find_country(text: str) -> str | None:
    """The country a place names: a country, a known city, or "city, country"."""
    place = text.strip()
    found = country_code(place) or city_country(place)
    if found:
        return found
    city, comma, country = place.rpartition(",")
    if comma:
        return country_code(country) or city_country(city)
    return None
