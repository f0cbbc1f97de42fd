"""`bhyt visits …`: the visit log from the command line — record a visit, list the visits of a unit,
put a hamlet's households in an officer's charge, follow progress and the reasons for not joining."""

from __future__ import annotations

import getpass
from datetime import date
from enum import Enum
from typing import Annotated, Optional

import typer

from bhyt import visits
from bhyt.analytics.coverage import UnknownUnit
from bhyt.analytics.engine import analytics
from bhyt.cli.app import app
from bhyt.cli.common import Format, console, emit, fail, parse_date
from bhyt.masking import mask
from bhyt.store.db import default_engine
from bhyt.store.migrate import upgrade
from bhyt.web import audit

visits_app = typer.Typer(help="Sổ thăm hộ: ghi lần thăm, giao hộ cho cán bộ, theo dõi tiến độ và lý do chưa tham gia.",
                         no_args_is_help=True)
app.add_typer(visits_app, name="visits")


class Outcome(str, Enum):
    joined = "joined"
    promised = "promised"
    refused = "refused"
    not_home = "not_home"
    other = "other"


class By(str, Enum):
    hamlet = "hamlet"
    officer = "officer"


def _engine():
    engine = default_engine()
    upgrade(engine)
    return engine


def _optional_date(value: str | None) -> date | None:
    return None if value is None else parse_date(value)


@visits_app.command("add")
def add_command(
    household: Annotated[str, typer.Option(help="Mã hộ.")],
    visited_on: Annotated[str, typer.Option("--date", help="Ngày thăm (YYYY-MM-DD).")],
    officer: Annotated[str, typer.Option(help="Cán bộ, nhân viên thu đi thăm.")],
    outcome: Annotated[Outcome, typer.Option(help="Kết quả: joined (đã tham gia), promised (hẹn tham gia), "
                                                  "refused (từ chối), not_home (không gặp), other (khác).")],
    person: Annotated[Optional[str], typer.Option(help="Số định danh của người được thăm (nếu thăm một người).")]
    = None,
    reason: Annotated[Optional[str], typer.Option(help="Mã lý do chưa tham gia (bắt buộc khi từ chối).")] = None,
    note: Annotated[Optional[str], typer.Option(help="Ghi chú.")] = None,
    follow_up: Annotated[Optional[str], typer.Option(help="Ngày hẹn thăm lại (YYYY-MM-DD).")] = None,
) -> None:
    """Ghi một lần thăm hộ hoặc một người trong hộ."""
    day = parse_date(visited_on)
    follow_up_on = _optional_date(follow_up)
    try:
        number = visits.record_visit(_engine(), household, day, officer, outcome.value, getpass.getuser(),
                                     person_id=person, reason_code=reason, note=note, follow_up_on=follow_up_on)
    except visits.VisitError as error:
        raise fail(str(error)) from None
    console.print(f"Đã ghi lần thăm số {number}: hộ {household}, ngày {day:%d/%m/%Y}, "
                  f"{visits.OUTCOMES[outcome.value].lower()}.", soft_wrap=True)


_LIST_HEADER = ["ngay_tham", "ma_ho", "chu_ho", "thon", "so_dinh_danh", "ho_ten", "can_bo", "ket_qua", "ma_ly_do",
                "ly_do", "ghi_chu", "hen_tham_lai"]
_LIST_TITLES = ["Ngày thăm", "Mã hộ", "Chủ hộ", "Thôn, tổ", "Số định danh", "Người được thăm", "Cán bộ", "Kết quả",
                "Mã lý do", "Lý do", "Ghi chú", "Hẹn thăm lại"]


@visits_app.command("list")
def list_command(
    unit: Annotated[str, typer.Option(help="Mã tỉnh, xã hoặc thôn.")],
    date_from: Annotated[Optional[str], typer.Option("--from", help="Từ ngày (YYYY-MM-DD).")] = None,
    date_to: Annotated[Optional[str], typer.Option("--to", help="Đến ngày (YYYY-MM-DD).")] = None,
    output: Annotated[Format, typer.Option("--format", help="table, csv hoặc json.")] = Format.table,
) -> None:
    """Các lần thăm hộ của một đơn vị, theo thôn, hộ và ngày. Số định danh được che một phần."""
    start, end = _optional_date(date_from), _optional_date(date_to)
    engine = _engine()
    try:
        rows = visits.list_visits(engine, unit, start, end)
    except visits.VisitError as error:
        raise fail(str(error)) from None
    # The list names people: who saw it is written down, as for every list of named people.
    audit.record(engine, getpass.getuser(), "view_people" if output is Format.table else "export_people",
                 unit_code=unit, subject="visits list", client="cli",
                 detail={"from": start, "to": end, "rows": len(rows), "format": output.value})
    values = [[row.visited_on, row.household_code, row.household_head, row.hamlet_name, mask(row.personal_id),
               row.full_name, row.officer, row.outcome_name, row.reason_code, row.reason_name, row.note,
               row.follow_up_on] for row in rows]
    if output is not Format.table:
        values = [[value.isoformat() if isinstance(value, date) else value for value in row] for row in values]
    emit(_LIST_HEADER, _LIST_TITLES, values, output)


