"""The work lists as the web app asks for them: the filters read from a request and checked against the
account's unit, the rows from `worklist_tables.run_list` on the server's shared analytics database, the
counts per hamlet, and the CSV and XLSX files `bhyt worklist` writes for the same arguments. Shared by
the list pages and the JSON API."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import date

from fastapi import Request
from sqlalchemy import Engine, select

from bhyt.analytics.engine import SharedAnalytics
from bhyt.analytics.worklists.common import scope
from bhyt.analytics.worklists.insured import DEFAULT_DAYS
from bhyt.domain.legal_data import LegalDataError
from bhyt.domain.messages import Joined, Message
from bhyt.participant_list import participants_file, what_is_listed
from bhyt.reminders import reminders
from bhyt.reminders import to_csv as reminders_csv
from bhyt.store.models import Unit
from bhyt.web.accounts import Account
from bhyt.web.i18n import N_, error_text, gettext, translated
from bhyt.web.scope import UnitInfo, check_unit, home_unit
from bhyt.worklist_tables import ListName, columns, plain, run_list, to_csv, write_xlsx

# What each list is, in the menu's words (the printed titles, TITLES, are for the files).
LIST_LABELS = {
    ListName.uninsured: N_("Người chưa có thẻ BHYT"),
    ListName.expiring: N_("Thẻ sắp hết hạn"),
    ListName.lapsed: N_("Thẻ hộ gia đình đã hết hạn chưa gia hạn"),
    ListName.eligible_missing: N_("Thuộc diện ngân sách đóng, hỗ trợ mà chưa có thẻ"),
    ListName.duplicates: N_("Thẻ, nhân khẩu có thể trùng"),
    ListName.deceased: N_("Báo giảm: đã mất còn thẻ"),
    ListName.moved_out: N_("Báo giảm: đã chuyển đi còn thẻ"),
    ListName.newly_eligible: N_("Báo tăng: mới thuộc diện cấp thẻ"),
}
LIST_HINTS = {
    ListName.uninsured: N_("Cư dân chưa có thẻ còn hạn, theo hộ, kèm mức đóng khi tham gia năm nay."),
    ListName.expiring: N_("Thẻ hết hạn trong số ngày tới đã chọn mà chưa có thẻ nối tiếp: cần gia hạn."),
    ListName.lapsed: N_("Thẻ hộ gia đình (GD) đã hết hạn trong số ngày qua đã chọn, chưa đóng lại."),
    ListName.eligible_missing: N_("Trẻ dưới 6 tuổi, hộ nghèo, cận nghèo, người từ 80 tuổi… chưa có thẻ."),
    ListName.duplicates: N_("Thẻ chồng thời gian khác mã số BHXH hoặc mã đối tượng; người có thể bị ghi hai lần."),
    ListName.deceased: N_("Người đã mất mà thẻ còn hạn sau ngày mất."),
    ListName.moved_out: N_("Người đã chuyển đi mà thẻ còn hạn sau ngày đi."),
    ListName.newly_eligible: N_("Trẻ mới sinh, hộ mới thành nghèo hoặc cận nghèo, tròn 6 tuổi từ ngày đã chọn."),
}
# The lists that read the number of days, and the one that reads a start date.
WITH_DAYS = {ListName.expiring, ListName.lapsed}
WITH_SINCE = {ListName.newly_eligible}
# The column titles of worklist_tables, marked for the English catalogue (a test keeps them in step).
COLUMN_TITLES = frozenset({
    N_("Số định danh"), N_("Họ và tên"), N_("Ngày sinh"), N_("Mã hộ"), N_("Chủ hộ"), N_("Thôn, tổ"),
    N_("Phân loại hộ"), N_("Thẻ cũ hết hạn"), N_("Mã tham gia"), N_("Thứ tự trong hộ"), N_("Mức đóng 12 tháng"),
    N_("NSNN hỗ trợ"), N_("Tỉnh hỗ trợ thêm"), N_("Người tham gia đóng"), N_("Cả hộ đóng"), N_("Mã đối tượng"),
    N_("Hết hạn"), N_("Còn (ngày)"), N_("Đã qua (ngày)"), N_("Gia hạn trước hết ngày"), N_("Mã được cấp"),
    N_("Nhóm"), N_("Loại"), N_("Mã số BHXH"), N_("Chồng từ"), N_("Chồng đến"), N_("Ngày mất"),
    N_("Thẻ còn hạn đến"), N_("Ngày đi"), N_("Nơi đến"), N_("Từ ngày"), N_("Thẻ đang có"), N_("Lý do"),
    N_("Lý do chưa tham gia (lần thăm gần nhất)"),
})
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class QueryError(ValueError):
    """Filters no list can be made from, with the reason for the officer."""


@dataclass(frozen=True)
class ListQuery:
    name: ListName
    chain: list[UnitInfo]  # the unit asked for and its ancestors, the province first
    as_of: date
    days: int
    since: date | None  # newly-eligible only

    @property
    def unit(self) -> UnitInfo:
        return self.chain[-1]

    def params(self) -> dict[str, str]:
        """The query string of the list page (and its exports) for these filters."""
        found = {"unit": self.unit.code, "as_of": self.as_of.isoformat()}
        if self.name in WITH_DAYS:
            found["days"] = str(self.days)
        if self.since is not None:
            found["since"] = self.since.isoformat()
        return found

    @property
    def file_stem(self) -> str:
        return f"{self.name.value}-{self.unit.code}-{self.as_of.isoformat()}"


def client_host(request: Request) -> str | None:
    return request.client.host if request.client else None


def no_store(response):
    """Pages and files with named people are kept out of the browser's and any proxy's cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def default_since(as_of: date) -> date:
    """Báo tăng is sent month by month: from the first day of the month of the day asked."""
    return as_of.replace(day=1)


