"""A columnar copy of the person registry, in a DuckDB file beside the data, for fast analytics.

Reading persons, residences and cards through the sqlite or postgres scanner costs seconds per
question at province scale; the same question over DuckDB's own tables takes tens of milliseconds.
The copy carries the token of the registry state it was taken from (`store.registry_version`) and the
format of its tables, and is rebuilt when either has moved on. A rebuild writes a new file and renames it over the old one, so a reader
that still has the old file open keeps a consistent, if older, picture. Two processes (the web app and
the CLI) may both rebuild: each writes its own file, and the last rename wins; inside one process,
one thread rebuilds while the others wait for its copy.

What the copy adds to the registry: each residence carries its province and the person's birth date,
sex and death date (every coverage question filters on them, so no join is needed) and a key of the
person's folded name (a hash, for the duplicates list: the copy keeps no names), and each card its
statutory group and the priority that picks one code for a person holding several. Persons carry
their phone and whether they head their household, for reminders. Persons also carry their ID number,
and cards their code, BHXH number and benefit level: the claims assessment looks up by them the people
and cards its claims name (bhyt.claims.registry_source).
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import duckdb
import pyarrow as pa
from sqlalchemy import Engine

from bhyt.analytics.engine import attach_db, new_connection, plain_url
from bhyt.analytics.worklists.duplicates import FOLDED_NAME
from bhyt.config import data_dir
from bhyt.domain.participants import PARTICIPANT_CODES
from bhyt.store import registry_version

# Read from the registry once each, as they are: a scanner reads a table fastest with no join or
# order to carry out inside it, and persons and units are needed more than once. Staged in the
# building connection's memory; joins and sorting then run on DuckDB's own tables.
_SOURCES = {
    "source_units": "SELECT code, name, level, parent_code FROM db.units",
    "source_persons": """SELECT id, full_name, birth_date, sex, death_date, household_id, relation_to_head, phone,
                                personal_id
                         FROM db.persons""",
    "source_residences": "SELECT person_id, commune_code, hamlet_code, arrived_on, left_on FROM db.residences",
    "source_cards": """SELECT person_id, participant_code, valid_from, valid_to, card_code, bhxh_number, benefit_level
                       FROM db.card_periods""",
    "source_household_classifications": "SELECT household_id, year, classification FROM db.household_classifications",
}

# Ordered so that DuckDB's per-block min/max lets date filters skip most blocks.
_TABLES = {
    "units": """
        SELECT u.code, u.name, u.level, u.parent_code,
               CASE u.level WHEN 'province' THEN u.code WHEN 'commune' THEN u.parent_code ELSE p.parent_code END
                   AS province_code,
               CASE u.level WHEN 'commune' THEN u.code WHEN 'hamlet' THEN u.parent_code END AS commune_code
        FROM source_units u LEFT JOIN source_units p ON p.code = u.parent_code
        ORDER BY u.code
    """,
    # The phone, and whether the person heads the household, pick whom a reminder goes to.
    "persons": """
        SELECT id, birth_date, sex, death_date, household_id, phone,
               coalesce(lower(nfc_normalize(trim(relation_to_head))) = 'chủ hộ', false) AS household_head,
               personal_id
        FROM source_persons ORDER BY id
    """,
    # No name is kept: only a key of the folded name, by which the duplicates list finds its few
    # candidates among a unit's residents.
    "residences": f"""
        SELECT r.person_id, c.parent_code AS province_code, r.commune_code, r.hamlet_code,
               r.arrived_on, r.left_on, p.birth_date, p.sex, p.death_date, p.household_id,
               hash({FOLDED_NAME}) AS name_key
        FROM source_residences r
        JOIN source_persons p ON p.id = r.person_id
        JOIN source_units c ON c.code = r.commune_code
        ORDER BY r.commune_code, r.hamlet_code, r.person_id
    """,
    "cards": """
        SELECT c.person_id, c.participant_code, g.statutory_group, g.priority, c.valid_from, c.valid_to,
               c.card_code, c.bhxh_number, c.benefit_level
        FROM source_cards c JOIN participant_groups g ON g.code = c.participant_code
        ORDER BY c.valid_to, c.person_id
    """,
    # By household: the lists read the classifications of a unit's households, which lie together.
    "household_classifications": "SELECT * FROM source_household_classifications ORDER BY household_id, year",
}

# A person's card periods become coverage segments: maximal spans of days over which they are covered
# and the priority order picks the same code (overlapping cards merge; a gap or a change of code
# starts a new segment). At most one segment covers any day.
#
# Nearly everyone's cards follow one another without overlapping: then each card is a piece on its
# own, and a segment is a run of cards each starting the day after the one before ends, with the same
# code (gaps and islands over the cards in date order). Only the people with overlapping cards are cut
# at every card's start and end, with the code picked per piece. If any two of a person's cards
# overlap, two neighbours in the order by start do, so one look at the previous card finds them.
_SEGMENTS = """
    WITH ordered AS (
        SELECT person_id, participant_code, statutory_group, valid_from, valid_to,
               lag(valid_to) OVER w AS previous_to, lag(participant_code) OVER w AS previous_code
        FROM snap.cards WINDOW w AS (PARTITION BY person_id ORDER BY valid_from, valid_to)
    ),
    overlapping AS (SELECT DISTINCT person_id FROM ordered WHERE valid_from <= previous_to),
    apart AS (
        SELECT person_id, participant_code, statutory_group, valid_from AS piece_from, valid_to AS piece_to,
               coalesce(previous_to = valid_from - 1 AND previous_code = participant_code, false) AS continues
        FROM ordered WHERE person_id NOT IN (SELECT person_id FROM overlapping)
    ),
    tangled_cards AS (SELECT * FROM snap.cards WHERE person_id IN (SELECT person_id FROM overlapping)),
    bounds AS (
        SELECT person_id, valid_from AS day FROM tangled_cards
        UNION SELECT person_id, valid_to + 1 FROM tangled_cards
    ),
    pieces AS (
        SELECT person_id, day AS piece_from, lead(day) OVER (PARTITION BY person_id ORDER BY day) - 1 AS piece_to
        FROM bounds
    ),
    picked AS (
        SELECT p.person_id, p.piece_from, p.piece_to,
               arg_min(c.participant_code, c.priority) AS participant_code,
               arg_min(c.statutory_group, c.priority) AS statutory_group
        FROM pieces p JOIN tangled_cards c
          ON c.person_id = p.person_id AND c.valid_from <= p.piece_from AND c.valid_to >= p.piece_from
        WHERE p.piece_to IS NOT NULL
        GROUP BY ALL
    ),
    tangled AS (
        SELECT person_id, participant_code, statutory_group, piece_from, piece_to,
               coalesce(lag(piece_to) OVER w = piece_from - 1 AND lag(participant_code) OVER w = participant_code,
                        false) AS continues
        FROM picked WINDOW w AS (PARTITION BY person_id ORDER BY piece_from)
    ),
    numbered AS (
        SELECT *, sum(CASE WHEN continues THEN 0 ELSE 1 END) OVER (PARTITION BY person_id ORDER BY piece_from)
                  AS segment
        FROM (SELECT * FROM apart UNION ALL SELECT * FROM tangled)
    )
    SELECT person_id, min(piece_from) AS covered_from, max(piece_to) AS covered_to, participant_code,
           any_value(statutory_group) AS statutory_group, segment = 1 AS first_segment
    FROM numbered GROUP BY person_id, segment, participant_code
