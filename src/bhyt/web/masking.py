"""Personal ID numbers as lists show them: enough to tell two people apart and to check a card
against a paper list, never the whole number. The first four digits (the province and century of
birth) and the last two stay; everything between becomes a star."""

from __future__ import annotations

MASK = "*"
SHOWN_HEAD = 4
SHOWN_TAIL = 2


def mask_personal_id(personal_id: str | None) -> str:
    """'044012345689' → '0440******89'. A shorter number (an old 9-digit identity card, a malformed
    entry) whose middle would be less than half of it is starred entirely rather than shown in part."""
    if not personal_id:
        return ""
    value = personal_id.strip()
    hidden = len(value) - SHOWN_HEAD - SHOWN_TAIL
    if hidden * 2 < len(value):
        return MASK * len(value)
    return value[:SHOWN_HEAD] + MASK * hidden + value[-SHOWN_TAIL:]
