"""The class report: how the whole class did, on one page, for the instructor.

    python -m grading.run.report [--course DIR]    (rebuilds it from grading_results.json)

The summary (``grading/run/summary.py``) has one line per student; with a class of 100 that is
a table, not a picture. ``class_report.html`` is the picture, written by the grading run beside
the summary from the students' result records alone (``grading/run/record.py``). It shows:

- the score distribution: a histogram of total scores and their count, mean, median, min and
  max. Scores include extra credit, as nbgrader counts them, so a score can pass the maximum;
- a grid of functions x behaviours: the share of the graded students who passed each grade
  cell. A bonus cell (no points, only extra credit) counts as passed only if it earned some;
- the most common failure messages, grouped by function and the message's first line, or the
  reason when the cell has no message; decimals of 3 places or more are written ``#``, so that
  "LL = [-1793.427]" and "LL = [-12.345]" count as one. Each links to the list of its students;
- the students held for review and why, the students graded late and by how much, grading
  time per student (a histogram and the slowest 10), and every student who was not graded.

The page is one offline file: no script at all (lists fold with ``<details>``, links are
anchors), inline CSS, figures as inline SVG with an accessible name that says their numbers,
and a Content-Security-Policy that forbids everything else. Student ids and messages are
the students' text: every one is escaped.

``class_report.csv`` has the page's numbers, one row each, columns ``kind,key,detail,value,
total,share`` (share = value / total, where there is a total):

- ``students``: key ``in class``, ``graded``, ``not graded``, ``held for review`` or ``late``;
  value the students, total the class;
- ``score``: key ``count``, ``mean``, ``median``, ``min`` or ``max``; value in points, total the
  maximum score;
- ``score bin`` and ``seconds bin``: key the bin's lower bound (the last bin is open above);
  value the students in it, total the graded students;
- ``cell``: key the grade_id, detail ``function: behaviour``; value the graded students who
  passed it, total the graded students who have it;
- ``message``: key its anchor on the page (``msg-1`` is the most common), detail ``function:
  message``; value the students who got it, total the graded students;
- ``held``: key the student, detail why, value the cells held;
- ``late``: key the student, detail the late penalty in points, value the seconds late;
- ``seconds``: key ``mean``, ``median`` or ``max`` (value in seconds), or ``slowest`` with the
  student in detail;
- ``not graded``: key the student, detail why.

Text that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``) gets
a leading ``'``.
"""
import argparse
import csv
import html
import math
import re
import statistics
import sys
from collections import Counter
from pathlib import Path

from grading.run import record

__all__ = ["REPORT_HTML", "REPORT_CSV", "write", "main"]

REPORT_HTML = "class_report.html"
REPORT_CSV = "class_report.csv"
FIELDS = ["kind", "key", "detail", "value", "total", "share"]
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
TOP_MESSAGES = 25  # the page's table; the CSV has them all
SLOWEST = 10
DECIMAL = re.compile(r"[-+]?\d*\.\d{3,}(?:[eE][-+]?\d+)?")  # a computed value, not a check's input
STYLE = """body{font:15px/1.45 system-ui,sans-serif;max-width:72em;margin:1em auto;padding:0 1em}
nav a{margin-right:1em}table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;
padding:.25em .5em;text-align:left;vertical-align:top}td.n{text-align:right}.grid td{min-width:7em}
.grid small{display:block;color:#333}figure{margin:.5em 0}svg{max-width:100%;height:auto}
svg rect{fill:#4a78b5}svg text{font-size:11px;text-anchor:middle;fill:#222}svg .axis{stroke:#666}
pre{white-space:pre-wrap;background:#f4f4f4;padding:.5em;max-height:12em;overflow:auto}
ul.ids{display:flex;flex-wrap:wrap;gap:.2em 1.2em;padding-left:1.2em}code{word-break:break-all}"""


def esc(text):
    return html.escape(str(text), quote=True)


def earned(cell):
    """Whether a cell counts as passed: the record says so and, for a bonus cell, it earned some."""
    return cell.passed and (cell.max_score > 0 or cell.score > 0 or cell.extra_credit > 0)


def headline(cell):
    """What a failure is grouped by: its message's first line (long decimals as ``#``), else
    its reason."""
    lines = cell.message.strip().splitlines()
    return DECIMAL.sub("#", lines[0])[:240] if lines else cell.reason


def percent(n, total):
    return f"{100 * n / total:.0f}%" if total else "-"


