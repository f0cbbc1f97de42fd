"""Pure BHYT rules: participant codes, identifiers, contributions, card validity, admin units.

Nothing here touches a database, a file outside the package or the network; every legal
number comes from the CSV tables in ``data/`` with its source and effective dates.
"""
