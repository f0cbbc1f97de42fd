"""The synthetic claims set (`bhyt demo claims`) ingested into a lake, built once per test session for the
tests that assess it: the rules' precision and recall, and the DuckDB and Spark engines' agreement.

The generator pays levels 3 and 4 in full at commune health stations and lists them as primary tier in
its facility file, which the fixture imports as an assessor would (`bhyt claims facilities`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from bhyt.analytics.engine import plain_url
from bhyt.claims.assessment import Assessment, assess
from bhyt.claims.catalogue import load_catalogue
from bhyt.claims.lake import ClaimsLake
from bhyt.claims.reference import APPROVED_PRICES, FACILITY_TIERS, import_reference
from bhyt.demo import build_demo
from bhyt.demo.claims import FACILITIES_FILE, PRICES_FILE, write_demo_claims
from bhyt.ingest.claims_service import ingest_claims
from tests.demo.test_province import fresh_engine

PERSONS, VISITS, SHARE = 8_000, 600, 0.01
# Half a year: enough card gaps and deaths for every violation, and few enough month × facility
# partitions for the lake's rewrite, which runs out of its 1 GB memory limit on a year of this set at
# once (its many small partitions; reported to the lake's owner).
FIRST, LAST = date(2026, 1, 1), date(2026, 6, 30)


@dataclass(frozen=True)
class DemoClaims:
    lake: ClaimsLake
    database_url: str
    claims: Path  # the generated envelopes, with the labels and the price list


@pytest.fixture(scope="session")
def demo_claims(tmp_path_factory: pytest.TempPathFactory) -> DemoClaims:
    folder = tmp_path_factory.mktemp("demo_claims")
    engine = fresh_engine(folder / "province.db")
    try:
        build_demo(engine, persons=PERSONS)
        claims = folder / "claims"
        write_demo_claims(engine, VISITS, claims, share=SHARE, first=FIRST, last=LAST)
        lake = ClaimsLake(folder / "lake")
        assert not ingest_claims([claims], lake).errors
        import_reference(APPROVED_PRICES, claims / PRICES_FILE, lake.root)
        import_reference(FACILITY_TIERS, claims / FACILITIES_FILE, lake.root)
        return DemoClaims(lake, plain_url(engine), claims)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def demo_assessment(demo_claims: DemoClaims) -> Assessment:
    """The whole catalogue on the demo claims with DuckDB, assessed once: the precision and recall
    tests and the Spark engine's comparison read the same findings."""
    return assess(demo_claims.lake, demo_claims.database_url, load_catalogue())
