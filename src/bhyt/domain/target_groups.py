"""The groups a plan may set a coverage target for (children under 6, pupils and students, poor and
near-poor households, …), with how their eligible people are found and the target the plans set.

The rules live in `data/target_groups.csv`; `eligible` is one of
- `age`: completed age on the date between `min_age` and `max_age`;
- `age_or_card`: that age, or a card with one of `participant_codes` covering the date;
- `household`: the household's classification for the year of the date is `classification`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from bhyt.domain.legal_data import read_table
from bhyt.domain.messages import Message, N_

ELIGIBILITY_KINDS = ("age", "age_or_card", "household")


@dataclass(frozen=True)
class TargetGroup:
    code: str
    name_vi: str
    name_en: str
    eligible: str
    min_age: int | None
    max_age: int | None
    participant_codes: tuple[str, ...]
    classification: str | None
    default_target_pct: Decimal | None
    source: str


class UnknownTargetGroup(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(Message(N_("Nhóm đối tượng '%(code)s' không có trong danh mục nhóm chỉ tiêu (%(known)s)."),
                                 code=code, known=", ".join(TARGET_GROUPS)))
        self.code = code


def _optional_int(text: str) -> int | None:
    return int(text) if text else None


def _load() -> Mapping[str, TargetGroup]:
    groups = {}
    for row in read_table("target_groups"):
        if row["eligible"] not in ELIGIBILITY_KINDS:
            raise ValueError(f"target_groups.csv: unknown eligibility rule {row['eligible']!r} for {row['code']}")
        groups[row["code"]] = TargetGroup(
            code=row["code"],
            name_vi=row["name_vi"],
            name_en=row["name_en"],
            eligible=row["eligible"],
            min_age=_optional_int(row["min_age"]),
            max_age=_optional_int(row["max_age"]),
            participant_codes=tuple(row["participant_codes"].split()),
            classification=row["classification"] or None,
            default_target_pct=Decimal(row["default_target_pct"]) if row["default_target_pct"] else None,
            source=row["source"],
        )
    return MappingProxyType(groups)


TARGET_GROUPS: Mapping[str, TargetGroup] = _load()


def target_group(code: str) -> TargetGroup:
    try:
        return TARGET_GROUPS[code]
    except KeyError:
        raise UnknownTargetGroup(code) from None
