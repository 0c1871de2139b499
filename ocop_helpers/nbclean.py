"""Entry point kept for the git filter registered by earlier clones
(``.venv/bin/python -m ocop_helpers.nbclean``); the filter itself is :mod:`ocop_helpers.lab.nbclean`."""

import sys

from ocop_helpers.lab.nbclean import main

if __name__ == "__main__":
    sys.exit(main())
