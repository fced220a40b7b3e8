"""A late submission loses points per started hour past the due date (nbgrader's late plugin).

nbgrader's own LateSubmissionPlugin can only give no penalty or zero. ``PenaltyPerHour``
takes ``points_per_hour`` points for every started hour late, never more than the score.
nbgrader's AssignLatePenalties step (in ``nbgrader_config.py``) calls it for a submission
whose ``timestamp.txt`` is after the assignment's due date (``nbgrader db assignment add
em_prankster --duedate=...`` or the formgrader); the penalty shows in the formgrader, the
feedback and ``nbgrader export``.
"""
import math

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float


class PenaltyPerHour(LateSubmissionPlugin):
    points_per_hour = Float(10.0, help="points lost per started hour late").tag(config=True)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        if total_seconds_late <= 0:
            return None
        return min(score, math.ceil(total_seconds_late / 3600) * self.points_per_hour)
