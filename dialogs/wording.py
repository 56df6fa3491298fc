"""How the conversations put into words what the domain decides (a WVD verdict, a priority),
said to the FM once the answers that decide it are in."""

from __future__ import annotations

from functools import singledispatch

from domain.covid_triage import Tier, WvdResult
from domain.wvd import NOMINATION_PORTAL, OCP_REQUEST, Eligibility


@singledispatch
def describe(value: object) -> str:
    raise TypeError(f"no wording for {type(value).__name__}")


@describe.register
def _(value: str) -> str:
    return value


@describe.register
def _(value: Tier) -> str:
    return f"**Priority {value.number}**: {value.meaning}"


@describe.register
def _(value: WvdResult) -> str:
    if value.azure is None or value.m365 is None:
        return (
            "**Not a native WVD deployment.** Citrix and VMware scenarios are out of FastTrack "
            f"scope: follow up with the account team to submit a partner request via OCP "
            f"({OCP_REQUEST})."
        )
    lines = [
        "**WVD pre-qualification: " + ("eligible.**" if value.nominate else "not eligible.**"),
        f"FastTrack for Azure: {_met(value.azure)}.",
        f"FastTrack for M365: {_met(value.m365)}.",
    ]
    if value.nominate:
        lines.append(
            f"Next: nominate the customer through the Azure Nomination Portal "
            f"({NOMINATION_PORTAL}) with its TPID, enrollment id or subscription id."
        )
    else:
        lines.append(
            f"Next: follow up with the account team to submit a partner request via OCP "
            f"({OCP_REQUEST})."
        )
    return "\n\n".join(lines)


def _met(eligibility: Eligibility) -> str:
    word = "met" if eligibility.eligible else "not met"
    return f"{word} ({'; '.join(eligibility.reasons)})"