def duration(seconds):
    """``3 d 4 h``, ``2 h 5 min``, ``12 min``, ``40 s``."""
    s = int(round(seconds))
    for big, small, name, sub in ((86400, 3600, "d", "h"), (3600, 60, "h", "min")):
        if s >= big:
            return f"{s // big} {name} {s % big // small} {sub}"
    return f"{s // 60} min" if s >= 60 else f"{s} s"


def bins(values, step, top=None):
    """[(lower bound, count)] of ``values`` in bins of ``step`` from 0; the last, at ``top``
    (default: the largest value's bin), takes everything above."""
    top = top if top is not None else step * math.floor(max(values, default=0) / step)
    edges = [i * step for i in range(int(round(top / step)) + 1)]
    counts = Counter(min(len(edges) - 1, max(0, math.floor(v / step + 1e-9))) for v in values)
    return [(edge, counts[i]) for i, edge in enumerate(edges)]


def nice_step(top, parts=10):
    raw = max(top, 1e-9) / parts
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def tally(results):
    """Everything the page and the CSV show, counted once."""
    graded = [r for r in results if r.graded]
    cells, messages = {}, {}  # grade_id -> [section, behaviour, passed, total]; key -> {...}
    for r in graded:
        for c in r.cells:
            row = cells.setdefault(c.grade_id, [c.section, c.behaviour, 0, 0])
            row[2], row[3] = row[2] + earned(c), row[3] + 1
            if c.reason or c.message:
                found = messages.setdefault((c.section, headline(c)),
                                            {"students": [], "example": c.message})
                if r.student not in found["students"][-1:]:
                    found["students"].append(r.student)
    ranked = sorted(messages.items(), key=lambda kv: (-len(kv[1]["students"]), kv[0]))
    scores = [r.score for r in graded if r.score is not None]
    maximum = Counter(r.max_score for r in graded if r.max_score).most_common(1)
    maximum = maximum[0][0] if maximum else max(scores, default=0) or 1
    seconds = [r.seconds for r in graded]
    step = nice_step(max(seconds, default=1))
    return {
        "class": len(results), "graded": graded, "cells": cells, "maximum": maximum,
        "messages": [(f"msg-{i}", key, found) for i, (key, found) in enumerate(ranked, 1)],
        "scores": scores, "score_bins": bins(scores, maximum / 10, maximum),
        "seconds": seconds, "seconds_bins": bins(seconds, step), "seconds_step": step,
        "held": [r for r in results if r.held],
        "late": sorted((r for r in results if r.seconds_late > 0), key=lambda r: -r.seconds_late),
        "slowest": sorted(graded, key=lambda r: -r.seconds)[:SLOWEST],
        "not_graded": [r for r in results if not r.graded]}


def in_words(counts, step):
    """A histogram's bins in words: "0 to under 10: 3, ..., 100 or more: 2"."""
    return ", ".join(f"{b:g} or more: {n}" if i == len(counts) - 1
                     else f"{b:g} to under {b + step:g}: {n}" for i, (b, n) in enumerate(counts))


def stats(values):
    if not values:
        return {}
    return {"mean": statistics.fmean(values), "median": statistics.median(values),
            "min": min(values), "max": max(values)}


def histogram(ident, counts, name, axis):
    """An inline SVG bar chart of [(label, count)], named (for screen readers) by ``name``."""
    width, height, pad = 640, 210, 28
    top, step = max((n for _, n in counts), default=0) or 1, (width - 2 * pad) / max(len(counts), 1)
    parts = [f'<line class="axis" x1="{pad}" y1="{height - pad}" x2="{width - pad}" '
             f'y2="{height - pad}"/>']
    for i, (label, n) in enumerate(counts):
        h, x = (height - 2 * pad - 14) * n / top, pad + i * step
        parts.append(f'<rect x="{x + 1:.1f}" y="{height - pad - h:.1f}" width="{step - 2:.1f}" '
                     f'height="{h:.1f}"/>'
                     f'<text x="{x + step / 2:.1f}" y="{height - pad - h - 3:.1f}">{n or ""}</text>'
                     f'<text x="{x + step / 2:.1f}" y="{height - pad + 13}">{esc(label)}</text>')
    parts.append(f'<text x="{width / 2}" y="{height - 3}">{esc(axis)}</text>')
    return (f'<figure><svg role="img" aria-labelledby="{ident}-name" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{ident}-name">{esc(name)}</title>{"".join(parts)}</svg></figure>')


class Num(str):
    """A number in a table, aligned right."""


