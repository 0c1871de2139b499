# Jupyter server settings of the project, read when JUPYTER_CONFIG_PATH includes this folder
# (`make lab` and the browser tests set it).
#
# A notebook saved from JupyterLab keeps its tables and charts, but its live controls cannot be
# restored from the file ("model not found" when it is opened again): the file gets, where each
# widget view was, a Vietnamese line saying to run the notebook again. The open tab is unchanged.
c = get_config()  # noqa: F821
c.ContentsManager.pre_save_hook = "ocop_helpers.lab.savehook.notebook_pre_save"
