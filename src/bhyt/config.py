"""Where the system keeps its data: the only place that reads the environment."""

from __future__ import annotations

import os
from pathlib import Path


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
