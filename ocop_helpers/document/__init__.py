"""Results -> documents as blocks: the block model (``docmodel``), sections and their charts, the
official frame by date, the plan document and the annex sheets. Renders nothing to a file format."""
