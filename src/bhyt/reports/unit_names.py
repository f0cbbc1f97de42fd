"""How a unit appears in a document: the issuing People's Committee, the place in the date line, what
its sub-units are called in a table heading, and who usually receives its reports."""

from __future__ import annotations

# Unit names in the 2025 catalogue that already carry their kind ("Phường Đồng Hới", "Thành phố Hà
# Nội"); provinces are named bare ("Quảng Trị") and take "Tỉnh" in front.
_KIND_PREFIXES = ("Thành phố", "Tỉnh", "Thị trấn", "Đặc khu", "Phường", "Xã")

UNIT_TITLES = {"province": "Tỉnh, thành phố", "commune": "Xã, phường, đặc khu", "hamlet": "Thôn, tổ dân phố"}

PEOPLES_COMMITTEE = "ỦY BAN NHÂN DÂN"
COMMITTEE_SIGNER = ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")

_RECIPIENTS = {
    "province": ("- Bộ Y tế;", "- Bảo hiểm xã hội Việt Nam;", "- Thường trực Tỉnh ủy (b/c);", "- Lưu: VT."),
    # Since the 2025 reform communes report straight to the province (Quảng Trị plan: "về Ủy ban nhân
    # dân tỉnh (qua Sở Y tế)").
    "commune": ("- Ủy ban nhân dân tỉnh (qua Sở Y tế);", "- Bảo hiểm xã hội tỉnh;", "- Lưu: VT."),
}


def full_name(name: str, kind: str) -> str:
    """"Tỉnh Quảng Trị", "Phường Đồng Hới": the name with its kind in front, once."""
    if name.startswith(_KIND_PREFIXES):
        return name
    return f"{kind[:1].upper()}{kind[1:]} {name}"


def in_sentence(name: str, kind: str) -> str:
    """The full name inside a sentence, its kind in lower case: "Ủy ban nhân dân tỉnh Quảng Trị"."""
    named = full_name(name, kind)
    return named[:1].lower() + named[1:]


def place_name(name: str) -> str:
    """The place in "<place>, ngày …": the name without its kind ("Đồng Hới", "Hà Nội")."""
    for prefix in _KIND_PREFIXES:
        if name.startswith(prefix + " "):
            return name[len(prefix) + 1:]
    return name


def committee_issuer(name: str, kind: str) -> tuple[str, ...]:
    """("ỦY BAN NHÂN DÂN", "TỈNH QUẢNG TRỊ") for the unit's People's Committee."""
    return PEOPLES_COMMITTEE, full_name(name, kind).upper()


def default_recipients(level: str) -> tuple[str, ...]:
    return _RECIPIENTS.get(level, ())
