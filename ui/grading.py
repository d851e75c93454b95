"""Graded predictions: each quiz entry is right (within the chosen tolerance), close (within
ten times it) or wrong; the session's score, and a summary to download. No Streamlit calls."""
import csv
import io

import numpy as np

from ui.format import md_text

CLOSE = 10.0   # "close": within this many times the tolerance
MARK = {"right": "✓ right", "close": "≈ close", "wrong": "✗ wrong", None: "–"}
FIELDS = ("step", "stage", "quantity", "entry", "predicted", "yours", "exact", "verdict")


def grade(typed, exact, tol):
    """Per entry: "right" (|typed − exact| ≤ tol), "close" (≤ 10·tol), "wrong", or None when
    skipped (nan)."""
    typed = np.asarray(typed, dtype=np.float64)
    exact = np.ravel(np.asarray(exact, dtype=np.float64))
    out = []
    for v, x in zip(typed, exact):
        if np.isnan(v):
            out.append(None)
        elif abs(v - x) <= tol + 1e-12:
            out.append("right")
        elif abs(v - x) <= CLOSE * tol + 1e-12:
            out.append("close")
        else:
            out.append("wrong")
    return out


def grade_signs(signs, exact):
    """Per entry: "right" when the typed sign is the exact value's sign, else "wrong"."""
    exact = np.ravel(np.asarray(exact, dtype=np.float64))
    return [None if np.isnan(s) else ("right" if s == np.sign(x) else "wrong")
            for s, x in zip(signs, exact)]


def counts(records):
    c = {"right": 0, "close": 0, "wrong": 0}
    for r in records:
        if r["verdict"] in c:
            c[r["verdict"]] += 1
    return c


def score_line(records):
    """One sentence: the session's score so far."""
    c = counts(records)
    n = sum(c.values())
    if not n:
        return "Quiz score this session: no predictions graded yet."
    return (f"Quiz score this session: **{c['right']} right**, {c['close']} close, "
            f"{c['wrong']} wrong of {n} predicted entries ({100 * c['right'] / n:.0f}% right).")


def summary_csv(records):
    out = io.StringIO()
    w = csv.DictWriter(out, FIELDS, extrasaction="ignore")
    w.writeheader()
    for r in records:
        w.writerow(r)
    return out.getvalue()


def summary_md(records, title="Quiz"):
    c = counts(records)
    n = sum(c.values())
    lines = [f"# {md_text(title)}: my predictions", "",
             f"{c['right']} right, {c['close']} close, {c['wrong']} wrong of {n} predicted "
             "entries." if n else "No predictions graded yet.", "",
             "| " + " | ".join(FIELDS) + " |", "|" + "---|" * len(FIELDS)]
    lines += ["| " + " | ".join(md_text(r.get(f, "")) for f in FIELDS) + " |" for r in records]
    return "\n".join(lines) + "\n"