# What a date field is called in a message (`parse_date`'s `what`).
DATE_FIELDS = (N_("Ngày tính"), N_("Từ ngày"), N_("Ngày thăm"), N_("Ngày hẹn thăm lại"))


def parse_date(text: str | None, what: str) -> date | None:
    """The date typed in a field named `what` (one of DATE_FIELDS), or None for an empty field."""
    if not text or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise QueryError(gettext("%(what)s không hợp lệ: '%(text)s' (cần dạng YYYY-MM-DD).")
                         % {"what": gettext(what), "text": text}) from None


def _days_refused(value: object) -> QueryError:
    return QueryError(gettext("Số ngày phải là số nguyên từ 1 đến 366 (nhận '%(value)s').") % {"value": value})


def parse_days(text: str | None) -> int:
    """The number typed into the form (its range is checked with the other filters, in list_query)."""
    if not text or not text.strip():
        return DEFAULT_DAYS
    if not text.strip().isdigit():
        raise _days_refused(text)
    return int(text)


def home_of(shared: SharedAnalytics, account: Account) -> str:
    with shared.connection() as con:
        return home_unit(con, account)


def unit_choices(engine: Engine, shared: SharedAnalytics, account: Account,
                 chain: list[UnitInfo]) -> list[tuple[str, str, int]]:
    """The units a filter offers, as (code, name, depth): the account's own unit, the units under it,
    and under the one on the way to the unit shown, its own (a province officer reaches a hamlet)."""
    home = check_unit(engine, account, home_of(shared, account))[-1]
    path = [unit.code for unit in chain]
    on_path = path[path.index(home.code) + 1:] if home.code in path else []
    choices = [(home.code, home.name, 0)]
    with engine.connect() as connection:
        def children(code: str) -> list[tuple[str, str]]:
            return connection.execute(select(Unit.code, Unit.name).where(Unit.parent_code == code)
                                      .order_by(Unit.code)).all()

        for child, name in children(home.code):
            choices.append((child, name, 1))
            if on_path and child == on_path[0]:
                choices += [(code, hamlet, 2) for code, hamlet in children(child)]
    return choices


