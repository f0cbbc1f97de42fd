"""Participant-type codes (mã đối tượng), their groups, payers and benefit levels.

The brief's tables list 43 codes while its sources speak of "the 40 codes of QĐ 1351"; all 43 are
kept, and ``data/participant_codes.csv`` notes the ones the brief ties to later texts. Members
added to groups 3 and 4 by Decree 75/2023, Law 51/2024 and Decree 188/2025 have no known code yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from bhyt.domain.legal_data import read_table
from bhyt.domain.messages import Message, N_


class Payer(StrEnum):
    """Who pays the contribution, one per statutory group (Luật BHYT Điều 12)."""

    EMPLOYER_EMPLOYEE = "employer_employee"
    SOCIAL_INSURANCE = "social_insurance"
    STATE_BUDGET = "state_budget"
    STATE_SUPPORTED = "state_supported"
    SELF = "self"


@dataclass(frozen=True)
class ParticipantCode:
    code: str
    group: int
    benefit_level: int
    payer: str
    priority: int
    name_vi: str
    name_en: str


class UnknownParticipantCode(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(Message(N_("Mã đối tượng '%(code)s' không có trong danh mục mã đối tượng tham gia BHYT."),
                                 code=code))
        self.code = code


def _load_codes() -> Mapping[str, ParticipantCode]:
    codes = (
        ParticipantCode(
            code=row["code"],
            group=int(row["group"]),
            benefit_level=int(row["benefit_level"]),
            payer=Payer(row["payer"]).value,
            priority=int(row["priority"]),
            name_vi=row["name_vi"],
            name_en=row["name_en"],
        )
        for row in read_table("participant_codes")
    )
    return MappingProxyType({p.code: p for p in sorted(codes, key=lambda p: p.priority)})


PARTICIPANT_CODES: Mapping[str, ParticipantCode] = _load_codes()

_BENEFIT_LEVELS = sorted(read_table("benefit_levels"), key=lambda row: int(row["level"]))
# Percentage of in-scope costs the fund pays at each benefit level (mã mức hưởng).
BENEFIT_RATES: Mapping[int, Decimal] = MappingProxyType(
    {int(row["level"]): Decimal(row["rate_percent"]) for row in _BENEFIT_LEVELS}
)
# 1 = the level under which the fund pays most. Levels 1, 2 and 5 all pay 100 %, so the order
# comes from what else they cover (brief §1.3); it is the ``rank`` column of benefit_levels.csv.
_BENEFIT_RANK: Mapping[int, int] = MappingProxyType(
    {int(row["level"]): int(row["rank"]) for row in _BENEFIT_LEVELS}
)


def participant(code: str) -> ParticipantCode:
    """Look a code up, forgiving case and surrounding spaces as typed in lists."""
    normalised = code.strip().upper()
    try:
        return PARTICIPANT_CODES[normalised]
    except KeyError:
        raise UnknownParticipantCode(code.strip()) from None


def pick_code(codes: Iterable[str]) -> str:
    """The code the card carries when a person qualifies under several: the one listed first."""
    candidates = [participant(code) for code in codes]
    if not candidates:
        raise ValueError("Cần ít nhất một mã đối tượng để chọn mã in trên thẻ.")
    return min(candidates, key=lambda p: p.priority).code


def best_benefit_level(levels: Iterable[int]) -> int:
    """The highest benefit level among those a person qualifies for (Nghị định 188/2025 Điều 21 khoản 1)."""
    candidates = list(levels)
    if not candidates:
        raise ValueError("Cần ít nhất một mức hưởng để chọn mức hưởng cao nhất.")
    unknown = [level for level in candidates if level not in _BENEFIT_RANK]
    if unknown:
        raise ValueError(f"Mức hưởng {unknown[0]!r} không hợp lệ; mức hưởng là một số từ 1 đến 5.")
    return min(candidates, key=_BENEFIT_RANK.__getitem__)


def is_budget_funded(code: str) -> bool:
    """Group 3: the state budget pays the whole contribution."""
    return participant(code).payer == Payer.STATE_BUDGET


def is_budget_supported(code: str) -> bool:
    """Group 4: the state budget pays part and the participant the rest."""
    return participant(code).payer == Payer.STATE_SUPPORTED
