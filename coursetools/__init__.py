"""The course's own tools outside grading, for its tests, demo, benchmark and data generator:

- ``course_copy``: a copy of the course (``COURSE_FILES``), as tests, benchmarks and the hub make one;
- ``notebook_cells``: the course's notebooks read by their nbgrader cells, and submissions
  made from them;
- ``servers``: one harness for the servers tests and benchmarks start (JupyterLab, a
  JupyterHub, PostgreSQL): a free port, start, wait until it answers, stop with everything
  it started.
"""
__all__ = ["course_copy", "notebook_cells", "servers"]
