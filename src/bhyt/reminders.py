"""Reminders to send by SMS or Zalo, one CSV row a message: who receives it, their phone, and the
text in Vietnamese.

- `expiring`: the card ends soon — the day, what renewing costs, whom to contact;
- `lapsed`: the household card ended — until when paying keeps the new card valid at once;
- `uninsured`: one message a household, to its contact (see `analytics.worklists.contacts`), with
  how many members have no card and what the household pays in all this year (the lists' quotes).

A person's own phone is used first, else their household's contact (a child's parent). People, or
households, with no phone to send to are left out and counted. Phone numbers are written in full:
the file exists to send them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import duckdb

from bhyt.analytics.worklists import ExpiringRow, LapsedRow, UninsuredRow
from bhyt.analytics.worklists.contacts import reach
from bhyt.analytics.worklists.quotes import quoter
from bhyt.domain.participants import Payer, participant
from bhyt.reports.official import count_text, format_date

DEFAULT_CONTACT = "Ủy ban nhân dân xã hoặc đại lý thu BHYT"
HEADER = ("ho_ten", "so_dien_thoai", "ma_ho", "thon", "noi_dung")


@dataclass(frozen=True)
class Reminder:
    name: str  # who receives it
    phone: str
    household_code: str | None
    hamlet_name: str | None
    text: str


@dataclass(frozen=True)
class Reminders:
    messages: list[Reminder]
    unreachable: int  # people (households, for the uninsured) with no phone to send to


def reminders(con: duckdb.DuckDBPyConnection, unit: str, as_of: date,
              rows: Sequence[ExpiringRow | LapsedRow | UninsuredRow], contact: str = DEFAULT_CONTACT) -> Reminders:
    """The messages for the rows of one list of `unit` on `as_of`."""
    reached = reach(con, {row.person.person_id for row in rows}, as_of)
    if rows and isinstance(rows[0], UninsuredRow):
        return _households(rows, reached, contact)
    province = con.execute("SELECT province_code FROM units WHERE code = ?", [unit]).fetchone()[0]
    quote = quoter(as_of, province)
    messages, unreachable = [], 0
    for row in rows:
        person, found = row.person, reached[row.person.person_id]
        if found.own_phone:
            name, phone = person.full_name, found.own_phone
        elif found.contact_phone:
            name, phone = found.contact_name, found.contact_phone
        else:
            unreachable += 1
            continue
        cost = _renewal_cost(row.participant_code, quote)
        if isinstance(row, ExpiringRow):
            text = (f"Thẻ BHYT của {person.full_name} hết hạn ngày {format_date(row.coverage_ends)}; {cost}"
                    f"liên hệ {contact} để gia hạn.")
        else:
            text = (f"Thẻ BHYT hộ gia đình của {person.full_name} đã hết hạn ngày {format_date(row.ended_on)}; "
                    f"đóng trước hết ngày {format_date(row.renew_by)} thì thẻ mới có giá trị ngay; {cost}"
                    f"liên hệ {contact}.")
        messages.append(Reminder(name, phone, person.household_code, person.hamlet_name, text))
    return Reminders(messages, unreachable)


def _renewal_cost(code: str, quote) -> str:
    """What renewing for twelve months costs, as a clause ending in '; ' (none for a card someone
    else pays for by the salary or benefit)."""
    payer = participant(code).payer
    if payer == Payer.STATE_BUDGET:
        return "thẻ do ngân sách Nhà nước đóng; "
    if payer == Payer.SELF:
        return (f"mức đóng 12 tháng {_money(quote(code, 1).payable)} đồng cho người thứ nhất của hộ, "
                "từ người thứ hai được giảm; ")
    if payer == Payer.STATE_SUPPORTED:
        return f"mức đóng 12 tháng {_money(quote(code, 1).payable)} đồng (đã trừ phần Nhà nước hỗ trợ); "
    return ""


def _households(rows: Sequence[UninsuredRow], reached, contact: str) -> Reminders:
    members: dict[str, list[UninsuredRow]] = {}
    for row in rows:
        members.setdefault(row.person.household_code or f"#{row.person.person_id}", []).append(row)
    messages, unreachable = [], 0
    for household in members.values():
        first = household[0]
        found = reached[first.person.person_id]
        if not found.contact_phone:
            unreachable += 1
            continue
        paid_by_state = sum(1 for row in household if row.quote.full > 0 and row.quote.payable == 0)
        state = f", trong đó {paid_by_state} người được Nhà nước đóng toàn bộ" if paid_by_state else ""
        head = first.person.household_head or found.contact_name
        text = (f"Hộ {head} còn {len(household)} người chưa có thẻ BHYT{state}; mức đóng cả hộ năm nay "
                f"{_money(first.household_payable)} đồng; liên hệ {contact} để tham gia.")
        messages.append(Reminder(found.contact_name, found.contact_phone, first.person.household_code,
                                 first.person.hamlet_name, text))
    return Reminders(messages, unreachable)


def _money(amount: Decimal) -> str:
    return count_text(int(amount))


def to_csv(found: Reminders) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows([message.name, message.phone, message.household_code or "", message.hamlet_name or "",
                      message.text] for message in found.messages)
    return buffer.getvalue()
