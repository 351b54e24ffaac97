"""``make chaos``: the fault-injection soak of issue 7. Not implemented yet: it exits with an error
saying so rather than pretending to pass."""

from __future__ import annotations

import sys


def main() -> int:
    """Refuse clearly."""
    print(
        "NOT IMPLEMENTED YET: the 1,000-wait chaos soak (issue 7). The emulator's fault injection it "
        "will use exists (POST /_emulator/faults); tests/test_hostile_responses.py and tests/test_waiting.py "
        "cover single faults today.",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main())
