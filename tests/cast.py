"""The people and the area most tests work with, as the domain sees them (the Teams side of
the same people is in tests/harness.py)."""

from __future__ import annotations

from domain.roster import Area, Person

FM = Person("Alex Wilber", "11111111-1111-4111-8111-111111111111", "alex@contoso.com")
LIAISON = Person("Adele Vance", "22222222-2222-4222-8222-222222222222", "adele@contoso.com")
BACKUP = Person("Diego Siciliani", "33333333-3333-4333-8333-333333333333", "diego@contoso.com")
DIRECTOR = Person("Lynne Robbins", "44444444-4444-4444-8444-444444444444", "lynne@contoso.com")
STRANGER = Person("Megan Bowen", "55555555-5555-4555-8555-555555555555", "megan@contoso.com")
AMERICAS = Area("americas", "Americas", LIAISON, BACKUP, DIRECTOR, ("US",))
