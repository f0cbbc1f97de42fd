"""Write validated rows into the system of record: stage through DuckDB, then upsert in one transaction.

DuckDB copies the typed rows into staging tables (about a million rows a second); the upserts then
run natively in the target database, in a single transaction, so a failure leaves nothing behind. The same SQL text runs on SQLite and PostgreSQL. An upsert changes a row only when a
value differs, so loading the same file twice changes nothing.
"""

from __future__ import annotations

import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import duckdb
from sqlalchemy import Connection, Engine, text

from bhyt.domain.admin_units import HAMLET_KINDS
from bhyt.ingest.columns import sql_literal
from bhyt.ingest.specs import BENEFIT_LEVEL, ListSpec


@dataclass(frozen=True)
class Counts:
    inserted: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class Field:
    """A column of the main table, the staged value that fills it, and the file column it comes from."""

    target: str
    staged: str
    from_column: str


def _normalised_name(expression: str) -> str:
    return f"lower(nfc_normalize(regexp_replace(trim({expression}), '\\s+', ' ', 'g')))"


def _hamlet_kind(name: str, commune_kind: str) -> str:
    # Longest first, so that "tổ dân phố" wins over "tổ".
    kinds = sorted(HAMLET_KINDS, key=len, reverse=True)
    cases = " ".join(f"WHEN {_normalised_name(name)} LIKE {sql_literal(kind + '%')} THEN {sql_literal(kind)}" for kind in kinds)
    return f"CASE {cases} WHEN {commune_kind} = 'phường' THEN 'tổ dân phố' ELSE 'thôn' END"


def resolve_hamlets(con: duckdb.DuckDBPyConnection) -> None:
    """Map each (commune, hamlet name) of `clean` to a hamlet code, numbering the new ones after the
    commune's existing hamlets. Creates temp table `hamlets(commune_code, name_key, name, code, kind, is_new)`."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE hamlet_names AS
        SELECT ma_xa AS commune_code, {_normalised_name('thon')} AS name_key,
               min(regexp_replace(trim(thon), '\\s+', ' ', 'g')) AS name
        FROM clean WHERE thon IS NOT NULL AND ma_xa IS NOT NULL GROUP BY 1, 2
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE hamlets AS
        WITH existing AS (
            SELECT parent_code, code, {_normalised_name('name')} AS name_key FROM db.units WHERE level = 'hamlet'
        ), last_number AS (
            SELECT parent_code, max(TRY_CAST(split_part(code, '-', 2) AS INTEGER)) AS n FROM existing GROUP BY 1
        ), matched AS (
            SELECT h.commune_code, h.name_key, h.name, e.code AS existing_code, coalesce(l.n, 0) AS last_n,
                   {_hamlet_kind('h.name', 'u.kind')} AS kind
            FROM hamlet_names h
            JOIN db.units u ON u.code = h.commune_code
            LEFT JOIN existing e ON e.parent_code = h.commune_code AND e.name_key = h.name_key
            LEFT JOIN last_number l ON l.parent_code = h.commune_code
        )
        SELECT commune_code, name_key, name, kind, existing_code IS NULL AS is_new,
               coalesce(existing_code, commune_code || '-' || lpad(CAST(last_n + row_number() OVER (
                   PARTITION BY commune_code, existing_code IS NULL ORDER BY name_key) AS VARCHAR), 3, '0')) AS code
        FROM matched
    """)


def _hamlet_join() -> str:
    return f"LEFT JOIN hamlets h ON h.commune_code = c.ma_xa AND h.name_key = {_normalised_name('c.thon')}"


