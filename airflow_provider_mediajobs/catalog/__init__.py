"""The catalog: one declarative entry per vendor API and per job kind (no I/O)."""
