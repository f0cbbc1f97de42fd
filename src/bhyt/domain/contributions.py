"""Contributions: the full amount, the household ladder, state and province support.

All money is Decimal VND, rounded to whole đồng half up. A member's full amount is rounded once,
from the exact monthly amount × ladder share × months; the support amounts are shares of that
full amount, each rounded, and the payable is what is left, so the parts always add up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from bhyt.domain.legal_data import LegalDataError, effective_on, effective_rows, optional_date, read_table
from bhyt.domain.messages import Message, N_
from bhyt.domain.participants import Payer, participant

_ZERO = Decimal(0)
_ONE_DONG = Decimal(1)
# Condition key in support_minimums.csv for near-poor people living in poor communes.
_POOR_COMMUNE = "poor_commune"


@dataclass(frozen=True)
class SupportRule:
    """A province's top-up of the contribution for one participant code, as a share of the full amount."""

    province_code: str
    participant_code: str
    share: Decimal
    effective_from: date
    effective_to: date | None
    source: str


@dataclass(frozen=True)
class Quote:
    """What one member's card costs and who pays it.

    ``full`` = ``state_support`` + ``province_support`` + ``payable`` + ``paid_by_others``.
    """

    full: Decimal
    state_support: Decimal
    province_support: Decimal
    payable: Decimal

    @property
    def paid_by_others(self) -> Decimal:
        """The employer/employee share (group 1) or BHXH's payment (group 2)."""
        return self.full - self.state_support - self.province_support - self.payable


def base_salary(on: date) -> Decimal:
    return Decimal(effective_on(read_table("base_salary"), on, what=Message(N_("lương cơ sở")))["amount"])


def contribution_rate(on: date) -> Decimal:
    return Decimal(effective_on(read_table("contribution_rate"), on, what=Message(N_("mức đóng BHYT")))["rate"])


def monthly_full_contribution(on: date) -> Decimal:
    """Rate × base salary, unrounded: the first household member's monthly amount."""
    return contribution_rate(on) * base_salary(on)


def household_contributions(on: date, household_size: int, months: int = 12) -> list[Decimal]:
    """What each member of a household pays for ``months``, first member first."""
    _require_household_size(household_size)
    _require_payment_period(on, months)
    monthly = monthly_full_contribution(on)
    return [
        _to_dong(monthly * _ladder_share(on, position) * months) for position in range(1, household_size + 1)
    ]


@cache
def _province_support_rules() -> tuple[SupportRule, ...]:
    return tuple(
        SupportRule(
            province_code=row["province_code"],
            participant_code=row["participant_code"],
            share=Decimal(row["share"]),
            effective_from=date.fromisoformat(row["effective_from"]),
            effective_to=optional_date(row["effective_to"]),
            source=row["source"],
        )
        for row in read_table("province_support")
    )


def province_top_ups(
    province_code: str, on: date, rules: Sequence[SupportRule] | None = None
) -> dict[str, Decimal]:
    """Share of the full contribution the province adds, by participant code, on ``on``.

    ``rules`` defaults to ``data/province_support.csv``; pass others to model a draft resolution.
    """
    top_ups: dict[str, Decimal] = {}
    for rule in _province_support_rules() if rules is None else rules:
        in_force = rule.effective_from <= on and (rule.effective_to is None or on <= rule.effective_to)
        if rule.province_code != province_code or not in_force:
            continue
        if rule.participant_code in top_ups:
            raise LegalDataError(Message(
                N_("Tỉnh %(province)s có hai mức hỗ trợ thêm cho đối tượng %(code)s cùng có hiệu lực vào ngày "
                   "%(day)s."), province=province_code, code=rule.participant_code, day=f"{on:%d/%m/%Y}"))
        top_ups[rule.participant_code] = rule.share
    return top_ups


