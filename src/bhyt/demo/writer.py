"""Write the synthetic province into the system of record, set-based, through one DuckDB connection.

The columns arrive as Arrow tables of integers and dates; DuckDB turns them into the stored strings
(names, personal IDs, card codes …) and inserts every table inside one transaction, so that a
failure leaves nothing behind. Rows go in in the order of each table's unique key, so the unique
indexes grow at their end. The secondary indexes that would receive their keys in random order are
dropped before the load and rebuilt after it: on SQLite, 5.9 M card periods then take about 20 s
(9 s to load, 11 s to index) instead of about 40 s with every index updated row by row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pyarrow as pa
from sqlalchemy import Engine, text

from bhyt.analytics.engine import attached, plain_url
from bhyt.demo import names
from bhyt.demo.cards import CODES, Cards
from bhyt.demo.places import Province
from bhyt.demo.population import CLASSIFICATIONS, NEVER, RELATIONS, UNKNOWN, Households, People
from bhyt.domain.identifiers import check_bhxh_number, check_personal_id, format_card_code

SOURCE = "demo"
FIGURE_SOURCE = "Cục Thống kê (mô phỏng)"
BULK_TABLES = ("households", "household_classifications", "persons", "residences", "card_periods")
# Secondary indexes whose keys arrive in random order: cheaper to build once after the load. The
# others see their keys (nearly) in order, since rows go in by personal ID, BHXH number, person.
REBUILT_INDEXES = (
    "ix_card_periods_dates",
    "ix_card_periods_card_code",
    "ix_card_periods_participant_code",
    "ix_card_periods_person_to",
    "ix_persons_household_id",
    "ix_residences_hamlet_code",
)


@dataclass
class Residences:
    person: np.ndarray
    commune: np.ndarray
    hamlet: np.ndarray
    arrived: np.ndarray
    left: np.ndarray


@dataclass
class Figures:
    unit: list[str]
    year: list[int]
    population: list[int]


def residences(households: Households, people: People) -> Residences:
    """One residence per commune lived in: households that moved between communes have two, the
    old one ending the day before the move (members who died or left before it keep only the old one)."""
    hh = people.household
    move = households.moved[hh]
    had_old = (move < NEVER) & (people.arrived < move)
    gone_before = np.minimum(people.death, people.left) < move
    has_main = ~(had_old & gone_before)
    left = people.left

    main = np.flatnonzero(has_main)
    old = np.flatnonzero(had_old)
    person = np.concatenate([main, old])
    commune = np.concatenate([households.commune[hh[main]], households.origin_commune[hh[old]]])
    hamlet = np.concatenate([households.hamlet[hh[main]], households.origin_hamlet[hh[old]]])
    arrived = np.concatenate([np.where(had_old[main], move[main], people.arrived[main]), people.arrived[old]])
    left_on = np.concatenate([left[main], np.where(has_main[old], move[old] - 1, left[old])])
    return Residences(person, commune.astype(np.int64), hamlet.astype(np.int64), arrived, left_on)


def population_figures(
    province: Province, people: People, homes: Residences, years: list[int], rng: np.random.Generator
) -> Figures:
    """Mid-year residents of the registry for each commune and the province, with a few % of noise:
    what a statistics office would publish, never quite the registry's own count."""
    from bhyt.demo.dates import ymd

    units: list[str] = []
    out_years: list[int] = []
    values: list[int] = []
    death = people.death[homes.person]
    for year in years:
        mid_year = int(ymd(year, 7, 1))
        resident = (homes.arrived <= mid_year) & (homes.left >= mid_year) & (death > mid_year)
        per_commune = np.bincount(homes.commune[resident], minlength=province.commune_count)
        noise = np.clip(rng.normal(0, 0.015, province.commune_count + 1), -0.04, 0.04)
        for commune in province.communes:
            units.append(commune.code)
            out_years.append(year)
            values.append(int(round(per_commune[commune.index] * (1 + noise[commune.index]))))
        units.append(province.code)
        out_years.append(year)
        values.append(int(round(per_commune.sum() * (1 + noise[-1]))))
    return Figures(units, out_years, values)


