"""Loader for the legal parameter tables in ``data/``.

Each table is a UTF-8 CSV with a header row. Date-effective tables carry ``effective_from`` and
``effective_to`` (ISO dates, both inclusive, empty = open), so that a new decree is a new row
rather than a code change.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from importlib import resources
from types import MappingProxyType

from bhyt.domain.messages import Message, N_

# Table names become file names; refusing anything else keeps lookups inside data/.
_TABLE_NAME = re.compile(r"[a-z][a-z0-9_]*")


class LegalDataError(LookupError):
    """The legal tables do not give exactly one answer for the date asked. The message is a `Message`, so
    that the web can show it in English while the CLI prints the Vietnamese."""

    @classmethod
    def none_in_force(cls, what: str, on: date) -> LegalDataError:
        return cls(Message(N_("Không có quy định về %(what)s có hiệu lực vào ngày %(day)s."), what=what,
                           day=f"{on:%d/%m/%Y}"))


# What `effective_on` calls a parameter it is not told the name of.
PARAMETER = Message(N_("tham số"))


def read_table(name: str) -> list[dict[str, str]]:
    """Rows of ``data/<name>.csv`` as fresh dicts (callers may mutate them safely)."""
    return [dict(row) for row in _cached_rows(name)]


@cache
def _cached_rows(name: str) -> tuple[Mapping[str, str], ...]:
    if not _TABLE_NAME.fullmatch(name):
        raise ValueError(f"Tên bảng tham số không hợp lệ: {name!r}.")
    resource = resources.files(__package__).joinpath("data").joinpath(f"{name}.csv")
    text = resource.read_text(encoding="utf-8")
    return tuple(MappingProxyType(row) for row in csv.DictReader(io.StringIO(text)))


def optional_date(text: str) -> date | None:
    """An ISO date, or None for the empty string that marks an open end."""
    return date.fromisoformat(text) if text else None


def _is_effective(row: Mapping[str, str], on: date) -> bool:
    start = optional_date(row.get("effective_from", ""))
    end = optional_date(row.get("effective_to", ""))
    return (start is None or start <= on) and (end is None or on <= end)


def effective_rows(rows: Iterable[Mapping[str, str]], on: date) -> list[dict[str, str]]:
    return [dict(row) for row in rows if _is_effective(row, on)]


def effective_on(rows: Iterable[Mapping[str, str]], on: date, *, what: str = PARAMETER) -> dict[str, str]:
    """The single row in force on ``on``; ``what`` names the parameter in the error message (a `Message`,
    for the web to translate)."""
    matches = effective_rows(rows, on)
    if not matches:
        raise LegalDataError.none_in_force(what, on)
    if len(matches) > 1:
        raise LegalDataError(Message(
            N_("Có %(count)s quy định về %(what)s cùng có hiệu lực vào ngày %(day)s; bảng tham số bị chồng lấn "
               "thời gian."), count=len(matches), what=what, day=f"{on:%d/%m/%Y}"))
    return matches[0]