@visits_app.command("assign")
def assign_command(
    unit: Annotated[str, typer.Option(help="Mã thôn, tổ.")],
    officer: Annotated[str, typer.Option(help="Cán bộ, nhân viên thu được giao.")],
) -> None:
    """Giao mọi hộ của một thôn cho một cán bộ (thay người được giao trước)."""
    try:
        result = visits.assign_hamlet(_engine(), unit, officer, getpass.getuser(), date.today())
    except visits.VisitError as error:
        raise fail(str(error)) from None
    console.print(f"Thôn {unit}: {result.households} hộ do {officer.strip()} phụ trách "
                  f"({result.changed} hộ mới giao).", soft_wrap=True)


@visits_app.command("progress")
def progress_command(
    unit: Annotated[str, typer.Option(help="Mã tỉnh, xã hoặc thôn.")],
    by: Annotated[By, typer.Option(help="Theo thôn (hamlet) hay theo cán bộ (officer).")] = By.hamlet,
    as_of: Annotated[Optional[str], typer.Option(help="Ngày tính (YYYY-MM-DD), mặc định hôm nay.")] = None,
    output: Annotated[Format, typer.Option("--format", help="table, csv hoặc json.")] = Format.table,
) -> None:
    """Tiến độ thăm hộ: số hộ được giao, đã thăm, đã tham gia sau lần thăm đầu, đến hẹn thăm lại."""
    day = date.today() if as_of is None else parse_date(as_of)
    with analytics(_engine()) as con:
        try:
            rows = (visits.progress_by_hamlet if by is By.hamlet else visits.progress_by_officer)(con, unit, day)
        except UnknownUnit as error:
            raise fail(str(error)) from None
    counts = ["assigned", "visited", "joined", "follow_ups_due"]
    count_titles = ["Được giao", "Đã thăm", "Đã tham gia", "Đến hẹn thăm lại"]
    if by is By.hamlet:
        header = ["thon", "ten_thon", "so_ho", *counts]
        titles = ["Mã thôn", "Thôn, tổ", "Số hộ", *count_titles]
        values = [[row.key, row.name, row.households, row.assigned, row.visited, row.joined, row.follow_ups_due]
                  for row in rows]
        numeric = [False, False] + [True] * 5
    else:
        header, titles = ["can_bo", *counts], ["Cán bộ", *count_titles]
        values = [[row.key, row.assigned, row.visited, row.joined, row.follow_ups_due] for row in rows]
        numeric = [False] + [True] * 4
    emit(header, titles, values, output, numeric)


@visits_app.command("reasons")
def reasons_command(
    unit: Annotated[Optional[str], typer.Option(help="Mã tỉnh, xã hoặc thôn: đếm hộ theo lý do chưa tham gia "
                                                     "gần nhất, từng thôn. Bỏ trống: danh mục lý do.")] = None,
    as_of: Annotated[Optional[str], typer.Option(help="Ngày tính (YYYY-MM-DD), mặc định hôm nay.")] = None,
    output: Annotated[Format, typer.Option("--format", help="table, csv hoặc json.")] = Format.table,
) -> None:
    """Danh mục lý do chưa tham gia BHYT, hoặc số hộ theo lý do ở mỗi thôn của một đơn vị."""
    engine = _engine()
    if unit is None:
        catalogue = visits.reasons(engine)
        emit(["ma", "ten", "dang_dung"], ["Mã", "Lý do", "Đang dùng"],
             [[reason.code, reason.name, reason.active if output is not Format.table
               else ("có" if reason.active else "không")] for reason in catalogue], output)
        return
    day = date.today() if as_of is None else parse_date(as_of)
    with analytics(engine) as con:
        try:
            rows = visits.reasons_by_hamlet(con, unit, day)
        except UnknownUnit as error:
            raise fail(str(error)) from None
    emit(["thon", "ten_thon", "ma_ly_do", "ly_do", "so_ho"], ["Mã thôn", "Thôn, tổ", "Mã lý do", "Lý do", "Số hộ"],
         [[row.hamlet_code, row.hamlet_name, row.reason_code, row.reason_name, row.households] for row in rows],
         output, [False] * 4 + [True])