def _dates(days: np.ndarray) -> pa.Array:
    missing = (days >= NEVER) | (days <= UNKNOWN)
    return pa.array(np.where(missing, 0, days).astype("datetime64[D]"), mask=missing)


def check_identifiers(people: People, cards: Cards) -> None:
    """The domain's own checks on every distinct shape of identifier the generator made: each
    (birth year, sex) prefix of the personal IDs, each BHXH prefix, each card-code head."""
    from bhyt.demo.dates import to_date

    _, first = np.unique(people.personal_id // 1_000_000 * 10 + people.sex, return_index=True)
    for i in first.tolist():
        problems = check_personal_id(f"{people.personal_id[i]:012d}", to_date(people.birth[i]), int(people.sex[i]))
        if problems:
            raise RuntimeError(f"Số định danh mô phỏng sai quy tắc: {problems}")
    _, first = np.unique(people.bhxh // 100_000_000, return_index=True)
    for i in first.tolist():
        problems = check_bhxh_number(f"{people.bhxh[i]:010d}")
        if problems:
            raise RuntimeError(f"Mã số BHXH mô phỏng sai quy tắc: {problems}")
    heads = np.unique(cards.code.astype(np.int64) * 1000 + cards.level.astype(np.int64) * 100 + cards.province)
    sample = f"{people.bhxh[0]:010d}" if people.count else "4400000000"
    for head in heads.tolist():
        format_card_code(CODES[head // 1000], int(head // 100 % 10), f"{head % 100:02d}", sample)


def write(
    engine: Engine,
    province: Province,
    households: Households,
    people: People,
    cards: Cards,
    homes: Residences,
    figures: Figures,
    progress: Callable[[str, float], None],
) -> tuple[int, int]:
    """Insert everything; returns (hamlets inserted, card periods inserted)."""
    offsets = _id_offsets(engine)

    # Identifiers in key order: persons by personal ID, card periods by (BHXH number, valid from).
    person_order = np.argsort(people.personal_id, kind="stable")
    person_id = np.empty(people.count, dtype=np.int64)
    person_id[person_order] = np.arange(1, people.count + 1) + offsets["persons"]
    household_id = np.arange(1, households.count + 1) + offsets["households"]
    head = households.start

    tables = {
        "hamlets": pa.table(
            {
                "code": province.hamlet_codes,
                "name": province.hamlet_names,
                "kind": province.hamlet_kinds,
                "parent_code": [province.communes[i].code for i in province.hamlet_commune.tolist()],
            }
        ),
        "households": pa.table(
            {
                "id": household_id,
                "commune": households.commune,
                "hamlet": households.hamlet,
                "number": households.number,
                "family": people.family[head],
                "middle": people.middle[head],
                "given": people.given[head],
            }
        ),
        "classifications": _classification_table(households, household_id),
        "persons": pa.table(
            {
                "id": person_id[person_order],
                "personal_id": people.personal_id[person_order],
                "family": people.family[person_order],
                "middle": people.middle[person_order],
                "given": people.given[person_order],
                "birth": _dates(people.birth[person_order]),
                "sex": people.sex[person_order],
                "household_id": household_id[people.household[person_order]],
                "relation": people.relation[person_order],
                "death": _dates(people.death[person_order]),
                "phone": people.phone[person_order],
            }
        ),
    }
    home_order = np.lexsort((homes.commune, person_id[homes.person]))
    tables["residences"] = pa.table(
        {
            "id": np.arange(1, len(home_order) + 1) + offsets["residences"],
            "person_id": person_id[homes.person[home_order]],
            "commune": homes.commune[home_order],
            "hamlet": homes.hamlet[home_order],
            "arrived": _dates(homes.arrived[home_order]),
            "left_on": _dates(homes.left[home_order]),
        }
    )
    tables["cards"] = pa.table(
        {
            "id": np.arange(1, cards.count + 1) + offsets["card_periods"],
            "person_id": person_id[cards.person],
            "bhxh": people.bhxh[cards.person],
            "code": cards.code,
            "level": cards.level,
            "province": cards.province,
            "valid_from": _dates(cards.start),
            "valid_to": _dates(cards.end),
            "facility": cards.facility,
        }
    )
    tables["figures"] = pa.table(
        {
            "id": np.arange(1, len(figures.unit) + 1) + offsets["population_figures"],
            "unit_code": figures.unit,
            "year": figures.year,
            "population": figures.population,
        }
    )

    parameters = {
        "words": names.WORDS,
        "relations": list(RELATIONS),
        "codes": list(CODES),
        "classes": list(CLASSIFICATIONS),
        "communes": [c.code for c in province.communes],
        "commune_names": [c.name for c in province.communes],
        "hamlet_codes": province.hamlet_codes,
        "hamlet_names": province.hamlet_names,
    }
    statements = _statements(province.code)

    # Nothing of SQLAlchemy may hold the file while DuckDB's own SQLite writes to it.
    indexes = _drop_secondary_indexes(engine)
    engine.dispose()
    try:
        with attached(plain_url(engine), read_only=False) as con:
            for name, table in tables.items():
                con.register(f"demo_{name}", table)
            con.execute("BEGIN TRANSACTION")
            try:
                for step, (label, sql) in enumerate(statements):
                    progress(label, 0.60 + 0.25 * step / len(statements))
                    used = {key: value for key, value in parameters.items() if f"${key}" in sql}
                    con.execute(sql, used)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
    finally:
        progress("Dựng lại chỉ mục", 0.87)
        _recreate_indexes(engine, indexes)
    _advance_sequences(engine)
    return len(province.hamlet_codes), cards.count


def _classification_table(households: Households, household_id: np.ndarray) -> pa.Table:
    years = households.classification_years
    count = households.count
    return pa.table(
        {
            "household_id": np.repeat(household_id, len(years)),
            "year": np.tile(np.array(years, dtype=np.int16), count),
            "class": households.classification.reshape(-1).astype(np.int8),
        }
    )


def _full_name(alias: str = "") -> str:
    p = f"{alias}." if alias else ""
    return (
        f"concat_ws(' ', $words[{p}family + 1], CASE WHEN {p}middle >= 0 THEN $words[{p}middle + 1] END, "
        f"$words[{p}given + 1])"
    )


def _statements(province_code: str) -> list[tuple[str, str]]:
    return [
        (
            "Ghi thôn, tổ dân phố",
            "INSERT INTO db.units (code, name, level, kind, parent_code) "
            "SELECT code, name, 'hamlet', kind, parent_code FROM demo_hamlets",
        ),
        (
            "Ghi hộ gia đình",
            f"""INSERT INTO db.households (id, code, head_name, commune_code, hamlet_code, address)
            SELECT id, '{province_code}-' || $communes[commune + 1] || '-' || lpad(CAST(number AS VARCHAR), 6, '0'),
                   {_full_name()}, $communes[commune + 1], $hamlet_codes[hamlet + 1],
                   $hamlet_names[hamlet + 1] || ', ' || $commune_names[commune + 1]
            FROM demo_households""",
        ),
        (
            "Ghi phân loại hộ",
            "INSERT INTO db.household_classifications (household_id, year, classification) "
            "SELECT household_id, year, $classes[class + 1] FROM demo_classifications",
        ),
        (
            "Ghi nhân khẩu",
            f"""INSERT INTO db.persons (id, personal_id, full_name, birth_date, sex, household_id, relation_to_head,
                                       death_date, phone)
            SELECT id, lpad(CAST(personal_id AS VARCHAR), 12, '0'), {_full_name()}, birth, sex, household_id,
                   $relations[relation + 1], death, CASE WHEN phone > 0 THEN '0' || CAST(phone AS VARCHAR) END
            FROM demo_persons""",
        ),
        (
            "Ghi nơi cư trú",
            """INSERT INTO db.residences (id, person_id, commune_code, hamlet_code, arrived_on, left_on)
            SELECT id, person_id, $communes[commune + 1], $hamlet_codes[hamlet + 1], arrived, left_on
            FROM demo_residences""",
        ),
        (
            "Ghi thẻ BHYT",
            f"""INSERT INTO db.card_periods (id, person_id, bhxh_number, card_code, participant_code, benefit_level,
                                            valid_from, valid_to, first_contact_facility, source)
            SELECT id, person_id, lpad(CAST(bhxh AS VARCHAR), 10, '0'),
                   $codes[code + 1] || CAST(level AS VARCHAR) || lpad(CAST(province AS VARCHAR), 2, '0')
                       || lpad(CAST(bhxh AS VARCHAR), 10, '0'),
                   $codes[code + 1], level, valid_from, valid_to, lpad(CAST(facility AS VARCHAR), 5, '0'), '{SOURCE}'
            FROM demo_cards""",
        ),
        (
            "Ghi dân số",
            f"""INSERT INTO db.population_figures (id, unit_code, year, population, source)
            SELECT f.id, f.unit_code, f.year, f.population, '{FIGURE_SOURCE}' FROM demo_figures f
            WHERE NOT EXISTS (SELECT 1 FROM db.population_figures p
                              WHERE p.unit_code = f.unit_code AND p.year = f.year AND p.source = '{FIGURE_SOURCE}')""",
        ),
    ]


def _id_offsets(engine: Engine) -> dict[str, int]:
    tables = ("households", "persons", "residences", "card_periods", "population_figures")
    with engine.connect() as connection:
        return {t: int(connection.execute(text(f"SELECT coalesce(max(id), 0) FROM {t}")).scalar_one()) for t in tables}


def _drop_secondary_indexes(engine: Engine) -> list[tuple[str, str]]:
    """Drop the indexes whose keys arrive in random order (see REBUILT_INDEXES); returns how to
    rebuild them. Indexes the rows arrive sorted for (or nearly) stay and are filled as rows come."""
    wanted = ", ".join(f"'{name}'" for name in REBUILT_INDEXES)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.execute(
                text(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({wanted})")
            ).all()
        elif engine.dialect.name == "postgresql":
            rows = connection.execute(
                text(
                    "SELECT indexname, indexdef FROM pg_indexes "
                    f"WHERE schemaname = current_schema() AND indexname IN ({wanted})"
                )
            ).all()
        else:
            return []
        for name, _ in rows:
            connection.execute(text(f'DROP INDEX "{name}"'))
    return [(name, sql) for name, sql in rows]


def _recreate_indexes(engine: Engine, indexes: list[tuple[str, str]]) -> None:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            # SQLite sorts index keys in a buffer sized by the page cache, spilling to temporary
            # files. The engine's large cache and in-memory temp store (good for random upserts)
            # make that sort 2-3 times slower here, so SQLite's defaults are used for it.
            connection.exec_driver_sql("PRAGMA cache_size = -2000")
            connection.exec_driver_sql("PRAGMA temp_store = DEFAULT")
        for _, sql in indexes:
            connection.execute(text(sql))
            connection.commit()
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            for table in (*BULK_TABLES, "units", "population_figures"):
                connection.execute(text(f"ANALYZE {table}"))
    engine.dispose()


def _advance_sequences(engine: Engine) -> None:
    """PostgreSQL serial columns do not see explicit ids: move their sequences past the new rows."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        for table in ("households", "persons", "residences", "card_periods", "population_figures"):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
            )
