"""What a COVID triage request shows: the FTOP engagement tasks with what is done, the COVID
section of the approval card, and the notes on what to record where."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from domain.covid_parsing import rollout_targets
from domain.covid_triage import (
    BLOCKED_STATUS_TEXT,
    OTHER_SERVICE,
    CovidAnswers,
    has_in_scope_work,
    has_out_of_scope_work,
    not_all_in_scope,
    tier,
    wvd_result,
)
from domain.wvd import NOMINATION_PORTAL, OCP_REQUEST


@dataclass(frozen=True)
class FtopTask:
    number: int
    title: str
    status: str  # "Done", "To do" or "Not needed"
    detail: str


def ftop_tasks(answers: Mapping[str, object]) -> list[FtopTask]:
    """The four engagement steps (FTOP tasks 4115 to 4118) and E5 growth (4108)."""
    typed = CovidAnswers.of(answers)
    team = typed.account_team or []
    picked = tier(typed.priority)
    sync = FtopTask(
        4115,
        "Sync with the account team",
        "Done" if team and picked else "To do",
        f"met {len(team)} account team member{'s' if len(team) != 1 else ''}"
        + (f"; priority {picked.number}" if picked else ""),
    )
    scenarios = _scenario_text(answers)
    conversation = FtopTask(
        4116,
        "Strategic deployment conversation with the customer",
        "Done" if scenarios and typed.fasttrack_scope else "To do",
        "; ".join(x for x in (scenarios, typed.fasttrack_scope or "") if x),
    )
    targets = rollout_targets(answers)
    plan = FtopTask(
        4117,
        "Agree on the workload/feature rollout plan",
        "Done" if targets and typed.next_steps else "To do",
        (
            f"{len(targets)} target date{'s' if len(targets) != 1 else ''}, the first on "
            f"{targets[0][1]:%d %B %Y}"
            if targets
            else "no target dates yet"
        )
        + (
            "; the customer's own plan"
            if typed.has_rollout_plan
            else "; a plan from the Enable Teams Anywhere materials"
            if typed.has_rollout_plan is not None
            else ""
        ),
    )
    in_scope, out_of_scope = has_in_scope_work(answers), has_out_of_scope_work(answers)
    resources = _resources_text(typed, in_scope, out_of_scope)
    assigned = all(
        given
        for given, holds in (
            (typed.in_scope_resources is not None, in_scope),
            (typed.out_of_scope_resources is not None, out_of_scope),
        )
        if holds
    )
    align = FtopTask(
        4118,
        "Request or assign resources",
        "Done" if assigned and resources else "To do",
        resources or "no resources yet",
    )
    return [sync, conversation, plan, align, _e5_task(answers)]


def _e5_task(answers: Mapping[str, object]) -> FtopTask:
    typed = CovidAnswers.of(answers)
    title = "Engage with the account team for E5 growth"
    if typed.blocked:
        return FtopTask(4108, title, "Not needed", "the customer is blocked: no proactive outreach")
    if typed.holding_features:
        return FtopTask(
            4108, title, "Not needed", "the customer holds advanced features: no proactive outreach"
        )
    if typed.e5_growth:
        return FtopTask(
            4108,
            title,
            "To do",
            "support the account team on the E5 opportunity; prioritise an upcoming renewal",
        )
    if typed.e5_growth is False:
        return FtopTask(4108, title, "Not needed", "no E5 opportunity now")
    return FtopTask(4108, title, "To do", "assess the E5 opportunity")


def _scenario_text(answers: Mapping[str, object]) -> str:
    typed = CovidAnswers.of(answers)
    names = []
    for scenario in typed.scenarios or []:
        if scenario == OTHER_SERVICE and typed.other_service:
            names.append(f"{typed.other_service} (another FastTrack service)")
        else:
            names.append(scenario)
    return ", ".join(names)


def _resources_text(typed: CovidAnswers, in_scope: bool, out_of_scope: bool) -> str:
    parts = []
    if in_scope and typed.in_scope_resources:
        parts.append(f"in scope: {typed.in_scope_resources}")
    if out_of_scope and typed.out_of_scope_resources:
        parts.append("out of scope: " + ", ".join(typed.out_of_scope_resources))
    return "; ".join(parts)


def _scope_text(answers: Mapping[str, object]) -> str:
    typed = CovidAnswers.of(answers)
    scope = typed.fasttrack_scope or "(not given)"
    if not not_all_in_scope(answers):
        return scope
    recommended = ", ".join(typed.recommendation or []) or "nothing yet"
    return f"{scope}: {(typed.scope_exception or '')}. Recommended: {recommended}"


def _covid_status(answers: Mapping[str, object]) -> str:
    typed = CovidAnswers.of(answers)
    parts = []
    if typed.blocked:
        parts.append(f"Blocked: L1/L2/L3 {BLOCKED_STATUS_TEXT}")
    if typed.accelerated and typed.covid_note:
        parts.append(f"Accelerated: {typed.covid_note}")
    return "; ".join(parts) or "Neither blocked nor accelerated"


def _wvd_text(answers: Mapping[str, object]) -> str | None:
    typed = CovidAnswers.of(answers)
    result = wvd_result(answers)
    if result is None:
        return None
    if result.azure is None:
        return "Not native WVD (Citrix or VMware): out of scope, partner request via OCP"
    if result.nominate:
        text = "Eligible: nominate"
        if typed.nomination_id:
            text += f" with {typed.nomination_id}"
        if result.out_of_scope:
            text += "; out-of-scope items via a partner request (OCP)"
        return text
    reasons = [
        reason
        for eligibility in (result.azure, result.m365)
        if eligibility is not None and not eligibility.eligible
        for reason in eligibility.reasons
    ]
    return "Not eligible (" + "; ".join(reasons) + "): partner request via OCP"


def highlights(answers: Mapping[str, object]) -> list[tuple[str, str]]:
    """The COVID section of the liaison's card."""
    typed = CovidAnswers.of(answers)
    picked = tier(typed.priority)
    facts = [
        ("Priority", f"{picked.number} · {picked.name}" if picked else "(not given)"),
        ("Scenarios", _scenario_text(answers) or "(not given)"),
        ("FastTrack scope", _scope_text(answers)),
        ("COVID status", _covid_status(answers)),
    ]
    wvd = _wvd_text(answers)
    if wvd:
        facts.append(("WVD pre-qualification", wvd))
    targets = rollout_targets(answers)
    facts.append(
        (
            "Rollout target dates",
            "; ".join(f"{name} {due:%d %b %Y}" for name, due in targets) or "(none)",
        )
    )
    e5 = _e5_task(answers)
    facts.append(("E5 growth (4108)", f"{e5.status}: {e5.detail}"))
    return facts


def notes(answers: Mapping[str, object]) -> list[str]:
    """The FTOP tasks with what is done, and what to record where, for the summary and card."""
    typed = CovidAnswers.of(answers)
    found = [
        f"FTOP task {task.number} · {task.title}: {task.status} ({task.detail})."
        for task in ftop_tasks(answers)
    ]
    if typed.blocked:
        found.append(f"Set L1/L2/L3 in FTOP to {BLOCKED_STATUS_TEXT}.")
    if typed.accelerated and typed.covid_note:
        found.append(f"Add to the FTOP Notes field: {typed.covid_note}")
    if not_all_in_scope(answers):
        found.append(
            "Document the exception in the FastTrack Insight tool. Recommended to fill the gap: "
            + (", ".join(typed.recommendation or []) or "Premier, a partner or ECIF")
            + "."
        )
    result = wvd_result(answers)
    if result is not None and result.nominate:
        found.append(
            f"Nominate the customer through the Azure Nomination Portal ({NOMINATION_PORTAL})."
        )
    if result is not None and result.needs_partner:
        found.append(
            "WVD: follow up with the account team to submit a partner request via OCP "
            f"({OCP_REQUEST})."
        )
    return found
