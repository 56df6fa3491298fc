"""The `request fta` questions: after the type, exactly the key inputs that type still lacks,
and the account team to tell when it goes to an FTA."""

from pathlib import Path

import pytest

from config.roster import load_roster
from domain.fta_assignment import (
    ACCOUNT_TEAM,
    REQUEST_TYPE_LABELS,
    FtaRequestType,
    KeyInput,
    Route,
    steps,
)
from domain.questionnaire import next_step

ROSTER = load_roster(Path(__file__).resolve().parents[1] / "config" / "roster.sample.yaml")


def asked(answers: dict) -> list[str]:
    step = next_step(steps(ROSTER), answers)
    return [] if step is None else [q.key for q in step.unanswered(answers)]


@pytest.mark.parametrize("request_type", list(FtaRequestType))
def test_each_type_asks_for_its_key_inputs(request_type: FtaRequestType) -> None:
    answers = {
        "request_type": REQUEST_TYPE_LABELS[request_type],
        "customer": "Contoso",
        "area": "Americas",
    }
    # Only an FTA's assignment is news for the account team; FTCHelp replies to the requester.
    team = [ACCOUNT_TEAM] if request_type.route is Route.FTA else []
    assert sorted(asked(answers)) == sorted(
        [*(key.value for key in request_type.key_inputs), *team]
    )


def test_only_what_is_missing_is_asked() -> None:
    answers = {
        "request_type": REQUEST_TYPE_LABELS[FtaRequestType.ECIF_DWR_REVIEW],
        "customer": "Contoso",
        "area": "EMEA",
        KeyInput.SOW.value: "https://contoso.sharepoint.com/sow",
    }
    assert asked(answers) == [
        KeyInput.STAFFING_PLAN.value,
        KeyInput.COST_BREAKDOWN.value,
        ACCOUNT_TEAM,
    ]
    answers |= {KeyInput.STAFFING_PLAN.value: "x", KeyInput.COST_BREAKDOWN.value: "y"}
    assert asked(answers) == [ACCOUNT_TEAM]
    answers |= {ACCOUNT_TEAM: ["ae@contoso.com"]}
    assert asked(answers) == []


def test_the_type_comes_first() -> None:
    assert asked({}) == ["request_type", "customer", "area"]
