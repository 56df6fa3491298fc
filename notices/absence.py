"""Why a request went past someone: said on its card and to the FM who submitted it."""

from __future__ import annotations

from domain.out_of_office import Absence


def absence_note(absence: Absence) -> str:
    """E.g. "Adele Vance is out of office until Tue 1 Dec" (the day in their own zone)."""
    name = absence.person.display_name
    until = absence.until
    if until is None:
        return f"{name} is out of office"
    return f"{name} is out of office until {until:%a} {until.day} {until:%b}"
