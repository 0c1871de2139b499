"""Helpers shared by the tests (no tests here): plan folders and CSV edits (``plans``), inline frames
(``frames``), hand-built documents (``documents``), finding figures in built documents (``docfind``),
and Debian's chromium / a test-owned JupyterLab (``browser``)."""
