"""Verdicts outside the kernel: how a graded test cell is split, handed out and judged.

- ``testcell``: a test cell split into the code the kernel runs and the checks the grader runs;
- ``handout``: the kernel's side, which sends values out as data (its text is sent to the kernel);
- ``handin``: the grader's side, which reads them with limits and no code;
- ``judge``: the checks run in the grading process, and the verdict.

``grading/steps/execute.py`` (``GuardedExecute``) uses them for every graded test cell, under
``python -m grading.run`` and plain ``nbgrader autograde`` alike; ``inprocess`` runs the
same split and checks without a kernel, for the tests and the mutation run.
"""
from grading.verdicts.handin import BadHandIn, Limits, Unsupported, decode
from grading.verdicts.judge import Checks, SubmittedFunction, Verdict, functions_in, load_module
from grading.verdicts.testcell import AuthoringError, TestCell, is_test_cell, split

__all__ = ["AuthoringError", "BadHandIn", "Checks", "Limits", "SubmittedFunction", "TestCell",
           "Unsupported", "Verdict", "decode", "functions_in", "is_test_cell", "load_module",
           "split"]
