"""Entry point ``python -m ocop_helpers.scenarios a.yaml b.yaml`` (combine saved scenarios and list
every override); the logic is :mod:`ocop_helpers.runs.scenarios`."""

import sys

from ocop_helpers.runs.scenarios import main

if __name__ == "__main__":
    sys.exit(main())
