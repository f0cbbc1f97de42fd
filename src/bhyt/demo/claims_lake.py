"""The demo's claims lake: synthetic claims of the demo province generated, ingested and assessed
against the generator's price list and facility tiers, so that an assessor signing in to the demo
(`make run`) finds claims and findings to review."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from bhyt.claims.lake import ClaimsLake
from bhyt.claims.reference import APPROVED_PRICES, FACILITY_TIERS, import_reference
from bhyt.demo.claims import FACILITIES_FILE, PRICES_FILE, Progress, write_demo_claims
from bhyt.ingest.claims_service import ingest_claims

# Enough for every rule to find something in the demo (1 % of the visits violate each), few enough to
# be generated and ingested in seconds when `make run` builds the demo.
DEMO_VISITS = 2_000


@dataclass(frozen=True)
class DemoLake:
    claims: int
    lines: int
    labels: dict[str, int]


def has_claims(lake: ClaimsLake) -> bool:
    return bool(lake.files("XML1"))


def build_demo_lake(engine: Engine, lake: ClaimsLake, province: str, visits: int = DEMO_VISITS,
                    progress: Progress | None = None) -> DemoLake:
    """Generate `visits` claims for the province's people into a scratch folder, ingest them into
    `lake` and import their price list and facility tiers beside it."""
    with tempfile.TemporaryDirectory(prefix="bhyt-demo-claims-") as scratch:
        folder = Path(scratch) / "claims"
        summary = write_demo_claims(engine, visits, folder, province=province, progress=progress)
        report = ingest_claims([folder], lake)
        if report.errors:  # the generator writes what the parser reads: a failure here is a bug, not bad input
            raise RuntimeError(f"Hồ sơ mô phỏng không nạp được: {report.errors[0]}")
        import_reference(APPROVED_PRICES, folder / PRICES_FILE, lake.root)
        import_reference(FACILITY_TIERS, folder / FACILITIES_FILE, lake.root)
    return DemoLake(summary.claims, summary.lines, summary.labels)
