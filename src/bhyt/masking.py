"""Personal ID and BHXH numbers as lists show them: enough to tell two people apart and to check a card
against a paper list, never the whole number. The first four digits (the province and century of
birth) and the last two stay; everything between becomes a star."""

from __future__ import annotations

SHOWN_HEAD = 4
SHOWN_TAIL = 2


def mask(number: str | None) -> str:
    """'044012345689' → '0440******89'. A shorter number keeps fewer leading digits, so that at least
    half of it is always hidden: a 10-digit BHXH number '4512345601' → '451*****01'."""
    if not number:
        return ""
    value = number.strip()
    head = max(0, min(SHOWN_HEAD, len(value) // 2 - SHOWN_TAIL))
    tail = SHOWN_TAIL if len(value) >= 2 * SHOWN_TAIL else 0
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail:]
