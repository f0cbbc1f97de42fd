"""The decisions' change counter: every writer of claim_decisions bumps it in its own transaction, and
an assessment kept for the web pages is dropped when the token it was kept under is no longer current."""

from __future__ import annotations

from sqlalchemy import Connection

from bhyt.store import change_counter
from bhyt.store.models import DecisionsVersion


def bump(connection: Connection) -> None:
    change_counter.bump(connection, DecisionsVersion)


def current(connection: Connection) -> str:
    """The token of the decisions' present state."""
    return change_counter.current(connection, DecisionsVersion)
