"""The planner's JupyterLab: controls per notebook (``panels``), a control's value shown and read back
(``controls``), the workbench that recomputes and redraws what changed (``workbench``), the notebooks'
``start`` and ``section`` (``widgets``), the notebooks' git clean filter (``nbclean``) and the Jupyter
server's save hook (``savehook``)."""