def state_support_share(participant_code: str, on: date, *, poor_commune: bool = False) -> Decimal:
    """The national minimum share the state budget pays for a group-4 code; 0 for codes without support.

    A ``poor_commune`` row overrides the general one only where the table has such a row.
    """
    code = participant(participant_code).code
    rows = [row for row in read_table("support_minimums") if row["participant_code"] == code]
    if not rows:
        return _ZERO
    if poor_commune:
        in_force = effective_rows((row for row in rows if row["condition"] == _POOR_COMMUNE), on)
        if in_force:
            what = Message(N_("mức hỗ trợ đóng cho %(code)s ở xã nghèo"), code=code)
            return Decimal(effective_on(in_force, on, what=what)["share"])
    general = [row for row in rows if not row["condition"]]
    what = Message(N_("mức hỗ trợ đóng cho đối tượng %(code)s"), code=code)
    return Decimal(effective_on(general, on, what=what)["share"])


def member_quote(
    on: date,
    participant_code: str = "GD",
    position: int = 1,
    months: int = 12,
    province_code: str | None = None,
    poor_commune: bool = False,
    top_up_rules: Sequence[SupportRule] | None = None,
) -> Quote:
    """The quote for one member paying on ``on``.

    - group 5 (GD): the household ladder at 1-based ``position``; the member pays it all;
    - group 4: the full amount less the national minimum support and the province top-up,
      never below 0;
    - group 3: the state budget pays it all (``state_support`` = ``full``);
    - groups 1 and 2: the person pays nothing at enrolment; employer and employee, or BHXH, pay
      (``paid_by_others``). ``full`` is then only the base-salary reference: the real amount
      follows the salary or benefit, which this layer does not know.
    ``position`` matters only for GD: the ladder applies to household members alone.
    """
    member = participant(participant_code)
    if position < 1:
        raise ValueError(f"Thứ tự thành viên trong hộ phải từ 1 trở lên (nhận được {position}).")
    _require_payment_period(on, months)
    share = _ladder_share(on, position) if member.payer == Payer.SELF else Decimal(1)
    full = _to_dong(monthly_full_contribution(on) * share * months)
    if member.payer == Payer.SELF:
        return Quote(full, _ZERO, _ZERO, full)
    if member.payer == Payer.STATE_BUDGET:
        return Quote(full, full, _ZERO, _ZERO)
    if member.payer in (Payer.EMPLOYER_EMPLOYEE, Payer.SOCIAL_INSURANCE):
        return Quote(full, _ZERO, _ZERO, _ZERO)
    state = _to_dong(full * state_support_share(member.code, on, poor_commune=poor_commune))
    top_up = _ZERO
    if province_code is not None:
        top_up = province_top_ups(province_code, on, top_up_rules).get(member.code, _ZERO)
    province = min(_to_dong(full * top_up), full - state)
    return Quote(full, state, province, full - state - province)


def household_quotes(
    on: date,
    household_size: int,
    participant_code: str = "GD",
    months: int = 12,
    province_code: str | None = None,
) -> list[Quote]:
    """One quote per member, first member first (see ``member_quote``)."""
    _require_household_size(household_size)
    return [
        member_quote(on, participant_code, position, months, province_code)
        for position in range(1, household_size + 1)
    ]


def _ladder_share(on: date, position: int) -> Decimal:
    """Share of the first member's amount; the last row of the ladder covers every later position."""
    rows = effective_rows(read_table("household_ladder"), on)
    if not rows:
        raise LegalDataError.none_in_force(Message(N_("mức đóng theo hộ gia đình")), on)
    last = max(int(row["position"]) for row in rows)
    at_position = [row for row in rows if int(row["position"]) == min(position, last)]
    what = Message(N_("mức đóng của thành viên thứ %(position)s"), position=position)
    return Decimal(effective_on(at_position, on, what=what)["share"])


def _require_payment_period(on: date, months: int) -> None:
    allowed = sorted(int(row["months"]) for row in effective_rows(read_table("payment_periods"), on))
    if not allowed:
        raise LegalDataError.none_in_force(Message(N_("kỳ đóng BHYT")), on)
    if months not in allowed:
        choices = ", ".join(str(m) for m in allowed[:-1]) + f" hoặc {allowed[-1]}"
        raise ValueError(f"Số tháng đóng phải là {choices} (nhận được {months}).")


def _require_household_size(household_size: int) -> None:
    if household_size < 1:
        raise ValueError(f"Số thành viên hộ gia đình phải từ 1 trở lên (nhận được {household_size}).")


def _to_dong(amount: Decimal) -> Decimal:
    return amount.quantize(_ONE_DONG, rounding=ROUND_HALF_UP)