def table(head, rows, empty):
    """An HTML table; ``rows`` are lists of cells, escaped already (a ``Num`` is aligned right)."""
    if not rows:
        return f"<p>{esc(empty)}</p>"
    cell = lambda v: f'<td class="n">{v}</td>' if isinstance(v, Num) else f"<td>{v}</td>"
    return ("<table><thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr></thead>"
            + "<tbody>" + "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in rows)
            + "</tbody></table>")


def scores_part(t):
    g, m, score = len(t["graded"]), t["maximum"], stats(t["scores"])
    out = ('<h2 id="scores">Scores</h2><p>Scores include extra credit, as nbgrader counts it, so a '
           f"score can pass the maximum of {m:g}.</p>")
    if not score:
        return out + "<p>No student was graded.</p>"
    last = len(t["score_bins"]) - 1
    name = (f"Histogram of the total scores of {g} graded students, in bins of {m / 10:g} points out "
            f"of {m:g} ({in_words(t['score_bins'], m / 10)} students); "
            + ", ".join(f"{k} {v:.1f}" for k, v in score.items()) + ".")
    return (out + histogram("scores-figure", [(f"{b:g}" + "+" * (i == last), n) for i, (b, n) in
                                              enumerate(t["score_bins"])],
                            name, "score (points; the last bar is full marks or more)")
            + table(["count", "mean", "median", "min", "max"],
                    [[Num(g)] + [Num(f"{v:.1f}") for v in score.values()]], ""))


def grid_part(t):
    sections = {}
    for gid, (section, behaviour, passed, total) in t["cells"].items():
        sections.setdefault(section, []).append(
            f'<td title="{esc(gid)}" style="background:hsl({120 * (passed / total) ** 2:.0f},65%,85%)">'
            f"{esc(behaviour)}<small>{percent(passed, total)} ({passed}/{total})</small></td>")
    rows = "".join(f'<tr><th scope="row">{esc(section)}</th>{"".join(tds)}</tr>'
                   for section, tds in sections.items())
    return ('<h2 id="grid">Cells: the share of graded students who passed each</h2><p>One row per '
            "function or answer, one cell per behaviour its tests check. A bonus cell counts as "
            "passed only where it earned extra credit.</p>"
            + (f'<table class="grid"><tbody>{rows}</tbody></table>' if rows else "<p>No cells.</p>"))


def messages_part(t):
    shown, rest = t["messages"][:TOP_MESSAGES], t["messages"][TOP_MESSAGES:]
    out = '<h2 id="messages">The most common failure messages</h2>' + table(
        ["students", "function", "message (first line)"],
        [[Num(len(f["students"])), esc(s), f'<a href="#{a}-who">{esc(h)}</a>']
         for a, (s, h), f in shown],
        "No cell lost points.")
    if rest:
        out += (f"<p>And {len(rest)} other messages, each got by {len(rest[0][2]['students'])} "
                "students or fewer (all in the CSV).</p>")
    for anchor, (section, text), found in shown:  # the link's target is the list: it unfolds
        out += (f'<details id="{anchor}"><summary>{esc(section)}: {esc(text)} '
                f'({len(found["students"])} students)</summary>'
                + (f"<pre>{esc(found['example'])}</pre>" if found["example"] else "")
                + f'<ul class="ids" id="{anchor}-who">'
                + "".join(f"<li>{esc(x)}</li>" for x in found["students"]) + "</ul></details>")
    return out


def time_part(t):
    out = '<h2 id="time">Grading time per student</h2>'
    if not t["seconds"]:
        return out + "<p>No student was graded.</p>"
    name = (f"Histogram of the seconds each of {len(t['graded'])} graded students' notebook ran, in "
            f"bins of {t['seconds_step']:g} s ({in_words(t['seconds_bins'], t['seconds_step'])} "
            "students); " + ", ".join(f"{k} {v:.1f} s" for k, v in stats(t["seconds"]).items()) + ".")
    return (out + histogram("time-figure", [(f"{b:g}", n) for b, n in t["seconds_bins"]], name,
                            "seconds the notebook ran")
            + "<h3>The slowest</h3>"
            + table(["student", "seconds"], [[esc(r.student), Num(f"{r.seconds:.1f}")] for r in t["slowest"]], ""))


