"""The grading run: a class graded safely, in parallel, into the one gradebook.

    python -m grading.run ASSIGNMENT [--workers N] [--resume] [--course DIR] [--no-sandbox]

- ``intake``: each submission checked and staged; ``parallel``: shards, workers, merge,
  resume; ``gradebook``: where the gradebook is; ``summary``: the instructor's summary;
  ``report``: the class report (class_report.html and .csv) beside it.
"""
__all__ = ["gradebook", "intake", "parallel", "report", "summary"]
