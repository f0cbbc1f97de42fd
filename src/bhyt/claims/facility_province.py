"""Which province a health facility belongs to, for scoping claims to a province's assessors.

A facility's code (MA_CSKCB, 5 digits) begins with the pre-2025 province it was registered in, as card
codes and BHXH numbers do (the demo generator and the facility-tier import number them the same way,
bhyt.demo.places); since the 2025 merger several of those codes belong to one province."""

from __future__ import annotations

from bhyt.domain.identifiers import LEGACY_PROVINCES


def facility_prefixes(province_code: str) -> tuple[str, ...]:
    """The two-digit codes a facility of the 2025 province `province_code` begins with (empty for an
    unknown province)."""
    return tuple(sorted(code[1:] for code, legacy in LEGACY_PROVINCES.items()
                        if legacy.new_province_code == province_code))


def province_of_facility(facility: str) -> str | None:
    """The 2025 province of the facility `facility` (MA_CSKCB), or None when its first two digits are
    no pre-2025 province."""
    legacy = LEGACY_PROVINCES.get(facility.strip()[:2].zfill(3)) if len(facility.strip()) >= 2 else None
    return legacy.new_province_code if legacy else None
