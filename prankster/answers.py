"""Write the secret into the source notebook's answer cells and hidden answer tests.

``prankster/secret.py`` is the one place where the answers are set. This module rewrites
the lines of ``source/em_prankster/em_prankster.ipynb`` that depend on it:

* ``answer_prankster``: the reference answer ``PRANKSTER = "..."``;
* ``answer_prankster_hidden``: the culprit's name words and every other suspect's;
* ``answer_location``: the reference answer ``GAMES_LOCATION = "..."`` (the message);
* ``answer_location_hidden``: the words a correct answer must contain (``ANSWER_KEYWORDS``).

It also writes the lineup's image line, ``![...](lineup.png)``, with its alt text from
``prankster/suspects.py`` (``suspects.lineup_description``: every suspect's features).

Usage::

    python -m prankster.answers            # rewrite the source notebook from secret.py
    python -m prankster.answers --check    # exit 1 if the source notebook disagrees with it
    python -m prankster.answers --pin tests/test_data.py   # pin the data's checksum there

``make secret`` runs all of it with the data, release, solutions and demo in between.
"""
import argparse
import hashlib
import json
import pathlib
import re
import sys

from coursetools import notebook_cells
from . import secret, suspects

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCE_NB = ROOT / "source" / "em_prankster" / "em_prankster.ipynb"
DATA = ROOT / "source" / "em_prankster" / "data_em.npy"


def name_words(name):
    """The lower-case words of a name, as the hidden test splits an answer."""
    return sorted("".join(c if c.isalnum() else " " for c in name.lower()).split())


def _set_literal(words):
    return "{" + ", ".join(repr(w) for w in words) + "}"


def _str_literal(text):
    """A double-quoted Python string literal (JSON's is one, for the text of a name)."""
    return json.dumps(text)


def location():
    """The reference answer to "where are the games?": the message, in lower case."""
    return " ".join(secret.MESSAGE).lower()


def replacements():
    """grade_id -> [(pattern of one whole line, the line that replaces it)]."""
    names = [name for name, _ in suspects.SUSPECTS]
    if secret.PRANKSTER not in names:
        raise ValueError(f"secret.PRANKSTER = {secret.PRANKSTER!r} is not in the lineup {names}")
    keywords = tuple(k.lower() for k in secret.ANSWER_KEYWORDS)
    if not keywords or any(k not in location() for k in keywords):
        raise ValueError(f"secret.ANSWER_KEYWORDS {keywords} must be words of the message "
                         f"{location()!r}")
    others = ", ".join(_set_literal(name_words(n)) for n in names if n != secret.PRANKSTER)
    return {
        "answer_prankster": [(r"PRANKSTER = .*", f"PRANKSTER = {_str_literal(secret.PRANKSTER)}")],
        "answer_prankster_hidden": [
            (r"_culprit = .*", f"_culprit = {_set_literal(name_words(secret.PRANKSTER))}"),
            (r"_others = .*", f"_others = [{others}]"),
        ],
        "answer_location": [(r"GAMES_LOCATION = .*", f"GAMES_LOCATION = {_str_literal(location())}")],
        "answer_location_hidden": [
            (r"assert len\(_said\) <= 100 and all\(word in _said for word in .*\)\), \(",
             f"assert len(_said) <= 100 and all(word in _said for word in {keywords!r}), ("),
        ],
    }


LINEUP = "lineup.png"
LINEUP_LINE = re.compile(rf"(?m)^!\[[^\]\n]*\]\({re.escape(LINEUP)}\)$")


def rewrite_lineup(nb):
    """Write the lineup's alt text (``suspects.lineup_description``) into ``nb``'s one image
    line of ``lineup.png``; return whether it changed."""
    cells = [c for c in nb.cells if c.cell_type == "markdown" and LINEUP_LINE.search(c.source)]
    if len(cells) != 1:
        raise ValueError(f"expected one markdown cell with a line ![...]({LINEUP}), found {len(cells)}")
    source = LINEUP_LINE.sub(lambda _: f"![{suspects.lineup_description()}]({LINEUP})", cells[0].source)
    changed, cells[0].source = source != cells[0].source, source
    return changed


def rewrite(nb):
    """Rewrite ``nb``'s answer cells in place from secret.py, and the lineup's alt text from
    suspects.py; return the grade_ids changed (and "lineup" if its alt text changed)."""
    cells = notebook_cells.cells_by_id(nb)
    changed = ["lineup"] if rewrite_lineup(nb) else []
    for gid, rules in replacements().items():
        source = cells[gid].source
        for pattern, line in rules:
            source, count = re.subn(rf"(?m)^{pattern}$", lambda _: line, source)
            if count != 1:
                raise ValueError(f"cell {gid}: expected one line matching {pattern!r}, found {count}")
        if source != cells[gid].source:
            cells[gid].source = source
            changed.append(gid)
    return changed


def pin(test_file, data=DATA):
    """Write the sha256 of ``data`` into ``DATA_SHA256 = "..."`` in ``test_file``."""
    digest = hashlib.sha256(pathlib.Path(data).read_bytes()).hexdigest()
    path = pathlib.Path(test_file)
    text, count = re.subn(r'(?m)^DATA_SHA256 = "[0-9a-f]*"$', f'DATA_SHA256 = "{digest}"',
                          path.read_text())
    if count != 1:
        raise ValueError(f"{path}: expected one line DATA_SHA256 = \"...\", found {count}")
    path.write_text(text)
    return digest


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebook", default=str(SOURCE_NB))
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if the notebook disagrees with secret.py")
    parser.add_argument("--pin", metavar="TEST_FILE",
                        help="write the data's sha256 into DATA_SHA256 in TEST_FILE instead")
    args = parser.parse_args(argv)
    if args.pin:
        print(f"{args.pin}: DATA_SHA256 = {pin(args.pin)}")
        return 0
    nb = notebook_cells.read(args.notebook)
    changed = rewrite(nb)
    if args.check:
        if changed:
            print(f"{args.notebook} disagrees with prankster/secret.py or suspects.py in "
                  f"{', '.join(changed)}: run `make secret`")
            return 1
        return 0
    if changed:
        notebook_cells.write(nb, args.notebook)
    print(f"{args.notebook}: {', '.join(changed) or 'already agrees with prankster/secret.py and suspects.py'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
