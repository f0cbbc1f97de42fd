"""The lists officers load, as data: their columns, cell types and row checks.

A check is SQL over the typed row `c` (the raw text is `r`) that is true when the row is wrong; it
names the column the officer has to fix. `db` is the attached system of record.
"""

from __future__ import annotations

from dataclasses import dataclass

from bhyt.ingest.columns import DATE, MONTH, PHONE, SEX, CellType, Column, digits, integer, one_of, text, upper_code

# Codes are written with spaces and in lower case on paper lists; they are compared without either.
COMPACT_CODE = CellType(
    "CASE WHEN length(replace({v}, ' ', '')) <= 20 THEN upper(replace({v}, ' ', '')) END",
    "Mã dài quá 20 ký tự.",
)

# An empty benefit level means the participant code's own level (QĐ 1351).
BENEFIT_LEVEL = "coalesce(c.muc_huong, (SELECT benefit_level FROM participant_codes p WHERE p.code = c.ma_doi_tuong))"

HOUSEHOLD_CLASSES = ("ngheo", "can_ngheo", "nong_lam_ngu_diem_nghiep_tb", "khac")


@dataclass(frozen=True)
class Check:
    column: str
    failed: str
    reason: str


@dataclass(frozen=True)
class ListSpec:
    kind: str
    title: str
    columns: tuple[Column, ...]
    checks: tuple[Check, ...]
    key: tuple[str, ...]  # unique within a file and the upsert key

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


def _duplicate_key(spec_key: tuple[str, ...], what: str) -> Check:
    same = " AND ".join(f"d.{name} = c.{name}" for name in spec_key)
    return Check(spec_key[0], f"(SELECT count(*) FROM clean d WHERE {same}) > 1", f"{what} lặp lại ở dòng khác trong tệp.")


def _not_in(expression: str, subquery: str) -> str:
    """`x NOT IN (empty set)` is true even for NULL: an empty cell must not fail a reference check."""
    return f"{expression} IS NOT NULL AND {expression} NOT IN ({subquery})"


COMMUNE_EXISTS = Check(
    "ma_xa",
    _not_in("c.ma_xa", "SELECT code FROM db.units WHERE level = 'commune'"),
    "Mã xã không có trong danh mục đơn vị hành chính cấp xã (2025).",
)

HOUSEHOLDS = ListSpec(
    kind="households",
    title="hộ gia đình",
    columns=(
        Column("ma_ho", text(40), required=True),
        Column("chu_ho", text(200)),
        Column("ma_xa", digits(5, "Mã xã"), required=True, pad=5),
        Column("thon", text(100)),
        Column("dia_chi", text(500)),
        Column("phan_loai_ho", one_of(HOUSEHOLD_CLASSES)),
        Column("nam_phan_loai", integer(2000, 2100, "Năm phân loại")),
    ),
    checks=(
        COMMUNE_EXISTS,
        Check("nam_phan_loai", "c.phan_loai_ho IS NOT NULL AND c.nam_phan_loai IS NULL AND r.nam_phan_loai = ''",
              "Có phân loại hộ thì phải có năm phân loại."),
        Check("phan_loai_ho", "c.nam_phan_loai IS NOT NULL AND c.phan_loai_ho IS NULL AND r.phan_loai_ho = ''",
              "Có năm phân loại thì phải có phân loại hộ."),
    ),
    key=("ma_ho",),
)

# The personal ID's digit 4 encodes century and sex, digits 5-6 the year of birth (TT 07/2016 Art. 7).
_CENTURY_SEX_DIGIT = "CAST((year(c.ngay_sinh) // 100 - 19) * 2 + (c.gioi_tinh - 1) AS VARCHAR)"

