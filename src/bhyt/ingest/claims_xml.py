"""Read QĐ 130 claim files: GIAMDINHHS envelopes (one HOSO per claim, each table a base64 inner XML
file) and bare XML1–XML5 files. Streaming: the envelope is read with lxml's iterparse and every HOSO
is dropped from the tree once read, so memory holds one claim at a time however big the file.

Every value is checked against its field's definition (bhyt.claims.tables) and every problem is
reported with its file, MA_LK, table, field, value and the reason in Vietnamese.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import BinaryIO, Iterator

from lxml import etree

from bhyt.claims.tables import TABLE_BY_ROOT, TABLES, XML1, FieldError, Table

ENVELOPE_ROOT = "GIAMDINHHS"
# Tables of an envelope that this reader knows but the lake does not keep (check-in, XML6–XML15).
OTHER_TABLES = frozenset({"XML0", *(f"XML{number}" for number in range(6, 16))})
# Tags that may sit among a record's fields without being one: the facility's signature.
SIGNATURE_TAGS = frozenset({"CHUKYDONVI"})
# A facility code names a folder of the lake: letters and digits only.
FACILITY_CODE = re.compile(r"[0-9A-Za-z]{1,5}")
_VALUE_SHOWN = 80


@dataclass(frozen=True)
class ClaimError:
    file: str
    ma_lk: str
    table: str
    field: str
    value: str
    reason: str


@dataclass
class Claim:
    """One episode (one MA_LK): its typed rows per table, and where it belongs in the lake."""

    ma_lk: str
    facility: str
    month: str  # settlement month "YYYY-MM": NGAY_TTOAN, else NGAY_RA
    rows: dict[str, list[dict[str, object]]]

    @property
    def line_count(self) -> int:
        """Drug, service and supply lines (XML2 and XML3): the unit claim volumes are counted in."""
        return len(self.rows.get("XML2", ())) + len(self.rows.get("XML3", ()))


@dataclass
class ClaimResult:
    """What one HOSO (or one MA_LK of bare files) gave: a claim when it had no error."""

    ma_lk: str
    claim: Claim | None
    errors: list[ClaimError] = field(default_factory=list)


@dataclass
class BarePart:
    """The records of one MA_LK in one bare table file; parts from several files make a claim."""

    file: str
    ma_lk: str
    rows: dict[str, list[dict[str, object]]]
    errors: list[ClaimError]


def _shown(value: str | None) -> str:
    value = value or ""
    return value if len(value) <= _VALUE_SHOWN else value[:_VALUE_SHOWN] + "…"


def _local(tag: object) -> str:
    if not isinstance(tag, str):  # a processing instruction or an entity
        return ""
    return tag.rpartition("}")[2] if "}" in tag else tag


# No entity expansion and no network: claim files come from outside.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True)


class _Record:
    """Checks one record element of a table and gives its typed row."""

    def __init__(self, file: str, table: Table, ma_lk: str):
        self.file, self.table, self.ma_lk = file, table, ma_lk
        self.errors: list[ClaimError] = []

    def error(self, field_name: str, value: str | None, reason: str) -> None:
        self.errors.append(ClaimError(self.file, self.ma_lk, self.table.name, field_name, _shown(value), reason))

    def parse(self, element: etree._Element) -> dict[str, object]:
        parsers = self.table.parsers
        row: dict[str, object] = dict.fromkeys(parsers)
        seen: set[str] = set()
        for child in element:
            name = child.tag
            if name.__class__ is not str or "}" in name:
                name = _local(name)
            if name not in parsers:
                if name and name not in SIGNATURE_TAGS:
                    self.error(name, child.text, f"Trường không có trong {self.table.title}.")
            elif name in seen:
                self.error(name, child.text, "Trường xuất hiện hai lần trong một bản ghi.")
            else:
                seen.add(name)
                try:
                    row[name] = parsers[name](child.text)
                except FieldError as reason:
                    self.error(name, child.text, str(reason))
        for definition in self.table.required:
            if definition.name not in seen:
                self.error(definition.name, None, "Thiếu giá trị bắt buộc.")
        return row


def parse_table(file: str, table: Table, content: bytes, ma_lk: str = "") -> tuple[list[dict], list[ClaimError]]:
    """The typed rows of one inner table file (bytes of XML), and its errors."""
    try:
        root = etree.fromstring(content, _PARSER)
    except etree.XMLSyntaxError as error:
        return [], [ClaimError(file, ma_lk, table.name, "NOIDUNGFILE", "",
                               f"Nội dung {table.name} không phải XML hợp lệ (dòng {error.lineno}): {error.msg}")]
    return parse_table_root(file, table, root, ma_lk)


def parse_table_root(file: str, table: Table, root: etree._Element, ma_lk: str = "") -> tuple[list[dict],
                                                                                              list[ClaimError]]:
    if _local(root.tag) != table.root_tag:
        return [], [ClaimError(file, ma_lk, table.name, "", _local(root.tag),
                               f"Thẻ gốc phải là <{table.root_tag}> cho {table.name}.")]
    records = [root] if table.single_record else root.iter(table.record_tag, "{*}" + table.record_tag)
    rows, errors = [], []
    for element in records:
        record = _Record(file, table, ma_lk or (element.findtext("MA_LK") or "").strip())
        rows.append(record.parse(element))
        errors.extend(record.errors)
    return rows, errors


def settlement_month(episode: dict[str, object]) -> str:
    paid = episode.get("NGAY_TTOAN") or episode.get("NGAY_RA")
    return f"{paid:%Y-%m}"  # type: ignore[str-format]


def _claim(file: str, ma_lk: str, rows: dict[str, list[dict]], envelope_facility: str | None,
           errors: list[ClaimError]) -> ClaimResult:
    """Checks that bind the tables of one claim together; a claim results only without errors."""

    def error(table: str, field_name: str, value: str, reason: str) -> None:
        errors.append(ClaimError(file, ma_lk, table, field_name, _shown(value), reason))

    episodes = rows.get("XML1", [])
    if not episodes:
        error("XML1", "", "", "Hồ sơ thiếu bảng XML1 (chỉ tiêu tổng hợp).")
        return ClaimResult(ma_lk, None, errors)
    if len(episodes) > 1:
        error("XML1", "", "", f"Hồ sơ có {len(episodes)} bảng XML1; chỉ được một.")
    episode = episodes[0]
    for table, table_rows in rows.items():
        for row in table_rows[1:] if table == "XML1" else table_rows:
            if row.get("MA_LK") not in (None, ma_lk):
                error(table, "MA_LK", str(row["MA_LK"]), f"MA_LK khác với MA_LK của bảng XML1 ({ma_lk}).")
    facility = episode.get("MA_CSKCB")
    if isinstance(facility, str):
        if not FACILITY_CODE.fullmatch(facility):
            error("XML1", "MA_CSKCB", facility, "Mã cơ sở KCB chỉ gồm chữ và số.")
        elif envelope_facility and facility != envelope_facility:
            error("XML1", "MA_CSKCB", facility, f"Khác mã cơ sở của hồ sơ gửi (MACSKCB {envelope_facility}).")
    if errors or facility is None or episode.get("NGAY_RA") is None:
        return ClaimResult(ma_lk, None, errors)
    return ClaimResult(ma_lk, Claim(ma_lk, str(facility), settlement_month(episode), rows), errors)


class ClaimFile:
    """One claim file, read as a stream. `results()` yields one ClaimResult per HOSO of an envelope,
    `bare_parts()` the records of a bare table file grouped by MA_LK; `file_errors` holds what
    concerns the whole file (unreadable, malformed, unknown root). `position` is how many bytes have
    been read, for a progress bar."""

    def __init__(self, name: str, stream: BinaryIO):
        self.name = name
        self._stream = _Counting(stream)
        self.file_errors: list[ClaimError] = []
        self.root_tag: str | None = None
        self.skipped_tables: dict[str, int] = {}
        self._events = etree.iterparse(self._stream, events=("start", "end"), resolve_entities=False,
                                       no_network=True, huge_tree=True, remove_comments=True)
        self._started = self._first_start()

    @property
    def position(self) -> int:
        return self._stream.count

    @property
    def is_envelope(self) -> bool:
        return self.root_tag == ENVELOPE_ROOT

    @property
    def bare_table(self) -> Table | None:
        return TABLE_BY_ROOT.get(self.root_tag or "")

    def _file_error(self, reason: str, value: str = "") -> None:
        self.file_errors.append(ClaimError(self.name, "", "", "", _shown(value), reason))

    def _first_start(self) -> bool:
        try:
            for _event, element in self._events:
                self.root_tag = _local(element.tag)
                break
        except etree.XMLSyntaxError as error:
            self._syntax_error(error)
            return False
        if self.root_tag is None:
            self._file_error("Tệp rỗng, không có XML.")
            return False
        if not self.is_envelope and self.bare_table is None:
            known = ", ".join([ENVELOPE_ROOT] + [table.root_tag for table in TABLES.values()])
            self._file_error(f"Thẻ gốc không phải hồ sơ XML 130 (cần một trong: {known}).", self.root_tag)
            return False
        return True

    def _syntax_error(self, error: etree.XMLSyntaxError) -> None:
        self._file_error(f"XML không hợp lệ (dòng {error.lineno}): {error.msg}")

    def results(self) -> Iterator[ClaimResult]:
        """The claims of an envelope, one HOSO at a time."""
        if not self._started or not self.is_envelope:
            return
        envelope_facility: str | None = None
        announced: str | None = None  # SOLUONGHOSO: how many claims the sender says the file holds
        seen: set[str] = set()
        count = 0
        try:
            for event, element in self._events:
                if event != "end":
                    continue
                tag = _local(element.tag)
                if tag == "MACSKCB" and envelope_facility is None:
                    envelope_facility = (element.text or "").strip() or None
                elif tag == "SOLUONGHOSO":
                    announced = (element.text or "").strip()
                elif tag == "HOSO":
                    count += 1
                    result = self._hoso(element, envelope_facility)
                    if result.ma_lk and result.ma_lk in seen:
                        result = ClaimResult(result.ma_lk, None, [ClaimError(
                            self.name, result.ma_lk, "XML1", "MA_LK", result.ma_lk,
                            "MA_LK trùng với một hồ sơ khác trong cùng tệp.")])
                    seen.add(result.ma_lk)
                    _drop(element)
                    yield result
        except etree.XMLSyntaxError as error:
            self._syntax_error(error)
            return
        if announced is not None and str(count) not in (announced, announced.lstrip("0")):
            self.file_errors.append(ClaimError(self.name, "", "", "SOLUONGHOSO", _shown(announced),
                                               f"Tệp có {count} hồ sơ, khác số hồ sơ đã ghi."))

    def _hoso(self, hoso: etree._Element, envelope_facility: str | None) -> ClaimResult:
        rows: dict[str, list[dict]] = {}
        errors: list[ClaimError] = []
        contents: list[tuple[Table, bytes]] = []
        for filehoso in hoso:
            if _local(filehoso.tag) != "FILEHOSO":
                continue
            kind = (filehoso.findtext("LOAIHOSO") or "").strip().upper()
            text = filehoso.findtext("NOIDUNGFILE")
            if kind in OTHER_TABLES:
                self.skipped_tables[kind] = self.skipped_tables.get(kind, 0) + 1
                continue
            if kind not in TABLES:
                errors.append(ClaimError(self.name, "", kind, "LOAIHOSO", _shown(kind),
                                         "Loại hồ sơ không có trong QĐ 130 (XML0–XML15)."))
                continue
            if kind in (table.name for table, _content in contents):
                errors.append(ClaimError(self.name, "", kind, "LOAIHOSO", kind,
                                         f"Hồ sơ có hai tệp {kind}."))
                continue
            content = _decode(text)
            if content is None:
                errors.append(ClaimError(self.name, "", kind, "NOIDUNGFILE", _shown(text),
                                         "NOIDUNGFILE rỗng hoặc không phải base64 hợp lệ."))
                continue
            contents.append((TABLES[kind], content))
        # XML1 first: its MA_LK names the claim in every error of the other tables.
        contents.sort(key=lambda item: item[0] is not XML1)
        ma_lk = ""
        for table, content in contents:
            table_rows, table_errors = parse_table(self.name, table, content, ma_lk)
            if table is XML1 and table_rows:
                ma_lk = str(table_rows[0].get("MA_LK") or "")
            rows[table.name] = table_rows
            errors.extend(table_errors)
        errors = [error if error.ma_lk else _with_ma_lk(error, ma_lk) for error in errors]
        return _claim(self.name, ma_lk, rows, envelope_facility, errors)

    def bare_parts(self) -> Iterator[BarePart]:
        """The records of a bare XML1–XML5 file, grouped by MA_LK (file order kept); each record
        is dropped from the tree once read."""
        table = self.bare_table
        if not self._started or table is None:
            return
        by_key: dict[str, BarePart] = {}
        try:
            for event, element in self._events:
                if event != "end" or _local(element.tag) != table.record_tag:
                    continue
                ma_lk = (element.findtext("MA_LK") or "").strip()
                record = _Record(self.name, table, ma_lk)
                row = record.parse(element)
                part = by_key.setdefault(ma_lk, BarePart(self.name, ma_lk, {table.name: []}, []))
                part.rows[table.name].append(row)
                part.errors.extend(record.errors)
                _drop(element)
        except etree.XMLSyntaxError as error:
            self._syntax_error(error)
            return
        yield from by_key.values()


def _drop(element: etree._Element) -> None:
    """Free an element just read, and its earlier siblings, so the tree iterparse builds stays small."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _with_ma_lk(error: ClaimError, ma_lk: str) -> ClaimError:
    return ClaimError(error.file, ma_lk, error.table, error.field, error.value, error.reason)


def _decode(text: str | None) -> bytes | None:
    if not text or not text.strip():
        return None
    try:
        # Senders wrap base64 over lines; the alphabet itself is checked strictly.
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def combine_bare_parts(parts: list[BarePart]) -> Iterator[ClaimResult]:
    """Claims from the bare table files of one run: the parts of each MA_LK put together."""
    by_key: dict[str, list[BarePart]] = {}
    for part in parts:
        by_key.setdefault(part.ma_lk, []).append(part)
    for ma_lk, key_parts in by_key.items():
        rows: dict[str, list[dict]] = {}
        errors: list[ClaimError] = []
        for part in key_parts:
            for table, table_rows in part.rows.items():
                rows.setdefault(table, []).extend(table_rows)
            errors.extend(part.errors)
        if not ma_lk:
            yield ClaimResult("", None, errors)
            continue
        file = ", ".join(dict.fromkeys(part.file for part in key_parts))
        yield _claim(file, ma_lk, rows, None, errors)


class _Counting:
    """A binary stream that counts the bytes read from it."""

    def __init__(self, stream: BinaryIO):
        self._stream = stream
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        block = self._stream.read(size)
        self.count += len(block)
        return block
