"""`bhyt worklist LIST`: the work lists of a commune or hamlet (or a province) as a table, CSV, JSON or
an XLSX to print; the báo tăng lists also as the participant list for the social insurance
(`--format participants`), the expiring, lapsed and uninsured lists as reminders to send by SMS or Zalo
(`--format reminders`). Personal ID and BHXH numbers are masked (first 4 and last 2 digits kept)
unless --reveal; every list of named people given out is written to the audit log."""

from __future__ import annotations

import getpass
import io
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from bhyt.analytics.worklists.common import scope
from bhyt.analytics.worklists.insured import DEFAULT_DAYS
from bhyt.analytics.engine import analytics
from bhyt.cli.app import app
from bhyt.cli.common import Format, console, emit, fail, parse_date
from bhyt.domain.legal_data import LegalDataError
from bhyt.store.db import default_engine
from bhyt.store.migrate import upgrade
from bhyt.participant_list import participants_file, what_is_listed
from bhyt.reminders import DEFAULT_CONTACT, reminders
from bhyt.reminders import to_csv as reminders_csv
from bhyt.web import audit
from bhyt.worklist_tables import (
    PARTICIPANT_LISTS, REMINDER_LISTS, ListName, OutputFormat, columns, plain, run_list, to_csv, to_json, write_xlsx,
)


@app.command("worklist")
def worklist_command(
    name: Annotated[ListName, typer.Argument(help="Danh sách: uninsured, expiring, lapsed, eligible-missing, "
                                                  "duplicates, deceased, moved-out, newly-eligible.")],
    unit: Annotated[str, typer.Option(help="Mã xã, thôn (hoặc tỉnh).")],
    as_of: Annotated[str, typer.Option(help="Ngày tính (YYYY-MM-DD).")],
    days: Annotated[int, typer.Option(help="expiring: hết hạn trong N ngày tới; lapsed: hết hạn trong N ngày qua.")]
    = DEFAULT_DAYS,
    since: Annotated[Optional[str], typer.Option(help="newly-eligible: từ ngày (YYYY-MM-DD).")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help=(
        "table, csv, xlsx, json; participants: danh sách gửi BHXH theo mẫu D03-TS (eligible-missing, "
        "newly-eligible; tệp .xlsx); reminders: tin nhắn SMS/Zalo dạng CSV (expiring, lapsed, uninsured)."))]
    = OutputFormat.table,
    out: Annotated[Optional[Path], typer.Option(help="Ghi ra tệp (bắt buộc với xlsx và participants).")] = None,
    reveal: Annotated[bool, typer.Option("--reveal", help="Hiện đủ số định danh, mã số BHXH (được ghi nhật ký).")]
    = False,
    contact: Annotated[str, typer.Option(help="reminders: nơi liên hệ ghi trong tin nhắn.")] = DEFAULT_CONTACT,
) -> None:
    """Danh sách công việc của xã, thôn: ai cần vận động, cấp thẻ, gia hạn, báo tăng, báo giảm, và vì sao."""
    day = parse_date(as_of)
    since_day = None if since is None else parse_date(since)
    if name is ListName.newly_eligible and since is None:
        raise fail("Danh sách newly-eligible cần --since NGÀY.")
    if output in (OutputFormat.xlsx, OutputFormat.participants) and out is None:
        raise fail(f"Định dạng {output.value} cần --out TỆP.xlsx.")
    if output is OutputFormat.participants and name not in PARTICIPANT_LISTS:
        raise fail("Danh sách gửi BHXH (--format participants) chỉ lập từ eligible-missing hoặc newly-eligible.")
    if output is OutputFormat.reminders and name not in REMINDER_LISTS:
        raise fail("Tin nhắn nhắc (--format reminders) chỉ lập từ expiring, lapsed hoặc uninsured.")
    engine = default_engine()
    upgrade(engine)
    with analytics(engine) as con:
        try:
            unit_scope = scope(con, unit)
            unit_name = unit_scope.unit_name
            rows = run_list(con, name, unit, day, days, since_day)
            if output is OutputFormat.participants:
                what = what_is_listed(name is ListName.eligible_missing, since_day)
                # Written out only once the export is in the audit log.
                participant_xlsx = io.BytesIO()
                listed, left_out = participants_file(con, participant_xlsx, unit_scope, rows, day, what, reveal)
            elif output is OutputFormat.reminders:
                messages = reminders(con, unit, day, rows, contact)
        except (ValueError, LegalDataError) as error:
            raise fail(str(error)) from None
    detail = {"as_of": day, "rows": len(rows), "format": output.value}
    if output is OutputFormat.reminders:
        # The file names people with their phone numbers in full: an export, whatever --reveal says.
        detail["messages"] = len(messages.messages)
    audit.record(engine, getpass.getuser(), "reveal_id" if reveal else "export_people", unit_code=unit,
                 subject=f"worklist {name.value}", client="cli", detail=detail)
    if output is OutputFormat.participants:
        out.write_bytes(participant_xlsx.getvalue())
        not_needed = f"; {left_out} người không cần cấp thẻ mới" if left_out else ""
        console.print(f"Đã ghi {out} ({listed} người{not_needed})", soft_wrap=True)
        return
    if output is OutputFormat.reminders:
        text = reminders_csv(messages)
        unreachable = (f"; {messages.unreachable} {'hộ' if name is ListName.uninsured else 'người'} "
                       "không có số điện thoại, không nhắn được")
        summary = f"{len(messages.messages)} tin nhắn{unreachable if messages.unreachable else ''}"
        if out is None:
            sys.stdout.write(text)
            sys.stderr.write(summary + "\n")  # stdout stays a clean CSV
        else:
            out.write_text(text, encoding="utf-8-sig")
            console.print(f"Đã ghi {out} ({summary})", soft_wrap=True)
        return
    cols = columns(name)
    if output is OutputFormat.xlsx:
        write_xlsx(out, name, unit, unit_name, day, cols, rows, reveal)
        console.print(f"Đã ghi {out} ({len(rows)} người)", soft_wrap=True)
        return
    if output is OutputFormat.table:
        # A terminal is narrow: the household's head is left to the files.
        shown = [c for c in cols if c.key != "chu_ho"]
        values = [[plain(c, row, reveal) for c in shown] for row in rows]
        emit([c.key for c in shown], [c.title for c in shown], values, Format.table,
             [c.kind in ("int", "money") for c in shown])
        return
    values = [[plain(column, row, reveal) for column in cols] for row in rows]
    text = to_csv(cols, values) if output is OutputFormat.csv else to_json(cols, values)
    if out is None:
        sys.stdout.write(text)
    else:
        # With a byte-order mark, Excel opens the Vietnamese text as UTF-8.
        out.write_text(text, encoding="utf-8-sig" if output is OutputFormat.csv else "utf-8")
        console.print(f"Đã ghi {out} ({len(rows)} người)", soft_wrap=True)