PERSONS = ListSpec(
    kind="persons",
    title="nhân khẩu",
    columns=(
        Column("so_dinh_danh", digits(12, "Số định danh cá nhân"), required=True, pad=12),
        Column("ho_ten", text(200), required=True),
        Column("ngay_sinh", DATE, required=True),
        Column("gioi_tinh", SEX, required=True),
        Column("ma_ho", text(40)),
        Column("quan_he_chu_ho", text(40)),
        Column("ma_xa", digits(5, "Mã xã"), required=True, pad=5),
        Column("thon", text(100)),
        Column("ngay_den", DATE),
        Column("ngay_di", DATE),
        Column("ngay_mat", DATE),
        Column("so_dien_thoai", PHONE),
    ),
    checks=(
        Check("so_dinh_danh", _not_in("substr(c.so_dinh_danh, 1, 3)", "SELECT code FROM legacy_provinces"),
              "3 chữ số đầu phải là mã tỉnh nơi đăng ký khai sinh."),
        Check("so_dinh_danh",
              "year(c.ngay_sinh) BETWEEN 1900 AND 2399 AND c.gioi_tinh IS NOT NULL"
              f" AND substr(c.so_dinh_danh, 4, 1) <> {_CENTURY_SEX_DIGIT}",
              "Chữ số thứ 4 (thế kỷ và giới tính) không khớp với ngày sinh và giới tính."),
        Check("so_dinh_danh",
              "substr(c.so_dinh_danh, 5, 2) <> lpad(CAST(year(c.ngay_sinh) % 100 AS VARCHAR), 2, '0')",
              "Chữ số thứ 5-6 phải là hai số cuối của năm sinh."),
        Check("ngay_sinh", "c.ngay_sinh > current_date", "Ngày sinh ở tương lai."),
        Check("ngay_mat", "c.ngay_mat < c.ngay_sinh", "Ngày mất trước ngày sinh."),
        Check("ngay_den", "c.ngay_den < c.ngay_sinh", "Ngày đến trước ngày sinh."),
        Check("ngay_di", "c.ngay_di < c.ngay_den", "Ngày đi trước ngày đến."),
        COMMUNE_EXISTS,
        Check("ma_ho", _not_in("c.ma_ho", "SELECT code FROM db.households"),
              "Chưa có hộ mang mã này: hãy nhập danh sách hộ gia đình trước."),
    ),
    key=("so_dinh_danh",),
)

CARDS = ListSpec(
    kind="cards",
    title="thẻ BHYT",
    columns=(
        Column("so_dinh_danh", digits(12, "Số định danh cá nhân"), required=True, pad=12),
        Column("ma_so_bhxh", digits(10, "Mã số BHXH"), required=True, pad=10),
        Column("ma_the", COMPACT_CODE),
        Column("ma_doi_tuong", upper_code("participant_codes", "Mã đối tượng"), required=True),
        Column("muc_huong", integer(1, 5, "Mức hưởng")),
        Column("gt_the_tu", DATE, required=True),
        Column("gt_the_den", DATE, required=True),
        Column("ma_dkbd", COMPACT_CODE),
    ),
    checks=(
        Check("so_dinh_danh", _not_in("c.so_dinh_danh", "SELECT personal_id FROM db.persons"),
              "Chưa có người mang số định danh này: hãy nhập danh sách nhân khẩu trước."),
        Check("ma_so_bhxh", _not_in("substr(c.ma_so_bhxh, 1, 2)", "SELECT substr(code, 2, 2) FROM legacy_provinces"),
              "2 chữ số đầu của mã số BHXH phải là mã tỉnh."),
        Check("gt_the_den", "c.gt_the_den < c.gt_the_tu", "Hạn thẻ kết thúc trước ngày bắt đầu."),
        Check("ma_the", "length(c.ma_the) <> 15", "Mã thẻ phải có đúng 15 ký tự."),
        Check("ma_the", "length(c.ma_the) = 15 AND substr(c.ma_the, 1, 2) <> c.ma_doi_tuong",
              "Hai ký tự đầu của mã thẻ phải là mã đối tượng."),
        Check("ma_the", f"length(c.ma_the) = 15 AND substr(c.ma_the, 3, 1) <> CAST({BENEFIT_LEVEL} AS VARCHAR)",
              "Ký tự thứ 3 của mã thẻ phải là mức hưởng."),
        Check("ma_the", "length(c.ma_the) = 15 AND " + _not_in("substr(c.ma_the, 4, 2)", "SELECT substr(code, 2, 2) FROM legacy_provinces"),
              "Ký tự thứ 4-5 của mã thẻ phải là mã tỉnh cấp thẻ."),
        Check("ma_the", "length(c.ma_the) = 15 AND substr(c.ma_the, 6, 10) <> c.ma_so_bhxh",
              "10 ký tự cuối của mã thẻ phải là mã số BHXH."),
        Check("ma_dkbd", "NOT regexp_full_match(c.ma_dkbd, '[0-9A-Z]{5}')",
              "Mã nơi đăng ký KCB ban đầu phải có 5 chữ số hoặc chữ hoa."),
        Check("ma_so_bhxh",
              "c.ma_so_bhxh IN (SELECT ma_so_bhxh FROM clean GROUP BY 1 HAVING count(DISTINCT so_dinh_danh) > 1)"
              " OR EXISTS (SELECT 1 FROM db.card_periods cp JOIN db.persons p ON p.id = cp.person_id"
              " WHERE cp.bhxh_number = c.ma_so_bhxh AND p.personal_id <> c.so_dinh_danh)",
              "Mã số BHXH này đã thuộc về một người khác."),
    ),
    key=("ma_so_bhxh", "gt_the_tu"),
)

