"""`bhyt worklist … --format participants|reminders` on the hand-worked commune of
tests/analytics/test_worklists.py (D = 30/09/2026), with phones added to some people:

HO01: 1 Một, head, 0912345001; 2 Hoa 0987654002.
HO02: nobody has a phone.
HO03: 9 Đức 0868000009 (not the head: the eldest member with a phone).
HO04: 12 Mất, head, 0399000012 — died 15/08/2026, so not a contact; 11 Bốn 0779000011 (the eldest
      living member with a phone); 14 Hết 0356000014.

Reminders: expiring → Hết on her own phone; lapsed → Lỡ has no phone: his household's contact Bốn;
uninsured → HO01 to Một (6 people, the baby paid by the state, 4,371,840 VND), HO04 to Bốn (3 people,
Cụ paid by the state, 1,366,200), HO03 to Đức (956,340); HO02 has no phone and is counted.
Participant list: eligible-missing 6 Bé (TE), 17 Cụ (BT), 8 Cận (CN), 18 Sáu (HS, BHXH 4500000018 from
his old TE card), grouped by code in priority order.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bhyt.cli import app
from bhyt.ingest.service import import_file
from bhyt.masking import mask
from bhyt.store.models import AuditEntry
from tests.analytics.test_worklists import DONG_HOI, name, person_row, pid, populate
from tests.conftest import write_csv
from tests.ingest.fixtures import PERSON_HEADER
from tests.reports.xlsx import cells, number_format

runner = CliRunner()
AS_OF = "2026-09-30"
CONTACT = "UBND phường Đồng Hới, ĐT 0232 3822 123"
PHONES = {1: ("Chủ hộ", "0912 345 001"), 2: ("", "0987654002"), 9: ("", "+84 868 000 009"),
          11: ("", "779000011"), 12: ("Chủ hộ", "0399000012"), 14: ("", "0356000014")}
SOFFICE = shutil.which("soffice")


@pytest.fixture
def registry(engine, tmp_path, filled_once):
    filled_once("registry", lambda: fill(engine, tmp_path))
    return engine


def fill(engine, tmp_path) -> None:
    populate(engine, tmp_path)
    rows = []
    for number, (relation, phone) in PHONES.items():
        row = person_row(number, died="2026-08-15" if number == 12 else "")
        row[5] = relation
        rows.append(row + [phone])
    result = import_file(engine, "persons", write_csv(tmp_path / "dien_thoai.csv", PERSON_HEADER + ["so_dien_thoai"],
                                                        rows))
    assert result.ok, result.errors


def run(*args: str):
    return runner.invoke(app, ["worklist", *args, "--unit", DONG_HOI, "--as-of", AS_OF], catch_exceptions=False)


def test_reminders_for_the_uninsured_go_to_each_household_contact(registry, tmp_path):
    out = tmp_path / "nhan_tin.csv"
    result = run("uninsured", "--format", "reminders", "--contact", CONTACT, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Đã ghi {out} (3 tin nhắn; 1 hộ không có số điện thoại, không nhắn được)"
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows == [
        {"ho_ten": name(1), "so_dien_thoai": "0912345001", "ma_ho": "HO01", "thon": "Tổ 1",
         "noi_dung": "Hộ Trần Văn Một còn 6 người chưa có thẻ BHYT, trong đó 1 người được Nhà nước đóng toàn bộ; "
                     f"mức đóng cả hộ năm nay 4.371.840 đồng; liên hệ {CONTACT} để tham gia."},
        {"ho_ten": name(11), "so_dien_thoai": "0779000011", "ma_ho": "HO04", "thon": "Tổ 1",
         "noi_dung": "Hộ Phạm Văn Bốn còn 3 người chưa có thẻ BHYT, trong đó 1 người được Nhà nước đóng toàn bộ; "
                     f"mức đóng cả hộ năm nay 1.366.200 đồng; liên hệ {CONTACT} để tham gia."},
        {"ho_ten": name(9), "so_dien_thoai": "0868000009", "ma_ho": "HO03", "thon": "Tổ 2",
         "noi_dung": "Hộ Nguyễn Văn Đức còn 1 người chưa có thẻ BHYT; mức đóng cả hộ năm nay 956.340 đồng; "
                     f"liên hệ {CONTACT} để tham gia."},
    ]
    with registry.connect() as connection:
        entry = connection.execute(select(AuditEntry.action, AuditEntry.subject, AuditEntry.detail)).one()
    assert entry.action == "export_people" and entry.subject == "worklist uninsured"
    assert "reminders" in str(entry.detail) and "messages" in str(entry.detail)


def test_reminders_for_expiring_and_lapsed_cards(registry):
    result = run("expiring", "--format", "reminders")
    assert result.exit_code == 0, result.output
    assert list(csv.reader(io.StringIO(result.stdout))) == [
        ["ho_ten", "so_dien_thoai", "ma_ho", "thon", "noi_dung"],
        [name(14), "0356000014", "HO04", "Tổ 1",
         "Thẻ BHYT của Phạm Thị Hết hết hạn ngày 15/10/2026; mức đóng 12 tháng 1.366.200 đồng cho người thứ nhất "
         "của hộ, từ người thứ hai được giảm; liên hệ Ủy ban nhân dân xã hoặc đại lý thu BHYT để gia hạn."],
    ]
    assert result.stderr.strip() == "1 tin nhắn"
    lapsed = list(csv.reader(io.StringIO(run("lapsed", "--format", "reminders").stdout)))
    assert lapsed[1][:2] == [name(11), "0779000011"]
    assert lapsed[1][4].startswith("Thẻ BHYT hộ gia đình của Phạm Văn Lỡ đã hết hạn ngày 31/08/2026; "
                                   "đóng trước hết ngày 30/11/2026 thì thẻ mới có giá trị ngay; mức đóng 12 tháng")


def test_formats_belong_to_their_lists(registry, tmp_path):
    result = run("deceased", "--format", "reminders")
    assert result.exit_code == 2 and "expiring, lapsed hoặc uninsured" in result.output
    result = run("uninsured", "--format", "participants", "--out", str(tmp_path / "x.xlsx"))
    assert result.exit_code == 2 and "eligible-missing hoặc newly-eligible" in result.output
    result = run("eligible-missing", "--format", "participants")
    assert result.exit_code == 2 and "--out" in result.output


def participant_rows(path) -> list[list[object]]:
    return cells(path, "D03-TS")


def test_participant_list_for_the_social_insurance(registry, tmp_path):
    out = tmp_path / "d03.xlsx"
    result = run("eligible-missing", "--format", "participants", "--out", str(out), "--reveal")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Đã ghi {out} (4 người)"
    rows = participant_rows(out)
    assert rows[1][0] == "DANH SÁCH NGƯỜI CHỈ THAM GIA BẢO HIỂM Y TẾ"
    assert rows[3][0] == "Tên đơn vị: Ủy ban nhân dân Phường Đồng Hới"
    assert rows[5][0] == "Lương cơ sở: 2.530.000 đồng"
    assert rows[7][:4] == ["STT", "Họ và tên", "Mã số BHXH", "Số CCCD/ĐDCN/hộ chiếu"]
    assert rows[8][:5] == ["A", "B", "1", "2", "3"]
    assert rows[9][0] == "I. Tăng: 4 người"
    # Group 3 codes (TE, BT) before group 4 (CN, HS), each under its heading.
    headings = [row[0] for row in rows[10:] if isinstance(row[0], str) and row[0].startswith("Mã ")]
    assert [heading.split(" – ")[0] for heading in headings] == ["Mã TE", "Mã BT", "Mã CN", "Mã HS"]
    people = [row for row in rows[10:] if isinstance(row[0], float | int) and row[0] > 0]
    assert [(row[0], row[1], row[9]) for row in people] == [
        (1, name(6), "TE"), (2, name(17), "BT"), (3, name(8), "CN"), (4, name(18), "HS")]
    sau = people[3]
    assert sau[2:5] == ["4500000018", pid(18), sau[4]] and sau[4].isoformat() == "2020-05-20"
    assert sau[5:10] == ["Nam", "Tổ 1", "Phường Đồng Hới", "Quảng Trị", "HS"]
    assert sau[10] == "4" and sau[12].isoformat() == "2026-09-30"
    line = next(index for index, row in enumerate(rows) if row[1] == name(18))
    assert number_format(out, 1, line, 2) == "@" and number_format(out, 1, line, 3) == "@"
    with registry.connect() as connection:
        assert connection.execute(select(AuditEntry.action)).scalars().all() == ["reveal_id"]


def test_participant_list_of_the_newly_eligible_masks_by_default(registry, tmp_path):
    out = tmp_path / "bao_tang.xlsx"
    result = run("newly-eligible", "--since", "2026-01-01", "--format", "participants", "--out", str(out))
    assert result.exit_code == 0, result.output
    # Hai already holds the CN card she is entitled to.
    assert result.stdout.strip() == f"Đã ghi {out} (3 người; 1 người không cần cấp thẻ mới)"
    people = [row for row in participant_rows(out)[10:] if isinstance(row[0], float | int) and row[0] > 0]
    assert [(row[1], row[3], row[9], row[12].isoformat()) for row in people] == [
        (name(6), mask(pid(6)), "TE", "2026-03-10"), (name(8), mask(pid(8)), "CN", "2026-01-01"),
        (name(18), mask(pid(18)), "HS", "2026-05-20")]
    assert people[2][2] == mask("4500000018")


# Field separator, text delimiter, UTF-8, first line, column formats, language, quoted as text,
# detect special numbers, and (9th) save cell contents as shown.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true"


def libreoffice_rows(path, folder) -> list[list[str]]:
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{folder / 'profile'}", "--headless", "--convert-to", CSV_FILTER,
         "--outdir", str(folder), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    with path.with_suffix(".csv").open(encoding="utf-8") as handle:
        return [[cell.strip() for cell in row] for row in csv.reader(handle)]


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_list_and_the_participant_list(registry, tmp_path):
    listing, form = tmp_path / "danh_sach.xlsx", tmp_path / "d03.xlsx"
    assert run("uninsured", "--format", "xlsx", "--out", str(listing)).exit_code == 0
    assert run("eligible-missing", "--format", "participants", "--out", str(form), "--reveal").exit_code == 0
    rows = libreoffice_rows(listing, tmp_path)
    assert rows[3][:4] == ["STT", "Số định danh", "Họ và tên", "Ngày sinh"]
    assert rows[4][:6] == ["1", mask(pid(1)), name(1), "10/01/1970", "HO01", "Trần Văn Một"]
    assert rows[4][14] == "1,366,200"
    rows = libreoffice_rows(form, tmp_path)
    header = next(index for index, row in enumerate(rows) if row[0] == "STT")
    assert rows[header][:3] == ["STT", "Họ và tên", "Mã số BHXH"]
    sau = next(row for row in rows if row[1] == name(18))
    # The BHXH and ID numbers keep their leading zeros as text; dates show as on the form.
    assert sau[2:5] == ["4500000018", pid(18), "20/05/2020"]
    assert sau[12] == "30/09/2026"
