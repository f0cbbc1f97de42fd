"""Small QĐ 130 claim files built by hand for the tests: GIAMDINHHS envelopes with base64 inner tables,
and bare table files. Values are the XML texts, so a test can put any text, good or bad, anywhere."""

from __future__ import annotations

import base64

from lxml import etree

from bhyt.claims.tables import TABLES, Table


def episode(ma_lk: str = "LK0001", **fields: str) -> dict[str, str]:
    """XML1 texts of a two-day inpatient stay at facility 79001, paid in January 2026."""
    texts = {
        "MA_LK": ma_lk, "STT": "1", "MA_BN": "BN0001", "HO_TEN": "Nguyễn Thị Lan", "SO_CCCD": "079185000123",
        "NGAY_SINH": "198503150000", "GIOI_TINH": "2", "MA_QUOCTICH": "000", "MA_DANTOC": "01",
        "MA_NGHE_NGHIEP": "00000", "DIA_CHI": "Phường Bến Nghé, TP Hồ Chí Minh", "MATINH_CU_TRU": "79",
        "MAXA_CU_TRU": "26734", "MA_THE_BHYT": "GD4797920000123", "MA_DKBD": "79001", "GT_THE_TU": "20260101",
        "GT_THE_DEN": "20261231", "MA_BENH_CHINH": "J18.9", "MA_BENH_KT": "E11.9;I10", "MA_DOITUONG_KCB": "1.1",
        "NGAY_VAO": "202601051000", "NGAY_VAO_NOI_TRU": "202601051030", "NGAY_RA": "202601061500",
        "SO_NGAY_DTRI": "2", "KET_QUA_DTRI": "1", "MA_LOAI_RV": "1", "NGAY_TTOAN": "202601061600",
        "T_THUOC": "30000.00", "T_VTYT": "0", "T_TONGCHI_BV": "180000.00", "T_TONGCHI_BH": "180000.00",
        "T_BNTT": "0", "T_BNCCT": "36000.00", "T_BHTT": "144000.00", "T_NGUONKHAC": "0", "T_BHTT_GDV": "0",
        "NAM_QT": "2026", "THANG_QT": "1", "MA_LOAI_KCB": "03", "MA_KHOA": "K01", "MA_CSKCB": "79001",
        "CAN_NANG": "52.50", "NAM_NAM_LIEN_TUC": "20240101", "MA_HSBA": "HS-0001",
    }
    texts.update(fields)
    return texts


def drug_line(ma_lk: str = "LK0001", stt: str = "1", **fields: str) -> dict[str, str]:
    texts = {
        "MA_LK": ma_lk, "STT": stt, "MA_THUOC": "40.17", "TEN_THUOC": "Paracetamol 500 mg", "DON_VI_TINH": "viên",
        "DUONG_DUNG": "1.01", "SO_DANG_KY": "VD-12345-10", "PHAM_VI": "1", "TYLE_TT_BH": "100",
        "SO_LUONG": "20.000", "DON_GIA": "1500.000", "THANH_TIEN_BV": "30000.00", "THANH_TIEN_BH": "30000.00",
        "MUC_HUONG": "80", "T_BHTT": "24000.00", "T_BNCCT": "6000.00", "MA_KHOA": "K01",
        "NGAY_YL": "202601051100", "MA_PTTT": "1", "NGUON_CTRA": "1",
    }
    texts.update(fields)
    return texts


def service_line(ma_lk: str = "LK0001", stt: str = "1", **fields: str) -> dict[str, str]:
    texts = {
        "MA_LK": ma_lk, "STT": stt, "MA_DICH_VU": "01.0001.0001", "TEN_DICH_VU": "Khám bệnh", "PHAM_VI": "1",
        "SO_LUONG": "1.000", "DON_GIA_BV": "150000.000", "DON_GIA_BH": "150000.000", "TYLE_TT_DV": "100",
        "TYLE_TT_BH": "100", "THANH_TIEN_BV": "150000.00", "THANH_TIEN_BH": "150000.00", "MUC_HUONG": "80",
        "T_BHTT": "120000.00", "T_BNCCT": "30000.00", "MA_KHOA": "K01", "MA_GIUONG": "H001",
        "NGAY_YL": "202601051015", "NGAY_KQ": "202601051045", "MA_PTTT": "1",
    }
    texts.update(fields)
    return texts


def _record(parent: etree._Element, tag: str, texts: dict[str, str]) -> etree._Element:
    record = etree.SubElement(parent, tag) if parent is not None else etree.Element(tag)
    for name, text in texts.items():
        etree.SubElement(record, name).text = text
    return record


def table_xml(table: Table | str, records: list[dict[str, str]]) -> bytes:
    """An inner (or bare) table file: XML1's single TONG_HOP, or the others' list of records."""
    table = TABLES[table] if isinstance(table, str) else table
    if table.single_record:
        root = _record(None, table.root_tag, records[0])
    else:
        root = etree.Element(table.root_tag)
        listing = etree.SubElement(root, "DSACH")
        for texts in records:
            _record(listing, table.record_tag, texts)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def hoso(xml1: dict[str, str], xml2: list[dict[str, str]] = (), xml3: list[dict[str, str]] = ()) -> dict:
    """One claim: table name → inner file content (bytes), or a str put as NOIDUNGFILE as it is."""
    contents: dict[str, bytes | str] = {"XML1": table_xml("XML1", [xml1])}
    if xml2:
        contents["XML2"] = table_xml("XML2", list(xml2))
    if xml3:
        contents["XML3"] = table_xml("XML3", list(xml3))
    return contents


def envelope(claims: list[dict[str, bytes | str]], facility: str = "79001") -> bytes:
    root = etree.Element("GIAMDINHHS")
    etree.SubElement(etree.SubElement(root, "THONGTINDONVI"), "MACSKCB").text = facility
    info = etree.SubElement(root, "THONGTINHOSO")
    etree.SubElement(info, "NGAYLAP").text = "20260107"
    etree.SubElement(info, "SOLUONGHOSO").text = str(len(claims))
    listing = etree.SubElement(info, "DANHSACHHOSO")
    for contents in claims:
        claim = etree.SubElement(listing, "HOSO")
        for kind, content in contents.items():
            filehoso = etree.SubElement(claim, "FILEHOSO")
            etree.SubElement(filehoso, "LOAIHOSO").text = kind
            text = content if isinstance(content, str) else base64.b64encode(content).decode("ascii")
            etree.SubElement(filehoso, "NOIDUNGFILE").text = text
    etree.SubElement(root, "CHUKYDONVI")
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")
