"""``python -m ocop_helpers``."""

import sys

from ocop_helpers.runs.cli import main

sys.exit(main())
