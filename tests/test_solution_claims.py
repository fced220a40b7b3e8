"""The solution notebook's stated results agree with the numbers it printed above them.

Seconds change from run to run, so the solution notebook shows none (`make bench` times what
it explains, and the Speed page (docs/speed.md) gives the figures): it compares EM and hard-EM by
counts (iterations, photos, matrix products until the face is recognisable), the plain and the
reference log-likelihoods by their arithmetic, and counts the subnormal numbers it explains.
Every sentence that names a winner or a ratio is printed by the cell from its own numbers.
These tests read the committed, executed notebook and recompute each such verdict and ratio
from the printed table or counts, independently of the cell's code.
"""
import re

import numpy as np
import pytest

from support import SOLUTION_NB
from coursetools import notebook_cells


def printed(start):
    """The printed text of the solution-only code cell whose source starts with ``start``."""
    nb = notebook_cells.read(SOLUTION_NB)
    cells = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(start)]
    assert len(cells) == 1, start
    return "".join(o.get("text", "") for o in cells[0].outputs if o.output_type == "stream")


def ratio_bounds(numerator, denominator, decimals):
    """The range of numerator / denominator, given both were printed rounded to ``decimals``."""
    half = 0.5 * 10 ** -decimals
    return (numerator - half) / (denominator + half), (numerator + half) / max(denominator - half, 1e-12)


def assert_ratio(shown, numerator, denominator, decimals, shown_decimals):
    low, high = ratio_bounds(numerator, denominator, decimals)
    half = 0.5 * 10 ** -shown_decimals
    assert low - half <= shown <= high + half, (shown, numerator, denominator)


COMPARISON = "THRESHOLD = 0.9"
VERDICT = re.compile(r"^(?P<what>[a-z ]+) until recognisable: EM needs fewer from (?P<em>\d+) of the 5 starts, "
                     r"hard-EM from (?P<hard>\d+), the same from (?P<same>\d+); medians (?P<m_em>\S+) "
                     r"\(EM\) and (?P<m_hard>\S+) \(hard-EM\): (?P<winner>EM|hard-EM|neither) wins$")


def table(text):
    """{method: [(iterations, photos, products) or None, ...] by start} from the printed table."""
    rows = {"EM": {}, "hard-EM": {}}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) in (4, 6) and parts[0].isdigit() and parts[1] in rows:
            reached = None if parts[2] == "never" else tuple(map(float, parts[2:5]))
            rows[parts[1]][int(parts[0])] = reached
    return {name: [by_start[k] for k in sorted(by_start)] for name, by_start in rows.items()}


def test_em_against_hard_em_verdicts_follow_the_printed_table():
    text = printed(COMPARISON)
    rows = table(text)
    assert len(rows["EM"]) == len(rows["hard-EM"]) == 5, text
    verdicts = [VERDICT.match(line) for line in text.splitlines() if "until recognisable:" in line]
    assert [v["what"] for v in verdicts if v] == ["iterations", "photos processed", "matrix products"], text
    for column, verdict in enumerate(verdicts):
        em = np.array([np.inf if r is None else r[column] for r in rows["EM"]])
        hard = np.array([np.inf if r is None else r[column] for r in rows["hard-EM"]])
        assert int(verdict["em"]) == np.sum(em < hard), verdict.group(0)
        assert int(verdict["hard"]) == np.sum(hard < em), verdict.group(0)
        assert int(verdict["same"]) == np.sum(hard == em), verdict.group(0)
        median_em, median_hard = np.median(em), np.median(hard)
        assert float(verdict["m_em"]) == pytest.approx(median_em, abs=0.006), verdict.group(0)
        assert float(verdict["m_hard"]) == pytest.approx(median_hard, abs=0.006), verdict.group(0)
        winner = "EM" if median_em < median_hard else "hard-EM" if median_hard < median_em else "neither"
        assert verdict["winner"] == winner, verdict.group(0)


def test_subnormal_passage_follows_its_printed_counts():
    """The text: the max trick alone leaves subnormal entries in q, run_e_step none, and
    setting them to 0 changes q by less than 1e-305."""
    text = printed("np.random.seed(0)  # a random start with s = 50")
    shares = re.search(r"subnormal: (\d+\.\d)% with the max trick alone, (\d+\.\d)% from run_e_step", text)
    assert shares and float(shares[1]) > 0 and float(shares[2]) == 0, text
    change = re.search(r"largest change to q from setting them to 0: (\S+)\n", text)
    assert change and 0 < float(change[1]) < 1e-305, text


def test_one_loop_against_one_product_counts_follow_the_shapes():
    """The counts of arithmetic, recomputed from the problem's sizes, and the text's claim that
    they are within a factor of two."""
    text = printed("def log_probability_one_loop")
    assert "same values: True" in text, text
    images = int(re.search(r"on (\d+) images, both ways", text)[1])
    loop = int(re.search(r"one loop over offsets\s+([\d,]+)", text)[1].replace(",", ""))
    product = int(re.search(r"one matrix product\s+([\d,]+)", text)[1].replace(",", ""))
    height, width, face = 100, 200, 73  # the photos and the face (the README's story)
    offsets, pixels = width - face + 1, height * width
    # the loop: subtract, square, add, per offset, pixel and image; the product: multiply and
    # add per offset, pixel and image, the squared norms of the images, and the squares of the
    # background and the face
    assert loop == 3 * offsets * pixels * images, text
    assert product == (2 * offsets * pixels * images + 2 * pixels * images
                       + 2 * (pixels + height * face)), text
    shown = float(re.search(r"the loop does (\d+\.\d\d)x the arithmetic", text)[1])
    assert_ratio(shown, loop, product, 0, 2)
    assert 0.5 < loop / product < 2, "the text says the counts are within a factor of two"
    # the text: 256 arrays as large as the data for the 128 offsets, three at once at each
    arrays = re.search(r"the loop writes: (\d+), of (\d+\.\d) MiB each; three at once at each "
                       r"offset: (\d+\.\d) MiB", text)
    assert arrays, text
    size_mib = height * width * images * 8 / 2 ** 20  # float64 pixels
    assert int(arrays[1]) == 2 * offsets == 256, text
    assert float(arrays[2]) == pytest.approx(size_mib, abs=0.05), text
    assert float(arrays[3]) == pytest.approx(3 * size_mib, abs=0.05), text


def test_no_stated_winner_outside_the_printed_verdicts():
    """The markdown around the comparisons names no winner: the cells print it."""
    nb = notebook_cells.read(SOLUTION_NB)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and "solution-only" in cell.metadata.get("tags", []):
            assert not re.search(r"\b(EM|hard-EM) wins\b", cell.source), cell.source[:80]


def test_the_lineups_closest_pair_is_as_the_hard_em_passage_says(truth):
    """"the most similar pair in the lineup correlates 0.58, and no other suspect reaches 0.58
    with the prankster": both read from the lineup pictures."""
    text = next(c.source for c in notebook_cells.read(SOLUTION_NB).cells
                if "After the deadline: EM against hard-EM" in c.source and c.cell_type == "markdown")
    pair, others = (float(x) for x in re.search(
        r"most similar pair in the lineup correlates (\d\.\d+), and no\s+other suspect reaches "
        r"(\d\.\d+) with the prankster", text).groups())
    faces = truth["faces"].reshape(len(truth["faces"]), -1).astype(float)
    corr = np.corrcoef(faces)
    np.fill_diagonal(corr, -1.0)
    assert round(corr.max(), 2) == pair, corr.max()
    assert corr[int(truth["prankster"])].max() < others + 0.005, corr[int(truth["prankster"])].max()
