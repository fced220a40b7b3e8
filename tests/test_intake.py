"""Intake (grading/run/intake.py): what is staged from a submission, one rule per test.

Each test makes a tiny ``submitted/`` folder and stages it; no nbgrader, no kernel.
"""
import nbformat
import pytest

from grading.run import intake

NOTEBOOK = "em_prankster.ipynb"


def submission(tmp_path, student="student", files=None):
    folder = tmp_path / "submitted" / student / "em_prankster"
    folder.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), str(folder / NOTEBOOK))
    for name, content in (files or {}).items():
        (folder / name).write_text(content)
    return folder


def stage(tmp_path):
    return intake.stage(tmp_path / "submitted", tmp_path / "staged", "em_prankster", NOTEBOOK)


@pytest.fixture
def secret_file(tmp_path):
    secret = tmp_path / "course" / "source" / "reference.py"
    secret.parent.mkdir(parents=True)
    secret.write_text("THE REFERENCE SOLUTION\n")
    return secret


def test_a_link_in_the_submission_is_left_out_with_a_note(tmp_path, secret_file):
    folder = submission(tmp_path, files={"notes.txt": "mine\n"})
    (folder / "reference.py").symlink_to(secret_file)
    (folder / "sub").mkdir()
    (folder / "sub" / "deeper.py").symlink_to(secret_file)
    result = stage(tmp_path)["student"]
    staged = tmp_path / "staged" / "student" / "em_prankster"
    assert result.staged and (staged / "notes.txt").read_text() == "mine\n"
    assert not (staged / "reference.py").exists() and not (staged / "sub" / "deeper.py").exists()
    assert "left out 2 symbolic link(s)" in result.notes[0]
    assert "THE REFERENCE" not in "".join(p.read_text() for p in staged.rglob("*") if p.is_file())


def test_a_linked_notebook_is_not_graded_as_the_notebook(tmp_path):
    other = submission(tmp_path, student="other")
    folder = tmp_path / "submitted" / "student" / "em_prankster"
    folder.mkdir(parents=True)
    (folder / NOTEBOOK).symlink_to(other / NOTEBOOK)
    result = stage(tmp_path)["student"]
    assert not result.staged and "no notebook in the submission" in result.notes[-1]


def test_a_linked_submission_folder_is_not_staged(tmp_path):
    other = submission(tmp_path, student="other")
    (tmp_path / "submitted" / "student").mkdir()
    (tmp_path / "submitted" / "student" / "em_prankster").symlink_to(other)
    result = stage(tmp_path)["student"]
    assert not result.staged and "symbolic link" in result.notes[-1]
    assert stage(tmp_path)["other"].staged
