"""Claims (QĐ 130 XML): the table definitions, the Parquet claims lake, and the assessment rules."""
