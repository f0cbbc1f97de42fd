"""The catalogue of assessment rules: one TOML file per rule in `bhyt/claims/rules/`.

A rule is data: its id, version, Vietnamese and English titles, legal basis, severity, the dates it
is in effect and its logic as one SQL SELECT (the contract is in bhyt.claims.assessment). Adding a
rule is adding a file; the engine has no code of its own for any rule.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

RULES_DIR = Path(__file__).parent / "rules"

SEVERITIES = {"cao": "Cao", "trung_binh": "Trung bình", "thap": "Thấp"}
_ID = re.compile(r"[A-Z][A-Z0-9_]*")
_TEXT_KEYS = ("id", "title_vi", "title_en", "legal_basis", "severity", "description", "sql")
_KEYS = {*_TEXT_KEYS, "version", "effective_from", "effective_to"}


class CatalogueError(ValueError):
    """A rule file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Rule:
    id: str
    version: int
    title_vi: str
    title_en: str
    legal_basis: str
    severity: str  # a key of SEVERITIES
    effective_from: date
    effective_to: date | None
    description: str
    sql: str

    @property
    def severity_vi(self) -> str:
        return SEVERITIES[self.severity]

    def in_effect(self, first: date | None, last: date | None) -> bool:
        """In effect on some day from `first` to `last` (either end open when None)."""
        starts_in_time = last is None or self.effective_from <= last
        ends_in_time = first is None or self.effective_to is None or self.effective_to >= first
        return starts_in_time and ends_in_time


def load_rule(path: Path) -> Rule:
    def error(key: str, reason: str) -> CatalogueError:
        return CatalogueError(f"Quy tắc {path.name}, khóa '{key}': {reason}")

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as problem:
        raise CatalogueError(f"Quy tắc {path.name}: không đọc được TOML ({problem}).") from None
    for key in sorted(set(data) - _KEYS):
        raise error(key, "khóa không được biết.")
    for key in (*_TEXT_KEYS, "version", "effective_from"):
        if key not in data:
            raise error(key, "thiếu.")
    for key in _TEXT_KEYS:
        if not isinstance(data[key], str) or not data[key].strip():
            raise error(key, "phải là chuỗi không rỗng.")
    if not _ID.fullmatch(data["id"]):
        raise error("id", f"'{data['id']}' phải gồm chữ in hoa, chữ số và dấu gạch dưới.")
    if data["id"] != path.stem:
        raise error("id", f"'{data['id']}' phải trùng tên tệp ({path.stem}).")
    if not isinstance(data["version"], int) or isinstance(data["version"], bool) or data["version"] < 1:
        raise error("version", "phải là số nguyên từ 1 trở lên.")
    if data["severity"] not in SEVERITIES:
        raise error("severity", f"'{data['severity']}' không thuộc {', '.join(SEVERITIES)}.")
    for key in ("effective_from", "effective_to"):
        if key in data and (not isinstance(data[key], date) or isinstance(data[key], datetime)):
            raise error(key, "phải là ngày dạng YYYY-MM-DD (không có dấu ngoặc kép).")
    if "effective_to" in data and data["effective_to"] < data["effective_from"]:
        raise error("effective_to", "trước effective_from.")
    if not re.match(r"\s*(SELECT|WITH)\b", data["sql"], re.IGNORECASE):
        raise error("sql", "phải là một câu SELECT (hoặc WITH … SELECT).")
    if ";" in _without_literals(data["sql"]):
        raise error("sql", "chỉ được một câu lệnh (không có dấu ';').")
    return Rule(
        id=data["id"], version=data["version"], title_vi=data["title_vi"].strip(),
        title_en=data["title_en"].strip(), legal_basis=data["legal_basis"].strip(), severity=data["severity"],
        effective_from=data["effective_from"], effective_to=data.get("effective_to"),
        description=data["description"].strip(), sql=data["sql"].strip(),
    )


def _without_literals(sql: str) -> str:
    """The SQL without its string literals (a ';' inside one is text, not a second statement)."""
    return re.sub(r"'(?:[^']|'')*'", "''", sql)


def load_catalogue(folder: Path = RULES_DIR) -> list[Rule]:
    """Every rule of the folder, by id; the first bad file stops the load with its reason."""
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise CatalogueError(f"Không có tệp quy tắc .toml nào trong {folder}.")
    return [load_rule(path) for path in files]


def pick(rules: list[Rule], ids: list[str] | None = None, first: date | None = None,
         last: date | None = None) -> list[Rule]:
    """The rules asked for (all when `ids` is empty) that are in effect in the period."""
    known = {rule.id for rule in rules}
    unknown = [rule_id for rule_id in ids or () if rule_id not in known]
    if unknown:
        raise CatalogueError(f"Không có quy tắc {', '.join(unknown)}; xem danh mục bằng `bhyt claims rules`.")
    wanted = set(ids or known)
    return [rule for rule in rules if rule.id in wanted and rule.in_effect(first, last)]
