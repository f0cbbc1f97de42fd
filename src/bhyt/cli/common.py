"""What every command shares: the consoles, the option types and one way to print rows."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from enum import Enum
from typing import Sequence

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console()
# Messages keep their lines whole, so a printed path can be copied.
errors = Console(stderr=True, soft_wrap=True)


class Level(str, Enum):
    province = "province"
    commune = "commune"
    hamlet = "hamlet"


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' không phải ngày dạng YYYY-MM-DD.") from None


def progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                    console=errors, transient=True)


def fail(message: str) -> typer.Exit:
    """Print a message for the user and give the exit to raise (status 2: the request was refused)."""
    errors.print(f"[red]{message}[/red]")
    return typer.Exit(2)


def emit(header: Sequence[str], titles: Sequence[str], rows: Sequence[Sequence[object]], output: Format,
         numeric: Sequence[bool] | None = None) -> None:
    """Rows as CSV or JSON under the English `header` (for machines), or as a Rich table under the
    Vietnamese `titles` (for people). `numeric` marks the right-aligned columns; ints get thousands
    separators in the table only."""
    if output is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(["" if value is None else value for value in row] for row in rows)
    elif output is Format.json:
        print(json.dumps([dict(zip(header, (_json(value) for value in row))) for row in rows], ensure_ascii=False))
    else:
        numeric = numeric or [False] * len(titles)
        table = Table()
        for title, right in zip(titles, numeric):
            table.add_column(title, justify="right" if right else "left")
        for row in rows:
            table.add_row(*(_cell(value) for value in row))
        console.print(table)


def _json(value: object) -> object:
    if value is None or isinstance(value, (int, float, str, bool)):
        return value
    return str(value)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)
