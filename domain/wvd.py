"""Windows Virtual Desktop (WVD) pre-qualification for FastTrack for Azure and FastTrack for
M365 (seed 003): where FastTrack for Azure is available, and whether a customer qualifies, with
the reasons. Pure rules on values; the COVID triage applies them to its answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from domain import places

# --- WVD ------------------------------------------------------------------------------------

WVD_BRIEFING = "https://transform.microsoft.com/products/windows-virtual-desktop"
OCP_REQUEST = "https://ocpsupport.azurewebsites.net/Support/Create?hasAcctKey=False"
NOMINATION_PORTAL = "https://cxp.azure.com/nominationportal/nominationform/fasttrack"

# Executed by the WVD subject matter experts; native WVD deployments only.
WVD_IN_SCOPE = (
    "Deploy Office 365 ProPlus and Windows 10 to a WVD multi-session environment",
    "Configure Office 365 ProPlus FSLogix capabilities",
    "Deploy Teams to the host pool",
    "Deploy Edge to the host pool",
    "Deploy Microsoft 365 security capabilities",
    "Overview of MDATP for WVD multi-session (coming soon)",
    "Overview of Intune support for WVD (coming soon)",
)
WVD_OUT_OF_SCOPE = (
    "Third-party application virtualisation or deployment",
    "Custom images",
    "SCCM and MDT",
    "Migrations and scenarios involving VMware or Citrix",
    "Linux scenarios",
    "Project management of the customer's WVD deployment",
)

# M365 or Windows 10 E3/E5/A3/A5: required by both pre-qualifications.
QUALIFYING_LICENCES = tuple(
    f"{product} {plan}"
    for product in ("Microsoft 365", "Windows 10")
    for plan in ("E3", "E5", "A3", "A5")
)
MINIMUM_SEATS = 150
MINIMUM_VMS = 150


class RegionClass(StrEnum):
    SUPPORTED = "supported"
    BY_EXCEPTION = "by exception, in English only"
    NOT_AVAILABLE = "not available"


MAINLAND_CHINA = "China (mainland)"
ELSEWHERE = "Anywhere else Azure is commercially available"
NO_COMMERCIAL_AZURE = "Outside Azure's commercial regions (e.g. a sovereign cloud)"
EXCEPTION_REGIONS = ("Russia", "Hong Kong", "Taiwan", "Macao", "India")
REGIONS = (MAINLAND_CHINA, *EXCEPTION_REGIONS, ELSEWHERE, NO_COMMERCIAL_AZURE)

# The countries whose class is not "supported"; any other country is.
REGION_OF_COUNTRY = {
    "CN": MAINLAND_CHINA,
    "RU": "Russia",
    "HK": "Hong Kong",
    "TW": "Taiwan",
    "MO": "Macao",
    "IN": "India",
}


# The WVD conditions ask it of the same stored region many times a turn; regions are few.
@lru_cache(maxsize=1024)
def region_class(region: str) -> RegionClass:
    """Where FastTrack for Azure is available: every Azure commercial region except mainland
    China; Russia, Hong Kong, Taiwan, Macao and India by exception and in English only."""
    canonical = region.strip()
    if canonical not in REGIONS:
        code = places.find_country(canonical)
        canonical = REGION_OF_COUNTRY.get(code, canonical) if code else canonical
    if canonical in (MAINLAND_CHINA, NO_COMMERCIAL_AZURE):
        return RegionClass.NOT_AVAILABLE
    if canonical in EXCEPTION_REGIONS:
        return RegionClass.BY_EXCEPTION
    return RegionClass.SUPPORTED


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    # Not eligible: each requirement not met. Eligible: what qualified, with any caveat.
    reasons: list[str]


def prequalify_fasttrack_for_azure(
    *,
    paid_azure_subscription: bool,
    region: str,
    licences: Iterable[str],
    english_accepted: bool = False,
) -> Eligibility:
    """Active paid Azure subscription, a region where FastTrack for Azure is available, and an
    M365 or Windows 10 E3/E5/A3/A5 licence."""
    met: list[str] = []
    unmet: list[str] = []
    if paid_azure_subscription:
        met.append("an active, paid Azure subscription")
    else:
        unmet.append("no active, paid Azure subscription")

    where = region.strip()
    regions = region_class(where)
    if regions is RegionClass.NOT_AVAILABLE:
        unmet.append(f"FastTrack for Azure is not available in {_region_name(where)}")
    elif regions is RegionClass.BY_EXCEPTION:
        if english_accepted:
            met.append(f"{where}: available by exception and in English only")
        else:
            unmet.append(
                f"in {where} FastTrack for Azure is available by exception and in English only, "
                "and the customer needs another language"
            )
    else:
        met.append("a region where FastTrack for Azure is available")

    held = qualifying_licences(licences)
    if held:
        met.append("licence " + ", ".join(held))
    else:
        unmet.append("no Microsoft 365 or Windows 10 E3, E5, A3 or A5 licence")
    return Eligibility(not unmet, unmet or met)


def prequalify_fasttrack_for_m365(
    *, licences: Iterable[str], seats: int, vms: int, azure_virtual_network: bool
) -> Eligibility:
    """An M365 or Windows 10 E3/E5/A3/A5 licence with 150+ seats, 150+ VMs, and an Azure
    subscription that contains a virtual network."""
    met: list[str] = []
    unmet: list[str] = []
    held = qualifying_licences(licences)
    if not held:
        unmet.append("no Microsoft 365 or Windows 10 E3, E5, A3 or A5 licence")
    elif seats < MINIMUM_SEATS:
        unmet.append(f"{seats:,} licensed seats, fewer than the {MINIMUM_SEATS} required")
    else:
        met.append(f"{seats:,} seats of " + ", ".join(held))
    if vms < MINIMUM_VMS:
        unmet.append(f"{vms:,} virtual machines, fewer than the {MINIMUM_VMS} required")
    else:
        met.append(f"{vms:,} virtual machines")
    if azure_virtual_network:
        met.append("an Azure subscription with a virtual network")
    else:
        unmet.append("no Azure subscription with a virtual network")
    return Eligibility(not unmet, unmet or met)


def qualifying_licences(licences: Iterable[str] | None) -> list[str]:
    held = set(licences or ())
    return [licence for licence in QUALIFYING_LICENCES if licence in held]


def _region_name(region: str) -> str:
    if region == MAINLAND_CHINA:
        return "mainland China"
    if region == NO_COMMERCIAL_AZURE:
        return "regions outside Azure's commercial ones"
    return region
