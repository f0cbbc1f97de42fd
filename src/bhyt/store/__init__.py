"""System of record: SQLAlchemy models, engine and migrations."""
