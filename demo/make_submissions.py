"""Write the demo submissions from release/ and the reference solution in source/.

    python -m demo.make_submissions [--assignment NAME]   # demo/submitted/<student>/<NAME>/

Three students: ``reference`` fills every solution cell with the reference solution,
``untouched`` hands in the release notebook as it is, and ``mistakes`` makes typical
mistakes (listed in MISTAKES, for the assignments that have them: em_prankster's three) and
is otherwise correct. tests/test_sync.py checks that the committed notebooks are what this
script writes today.
"""
import argparse
import pathlib

from grading import assignments
from coursetools import notebook_cells
from prankster import secret, suspects

ROOT = pathlib.Path(__file__).resolve().parents[1]

# assignment -> [(solution cell, reference text, mistaken text, what a student got wrong)]
MISTAKES = {"em_prankster": [
    ("calculate_log_probability",
     "H * W * np.log(np.sqrt(2 * np.pi) * s)",
     "H * W * np.log(np.sqrt(2 * np.pi * s))",
     "normalising constant with s where s^2 belongs"),
    ("run_m_step",
     "    B = np.divide(numerator, denominator, out=np.zeros((H, W)), where=seen)\n",
     "    B = X.mean(axis=2)  # forgot that the face hides part of the background\n",
     "background averaged over every image, face area included"),
    ("answer_prankster", None, None, "names the wrong suspect"),
]}


def submissions(name="em_prankster"):
    """student id -> notebook, for the assignment ``name``."""
    assignment = assignments.load(name)
    release = notebook_cells.read(ROOT / "release" / name / assignment.notebook)
    reference = notebook_cells.reference_code(notebook_cells.read(assignment.source_notebook))
    if name not in MISTAKES:
        return {"reference": notebook_cells.make_submission(release, reference), "untouched": release}
    mistaken = dict(reference)
    for gid, right, wrong, _ in MISTAKES[name]:
        if gid == "answer_prankster":
            innocent = next(name for name, _ in suspects.lineup() if name != secret.PRANKSTER)
            mistaken[gid] = f"PRANKSTER = {innocent!r}"
        else:
            if right not in mistaken[gid]:
                raise ValueError(f"the reference {gid} no longer contains {right!r}")
            mistaken[gid] = mistaken[gid].replace(right, wrong)
    return {
        "reference": notebook_cells.make_submission(release, reference),
        "untouched": release,
        "mistakes": notebook_cells.make_submission(release, mistaken),
    }


def main(argv=None, out=ROOT / "demo" / "submitted"):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignment", default="em_prankster", choices=assignments.names())
    name = parser.parse_args(argv).assignment
    notebook = assignments.load(name).notebook
    for student, nb in submissions(name).items():
        path = pathlib.Path(out) / student / name / notebook
        path.parent.mkdir(parents=True, exist_ok=True)
        notebook_cells.write(nb, path)
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    main()
