"""What several test modules share. Test modules import it as ``tests.helpers`` (the repository
root is on pytest's ``pythonpath``)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"  # the known-answer vectors