UNIT_EXISTS = Check(
    "ma_don_vi",
    _not_in("c.ma_don_vi", "SELECT code FROM db.units"),
    "Mã đơn vị không có trong danh mục (tỉnh, xã hoặc thôn đã có).",
)

POPULATION = ListSpec(
    kind="population",
    title="dân số",
    columns=(
        Column("ma_don_vi", text(16), required=True),
        Column("nam", integer(1900, 2100, "Năm"), required=True),
        Column("dan_so", integer(0, 200_000_000, "Dân số"), required=True),
        Column("nguon", text(200), required=True),
    ),
    checks=(UNIT_EXISTS,),
    key=("ma_don_vi", "nam", "nguon"),
)

# BHXH's aggregate report: insured people per unit, month and participant code, without names.
AGGREGATES = ListSpec(
    kind="aggregates",
    title="số liệu tổng hợp",
    columns=(
        Column("ma_don_vi", text(16), required=True),
        Column("thang", MONTH, required=True),
        Column("ma_doi_tuong", upper_code("participant_codes", "Mã đối tượng"), required=True),
        Column("so_nguoi_tham_gia", integer(0, 200_000_000, "Số người tham gia"), required=True),
    ),
    checks=(
        UNIT_EXISTS,
        Check("thang", "c.thang > date_trunc('month', current_date)",
              "Tháng ở tương lai: chỉ nhận số liệu đến hết tháng hiện tại."),
    ),
    key=("ma_don_vi", "thang", "ma_doi_tuong"),
)

SPECS = {spec.kind: spec for spec in (HOUSEHOLDS, PERSONS, CARDS, POPULATION, AGGREGATES)}

DUPLICATE_CHECKS = {
    "households": _duplicate_key(HOUSEHOLDS.key, "Mã hộ"),
    "persons": _duplicate_key(PERSONS.key, "Số định danh"),
    "cards": _duplicate_key(CARDS.key, "Cặp mã số BHXH và ngày bắt đầu hạn thẻ"),
    "population": _duplicate_key(POPULATION.key, "Bộ ba mã đơn vị, năm, nguồn"),
    "aggregates": _duplicate_key(AGGREGATES.key, "Bộ ba mã đơn vị, tháng, mã đối tượng"),
}


def all_checks(spec: ListSpec) -> tuple[Check, ...]:
    return spec.checks + (DUPLICATE_CHECKS[spec.kind],)
