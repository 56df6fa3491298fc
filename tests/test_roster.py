from pathlib import Path

import pytest
import yaml

from config.roster import load_roster, parse_roster
from config.settings import ConfigurationError
from domain.roster import Specialty

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


def test_roles_of_a_person_are_found_across_areas():
    roster = load_roster(SAMPLE)
    roles = {
        (role, area.code) for role, area in roster.roles_of("33333333-3333-4333-8333-333333333333")
    }
    assert ("backup", "americas") in roles
    assert ("liaison", "emea") in roles


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
