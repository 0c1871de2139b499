"""Data -> Plan: read input files (kinds checked first), convert them against their schemas, check
them across tables, and load one frozen :class:`~ocop_helpers.inputs.plan.Plan` with every reference
table it needs. Problems are reported by file, row and column, all at once."""
