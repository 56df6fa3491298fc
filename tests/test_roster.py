from datetime import date, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from config.roster import load_roster, parse_roster
from config.settings import ConfigurationError
from domain.roster import Person, Specialty
from domain.working_hours import WorkingHours

SAMPLE = Path(__file__).resolve().parents[1] / "config" / "roster.sample.yaml"


def sample() -> dict:
    return yaml.safe_load(SAMPLE.read_text())


def test_the_sample_roster_loads():
    roster = load_roster(SAMPLE)
    americas = roster.area("americas")
    assert americas.liaison.display_name == "Adele Vance"
    assert americas.backup.display_name == "Diego Siciliani"
    assert americas.director.display_name == "Lynne Robbins"
    assert "US" in americas.holiday_countries
    assert roster.ftc_help_mailbox == "ftchelp@contoso.com"
    assert any(Specialty.TRAINING_AND_ENABLEMENT in p.specialties for p in roster.partners)


def test_each_area_lists_its_ftas_with_their_away_flag():
    roster = load_roster(SAMPLE)
    americas, emea, apj = (roster.area(code) for code in ("americas", "emea", "apj"))
    assert [(fta.person.display_name, fta.away) for fta in americas.ftas] == [
        ("Megan Bowen", False),
        ("Isaiah Langer", False),
    ]
    assert americas.ftas[0].person == Person(
        "Megan Bowen", "55555555-5555-4555-8555-555555555555", "megan.bowen@contoso.com"
    )
    assert [(fta.person.display_name, fta.away) for fta in emea.ftas] == [
        ("Isaiah Langer", False),
        ("Megan Bowen", True),
    ]
    assert apj.ftas == ()


def test_an_fta_with_working_hours_gets_them():
    data = sample()
    data["areas"][2]["ftas"] = [
        {
            "name": "Nestor Wilke",
            "aad_object_id": "77777777-7777-4777-8777-777777777777",
            "email": "Nestor.Wilke@contoso.com",
            "working_hours": {"time_zone": "Asia/Tokyo"},
        }
    ]
    roster = parse_roster(data)
    (fta,) = roster.area("apj").ftas
    assert fta.person.email == "nestor.wilke@contoso.com"
    assert roster.working_hours_of(fta.person).zone == ZoneInfo("Asia/Tokyo")


def test_roles_of_a_person_are_found_across_areas():
    roster = load_roster(SAMPLE)
    roles = {
        (role, area.code) for role, area in roster.roles_of("33333333-3333-4333-8333-333333333333")
    }
    assert ("backup", "americas") in roles
    assert ("liaison", "emea") in roles


def test_holiday_subdivisions_join_the_area_calendar():
    emea = load_roster(SAMPLE).area("emea")
    assert emea.holiday_subdivisions == ("DE-BY", "GB-ENG")
    assert not emea.calendar.is_business_day(date(2026, 1, 6))  # Epiphany, in Bavaria only
    data = sample()
    data["areas"][1].pop("holiday_subdivisions")
    assert parse_roster(data).area("emea").calendar.is_business_day(date(2026, 1, 6))


def test_working_hours_come_from_the_person_else_the_default():
    roster = load_roster(SAMPLE)
    americas = roster.area("americas")
    adele = roster.working_hours_of(americas.liaison)
    assert adele.zone == ZoneInfo("America/Los_Angeles")
    assert (adele.start, adele.end) == (time(8), time(17))
    assert adele.weekdays == frozenset(range(5))
    fm = Person("Alex Wilber", "11111111-1111-4111-8111-111111111111", "alex@contoso.com")
    assert roster.working_hours_of(fm) == WorkingHours(ZoneInfo("America/New_York"))


def test_a_windows_time_zone_name_is_taken_as_its_iana_zone():
    # As Graph's mailboxSettings name zones, e.g. when hours are copied from Outlook.
    data = sample()
    data["default_working_hours"] = {"time_zone": "W. Europe Standard Time"}
    roster = parse_roster(data)
    fm = Person("Alex Wilber", "11111111-1111-4111-8111-111111111111", "alex@contoso.com")
    assert roster.working_hours_of(fm).zone == ZoneInfo("Europe/Berlin")


