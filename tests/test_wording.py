"""Every value the domain hands the conversation has words for it."""

import pytest

from dialogs.wording import describe
from domain import acm_referral as acm
from domain import covid_triage as covid


@pytest.mark.parametrize("value", [*covid.Advice, *acm.Route, acm.NoConsent()])
def test_every_advice_route_and_ending_is_said(value):
    assert describe(value).strip()


def test_a_value_without_words_is_a_programming_error():
    with pytest.raises(TypeError, match="no wording for int"):
        describe(42)
