"""``python -m ocop_helpers``."""

import sys

from .cli import main

sys.exit(main())
