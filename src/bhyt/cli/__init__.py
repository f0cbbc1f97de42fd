"""`bhyt`: the command line. Vietnamese for people, CSV and JSON for machines.

Each module registers its commands on the one application; importing them here is what makes them
part of it.
"""

from bhyt.cli import budget, claims, claims_assess, coverage, registry, reports, risk, targets, visits, web, worklists  # noqa: F401  (registers the commands)
from bhyt.cli.app import app

__all__ = ["app"]