class Stager:
    """Staging tables for one import, where the upserts can read them.

    PostgreSQL: tables in the target database itself (DuckDB copies into them with COPY). SQLite: a
    separate staging file, which the SQLAlchemy connection attaches as `stage` (see analytics.engine
    for why DuckDB must not write the main file).
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, dialect: str, folder: Path) -> None:
        self.con = con
        self.token = secrets.token_hex(4)
        self.tables: list[str] = []
        self.file = folder / f"stage-{self.token}.sqlite" if dialect == "sqlite" else None
        if self.file:
            self.con.execute(f"ATTACH {sql_literal(str(self.file))} AS stage (TYPE sqlite)")

    def stage(self, name: str, select_sql: str) -> str:
        """Copy the rows of `select_sql` into a staging table; returns its name as the upsert SQL must write it."""
        table = f"stage_{name}_{self.token}"
        self.con.execute(f"CREATE TABLE {'stage' if self.file else 'db'}.{table} AS {select_sql}")
        self.tables.append(table)
        return f"stage.{table}" if self.file else table

    def finish_staging(self) -> None:
        if self.file:
            self.con.execute("DETACH stage")

    @contextmanager
    def visible_to(self, connection: Connection) -> Iterator[None]:
        """Attach the staging file to `connection` (SQLite refuses ATTACH inside a transaction, so this
        comes first) and detach it afterwards."""
        if not self.file:
            yield
            return
        connection.exec_driver_sql(f"ATTACH DATABASE {sql_literal(str(self.file))} AS stage")
        connection.commit()
        try:
            yield
        finally:
            connection.rollback()
            connection.exec_driver_sql("DETACH DATABASE stage")
            connection.commit()

    def drop_all(self, engine: Engine) -> None:
        if self.file:
            self.file.unlink(missing_ok=True)
            return
        with engine.begin() as connection:
            for table in self.tables:
                connection.execute(text(f"DROP TABLE IF EXISTS {table}"))


def _set_clause(table: str, fields: list[Field], present: set[str], always: tuple[str, ...] = ()) -> tuple[str, str]:
    """The DO UPDATE SET list and the WHERE that makes an unchanged row a no-op."""
    used = [field for field in fields if field.from_column in present]
    assignments = [f"{field.target} = excluded.{field.target}" for field in used]
    assignments += [f"{column} = excluded.{column}" for column in always]
    differs = " OR ".join(f"{table}.{field.target} IS DISTINCT FROM excluded.{field.target}" for field in used)
    return ", ".join(assignments), differs or "false"


def _differs(alias: str, fields: list[Field], present: set[str], staged_alias: str = "s") -> str:
    used = [field for field in fields if field.from_column in present]
    return " OR ".join(f"{alias}.{field.target} IS DISTINCT FROM {staged_alias}.{field.staged}" for field in used) or "false"


def _count(connection: Connection, sql: str) -> Counts:
    rows, inserted, updated = connection.execute(text(sql)).one()
    inserted, updated = int(inserted or 0), int(updated or 0)
    return Counts(inserted, updated, int(rows or 0) - inserted - updated)


def insert_new_hamlets(connection: Connection, staged_hamlets: str) -> None:
    connection.execute(text(f"""
        INSERT INTO units (code, name, level, kind, parent_code)
        SELECT code, name, 'hamlet', kind, commune_code FROM {staged_hamlets} WHERE is_new
    """))


HOUSEHOLD_FIELDS = [
    Field("head_name", "chu_ho", "chu_ho"),
    Field("commune_code", "ma_xa", "ma_xa"),
    Field("hamlet_code", "hamlet_code", "thon"),
    Field("address", "dia_chi", "dia_chi"),
]


def _stage_with_hamlets(stager: Stager, name: str, select_sql: str) -> dict[str, str]:
    """Stage the hamlets the rows name (new ones numbered) and the rows, which may join `hamlets h`."""
    resolve_hamlets(stager.con)
    return {"hamlets": stager.stage("hamlets", "SELECT * FROM hamlets"), "rows": stager.stage(name, select_sql)}


def stage_households(stager: Stager) -> dict[str, str]:
    return _stage_with_hamlets(stager, "households", f"""
        SELECT c.ma_ho, c.chu_ho, c.ma_xa, h.code AS hamlet_code, c.dia_chi, c.phan_loai_ho, c.nam_phan_loai
        FROM clean c {_hamlet_join()}
        ORDER BY c.ma_ho
    """)


def apply_households(connection: Connection, tables: dict[str, str], present: set[str], import_id: int) -> Counts:
    staged, staged_hamlets = tables["rows"], tables["hamlets"]
    classified = "phan_loai_ho" in present
    class_changed = (
        "(s.phan_loai_ho IS NOT NULL AND hc.classification IS DISTINCT FROM s.phan_loai_ho)" if classified else "false"
    )
    counts = _count(connection, f"""
        SELECT count(*),
               sum(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END),
               sum(CASE WHEN t.id IS NOT NULL AND ({_differs('t', HOUSEHOLD_FIELDS, present)} OR {class_changed})
                   THEN 1 ELSE 0 END)
        FROM {staged} s
        LEFT JOIN households t ON t.code = s.ma_ho
        LEFT JOIN household_classifications hc ON hc.household_id = t.id AND hc.year = s.nam_phan_loai
    """)
    insert_new_hamlets(connection, staged_hamlets)
    assignments, differs = _set_clause("households", HOUSEHOLD_FIELDS, present, always=("import_id",))
    connection.execute(text(f"""
        INSERT INTO households (code, head_name, commune_code, hamlet_code, address, import_id)
        SELECT ma_ho, chu_ho, ma_xa, hamlet_code, dia_chi, :import_id FROM {staged} WHERE true
        ON CONFLICT (code) DO UPDATE SET {assignments} WHERE {differs}
    """), {"import_id": import_id})
    if classified:
        connection.execute(text(f"""
            INSERT INTO household_classifications (household_id, year, classification)
            SELECT t.id, s.nam_phan_loai, s.phan_loai_ho
            FROM {staged} s JOIN households t ON t.code = s.ma_ho
            WHERE s.phan_loai_ho IS NOT NULL
            ON CONFLICT (household_id, year) DO UPDATE SET classification = excluded.classification
            WHERE household_classifications.classification IS DISTINCT FROM excluded.classification
        """))
    return counts


PERSON_FIELDS = [
    Field("full_name", "ho_ten", "ho_ten"),
    Field("birth_date", "ngay_sinh", "ngay_sinh"),
    Field("sex", "gioi_tinh", "gioi_tinh"),
    Field("household_id", "household_id", "ma_ho"),
    Field("relation_to_head", "quan_he_chu_ho", "quan_he_chu_ho"),
    Field("death_date", "ngay_mat", "ngay_mat"),
    Field("phone", "so_dien_thoai", "so_dien_thoai"),
]
RESIDENCE_FIELDS = [
    Field("hamlet_code", "hamlet_code", "thon"),
    Field("arrived_on", "ngay_den", "ngay_den"),
    Field("left_on", "ngay_di", "ngay_di"),
]


def stage_persons(stager: Stager) -> dict[str, str]:
    return _stage_with_hamlets(stager, "persons", f"""
        SELECT c.so_dinh_danh, c.ho_ten, c.ngay_sinh, c.gioi_tinh, hh.id AS household_id, c.quan_he_chu_ho,
               c.ngay_mat, c.so_dien_thoai, c.ma_xa, h.code AS hamlet_code, c.ngay_den, c.ngay_di
        FROM clean c {_hamlet_join()} LEFT JOIN db.households hh ON hh.code = c.ma_ho
        ORDER BY c.so_dinh_danh
    """)


def apply_persons(connection: Connection, tables: dict[str, str], present: set[str], import_id: int) -> Counts:
    staged, staged_hamlets = tables["rows"], tables["hamlets"]
    counts = _count(connection, f"""
        SELECT count(*),
               sum(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END),
               sum(CASE WHEN t.id IS NOT NULL AND ({_differs('t', PERSON_FIELDS, present)}
                        OR r.id IS NULL OR {_differs('r', RESIDENCE_FIELDS, present)}) THEN 1 ELSE 0 END)
        FROM {staged} s
        LEFT JOIN persons t ON t.personal_id = s.so_dinh_danh
        LEFT JOIN residences r ON r.person_id = t.id AND r.commune_code = s.ma_xa
    """)
    insert_new_hamlets(connection, staged_hamlets)
    assignments, differs = _set_clause("persons", PERSON_FIELDS, present, always=("import_id",))
    connection.execute(text(f"""
        INSERT INTO persons (personal_id, full_name, birth_date, sex, household_id, relation_to_head, death_date,
                             phone, import_id)
        SELECT so_dinh_danh, ho_ten, ngay_sinh, gioi_tinh, household_id, quan_he_chu_ho, ngay_mat, so_dien_thoai,
               :import_id
        FROM {staged} WHERE true
        ON CONFLICT (personal_id) DO UPDATE SET {assignments} WHERE {differs}
    """), {"import_id": import_id})
    assignments, differs = _set_clause("residences", RESIDENCE_FIELDS, present)
    conflict = f"DO UPDATE SET {assignments} WHERE {differs}" if assignments else "DO NOTHING"
    connection.execute(text(f"""
        INSERT INTO residences (person_id, commune_code, hamlet_code, arrived_on, left_on)
        SELECT t.id, s.ma_xa, s.hamlet_code, s.ngay_den, s.ngay_di
        FROM {staged} s JOIN persons t ON t.personal_id = s.so_dinh_danh WHERE true
        ON CONFLICT (person_id, commune_code) {conflict}
    """))
    return counts


CARD_FIELDS = [
    Field("person_id", "person_id", "so_dinh_danh"),
    Field("card_code", "ma_the", "ma_the"),
    Field("participant_code", "ma_doi_tuong", "ma_doi_tuong"),
    Field("benefit_level", "muc_huong", "ma_doi_tuong"),
    Field("valid_to", "gt_the_den", "gt_the_den"),
    Field("first_contact_facility", "ma_dkbd", "ma_dkbd"),
]


def stage_cards(stager: Stager) -> dict[str, str]:
    return {"rows": stager.stage("cards", f"""
        SELECT p.id AS person_id, c.ma_so_bhxh, c.ma_the, c.ma_doi_tuong, {BENEFIT_LEVEL} AS muc_huong,
               c.gt_the_tu, c.gt_the_den, c.ma_dkbd
        FROM clean c JOIN db.persons p ON p.personal_id = c.so_dinh_danh
        ORDER BY c.ma_so_bhxh, c.gt_the_tu
    """)}


def apply_cards(connection: Connection, tables: dict[str, str], present: set[str], import_id: int,
                source: str) -> Counts:
    staged = tables["rows"]
    counts = _count(connection, f"""
        SELECT count(*),
               sum(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END),
               sum(CASE WHEN t.id IS NOT NULL AND ({_differs('t', CARD_FIELDS, present)}) THEN 1 ELSE 0 END)
        FROM {staged} s LEFT JOIN card_periods t ON t.bhxh_number = s.ma_so_bhxh AND t.valid_from = s.gt_the_tu
    """)
    assignments, differs = _set_clause("card_periods", CARD_FIELDS, present, always=("source", "import_id"))
    connection.execute(text(f"""
        INSERT INTO card_periods (person_id, bhxh_number, card_code, participant_code, benefit_level, valid_from,
                                  valid_to, first_contact_facility, source, import_id)
        SELECT person_id, ma_so_bhxh, ma_the, ma_doi_tuong, muc_huong, gt_the_tu, gt_the_den, ma_dkbd, :source,
               :import_id
        FROM {staged} WHERE true
        ON CONFLICT (bhxh_number, valid_from) DO UPDATE SET {assignments} WHERE {differs}
    """), {"import_id": import_id, "source": source})
    return counts


def stage_population(stager: Stager) -> dict[str, str]:
    return {"rows": stager.stage("population", "SELECT ma_don_vi, nam, dan_so, nguon FROM clean")}


def apply_population(connection: Connection, tables: dict[str, str], present: set[str], import_id: int) -> Counts:
    staged = tables["rows"]
    counts = _count(connection, f"""
        SELECT count(*),
               sum(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END),
               sum(CASE WHEN t.id IS NOT NULL AND t.population <> s.dan_so THEN 1 ELSE 0 END)
        FROM {staged} s
        LEFT JOIN population_figures t ON t.unit_code = s.ma_don_vi AND t.year = s.nam AND t.source = s.nguon
    """)
    connection.execute(text(f"""
        INSERT INTO population_figures (unit_code, year, population, source, import_id)
        SELECT ma_don_vi, nam, dan_so, nguon, :import_id FROM {staged} WHERE true
        ON CONFLICT (unit_code, year, source) DO UPDATE
        SET population = excluded.population, import_id = excluded.import_id
        WHERE population_figures.population <> excluded.population
    """), {"import_id": import_id})
    return counts


def stage_aggregates(stager: Stager) -> dict[str, str]:
    return {"rows": stager.stage("aggregates", """
        SELECT ma_don_vi, thang, ma_doi_tuong, so_nguoi_tham_gia FROM clean ORDER BY ma_don_vi, thang, ma_doi_tuong
    """)}


def apply_aggregates(connection: Connection, tables: dict[str, str], import_id: int) -> Counts:
    """Replace BHXH's report for every (unit, month) the file contains; other unit-months stay as they were.

    A file is the whole report for each unit-month in it, so a participant code the table holds for such
    a unit-month but the file leaves out is deleted. A deleted row counts as updated: the unit-month's
    report changed, and the counts say how many stored rows the import touched.
    """
    staged = tables["rows"]
    same_row = "t.unit_code = s.ma_don_vi AND t.month = s.thang AND t.participant_code = s.ma_doi_tuong"
    rows, inserted, changed = connection.execute(text(f"""
        SELECT count(*),
               sum(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END),
               sum(CASE WHEN t.insured <> s.so_nguoi_tham_gia THEN 1 ELSE 0 END)
        FROM {staged} s LEFT JOIN aggregate_counts t ON {same_row}
    """)).one()
    rows, inserted, changed = int(rows or 0), int(inserted or 0), int(changed or 0)
    removed = connection.execute(text(f"""
        DELETE FROM aggregate_counts WHERE id IN (
            SELECT t.id
            FROM (SELECT DISTINCT ma_don_vi, thang FROM {staged}) p
            JOIN aggregate_counts t ON t.unit_code = p.ma_don_vi AND t.month = p.thang
            LEFT JOIN {staged} s ON {same_row}
            WHERE s.ma_don_vi IS NULL
        )
    """)).rowcount
    connection.execute(text(f"""
        INSERT INTO aggregate_counts (unit_code, month, participant_code, insured, import_id)
        SELECT ma_don_vi, thang, ma_doi_tuong, so_nguoi_tham_gia, :import_id FROM {staged} WHERE true
        ON CONFLICT (unit_code, month, participant_code) DO UPDATE
        SET insured = excluded.insured, import_id = excluded.import_id
        WHERE aggregate_counts.insured <> excluded.insured
    """), {"import_id": import_id})
    return Counts(inserted, changed + removed, rows - inserted - changed)


def stage(spec: ListSpec, stager: Stager) -> dict[str, str]:
    """Copy the validated rows into staging tables of the target database (outside any transaction of
    ours: a SQLite transaction opened earlier would not see tables created after it began)."""
    return {
        "households": stage_households,
        "persons": stage_persons,
        "cards": stage_cards,
        "population": stage_population,
        "aggregates": stage_aggregates,
    }[spec.kind](stager)


def apply(spec: ListSpec, connection: Connection, tables: dict[str, str], present: set[str], import_id: int,
          source: str) -> Counts:
    """Upsert the staged rows inside the caller's transaction."""
    if spec.kind == "households":
        return apply_households(connection, tables, present, import_id)
    if spec.kind == "persons":
        return apply_persons(connection, tables, present, import_id)
    if spec.kind == "cards":
        return apply_cards(connection, tables, present, import_id, source)
    if spec.kind == "aggregates":
        return apply_aggregates(connection, tables, import_id)
    return apply_population(connection, tables, present, import_id)
