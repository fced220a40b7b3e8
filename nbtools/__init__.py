"""Tools for the course's own notebooks, used by the tests, the demo and the data generator
(not by grading): reading a notebook by its nbgrader cells, and making submissions from it."""
__all__ = ["notebook_cells"]
