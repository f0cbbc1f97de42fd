"""Claims assessment as the web pages ask for it: what an account may reach (the facilities of its
province), the filters read from a request, the assessment of the asked period and facility kept for a
short while, one claim's episode and lines from the lake, and the files `bhyt claims assess` and
`bhyt claims rejections` write for the same arguments."""

from __future__ import annotations

import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine

from bhyt.analytics.engine import SharedAnalytics, new_connection, plain_url
from bhyt.claims.assessment import Assessment, AssessmentError, Finding, Scope, assess, create_masking_macros
from bhyt.claims.assessment_files import write_assessment_xlsx, write_rejections_xlsx
from bhyt.claims.catalogue import SEVERITIES, CatalogueError, Rule, load_catalogue, pick
from bhyt.claims.facility_province import facility_prefixes, province_of_facility
from bhyt.claims.lake import ClaimsLake, LakeError, Partitions, partitions_of
from bhyt.claims.reference import REFERENCE_DIR
from bhyt.config import claims_lake_dir
from bhyt.store import decisions_version
from bhyt.web.accounts import Account
from bhyt.web.i18n import gettext
from bhyt.web.scope import OutOfScope, lineage
from bhyt.web.worklist_views import QueryError, parse_date

DECIDED, PENDING = "decided", "pending"
# Assessments kept: a few periods and facilities of the assessors at work, each possibly large.
KEPT_ASSESSMENTS = 8


@dataclass(frozen=True)
class Reach:
    """The claims an account may see: those of the facilities of `province`, or every one when None."""

    province: str | None

    def covers(self, facility: str) -> bool:
        return self.province is None or province_of_facility(facility) == self.province

    @property
    def prefixes(self) -> tuple[str, ...]:
        return () if self.province is None else facility_prefixes(self.province)


def reach_of(engine: Engine, account: Account) -> Reach:
    """An account over the whole database reaches every facility; one attached to a unit, the
    facilities of that unit's province."""
    if account.unit_code is None:
        return Reach(None)
    return Reach(lineage(engine, account.unit_code)[0].code)


@dataclass(frozen=True)
class ClaimsQuery:
    first: date | None
    last: date | None
    facility: str | None
    rule: str | None
    severity: str | None  # a key of catalogue.SEVERITIES
    status: str | None  # DECIDED, PENDING or None for both
    reach: Reach

    @property
    def scope(self) -> Scope:
        return Scope(self.first, self.last, self.facility, prefixes=self.reach.prefixes)

    def params(self) -> dict[str, str]:
        """The query string of the pages (and the findings file) for these filters."""
        found = {"from": self.first.isoformat() if self.first else "", "to": self.last.isoformat() if self.last else "",
                 "facility": self.facility or "", "rule": self.rule or "", "severity": self.severity or "",
                 "status": self.status or ""}
        return {name: value for name, value in found.items() if value}


def claims_query(engine: Engine, account: Account, first: str, last: str, facility: str, rule: str = "",
                 severity: str = "", status: str = "") -> ClaimsQuery:
    """The filters of a request, checked: dates, a known rule, severity and status; a facility outside
    the account's province is OutOfScope."""
    start, end = parse_date(first, "Từ ngày"), parse_date(last, "Đến ngày")
    if start and end and start > end:
        raise QueryError(gettext("Từ ngày phải trước hoặc bằng đến ngày."))
    reach = reach_of(engine, account)
    facility = facility.strip() or None
    if facility is not None and not reach.covers(facility):
        raise OutOfScope(facility)
    rule = rule.strip() or None
    if rule is not None and rule not in {known.id for known in catalogue()}:
        raise QueryError(gettext("Không có quy tắc %(rule)s.") % {"rule": rule})
    if severity and severity not in SEVERITIES:
        raise QueryError(gettext("Mức độ không hợp lệ: '%(value)s'.") % {"value": severity})
    if status and status not in (DECIDED, PENDING):
        raise QueryError(gettext("Trạng thái không hợp lệ: '%(value)s'.") % {"value": status})
    return ClaimsQuery(start, end, facility, rule, severity or None, status or None, reach)


def catalogue() -> list[Rule]:
    try:
        return load_catalogue()
    except CatalogueError as error:
        raise QueryError(str(error)) from None


def lake() -> ClaimsLake:
    return ClaimsLake(claims_lake_dir())


class _Kept:
    """The last few assessments, by what they were computed from: the lake's manifest and reference
    lists, the decisions, the registry (SharedAnalytics.marks) and the scope and rules asked."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple, Assessment] = OrderedDict()

    def get(self, key: tuple, make) -> Assessment:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        made = make()
        with self._lock:
            self._items[key] = made
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return made


_kept = _Kept(KEPT_ASSESSMENTS)


def _lake_mark(claims: ClaimsLake) -> tuple:
    """What the lake's content is known by: its manifest (swapped on every write) and reference lists."""
    files = [claims.manifest_path, *sorted((claims.root / REFERENCE_DIR).glob("*.parquet"))]
    return tuple((path.name, path.stat().st_mtime_ns, path.stat().st_size) for path in files if path.exists())


def _decisions_mark(engine: Engine) -> str:
    with engine.connect() as connection:
        return decisions_version.current(connection)


def assessment_of(engine: Engine, shared: SharedAnalytics, scope: Scope, rule_ids: list[str] | None = None) -> Assessment:
    """The assessment of the rules in effect in the scope's period (only `rule_ids` if given) over the
    claims of `scope`, as `bhyt claims assess` computes it; kept until the lake, the decisions or the
    registry change."""
    claims = lake()
    rules = pick(catalogue(), rule_ids, scope.first, scope.last)
    key = (str(claims.root), _lake_mark(claims), _decisions_mark(engine), shared.marks(), scope,
           tuple(rule.id for rule in rules))

    def make() -> Assessment:
        try:
            return assess(claims, plain_url(engine), rules, scope)
        except (AssessmentError, LakeError) as error:
            raise QueryError(str(error)) from None

    if not rules:
        raise QueryError(gettext("Không có quy tắc nào có hiệu lực trong khoảng thời gian đã chọn."))
    return _kept.get(key, make)


