"""A small registry for the report tests, with figures worked by hand.

Quarter II of 2026: the report counts at 30/06/2026, the previous report at 31/03/2026.

person  commune / hamlet        residence          cards (code: valid)                 31/03   30/06
P1      Đồng Hới, Tổ 1          —                  DN: 2026                            DN      DN
P2      Đồng Hới, Tổ 1          —                  GD: 01/04/2026–31/03/2027           —       GD
P3      Đồng Hới, Tổ 1          —                  HT: 2025–31/05/2026                 HT      —
P4      Đồng Hới, Tổ 1          —                  none                                —       —
P5      Đồng Hới, Tổ 2 (child)  —                  TE: 2022–2027                       TE      TE
P6      Đồng Hới, Tổ 2          —                  HN: 2026 and GD: 02/01–31/12/2026   HN      HN (HN before GD)
P7      Đồng Hới, Tổ 2          arrives 01/05/2026 CN: 2026                            (away)  CN
P8      Đồng Sơn, Khu phố 3     —                  HS: 01/09/2025–31/08/2026           HS      HS

Đồng Hới: 31/03 six residents, four insured (66,67 %); 30/06 seven residents, five insured (71,43 %).
Tổ 1: 4 residents, 2 insured at both dates (50,00 %); Tổ 2: 2 of 2, then 3 of 3 (100,00 %).
Đồng Sơn: 1 of 1 at both dates. Province 44: 5 of 7 (71,43 %), then 6 of 8 (75,00 %).
Groups in the province, 31/03 → 30/06: 1: 1 → 1; 2: 1 → 0; 3: 2 → 2; 4: 1 → 2; 5: 0 → 1.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bhyt.domain.identifiers import personal_id_century_digit
from bhyt.ingest.service import import_file
from tests.conftest import write_csv
from tests.ingest.fixtures import CARD_HEADER, PERSON_HEADER

DONG_HOI, DONG_SON = "18880", "18871"
AS_OF, PREVIOUS = date(2026, 6, 30), date(2026, 3, 31)
ADULT, CHILD, PUPIL = date(1990, 5, 5), date(2022, 2, 2), date(2010, 3, 3)
BIRTHS = {"P1": ADULT, "P2": ADULT, "P3": ADULT, "P4": ADULT, "P5": CHILD, "P6": ADULT, "P7": ADULT, "P8": PUPIL}


def _pid(name: str) -> str:
    birth = BIRTHS[name]
    return f"045{personal_id_century_digit(birth.year, 1)}{birth.year % 100:02d}{int(name[1:]):06d}"


def _person(name: str, commune: str = DONG_HOI, hamlet: str = "Tổ 1", arrived: str = "") -> list[str]:
    return [_pid(name), f"Người {name}", BIRTHS[name].isoformat(), "1", "", "", commune, hamlet, arrived, "", ""]


def _card(name: str, code: str, start: str, end: str) -> list[str]:
    return [_pid(name), f"45000000{int(name[1:]):02d}", "", code, "", start, end, ""]


def build_registry(engine, folder: Path) -> None:
    persons = [
        _person("P1"), _person("P2"), _person("P3"), _person("P4"),
        _person("P5", hamlet="Tổ 2"), _person("P6", hamlet="Tổ 2"), _person("P7", hamlet="Tổ 2", arrived="2026-05-01"),
        _person("P8", commune=DONG_SON, hamlet="Khu phố 3"),
    ]
    cards = [
        _card("P1", "DN", "2026-01-01", "2026-12-31"),
        _card("P2", "GD", "2026-04-01", "2027-03-31"),
        _card("P3", "HT", "2025-01-01", "2026-05-31"),
        _card("P5", "TE", "2022-02-02", "2027-12-31"),
        _card("P6", "HN", "2026-01-01", "2026-12-31"),
        _card("P6", "GD", "2026-01-02", "2026-12-31"),
        _card("P7", "CN", "2026-01-01", "2026-12-31"),
        _card("P8", "HS", "2025-09-01", "2026-08-31"),
    ]
    for kind, header, rows in (("persons", PERSON_HEADER, persons), ("cards", CARD_HEADER, cards)):
        result = import_file(engine, kind, write_csv(folder / f"{kind}.csv", header, rows))
        assert result.ok, result.errors
