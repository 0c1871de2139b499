"""What a user runs: the build (papermill, staging, manifest), scenario files, comparisons and sweeps,
the year-over-year page, and the command line."""
