"""The kit inside nbgrader: the source notebook it builds, the preprocessors nbgrader runs
(``nbgrader_config.py``) and the checks a notebook's test cells call in the kernel."""
