"""Ids a FastTrack Manager types, checked for their format."""

from __future__ import annotations

import re

from domain.questionnaire import InvalidAnswer

# "TPID 1234567", "tpid: 1234567" or the digits alone.
_TPID = re.compile(r"^(?:tpid\s*[:#]?\s*)?(\d{4,12})$", re.IGNORECASE)


def parse_tpid(text: str) -> str:
    """A customer's TPID: a number of 4 to 12 digits."""
    match = _TPID.match(text.strip())
    if not match:
        raise InvalidAnswer(
            f"“{text.strip()}” is not a TPID: a TPID is a number of 4 to 12 digits."
        )
    return match.group(1)
