"""Loading the lists officers have: read, validate all rows set-based, then write all or nothing."""
