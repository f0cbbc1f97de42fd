"""Work lists for a commune or hamlet officer (and a province, for totals): who to visit and why.

Each list is a function of the analytics connection (`engine.analytics`), a unit code (province,
commune or hamlet) and a day; each returns one dataclass row per person, naming the person, their
household and hamlet, and a `reason` in Vietnamese:

- `uninsured`: residents without a card, with the quote for joining (`quotes`);
- `expiring`: cards ending within N days with no later card;
- `lapsed`: voluntary household cards (GD) that ended in the last N days and were not renewed;
- `eligible_missing`: people entitled to a budget-paid or budget-supported card who hold none;
- `duplicates`: overlapping cards of one person, and likely duplicate records of one person;
- `deceased`, `moved_out`: cards still valid after a death or departure (báo giảm);
- `newly_eligible`: entitlements begun or ended since a date (báo tăng).
"""

from bhyt.analytics.worklists.common import ListedPerson
from bhyt.analytics.worklists.duplicates import DuplicateRow, duplicates
from bhyt.analytics.worklists.entitled import EligibleRow, NewlyEligibleRow, eligible_missing, newly_eligible
from bhyt.analytics.worklists.insured import ExpiringRow, LapsedRow, UninsuredRow, expiring, lapsed, uninsured
from bhyt.analytics.worklists.reductions import DeceasedRow, MovedOutRow, deceased, moved_out

__all__ = [
    "DeceasedRow", "DuplicateRow", "EligibleRow", "ExpiringRow", "LapsedRow", "ListedPerson", "MovedOutRow",
    "NewlyEligibleRow", "UninsuredRow", "deceased", "duplicates", "eligible_missing", "expiring", "lapsed",
    "moved_out", "newly_eligible", "uninsured",
]
