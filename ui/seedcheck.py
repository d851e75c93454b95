"""The source document beside our numbers: its printed values (with a verdict each), its
mistakes explained, and its general notes. The data is in core/seeds/<lesson>.py."""
import math

import numpy as np
import streamlit as st

from ui.format import md_text
from ui.locks import drawn_while_open
from ui.tables import records_table


def own_example(seed, ctx):
    """True when this step is the document's own example (its printed numbers apply)."""
    check = getattr(seed, "is_own_example", None)  # documents that print nothing have none
    return bool(check) and check(ctx.info, ctx.params, ctx.ex.example, ctx.lr) and ctx.steps == 0


def _rows(seed, ctx):
    cache = ctx.__dict__.setdefault("_seed_rows", {})
    if "rows" not in cache:
        cache["rows"] = seed.compare(ctx.trace) if own_example(seed, ctx) else []
    return cache["rows"]


def _label(row, axes):
    key, idx = row["key"], row["index"]
    if not idx:
        return key
    rows, cols = axes.get(key, (None, None))
    names = [str(rows[idx[0]]) if rows is not None else str(idx[0])]
    if len(idx) > 1:
        names.append(str(cols[idx[1]]) if cols is not None else str(idx[1]))
    return f"{key}[{', '.join(names)}]"


def beside(seed, ctx, keys):
    """The document's printed numbers for these keys beside ours, slips marked."""
    rows = [r for r in _rows(seed, ctx) if r["key"] in keys]
    if not rows:
        return
    axes = ctx.lesson.axes(ctx) if ctx.lesson.axes else {}
    dec = ctx.decimals

    def cell(x, d):
        return "shape" if isinstance(x, float) and math.isnan(x) else f"{x: .{d}f}"

    st.markdown(f"**{md_text(seed.SOURCE[0].upper() + seed.SOURCE[1:])}: its numbers beside "
                "ours**")
    records_table([{
        "quantity": _label(r, axes), "printed": cell(r["printed"], r["decimals"]),
        "exact": cell(r["exact"], max(dec, r["decimals"]) + 2),
        "difference": "shape" if math.isnan(r["diff"]) else f"{r['diff']: .1e}",
        "rounding explains up to": f"{r['tolerance']:.1e}",
        "verdict": ("off: " + r["reason"]) if r["off"] else "right (within rounding)"}
        for r in rows])


def mistakes(seed, ctx, keys):
    """Where the document's formulas disagree with autograd, for these keys: one box each,
    titled with what is wrong where; its versions side by side and why, drawn only while
    open."""
    for j, m in enumerate(seed.MISTAKES):
        if m["key"] not in keys:
            continue
        box, drawn = drawn_while_open(
            f"**Common mistake in {md_text(seed.SOURCE)}, `{m['key']}`**: {m['title']}",
            ctx.lesson.key(f"mistake_open_{j}"),
            icon=":material/report:")
        if not drawn:
            continue
        with box:
            a, b = st.columns(2)
            a.caption(seed.SOURCE[0].upper() + seed.SOURCE[1:])
            a.markdown(m["notes_version"])
            b.caption("What the math (and torch autograd) says")
            b.markdown(m["correct_version"])
            st.markdown(m["explanation"])


def formula_checks(seed, ctx, keys):
    """Where the document computes one of these keys by another formula: its value on this
    step beside ours, and what the difference means (seed.FORMULA_CHECKS)."""
    for j, f in enumerate(getattr(seed, "FORMULA_CHECKS", ())):
        if f["key"] not in keys:
            continue
        theirs, ours = f["theirs"](ctx.trace), float(ctx.trace[f["key"]])
        box, drawn = drawn_while_open(
            f"With {md_text(seed.SOURCE)}'s {md_text(f['change'])}: {theirs:.10f} (here "
            f"{ours:.10f}). What it changes, and when it matters",
            ctx.lesson.key(f"formula_open_{j}"))
        if drawn:
            box.markdown(f["note"])


def stage_panel(seed, ctx, keys):
    """All three, for one stage's keys (call from a stage's chart)."""
    beside(seed, ctx, keys)
    mistakes(seed, ctx, keys)
    formula_checks(seed, ctx, keys)


def summary(seed, ctx):
    """How many printed values are off (on the document's own example), and its notes."""
    rows = _rows(seed, ctx)
    if rows:
        n_off = sum(r["off"] for r in rows)
        st.caption(f"Checked against {seed.SOURCE}: {n_off} of {len(rows)} printed values are "
                   "off by more than their rounding explains; each stage lists them.")
    if seed.NOTES:
        with st.expander(f"What {seed.SOURCE} gets right, and where it slips"):
            st.markdown("\n".join(f"- {n}" for n in seed.NOTES))


def hand_check(seed, ctx):
    """(carried rounding per key, presets) for "check my hand calculation"."""
    if not own_example(seed, ctx) or not hasattr(seed, "hand_check_values"):
        return None, None
    values = seed.hand_check_values()
    presets = {f"{seed.SOURCE}'s printed values": {
        k: "\n".join(" ".join(f"{x:.{dec}f}" for x in row) for row in np.atleast_2d(vals))
        for k, (vals, dec, _) in values.items()}}
    return {k: v[2] for k, v in values.items()}, presets
