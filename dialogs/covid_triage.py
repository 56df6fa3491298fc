"""COVID triage (seed 000): a customer affected by COVID, with Windows Virtual Desktop
pre-qualification, approved by the area liaison (and the regional director when flagged). Its
questions and rules are in domain/covid_triage.py and domain/covid_tasks.py."""

from __future__ import annotations

from cards.welcome import MenuItem
from dialogs.registry import ApprovalKind
from domain import covid_tasks, covid_triage, wvd
from domain.roster import Roster
from services.requests import RequestKindSpec


def spec(roster: Roster) -> RequestKindSpec:
    return RequestKindSpec(
        covid_triage.KIND,
        covid_triage.steps(roster),
        covid_triage.needs_director,
        covid_tasks.notes,
        after_approval=(
            "Next: the work goes ahead as triaged; record the outcome from `my requests` once "
            "it is done."
        ),
        mail_next_steps=mail_next_steps,
        outcomes=covid_triage.OUTCOMES,
        highlights=covid_tasks.highlights,
        notes_are_a_checklist=True,
        flags=covid_triage.flags,
        deadlines_at_submission=covid_triage.deadlines_at_submission,
    )


def mail_next_steps(answers: dict) -> list[str]:
    tasks = {task.number: task for task in covid_tasks.ftop_tasks(answers)}
    plan, resources = tasks[4117], tasks[4118]
    steps = [
        f"Rollout plan: {plan.detail}."
        + (f" Agreed next steps: {answers['next_steps']}" if answers.get("next_steps") else ""),
        f"Resources: {resources.detail}.",
    ]
    result = covid_triage.wvd_result(answers)
    if result is not None and result.nominate:
        steps.append(
            "Windows Virtual Desktop: the customer qualifies; nominate them through the Azure "
            f"Nomination Portal ({wvd.NOMINATION_PORTAL})"
            + (f" with {answers['nomination_id']}." if answers.get("nomination_id") else ".")
        )
    if covid_triage.wvd_needs_partner(answers):
        steps.append(
            "Windows Virtual Desktop work outside FastTrack scope: submit a partner request "
            f"through OCP ({wvd.OCP_REQUEST})."
        )
    return steps


KIND = ApprovalKind(
    MenuItem(
        "covid triage",
        "COVID triage",
        "Triage a customer affected by COVID, with Windows Virtual Desktop pre-qualification",
        ("covid", "covid-19 triage", "covid 19 triage", "triage", "wvd"),
    ),
    spec,
    confirmation=covid_triage.CONFIRMATION,
)