def page(t, title):
    """The whole page, from ``tally``'s counts."""
    parts = [("scores", "Scores"), ("grid", "Cells"), ("messages", "Failures"), ("held", "Held"),
             ("late", "Late"), ("time", "Time"), ("not-graded", "Not graded")]
    return "\n".join([
        '<!DOCTYPE html><html lang="en"><head>'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}"><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{STYLE}</style></head><body><h1>{esc(title)}</h1>"
        f"<p>{t['class']} students: {len(t['graded'])} graded, {len(t['not_graded'])} not graded, "
        f"{len(t['held'])} held for review, {len(t['late'])} late.</p>"
        "<nav>" + "".join(f'<a href="#{a}">{what}</a>' for a, what in parts) + "</nav>",
        scores_part(t), grid_part(t), messages_part(t),
        '<h2 id="held">Held for review</h2>' + table(
            ["student", "cells held", "why"],
            [[esc(r.student), esc(", ".join(r.held)), esc(r.held_because or "-")] for r in t["held"]],
            "No student was held for review."),
        '<h2 id="late">Graded late</h2>' + table(
            ["student", "late by", "seconds late", "late penalty"],
            [[esc(r.student), duration(r.seconds_late), Num(f"{r.seconds_late:.0f}"),
              Num(f"{r.late_penalty:g}")] for r in t["late"]], "No student was late."),
        time_part(t),
        '<h2 id="not-graded">Not graded</h2>' + table(
            ["student", "why"], [[esc(r.student), esc(r.reason)] for r in t["not_graded"]],
            "Every student was graded."),
        "</body></html>\n"])


def csv_text(value):
    """Text a spreadsheet will not read as a formula."""
    value = str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def rows(t):
    """The CSV's rows (see the module's docstring)."""
    g, n, m = len(t["graded"]), t["class"], t["maximum"]
    row = lambda kind, key, detail="", value="", total="": {
        "kind": kind, "key": csv_text(key), "detail": csv_text(detail), "value": value, "total": total,
        "share": round(value / total, 4) if total and value != "" else ""}
    counts = [("in class", n), ("graded", g), ("not graded", len(t["not_graded"])),
              ("held for review", len(t["held"])), ("late", len(t["late"]))]
    out = [row("students", k, "", v, n) for k, v in counts] + [row("score", "count", "", g)]
    out += [row("score", k, "", round(v, 4), m) for k, v in stats(t["scores"]).items()]
    out += [row("score bin", f"{b:g}", "", c, g) for b, c in t["score_bins"]] if t["scores"] else []
    out += [row("cell", gid, f"{s}: {b}", p, total) for gid, (s, b, p, total) in t["cells"].items()]
    out += [row("message", a, f"{s}: {h}", len(f["students"]), g) for a, (s, h), f in t["messages"]]
    out += [row("held", r.student, r.held_because, len(r.held)) for r in t["held"]]
    out += [row("late", r.student, f"{r.late_penalty:g}", r.seconds_late) for r in t["late"]]
    out += [row("seconds", k, "", round(v, 3)) for k, v in stats(t["seconds"]).items() if k != "min"]
    out += [row("seconds", "slowest", r.student, r.seconds) for r in t["slowest"]]
    out += [row("seconds bin", f"{b:g}", "", c, g) for b, c in t["seconds_bins"]] if t["seconds"] else []
    out += [row("not graded", r.student, r.reason) for r in t["not_graded"]]
    return out


def write(course, results):
    """Write REPORT_HTML and REPORT_CSV in ``course`` from the students' records (StudentResult).

    Parameters
    ----------
    course : str or Path
        The course folder, where the summary is.
    results : list of grading.run.record.StudentResult
        Every student's record, graded or not.

    Returns
    -------
    Path
        The page's path.
    """
    course = Path(course)
    t = tally(results)
    assignments = sorted({r.assignment for r in results})
    title = f"Class report: {', '.join(assignments) or 'no students'}"
    (course / REPORT_HTML).write_text(page(t, title), encoding="utf-8")
    with open(course / REPORT_CSV, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, FIELDS)
        writer.writeheader()
        writer.writerows(rows(t))
    return course / REPORT_HTML


def main(argv=None):
    """Rebuild the report from the records of the last grading run (``grading_results.json``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", default=".", help="the course folder (default: here)")
    args = parser.parse_args(argv)
    if not (Path(args.course) / record.RESULTS).exists():
        raise SystemExit(f"{Path(args.course) / record.RESULTS} is missing: run "
                         "`python -m grading.run ASSIGNMENT` first")
    results = record.read_results(args.course)
    where = write(args.course, results)
    print(f"{where} and {where.with_name(REPORT_CSV)}: {len(results)} students")
    return 0


if __name__ == "__main__":
    sys.exit(main())
