"""Set-based analytics on DuckDB over the system of record."""
