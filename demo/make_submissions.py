"""Write the demo submissions from release/ and the reference solution in source/.

    python -m demo.make_submissions            # writes demo/submitted/<student>/em_prankster/

Three students: ``reference`` fills every solution cell with the reference solution,
``untouched`` hands in the release notebook as it is, and ``mistakes`` makes three
typical mistakes (listed in MISTAKES) and is otherwise correct. tests/test_sync.py
checks that the committed notebooks are what this script writes today.
"""
import pathlib

from nbtools import notebook_cells
from grading.assignment import ASSIGNMENT, NOTEBOOK
from prankster import secret, suspects

ROOT = pathlib.Path(__file__).resolve().parents[1]

# (solution cell, reference text, mistaken text, what a student got wrong)
MISTAKES = [
    ("calculate_log_probability",
     "H * W * np.log(np.sqrt(2 * np.pi) * s)",
     "H * W * np.log(np.sqrt(2 * np.pi * s))",
     "normalising constant with s where s^2 belongs"),
    ("run_m_step",
     "    B = np.divide(numerator, denominator, out=np.zeros((H, W)), where=seen)\n",
     "    B = X.mean(axis=2)  # forgot that the face hides part of the background\n",
     "background averaged over every image, face area included"),
    ("answer_prankster", None, None, "names the wrong suspect"),
]


def submissions():
    """student id -> notebook."""
    release = notebook_cells.read(ROOT / "release" / ASSIGNMENT / NOTEBOOK)
    reference = notebook_cells.reference_code(notebook_cells.read(ROOT / "source" / ASSIGNMENT / NOTEBOOK))
    mistaken = dict(reference)
    for gid, right, wrong, _ in MISTAKES:
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


def main(out=ROOT / "demo" / "submitted"):
    for student, nb in submissions().items():
        path = pathlib.Path(out) / student / ASSIGNMENT / NOTEBOOK
        path.parent.mkdir(parents=True, exist_ok=True)
        notebook_cells.write(nb, path)
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    main()
