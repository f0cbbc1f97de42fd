"""Where the system keeps its data, and what a password hash costs: the only place that reads the environment."""

from __future__ import annotations

import os
from pathlib import Path

from argon2 import Parameters, profiles


def data_dir() -> Path:
    """Folder for the SQLite file, error reports and DuckDB's extension cache."""
    path = Path(os.environ.get("BHYT_DATA_DIR", "data")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """`BHYT_DATABASE_URL`, or the embedded SQLite file under the data folder."""
    url = os.environ.get("BHYT_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{data_dir() / 'bhyt.db'}"


def claims_lake_dir() -> Path:
    """`BHYT_CLAIMS_LAKE`, or the folder `claims_lake` under the data folder: the Parquet claims lake."""
    path = os.environ.get("BHYT_CLAIMS_LAKE")
    return Path(path).resolve() if path else data_dir() / "claims_lake"


# argon2-cffi's profiles by name. CHEAPEST is for tests only: it protects no password.
ARGON2_PROFILES = {
    "RFC_9106_LOW_MEMORY": profiles.RFC_9106_LOW_MEMORY,
    "RFC_9106_HIGH_MEMORY": profiles.RFC_9106_HIGH_MEMORY,
    "CHEAPEST": profiles.CHEAPEST,
}


def argon2_parameters() -> Parameters:
    """`BHYT_ARGON2_PROFILE`, or RFC_9106_LOW_MEMORY (argon2-cffi's recommendation: 64 MiB and about a
    tenth of a second a hash): the cost of hashing a password."""
    name = os.environ.get("BHYT_ARGON2_PROFILE", "RFC_9106_LOW_MEMORY")
    try:
        return ARGON2_PROFILES[name]
    except KeyError:
        raise ValueError(f"BHYT_ARGON2_PROFILE='{name}' không hợp lệ; chọn một trong: "
                         f"{', '.join(ARGON2_PROFILES)}.") from None