"""

# Built from the tables above, to answer "who is insured, with which code, on d" by one scan without
# joins.
_DERIVED = {
    "card_segments": """
        SELECT person_id, covered_from, covered_to, participant_code, statutory_group FROM segments
        ORDER BY covered_to, person_id
    """,
    # One row per residence and coverage segment of its person (one row with no segment for someone
    # never insured); `first_row` marks one row per residence, for counting residents. The days the
    # person is resident there (arrived, not left, alive) do not depend on the date asked about, so
    # they are worked out here once: resident on d is resident_from <= d <= resident_to.
    "coverage_facts": """
        SELECT r.person_id, r.province_code, r.commune_code, r.hamlet_code, r.arrived_on, r.left_on,
               r.death_date, r.birth_date, r.sex, s.covered_from, s.covered_to, s.participant_code,
               s.statutory_group, coalesce(s.first_segment, true) AS first_row,
               coalesce(r.arrived_on, '-infinity'::DATE) AS resident_from,
               least(coalesce(r.left_on, 'infinity'::DATE), coalesce(r.death_date - 1, 'infinity'::DATE))
                   AS resident_to
        FROM snap.residences r LEFT JOIN segments s ON s.person_id = r.person_id
        ORDER BY r.commune_code, r.hamlet_code
    """,
    # People with more than one residence in a province: the only ones a province count could take
    # twice (two communes at once is a data fault, but it happens when a move lacks its departure).
    "multi_residence_persons": """
        SELECT DISTINCT person_id FROM snap.residences
        GROUP BY person_id, province_code HAVING count(*) > 1
    """,
}


# Raised whenever the tables above change shape, so that a copy taken by an older build of this
# module is rebuilt even though the registry has not moved on.
FORMAT = 6

# Two threads of one process (a web request's analytics and a claims assessment) would write the
# same partial file.
_building = threading.Lock()


def snapshot_path(engine: Engine) -> Path:
    """One file per database, so tests and a second database never share a copy."""
    digest = hashlib.sha256(plain_url(engine).encode()).hexdigest()[:16]
    folder = data_dir() / "analytics"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"registry-{digest}.duckdb"


def snapshot_version(path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return con.execute("SELECT version FROM snapshot_meta").fetchone()[0]
    except duckdb.Error:
        return None


def fresh_snapshot(engine: Engine) -> Path:
    """The snapshot file, rebuilt first if the registry has changed since it was taken."""
    path = snapshot_path(engine)
    with engine.connect() as connection:
        version = f"{registry_version.current(connection)}/{FORMAT}"
    if snapshot_version(path) != version:
        with _building:
            if snapshot_version(path) != version:
                build_snapshot(engine, path, version)
    return path


def build_snapshot(engine: Engine, path: Path, version: str) -> None:
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    source = new_connection()
    try:
        # What the build stages beyond memory goes beside the snapshot, not into the working folder.
        source.execute(f"SET temp_directory = '{_quoted(path.parent / 'tmp')}'")
        attach_db(source, plain_url(engine))
        source.register("participant_groups", _participant_groups())
        for name, query in _SOURCES.items():
            source.execute(f"CREATE TEMP TABLE {name} AS {query}")
        source.execute("DETACH db")
        source.execute(f"ATTACH '{_quoted(partial)}' AS snap")
        source.execute("CREATE TABLE snap.participant_groups AS SELECT * FROM participant_groups")
        for name, query in _TABLES.items():
            source.execute(f"CREATE TABLE snap.{name} AS {query}")
        source.execute(f"CREATE TEMP TABLE segments AS {_SEGMENTS}")
        for name, query in _DERIVED.items():
            source.execute(f"CREATE TABLE snap.{name} AS {query}")
        source.execute("CREATE TABLE snap.snapshot_meta AS SELECT ? AS version, now() AS taken_at", [version])
        source.execute("DETACH snap")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    os.replace(partial, path)


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def _participant_groups() -> pa.Table:
    codes = list(PARTICIPANT_CODES.values())
    return pa.table(
        {
            "code": [code.code for code in codes],
            "statutory_group": pa.array([code.group for code in codes], pa.int8()),
            "priority": pa.array([code.priority for code in codes], pa.int16()),
        }
    )