def test_without_any_working_hours_everyone_works_nine_to_five_utc():
    data = sample()
    data.pop("default_working_hours")
    for area in data["areas"]:
        for role in ("liaison", "backup", "director"):
            area[role] = {k: v for k, v in area[role].items() if k != "working_hours"}
    roster = parse_roster(data)
    assert roster.working_hours_of(roster.area("emea").liaison) == WorkingHours()
    assert WorkingHours() == WorkingHours(ZoneInfo("UTC"), time(9), time(17), frozenset(range(5)))


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (
            lambda d: d["areas"][1]["backup"].update(email="diego"),
            "areas[1] (EMEA).backup.email: not an email address",
        ),
        (
            lambda d: d["areas"][0]["liaison"].update(aad_object_id="nope"),
            "areas[0] (Americas).liaison.aad_object_id: not an AAD object id",
        ),
        (lambda d: d["areas"][0].pop("director"), "areas[0] (Americas).director: Field required"),
        (
            lambda d: d["areas"][2].update(holiday_countries=["usa"]),
            "areas[2] (Asia Pacific and Japan).holiday_countries[0]: not an ISO 3166",
        ),
        (
            lambda d: d["areas"][1].update(holiday_countries=["GB", "XX"]),
            "areas[1] (EMEA).holiday_countries[1]: no public holiday calendar is known for 'XX'",
        ),
        (
            lambda d: d["areas"][1].update(holiday_subdivisions=["DE-BY", "DE-XX"]),
            "areas[1] (EMEA).holiday_subdivisions[1]: no public holiday calendar is known for "
            "'DE-XX'",
        ),
        (
            lambda d: d["areas"][1].update(holiday_subdivisions=["Bavaria"]),
            "areas[1] (EMEA).holiday_subdivisions[0]: not a subdivision code such as DE-BY",
        ),
        (
            lambda d: d["areas"][0]["director"].update(working_hours={"time_zone": "Mars/Olympus"}),
            "areas[0] (Americas).director.working_hours.time_zone: not a time zone such as",
        ),
        (
            lambda d: d["areas"][0]["director"].update(
                working_hours={"time_zone": "UTC", "days": ["Monday"]}
            ),
            "areas[0] (Americas).director.working_hours.days[0]: Input should be 'Mon'",
        ),
        (
            lambda d: d["areas"][0]["director"].update(
                working_hours={"time_zone": "UTC", "start": "18:00", "end": "09:00"}
            ),
            "areas[0] (Americas).director.working_hours: must end after they start",
        ),
        (
            lambda d: d["areas"][2]["director"].update(
                working_hours={"time_zone": "Australia/Sydney"}
            ),
            "areas[2] (Asia Pacific and Japan).director.working_hours: Lynne Robbins has other "
            "working hours at areas[0] (Americas).director.working_hours",
        ),
        (
            lambda d: d.update(default_working_hours={"time_zone": "Pacific Standard"}),
            "default_working_hours.time_zone: not a time zone such as",
        ),
        (
            lambda d: d["partners"][0].update(specialties=["Cooking"]),
            "partners[0] (Northwind Change Partners).specialties[0]: Input should be",
        ),
        (
            lambda d: d["areas"][0].update(colour="blue"),
            "areas[0] (Americas).colour: Extra inputs are not permitted",
        ),
        (lambda d: d.update(ftc_help_mailbox="ftchelp"), "ftc_help_mailbox: not an email"),
        (
            lambda d: d["areas"][1].update(code="americas"),
            "areas[1] (EMEA).code: 'americas' is used by another area",
        ),
        (
            lambda d: d["areas"][0].update(backup=d["areas"][0]["liaison"]),
            "areas[0] (Americas).backup: must be someone other than the liaison",
        ),
        (
            lambda d: d["areas"][0]["ftas"][1].update(email="isaiah"),
            "areas[0] (Americas).ftas[1] (Isaiah Langer).email: not an email address",
        ),
        (
            lambda d: d["areas"][1]["ftas"][0].update(away="sometimes"),
            "areas[1] (EMEA).ftas[0] (Isaiah Langer).away: Input should be a valid boolean",
        ),
        (
            lambda d: d["areas"][0]["ftas"].append(dict(d["areas"][0]["ftas"][0])),
            "areas[0] (Americas).ftas[2] (Megan Bowen): listed twice",
        ),
        (
            lambda d: (
                d["areas"][0]["ftas"][0].update(working_hours={"time_zone": "UTC"}),
                d["areas"][1]["ftas"][1].update(working_hours={"time_zone": "Asia/Tokyo"}),
            ),
            "areas[1] (EMEA).ftas[1].working_hours: Megan Bowen has other working hours at "
            "areas[0] (Americas).ftas[0].working_hours",
        ),
        (
            lambda d: d["partners"].append(dict(d["partners"][0])),
            "(Northwind Change Partners).name: listed twice",
        ),
    ],
)
def test_a_broken_entry_is_named_with_its_field(break_it, message):
    data = sample()
    break_it(data)
    with pytest.raises(ConfigurationError) as error:
        parse_roster(data)
    assert message in str(error.value)


def test_a_missing_roster_file_names_the_setting(tmp_path):
    with pytest.raises(ConfigurationError, match="ROSTER_PATH: cannot read roster"):
        load_roster(tmp_path / "missing.yaml")


def test_invalid_yaml_is_reported_with_the_file(tmp_path):
    path = tmp_path / "roster.yaml"
    path.write_text("areas: [\n")
    with pytest.raises(ConfigurationError, match=f"roster {path}: not valid YAML"):
        load_roster(path)
