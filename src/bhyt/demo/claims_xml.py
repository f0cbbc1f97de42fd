"""GIAMDINHHS envelopes of the synthetic claims, written by DuckDB from the claims' columns.

Every inner table (XML1, XML2, XML3) is rendered by one SQL statement over a batch of claims: each
field of ``bhyt.claims.tables`` in its order, empty when the generator has no value for it, text
escaped, money with 2 decimals, quantities and unit prices with 3, times as yyyymmddHHMM. The inner
files are UTF-8 and go base64-encoded into one envelope per claim (one MA_LK per file, as the
portal expects). Batches bound the memory: rendered at once, the envelopes of 100,000 claims took
about 6 GB.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import duckdb

from bhyt.claims.tables import XML1, XML2, XML3, Table

DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# The list element between an inner file's root and its records (domain brief §4.2).
LIST_TAGS = {"XML2": "DSACH_CHI_TIET_THUOC", "XML3": "DSACH_CHI_TIET_DVKT"}
# Claims rendered by one statement; its memory grows with it (about 0.4 GB at 1,000, 1.1 GB at 5,000).
BATCH_CLAIMS = 1_000

MACROS = """
CREATE OR REPLACE MACRO esc(s) AS replace(replace(replace(s, '&', '&amp;'), '<', '&lt;'), '>', '&gt;');
CREATE OR REPLACE MACRO ts(m) AS CASE WHEN m >= 0 THEN strftime(make_timestamp(m * 60000000), '%Y%m%d%H%M') END;
CREATE OR REPLACE MACRO money(c) AS printf('%d.%02d', c // 100, c % 100);
CREATE OR REPLACE MACRO qty(q) AS printf('%d.000', q);
CREATE OR REPLACE MACRO filehoso(kind, body) AS '<FILEHOSO><LOAIHOSO>' || kind || '</LOAIHOSO><NOIDUNGFILE>'
    || to_base64(encode(body)) || '</NOIDUNGFILE></FILEHOSO>';
"""

# SQL for each field the generator fills, over `c` (claims) and, for the lines, `l` (lines) and `i` (items).
XML1_VALUES = {
    "MA_LK": "c.ma_lk", "STT": "'1'", "MA_BN": "c.ma_bn", "HO_TEN": "esc(c.ho_ten)", "SO_CCCD": "c.so_cccd",
    "NGAY_SINH": "c.ngay_sinh", "GIOI_TINH": "CAST(c.gioi_tinh AS VARCHAR)", "MA_QUOCTICH": "'704'",
    "MA_DANTOC": "'01'", "MA_NGHE_NGHIEP": "'00000'", "DIA_CHI": "esc(c.dia_chi)", "MATINH_CU_TRU": "c.ma_tinh",
    "MAXA_CU_TRU": "c.ma_xa", "MA_THE_BHYT": "c.ma_the", "MA_DKBD": "c.ma_dkbd", "GT_THE_TU": "c.gt_the_tu",
    "GT_THE_DEN": "c.gt_the_den", "LY_DO_VV": "esc(c.ly_do_vv)", "LY_DO_VNT": "esc(c.ly_do_vnt)",
    "CHAN_DOAN_VAO": "esc(c.chan_doan)", "CHAN_DOAN_RV": "esc(c.chan_doan)", "MA_BENH_CHINH": "c.ma_benh_chinh",
    "MA_BENH_KT": "c.ma_benh_kt", "MA_DOITUONG_KCB": "c.ma_doituong_kcb", "MA_NOI_DI": "c.ma_noi_di",
    "NGAY_VAO": "ts(c.vao)", "NGAY_VAO_NOI_TRU": "ts(c.vao_noi_tru)", "NGAY_RA": "ts(c.ra)",
    "GIAY_CHUYEN_TUYEN": "c.giay_chuyen_tuyen", "SO_NGAY_DTRI": "CAST(c.so_ngay_dtri AS VARCHAR)",
    "PP_DIEU_TRI": "c.pp_dieu_tri", "KET_QUA_DTRI": "CAST(c.ket_qua_dtri AS VARCHAR)", "MA_LOAI_RV": "'1'",
    "NGAY_TTOAN": "ts(c.ttoan)", "T_THUOC": "money(c.t_thuoc)", "T_VTYT": "money(c.t_vtyt)",
    "T_TONGCHI_BV": "money(c.t_tongchi_bv)", "T_TONGCHI_BH": "money(c.t_tongchi_bh)", "T_BNTT": "money(c.t_bntt)",
    "T_BNCCT": "money(c.t_bncct)", "T_BHTT": "money(c.t_bhtt)", "T_NGUONKHAC": "money(0)",
    "T_BHTT_GDV": "money(c.t_bhtt_gdv)", "NAM_QT": "CAST(c.nam_qt AS VARCHAR)",
    "THANG_QT": "CAST(c.thang_qt AS VARCHAR)", "MA_LOAI_KCB": "c.ma_loai_kcb", "MA_KHOA": "c.ma_khoa",
    "MA_CSKCB": "c.ma_cskcb", "CAN_NANG": "c.can_nang", "MA_HSBA": "c.ma_hsba", "MA_TTDV": "c.ma_ttdv",
}

_LINE_MONEY = {
    "THANH_TIEN_BV": "money(l.bv)", "THANH_TIEN_BH": "money(l.bh)", "T_NGUONKHAC_NSNN": "money(0)",
    "T_NGUONKHAC_VTNN": "money(0)", "T_NGUONKHAC_VTTN": "money(0)", "T_NGUONKHAC_CL": "money(0)",
    "T_NGUONKHAC": "money(0)", "MUC_HUONG": "CAST(l.muc_huong AS VARCHAR)", "T_BNTT": "money(l.bntt)",
    "T_BNCCT": "money(l.bncct)", "T_BHTT": "money(l.bhtt)", "PHAM_VI": "'1'", "TYLE_TT_BH": "'100'",
    "SO_LUONG": "qty(l.quantity)", "MA_KHOA": "l.ma_khoa", "MA_BAC_SI": "l.ma_bac_si", "NGAY_YL": "ts(l.ordered)",
    "NGAY_TH_YL": "ts(l.done)", "MA_PTTT": "'1'", "STT": "CAST(l.stt AS VARCHAR)", "MA_LK": "c.ma_lk",
    "MA_NHOM": "CAST(i.grp AS VARCHAR)",
}
XML2_VALUES = {
    **_LINE_MONEY, "MA_THUOC": "i.code", "TEN_THUOC": "esc(i.name)", "DON_VI_TINH": "i.unit",
    "HAM_LUONG": "esc(i.strength)", "DUONG_DUNG": "i.route", "DANG_BAO_CHE": "esc(i.form)",
    "LIEU_DUNG": "printf('%d %s/lần x %d lần/ngày x %d ngày', i.per_dose, lower(i.unit), i.per_day, l.days)",
    "CACH_DUNG": "CASE WHEN i.route = '1.01' THEN 'Uống sau ăn' ELSE 'Tiêm, truyền tĩnh mạch' END",
    "SO_DANG_KY": "i.registration", "TT_THAU": "i.tender", "DON_GIA": "qty(l.unit_price)", "NGUON_CTRA": "'1'",
}
XML3_VALUES = {
    **_LINE_MONEY,
    "MA_DICH_VU": "CASE WHEN i.kind <> 'supply' THEN i.code END",
    "MA_VAT_TU": "CASE WHEN i.kind = 'supply' THEN i.code END",
    "TEN_VAT_TU": "CASE WHEN i.kind = 'supply' THEN esc(i.name) END",
    "TEN_DICH_VU": "CASE WHEN i.kind <> 'supply' THEN esc(i.name) END",
    "TT_THAU": "CASE WHEN i.kind = 'supply' THEN i.tender END",
    "DON_VI_TINH": "i.unit", "DON_GIA_BV": "qty(l.unit_price)", "DON_GIA_BH": "qty(l.unit_price)",
    "TYLE_TT_DV": "'100'", "MA_GIUONG": "l.ma_giuong", "NGUOI_THUC_HIEN": "l.nguoi_thuc_hien",
    "NGAY_KQ": "ts(l.result)", "MA_MAY": "l.ma_may",
}


def _record(table: Table, values: dict[str, str]) -> str:
    unknown = set(values) - set(table.by_name)
    if unknown:
        raise KeyError(f"{table.name} has no field {sorted(unknown)}")
    parts = [f"'<{f.name}>' || coalesce({values[f.name]}, '') || '</{f.name}>'" if f.name in values
             else f"'<{f.name}></{f.name}>'" for f in table.fields]
    return " || ".join(parts)


def _lines_file(table: Table, values: dict[str, str], source: str) -> str:
    head = f"{DECLARATION}<{table.root_tag}><{LIST_TAGS[table.name]}>"
    tail = f"</{LIST_TAGS[table.name]}></{table.root_tag}>"
    return f"""
        SELECT l.claim, '{head}' || string_agg('<{table.record_tag}>' || {_record(table, values)}
               || '</{table.record_tag}>', '' ORDER BY l.stt) || '{tail}' AS body
        FROM {source} l JOIN claims c ON c.claim = l.claim JOIN items i ON i.item = l.item
        WHERE l.claim >= $first AND l.claim < $stop
        GROUP BY l.claim"""


def envelopes_sql() -> str:
    """The envelopes of the claims numbered from $first to $stop (excluded), in claim order."""
    xml1 = f"'{DECLARATION}<{XML1.root_tag}>' || {_record(XML1, XML1_VALUES)} || '</{XML1.root_tag}>'"
    return f"""
    WITH x2 AS ({_lines_file(XML2, XML2_VALUES, 'drug_lines')}),
         x3 AS ({_lines_file(XML3, XML3_VALUES, 'service_lines')})
    SELECT c.ma_lk,
           '{DECLARATION}<GIAMDINHHS><THONGTINDONVI><MACSKCB>' || c.ma_cskcb || '</MACSKCB></THONGTINDONVI>'
           || '<THONGTINHOSO><NGAYLAP>' || strftime(make_timestamp(c.ttoan * 60000000), '%Y%m%d')
           || '</NGAYLAP><SOLUONGHOSO>1</SOLUONGHOSO><DANHSACHHOSO><HOSO>'
           || filehoso('XML1', {xml1}) || coalesce(filehoso('XML2', x2.body), '') || filehoso('XML3', x3.body)
           || '</HOSO></DANHSACHHOSO></THONGTINHOSO><CHUKYDONVI></CHUKYDONVI></GIAMDINHHS>' AS envelope
    FROM claims c LEFT JOIN x2 ON x2.claim = c.claim JOIN x3 ON x3.claim = c.claim
    WHERE c.claim >= $first AND c.claim < $stop
    ORDER BY c.claim"""


def write_envelopes(con: duckdb.DuckDBPyConnection, folder: Path, total: int,
                    progress: Callable[[int], None]) -> None:
    """Write one `<MA_LK>.xml` per claim from the `claims` (numbered 0 … total - 1), `drug_lines`,
    `service_lines` and `items` relations registered on `con`."""
    con.execute("SET enable_progress_bar = false")  # the command draws its own
    con.execute(MACROS)
    sql = envelopes_sql()
    written = 0
    for first in range(0, total, BATCH_CLAIMS):
        for batch in con.execute(sql, {"first": first, "stop": first + BATCH_CLAIMS}).to_arrow_reader(BATCH_CLAIMS):
            names = batch.column(0).to_pylist()
            bodies = batch.column(1).to_pylist()
            for name, body in zip(names, bodies):
                (folder / f"{name}.xml").write_text(body, encoding="utf-8")
            written += len(names)
            progress(written)
    if written != total:
        raise RuntimeError(f"Chỉ ghi được {written} trong {total} hồ sơ.")
