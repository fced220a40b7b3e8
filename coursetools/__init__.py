"""The course's own tools outside grading, for its tests, demo, benchmark and data generator:

- ``notebook_cells``: the course's notebooks read by their nbgrader cells, and submissions
  made from them;
- ``servers``: one harness for the servers tests and benchmarks start (JupyterLab, a
  JupyterHub, PostgreSQL): a free port, start, wait until it answers, stop with everything
  it started.
"""
__all__ = ["notebook_cells", "servers"]
