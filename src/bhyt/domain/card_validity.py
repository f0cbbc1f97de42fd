"""When a card becomes valid and how long it runs (Luật BHYT Điều 16, as reported in brief §3.4).

Self-pay and household participants (group 5) wait ``waiting_days`` after paying when they join
for the first time or after a break of ``break_months`` or more. Groups 1–4 are simplified to
"valid from the payment date": the special dates some of them get (01/01–31/12 cards for poor
and near-poor people paid fully by the budget, the benefit start date for unemployment-benefit
recipients) come from BHXH's own procedures and are left to the caller.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from bhyt.domain.legal_data import effective_on, read_table
from bhyt.domain.messages import Message, N_
from bhyt.domain.participants import Payer, participant

_ONE_DAY = timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))


def card_start(payment_date: date, previous_valid_to: date | None, participant_code: str = "GD") -> date:
    """First valid day of the card bought on ``payment_date``.

    For group 5:
    - paid on or before the previous card's last day: the day after it (continuous renewal);
    - first card, or a break of ``break_months`` or more: ``waiting_days`` after payment;
    - otherwise (paid within the break allowance after expiry): the payment date.
    The break is the run of uncovered days from the day after the old card ended to the day
    before payment, so a card ending 31/03 followed by payment on 01/07 is a break of exactly
    three months (April–June).
    """
    if participant(participant_code).payer != Payer.SELF:
        return payment_date
    if previous_valid_to is not None and payment_date <= previous_valid_to:
        return previous_valid_to + _ONE_DAY
    if previous_valid_to is None or payment_date >= add_months(
        previous_valid_to + _ONE_DAY, validity_parameter("break_months", payment_date)
    ):
        return payment_date + timedelta(days=validity_parameter("waiting_days", payment_date))
    return payment_date


def card_period(
    payment_date: date, months: int, previous_valid_to: date | None = None, participant_code: str = "GD"
) -> tuple[date, date]:
    """(valid_from, valid_to), both inclusive, for a card paid for ``months`` calendar months."""
    if months < 1:
        raise ValueError(f"Thời hạn thẻ phải từ 1 tháng trở lên (nhận được {months}).")
    start = card_start(payment_date, previous_valid_to, participant_code)
    return start, add_months(start, months) - _ONE_DAY


def validity_parameter(name: str, on: date) -> int:
    """The card-validity parameter `name` (break_months, waiting_days) in force on `on`."""
    rows = [row for row in read_table("card_validity") if row["parameter"] == name]
    return int(effective_on(rows, on, what=Message(N_("thời hạn thẻ (%(parameter)s)"), parameter=name))["value"])
