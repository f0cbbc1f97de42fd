from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bhyt.domain.participants import (
    BENEFIT_RATES,
    PARTICIPANT_CODES,
    ParticipantCode,
    UnknownParticipantCode,
    best_benefit_level,
    is_budget_funded,
    is_budget_supported,
    participant,
    pick_code,
)

ORDER = (
    "DN HX CH NN TK HC XK "
    "HT TB NO CT XB TN CS "
    "QN CA CY XN MS CC CK CB KC HD TE BT HN DT DK XD TS TC TQ TA TY HG LS PV "
    "CN HS SV GB "
    "GD"
).split()
GROUP_SIZES = {1: 7, 2: 7, 3: 24, 4: 4, 5: 1}
PAYERS = {1: "employer_employee", 2: "social_insurance", 3: "state_budget", 4: "state_supported", 5: "self"}
LEVELS = {
    1: "CC TE",
    2: "CK CB KC HN DT DK XD BT TS",
    3: "HT TC CN",
    4: "DN HX CH NN TK HC XK TB NO CT XB TN CS XN MS HD TQ TA TY HG LS PV HS SV GB GD",
    5: "QN CA CY",
}


def test_the_43_codes_in_priority_order():
    assert list(PARTICIPANT_CODES) == ORDER
    assert [p.priority for p in PARTICIPANT_CODES.values()] == list(range(1, 44))


def test_groups_and_payers():
    for group, size in GROUP_SIZES.items():
        members = [p for p in PARTICIPANT_CODES.values() if p.group == group]
        assert len(members) == size
        assert {p.payer for p in members} == {PAYERS[group]}


@pytest.mark.parametrize(("level", "codes"), LEVELS.items())
def test_benefit_levels(level, codes):
    assert all(participant(code).benefit_level == level for code in codes.split())


def test_names_are_filled_in():
    assert all(p.name_vi and p.name_en for p in PARTICIPANT_CODES.values())
    assert participant("HS") == ParticipantCode("HS", 4, 4, "state_supported", 40, "Học sinh", "Pupils")


def test_lookup_forgives_case_and_spaces():
    assert participant("  hs ").code == "HS"


def test_unknown_code_message():
    with pytest.raises(UnknownParticipantCode) as error:
        participant(" xy ")
    assert isinstance(error.value, ValueError)
    assert str(error.value) == "Mã đối tượng 'xy' không có trong danh mục mã đối tượng tham gia BHYT."


def test_pick_code_takes_the_group_listed_first():
    assert pick_code(["GD", "hs", "TE"]) == "TE"
    assert pick_code(["CN", "HN"]) == "HN"
    assert pick_code(["HT", "DN"]) == "DN"


@given(st.lists(st.sampled_from(ORDER), min_size=1))
def test_pick_code_is_the_minimum_priority(codes):
    assert pick_code(codes) == min(codes, key=ORDER.index)


def test_pick_code_errors():
    with pytest.raises(ValueError, match="^Cần ít nhất một mã đối tượng để chọn mã in trên thẻ.$"):
        pick_code([])
    with pytest.raises(UnknownParticipantCode):
        pick_code(["HS", "ZZ"])


def test_benefit_rates():
    assert BENEFIT_RATES == {1: 100, 2: 100, 3: 95, 4: 80, 5: 100}
    assert all(isinstance(rate, Decimal) for rate in BENEFIT_RATES.values())


@pytest.mark.parametrize(
    ("levels", "best"),
    [([4, 3], 3), ([2, 1], 1), ([1, 5], 5), ([3, 2], 2), ([4], 4), ([4, 3, 2, 1, 5], 5)],
)
def test_best_benefit_level(levels, best):
    assert best_benefit_level(levels) == best


def test_best_benefit_level_errors():
    with pytest.raises(ValueError, match="^Cần ít nhất một mức hưởng để chọn mức hưởng cao nhất.$"):
        best_benefit_level([])
    with pytest.raises(ValueError) as error:
        best_benefit_level([4, 6])
    assert str(error.value) == "Mức hưởng 6 không hợp lệ; mức hưởng là một số từ 1 đến 5."


def test_budget_funded_and_supported():
    assert is_budget_funded("te") and not is_budget_supported("TE")
    assert is_budget_supported("CN") and not is_budget_funded("CN")
    assert not is_budget_funded("GD") and not is_budget_supported("DN")
    assert sum(map(is_budget_funded, ORDER)) == 24
    assert sum(map(is_budget_supported, ORDER)) == 4
