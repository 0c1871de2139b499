"""Tools for developers: synthetic plans of any size (``synth``)."""