def list_query(engine: Engine, shared: SharedAnalytics, account: Account, name: ListName, unit: str | None,
               as_of: date | None, days: int, since: date | None) -> ListQuery:
    """The filters of one list, the unit checked against the account (OutOfScope, NoSuchUnit); a start
    date after the day asked is refused by the list itself, in `list_rows`."""
    if unit is None or not unit.strip():
        unit = home_of(shared, account)
    chain = check_unit(engine, account, unit.strip())
    as_of = as_of or date.today()
    since = (since or default_since(as_of)) if name in WITH_SINCE else None
    if not 1 <= days <= 366:
        raise _days_refused(days)
    return ListQuery(name, chain, as_of, days if name in WITH_DAYS else DEFAULT_DAYS, since)


def list_rows(shared: SharedAnalytics, query: ListQuery) -> list:
    with shared.connection() as con:
        try:
            return run_list(con, query.name, query.unit.code, query.as_of, query.days, query.since)
        except (ValueError, LegalDataError) as error:
            raise QueryError(error_text(error)) from None


def list_counts(shared: SharedAnalytics, unit: UnitInfo, as_of: date) -> dict[ListName, int]:
    """How many rows each list holds for a commune or hamlet with the default filters, kept until the
    registry changes (the lists read nothing else); a day the lists refuse (before the legal tables
    start) is a QueryError, as in `list_rows`."""

    def count(con) -> dict[ListName, int]:
        return {name: len(run_list(con, name, unit.code, as_of, DEFAULT_DAYS, default_since(as_of)))
                for name in ListName}

    try:
        return shared.memo(("worklist_counts", unit.code, as_of), count)
    except (ValueError, LegalDataError) as error:
        raise QueryError(error_text(error)) from None


@dataclass(frozen=True)
class HamletCount:
    code: str | None
    name: str | None
    rows: int


def per_hamlet(rows: list) -> list[HamletCount]:
    """The rows of each hamlet, in the lists' own order (hamlet by hamlet; no hamlet last)."""
    counted = Counter((row.person.hamlet_code, row.person.hamlet_name) for row in rows)
    return [HamletCount(code, name, count) for (code, name), count in counted.items()]


def values(query: ListQuery, rows: list, reveal: bool) -> list[list[object]]:
    """The cells of `bhyt worklist --format csv|json`, masked unless revealed."""
    cols = columns(query.name)
    return [[plain(column, row, reveal) for column in cols] for row in rows]


def shown_values(query: ListQuery, rows: list, reveal: bool) -> list[list[object]]:
    """The cells of `values` as the pages and the JSON API show them: a sentence built in Python (the
    reason, a Message or sentences Joined) in the reader's language. The files keep the Vietnamese that
    `bhyt worklist` writes."""
    return [[translated(cell) if isinstance(cell, (Message, Joined)) else cell for cell in line]
            for line in values(query, rows, reveal)]


def csv_file(query: ListQuery, rows: list, reveal: bool) -> bytes:
    """The bytes `bhyt worklist … --format csv --out FILE` writes (with the byte-order mark Excel needs)."""
    return to_csv(columns(query.name), values(query, rows, reveal)).encode("utf-8-sig")


def reminders_file(shared: SharedAnalytics, query: ListQuery, rows: list) -> tuple[bytes, int]:
    """The SMS/Zalo messages of `bhyt worklist … --format reminders --out FILE` (its bytes, BOM and all),
    and how many there are."""
    with shared.connection() as con:
        found = reminders(con, query.unit.code, query.as_of, rows)
    return reminders_csv(found).encode("utf-8-sig"), len(found.messages)


def participants_xlsx(shared: SharedAnalytics, query: ListQuery, rows: list, reveal: bool) -> tuple[bytes, int]:
    """The báo tăng list for the social insurance (Mẫu D03-TS) of `bhyt worklist … --format participants
    --out FILE`, and how many people it lists."""
    stream = io.BytesIO()
    with shared.connection() as con:
        listed, _ = participants_file(con, stream, scope(con, query.unit.code), rows, query.as_of,
                                      what_is_listed(query.name is ListName.eligible_missing, query.since), reveal)
    return stream.getvalue(), listed


def xlsx_file(query: ListQuery, rows: list, reveal: bool) -> bytes:
    stream = io.BytesIO()
    write_xlsx(stream, query.name, query.unit.code, query.unit.name, query.as_of, columns(query.name), rows, reveal)
    return stream.getvalue()

