"""`bhyt budget`: what the state budget and the province's budget pay for the budget-paid and
budget-supported cards of a unit in a year, per participant code, and what a province top-up under
consideration would add. No named person is printed, so nothing is written to the audit log."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Optional

import typer

from bhyt.analytics.budget import Budget, CodeBudget, Scenario, budget
from bhyt.analytics.engine import analytics
from bhyt.cli.app import app
from bhyt.cli.common import Format, console, emit, fail
from bhyt.domain.legal_data import LegalDataError
from bhyt.store.db import default_engine
from bhyt.store.migrate import upgrade

HEADER = ["dong", "ma_doi_tuong", "nhom", "so_nguoi", "so_nguoi_thang", "muc_dong", "nsnn", "tinh",
          "nguoi_tham_gia"]
TITLES = ["Mã đối tượng", "Nhóm", "Số người", "Số người-tháng", "Mức đóng", "NSNN đóng, hỗ trợ", "Tỉnh hỗ trợ thêm",
          "Người tham gia đóng"]
# The kinds of CSV row: one per code, the total, and the scenario's two figures.
CODE, TOTAL, SCENARIO_INSURED, SCENARIO_UNINSURED = "ma_doi_tuong", "tong", "kich_ban_co_the", "kich_ban_chua_co_the"


def _money(value: Decimal) -> int:
    return int(value)


def _figures(row: CodeBudget) -> list[object]:
    return [row.people, str(row.person_months), _money(row.full), _money(row.state), _money(row.province),
            _money(row.payable)]


def _record(row: CodeBudget) -> dict[str, object]:
    return dict(zip(HEADER[1:], [row.participant_code or None, row.statutory_group, *_figures(row)]))


@app.command("budget")
def budget_command(
    unit: Annotated[str, typer.Option(help="Mã tỉnh, xã hoặc thôn.")],
    year: Annotated[int, typer.Option(help="Năm tính.")],
    scenario: Annotated[Optional[str], typer.Option(
        help="Kịch bản tỉnh hỗ trợ thêm: MÃ:X%:YYYY-MM-DD, ví dụ CN:10%:2026-07-01 (tỉnh hỗ trợ thêm 10 % mức "
             "đóng cho người cận nghèo từ 01/07/2026).")] = None,
    output: Annotated[Format, typer.Option("--format", help="table, csv hoặc json.")] = Format.table,
) -> None:
    """Kinh phí ngân sách nhà nước và ngân sách tỉnh đóng, hỗ trợ đóng BHYT theo mã đối tượng trong năm;
    chi phí tăng thêm của một kịch bản hỗ trợ."""
    try:
        planned = None if scenario is None else Scenario.parse(scenario)
    except ValueError as error:
        raise fail(str(error)) from None
    engine = default_engine()
    upgrade(engine)
    with analytics(engine) as con:
        try:
            result = budget(con, unit, year, planned)
        except (ValueError, LegalDataError) as error:  # UnknownUnit too
            raise fail(str(error)) from None
    if output is Format.json:
        print(json.dumps(_json(result), ensure_ascii=False))
    elif output is Format.csv:
        emit(HEADER, HEADER, _csv_rows(result), Format.csv)
    else:
        _print_table(result)


def _csv_rows(result: Budget) -> list[list[object]]:
    rows = [[CODE, row.participant_code, row.statutory_group, *_figures(row)] for row in result.rows]
    rows.append([TOTAL, "", "", *_figures(result.total)])
    cost = result.scenario
    if cost is not None:
        code = cost.scenario.participant_code
        rows.append([SCENARIO_INSURED, code, 4, cost.insured_people, str(cost.insured_person_months), "", "",
                     _money(cost.added_cost), ""])
        rows.append([SCENARIO_UNINSURED, code, 4, cost.uninsured_people, str(cost.uninsured_person_months), "", "",
                     _money(cost.uninsured_cost), ""])
    return rows


def _json(result: Budget) -> dict[str, object]:
    cost = result.scenario
    return {
        "don_vi": result.unit_code, "ten_don_vi": result.unit_name, "ma_tinh": result.province_code,
        "nam": result.year,
        "theo_ma_doi_tuong": [_record(row) for row in result.rows],
        "tong": _record(result.total),
        "kich_ban": None if cost is None else {
            "ma_doi_tuong": cost.scenario.participant_code,
            "ty_le_ho_tro_them": str(cost.scenario.share),
            "tu_ngay": cost.scenario.start.isoformat(),
            "so_nguoi_co_the": cost.insured_people,
            "so_nguoi_thang_co_the": str(cost.insured_person_months),
            "chi_phi_tang_them": _money(cost.added_cost),
            "so_nguoi_chua_co_the": cost.uninsured_people,
            "so_nguoi_thang_chua_co_the": str(cost.uninsured_person_months),
            "chi_phi_neu_tham_gia": _money(cost.uninsured_cost),
        },
    }


def _print_table(result: Budget) -> None:
    console.print(f"Kinh phí đóng, hỗ trợ đóng BHYT năm {result.year}: {result.unit_name} (mã {result.unit_code})",
                  soft_wrap=True)
    rows = [[row.participant_code, row.statutory_group, *_figures(row)] for row in result.rows]
    rows.append(["Tổng", "", *_figures(result.total)])
    emit(HEADER[1:], TITLES, rows, Format.table, [False, False, True, True, True, True, True, True])
    console.print("Số người-tháng: mỗi ngày có thẻ khi đang cư trú tính 1/(số ngày của tháng); mức đóng 4,5 % lương "
                  "cơ sở từng tháng.", soft_wrap=True)
    cost = result.scenario
    if cost is None:
        return
    plan, code = cost.scenario, cost.scenario.participant_code
    percent = f"{plan.share * 100:f}".rstrip("0").rstrip(".").replace(".", ",")
    console.print(f"\nKịch bản: tỉnh hỗ trợ thêm {percent} % mức đóng cho đối tượng {code} từ {plan.start:%d/%m/%Y}",
                  soft_wrap=True)
    console.print(f"- Đang có thẻ {code}: {cost.insured_people:,} người ({cost.insured_person_months} người-tháng), "
                  f"ngân sách tỉnh chi thêm {_money(cost.added_cost):,} đồng đến 31/12/{result.year}.", soft_wrap=True)
    console.print(f"- Chưa có thẻ, thuộc diện {code}: {cost.uninsured_people:,} người; nếu cùng tham gia từ "
                  f"{plan.start:%d/%m/%Y} đến 31/12/{result.year} ({cost.uninsured_person_months} người-tháng), "
                  f"ngân sách tỉnh chi {_money(cost.uninsured_cost):,} đồng.", soft_wrap=True)
