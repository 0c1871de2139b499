"""The planner's JupyterLab: controls per notebook (``panels``), a control's value shown and read back
(``controls``), the workbench that recomputes and redraws what changed (``widgets``), and the
notebooks' git clean filter and save hook (``nbclean``)."""
