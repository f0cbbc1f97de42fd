"""BHYT Toàn Dân."""
