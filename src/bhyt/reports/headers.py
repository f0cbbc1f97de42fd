"""The header and signature block of a report issued for a unit, with the defaults `bhyt report` and
the web's report downloads share: the unit's People's Committee issues and signs it, dated today at the
unit's place, sent to the usual recipients of its level."""

from __future__ import annotations

from datetime import date

from bhyt.reports.official import DocumentHeader
from bhyt.reports.unit_names import COMMITTEE_SIGNER, committee_issuer, default_recipients, place_name


def unit_header(issuer_name: str, issuer_kind: str, issuer_level: str, number_line: str, title: str,
                subtitle: str = "", *, issuer_lines: tuple[str, ...] | None = None,
                signer_lines: tuple[str, ...] | None = None, place: str | None = None,
                document_date: date | None = None) -> DocumentHeader:
    """The issuing unit's name, kind ("tỉnh", "xã"…) and level; each keyword left None takes its default.
    Another issuer than the People's Committee comes with its own `signer_lines`."""
    return DocumentHeader(
        issuer_lines=issuer_lines or committee_issuer(issuer_name, issuer_kind),
        number_line=number_line,
        place=place or place_name(issuer_name),
        date=document_date or date.today(),
        title=title,
        subtitle=subtitle,
        signer_lines=signer_lines or COMMITTEE_SIGNER,
        recipients=default_recipients(issuer_level),
    )
