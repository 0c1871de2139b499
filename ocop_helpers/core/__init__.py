"""Leaves every layer may use: error types, Vietnamese number and money formats (and the one money
parser), the project's folders, dated tables (``in_force``) and atomic file writes. Imports nothing
else from ``ocop_helpers``."""
