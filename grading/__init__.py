"""This course's additions to nbgrader, grouped by kind; nbgrader_config.py names them.

- ``steps/``: nbgrader's steps as the course extends them (preprocessors, the feedback exporter,
  the late-penalty plugin), one per module;
- ``verdicts/``: how a test cell is split, what the kernel hands out, and the checks the
  grading process runs on it;
- ``run/``: the grading run (``python -m grading.run``): intake, workers, gradebook, summary;
- ``sandbox/``: every grading kernel in a bubblewrap sandbox (kernel provisioner, cgroups);
- ``render/``: HTML for people: the solution page for readers, the formgrader's guard, the
  templates;
- ``pipeline``: nbgrader's own lists of steps with the course's put in;
- ``assignments``: the course's assignments (``assignments.toml``) and each one's facts.
"""
__all__ = ["assignments", "pipeline", "render", "run", "sandbox", "steps", "verdicts"]