def chosen(query: ClaimsQuery, findings: list[Finding]) -> list[Finding]:
    """The findings the rule, severity and decision filters keep."""
    severity = SEVERITIES.get(query.severity or "")
    return [f for f in findings
            if (query.rule is None or f.rule_id == query.rule) and (severity is None or f.severity == severity)
            and (query.status is None or (f.decision is not None) == (query.status == DECIDED))]


@dataclass(frozen=True)
class SummaryRow:
    facility: str
    rule: Rule
    findings: int
    amount_at_risk: Decimal
    decided: int
    pending: int


def summary(rules: list[Rule], findings: list[Finding]) -> list[SummaryRow]:
    """Per facility and rule: the findings, the amount at risk, how many are decided and pending."""
    by_id = {rule.id: rule for rule in rules}
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((finding.facility, finding.rule_id), []).append(finding)
    return [SummaryRow(facility, by_id[rule_id], len(group), sum((f.amount_at_risk for f in group), Decimal(0)),
                       sum(1 for f in group if f.decision), sum(1 for f in group if not f.decision))
            for (facility, rule_id), group in sorted(groups.items())]


@dataclass(frozen=True)
class ClaimRecord:
    episode: dict  # XML1 fields, lower case; the card codes masked
    drug_lines: list[dict]
    service_lines: list[dict]


_EPISODE_SQL = """
SELECT ma_lk, ma_bn, ho_ten, so_cccd, ngay_sinh, gioi_tinh, masked_cards(ma_the_bhyt) AS ma_the_bhyt, ma_dkbd,
       ma_loai_kcb, ma_benh_chinh, ma_benh_kt, ngay_vao, ngay_ra, so_ngay_dtri, ket_qua_dtri, t_thuoc, t_vtyt,
       t_tongchi_bv, t_tongchi_bh, t_bntt, t_bncct, t_bhtt, t_nguonkhac, facility, month
FROM xml1 WHERE ma_lk = $ma_lk
"""
_DRUG_SQL = """
SELECT stt, ma_thuoc AS code, ten_thuoc AS name, don_vi_tinh, so_luong, don_gia, thanh_tien_bh, t_bhtt, ngay_yl
FROM xml2 WHERE month = $month AND facility = $facility AND ma_lk = $ma_lk ORDER BY stt
"""
_SERVICE_SQL = """
SELECT stt, coalesce(nullif(ma_vat_tu, ''), ma_dich_vu) AS code, coalesce(ten_vat_tu, ten_dich_vu) AS name,
       don_vi_tinh, so_luong, coalesce(don_gia_bh, don_gia_bv) AS don_gia, thanh_tien_bh, t_bhtt, ngay_yl
FROM xml3 WHERE month = $month AND facility = $facility AND ma_lk = $ma_lk ORDER BY stt
"""


def _widening(*searches: Partitions) -> Iterator[Partitions]:
    """Each search less the partitions of the ones before it, so no file is read twice."""
    for index, search in enumerate(searches):
        yield lambda month, facility, search=search, before=searches[:index]: (
            search(month, facility) and not any(earlier(month, facility) for earlier in before))


def claim_record(ma_lk: str, facility: str | None = None, month: str | None = None,
                 prefixes: tuple[str, ...] = ()) -> ClaimRecord | None:
    """One claim's episode and its drug and service lines (read from its own partition), or None.

    The episode is looked for in the files of `facility` and `month` (what the link to the claim
    knows of it), then in those of the facilities beginning with `prefixes` (the account's reach),
    then in the rest of the lake: a link that is stale, or a claim out of reach, is still found."""
    searches: list[Partitions] = []
    if facility or month:
        searches.append(partitions_of(month, facility))
    if prefixes:
        searches.append(partitions_of(prefixes=prefixes))
    searches.append(partitions_of())
    claims = lake()
    con = new_connection()
    try:
        create_masking_macros(con)
        for partitions in _widening(*searches):
            claims.register(con, partitions)
            cursor = con.execute(_EPISODE_SQL, {"ma_lk": ma_lk})
            row = cursor.fetchone()
            if row is not None:
                break
        else:
            return None
        episode = dict(zip([column[0] for column in cursor.description], row))
        claims.register(con, partitions_of(episode["month"], episode["facility"]))
        where = {"month": episode["month"], "facility": episode["facility"], "ma_lk": ma_lk}
        lines = []
        for sql in (_DRUG_SQL, _SERVICE_SQL):
            cursor = con.execute(sql, where)
            names = [column[0] for column in cursor.description]
            lines.append([dict(zip(names, values)) for values in cursor.fetchall()])
        return ClaimRecord(episode, *lines)
    except LakeError as error:
        raise QueryError(str(error)) from None
    finally:
        con.close()


def _xlsx_bytes(write) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "out.xlsx"
        write(path)
        return path.read_bytes()


def findings_file(assessment: Assessment, period: str) -> bytes:
    """The bytes of `bhyt claims assess --format xlsx --out FILE` for the same assessment."""
    return _xlsx_bytes(lambda path: write_assessment_xlsx(path, assessment, f"Kết quả giám định, {period}"))


def rejections_file(assessment: Assessment, facility: str, period: str) -> bytes:
    """The bytes of `bhyt claims rejections --facility F --out FILE.xlsx` for the same assessment."""
    return _xlsx_bytes(lambda path: write_rejections_xlsx(path, assessment, facility, period))

