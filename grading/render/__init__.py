"""HTML for people to read: the solution page for readers, and the formgrader's guard.

- ``reader_html``: the executed solution notebook as one offline page (``python -m
  grading.render.reader_html``), with the templates in ``templates/reader/``;
- ``formgrader_guard``: the Jupyter server extension that gives the formgrader's pages a
  Content-Security-Policy (only their own scripts run), with ``formgrade_page.js`` and
  ``templates/formgrade_guarded/``;
- ``templates/feedback_by_function/``: the feedback page (``grading.steps.FeedbackExporter``).
"""
__all__ = ["formgrader_guard", "reader_html"]
