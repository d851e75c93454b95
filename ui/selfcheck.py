"""Predict-then-reveal quizzes and "check my hand calculation" for any stage.

Typed numbers are marked right when within half a unit of their own last typed digit of the
exact value, plus the rounding they may carry from earlier rounded steps (one more half unit
by default; a page can pass the exact carried bound, as the tiny word2vec does for its README).
"""
import hashlib
import re

import numpy as np
import streamlit as st

from ui import grading, locks
from ui.format import md_text, num, tex_num

_TOKEN = re.compile(r"[^\s,;\[\]()]+")


def parse_typed(text, size, with_exponents=False):
    """Typed numbers -> (values, decimals[, exponents]); '?' skips an entry. ValueError when
    unusable. decimals counts the mantissa's decimals; exponents the power of ten typed."""
    tokens = _TOKEN.findall(str(text).replace("−", "-"))
    if len(tokens) != size:
        raise ValueError(f"expected {size} values (use ? to skip one), got {len(tokens)}")
    values, decimals = np.full(size, np.nan), np.zeros(size, dtype=int)
    exponents = np.zeros(size, dtype=int)
    for i, tok in enumerate(tokens):
        if tok == "?":
            continue
        try:
            values[i] = float(tok)
        except ValueError:
            raise ValueError(f"value {i + 1}: '{tok[:20]}' is not a number") from None
        if not np.isfinite(values[i]):
            raise ValueError(f"value {i + 1}: '{tok[:20]}' is not a finite number")
        mantissa, _, power = tok.lower().partition("e")
        decimals[i] = len(mantissa.split(".")[1]) if "." in mantissa else 0
        if power.lstrip("+-").isdigit():
            if len(power.lstrip("+-")) > 3:  # past float64's 1e±308
                raise ValueError(f"value {i + 1}: '{tok[:20]}' has a power of ten out of range")
            # a zero's power adds no digits: 0e9 is 0, checked to ±0.5 as 0 is
            exponents[i] = min(int(power), 0) if values[i] == 0 else int(power)
    return (values, decimals, exponents) if with_exponents else (values, decimals)


def parse_signs(text, size):
    """'+ - 0 ?' tokens -> array of +1/-1/0 (nan for skipped)."""
    tokens = _TOKEN.findall(str(text))
    if len(tokens) != size:
        raise ValueError(f"expected {size} signs (+, -, 0 or ?), got {len(tokens)}")
    table = {"+": 1.0, "-": -1.0, "−": -1.0, "0": 0.0, "?": np.nan}
    bad = [t for t in tokens if t not in table]
    if bad:
        raise ValueError(f"'{bad[0][:10]}' is not a sign: use +, -, 0 or ?")
    return np.array([table[t] for t in tokens])


def mark_values(values, decimals, exact, carried=None, exponents=None):
    """Per entry: True right, False wrong, None skipped; and the tolerance used.

    Right means within half a unit of the last digit typed (1.23 → ±0.005, 2 → ±0.5,
    1.2e-5 → ±0.05e-5), plus the rounding carried in from earlier printed values when the
    caller knows it (`carried`, e.g. the README's own chain). Nothing else is added.
    """
    exact = np.ravel(np.asarray(exact, dtype=np.float64))
    exponents = np.zeros(exact.shape) if exponents is None else np.asarray(exponents, float)
    tol = 0.5 * 10.0 ** (exponents - decimals.astype(float))
    if carried is not None:
        tol = tol + np.broadcast_to(np.ravel(carried), exact.shape)
    right = np.abs(values - exact) <= tol * (1 + 1e-9)
    return [None if np.isnan(v) else bool(r) for v, r in zip(values, right)], tol


def verdict_counts(verdicts):
    """'2 right, 1 wrong, 1 not checked' for a list of True / False / None."""
    right = sum(v is True for v in verdicts)
    wrong = sum(v is False for v in verdicts)
    skipped = sum(v is None for v in verdicts)
    return f"{right} right, {wrong} wrong, {skipped} not checked"


def _fingerprint(trace, i):
    h = hashlib.sha1(str(i).encode())
    for v in trace.values():
        h.update(np.ascontiguousarray(v, dtype=np.float64).tobytes())
    return h.hexdigest()


def _labels(key, shape, axes):
    rows, cols = axes.get(key, (None, None))
    out = []
    for idx in np.ndindex(shape):
        parts = [str(rows[idx[0]]) if rows is not None else str(idx[0])] if idx else []
        if len(idx) > 1:
            parts.append(str(cols[idx[1]]) if cols is not None else str(idx[1]))
        out.append(f"{key}[{', '.join(parts)}]" if parts else key)
    return out


def _mark(v):
    if isinstance(v, str) or v is None:
        return grading.MARK[v]
    return "✓ right" if v else "✗ wrong"


def _result_table(labels, typed, exact, verdicts, decimals):
    import pandas as pd  # here only: importing pandas is a third of a cold lesson's first run
    st.table(pd.DataFrame({"entry": [md_text(x) for x in labels],  # st.table renders Markdown
                           "yours": ["?" if np.isnan(x) else f"{x:g}" for x in typed],
                           "exact": [num(x, decimals) for x in exact],
                           "mark": [_mark(v) for v in verdicts]}))


def _source_lines(ctx, stage, key, shape):
    """{entry index: the worksheet Line whose result is that entry of `key`}."""
    from ui.worksheet import Line
    found = {}
    for line in (stage.lines(ctx) if ctx is not None and stage.lines else []):
        if isinstance(line, Line) and line.result.src and line.result.src[0] == key:
            found.setdefault(tuple(line.result.src[1]), line)
    return {j: found[idx] for j, idx in enumerate(np.ndindex(shape)) if idx in found}


def _score(prefix):
    return st.session_state.setdefault(f"{prefix}_quiz_score", [])


def score_box(prefix, title="Quiz"):
    """The session's quiz score and its summary to download (CSV, Markdown)."""
    records = _score(prefix)
    c1, c2, c3 = st.columns([6, 2, 2], vertical_alignment="center")
    c1.markdown(grading.score_line(records))
    if records:
        c2.download_button("My score (CSV)", lambda: grading.summary_csv(records),
                           f"{prefix}_quiz_score.csv", "text/csv", key=f"{prefix}_quiz_dl_csv",
                           on_click="ignore")
        c3.download_button("My score (Markdown)", lambda: grading.summary_md(records, title),
                           f"{prefix}_quiz_score.md", "text/markdown",
                           key=f"{prefix}_quiz_dl_md", on_click="ignore")


def quiz(prefix, i, stage, trace, decimals, axes, ctx=None):
    """Hide stage i's numbers until a prediction is entered; True once revealed. Each entry
    is graded right (within the tolerance), close (within 10×) or wrong, and kept in the
    session's score; the lines that give the entries missed are shown."""
    revealed = st.session_state.setdefault(f"{prefix}_revealed", set())
    fp = _fingerprint(trace, i)
    title = getattr(getattr(ctx, "lesson", None), "title", "Quiz")
    if fp in revealed:
        score_box(prefix, title)
        return True
    st.info("Quiz: predict before you look. Enter your values (or signs), then reveal.")
    c1, c2, c3 = st.columns([2, 2, 2])
    key = c1.selectbox("Quantity", stage.keys, key=f"{prefix}_quiz_key_{i}")
    mode = c2.radio("Predict", ["values", "signs"], horizontal=True, key=f"{prefix}_quiz_mode_{i}")
    tol = c3.number_input("Tolerance", 0.0, 10.0, 0.01, format="%.4f", key=f"{prefix}_quiz_tol",
                          help="Right: within this of the exact value; close: within ten times "
                               "it.")
    exact = np.ravel(np.asarray(trace[key], dtype=np.float64))
    with st.form(key=f"{prefix}_quiz_form_{i}", border=False):
        text = st.text_input(f"Your prediction for {key}: {exact.size} "
                             f"{'numbers' if mode == 'values' else 'signs (+ - 0)'} in order, "
                             "? to skip", key=f"{prefix}_quiz_text_{i}")
        go = st.form_submit_button("Reveal")
    if not go:
        score_box(prefix, title)
        return False
    try:
        if mode == "values":
            typed = parse_typed(text, exact.size)[0]
            verdicts = grading.grade(typed, exact, tol)
        else:
            typed = parse_signs(text, exact.size)
            verdicts = grading.grade_signs(typed, exact)
    except ValueError as err:
        st.error(md_text(err))
        return False
    revealed.add(fp)
    shape = np.shape(trace[key])
    labels = _labels(key, shape, axes)
    st.session_state[f"{prefix}_quiz_result_{i}"] = (key, typed, verdicts)
    _score(prefix).extend(
        {"step": (ctx.steps + 1) if ctx is not None else "", "stage": f"{i + 1}. {stage.name}",
         "quantity": key, "entry": label, "predicted": mode,
         "yours": "" if np.isnan(t) else f"{t:g}", "exact": repr(float(x)), "verdict": v}
        for label, t, x, v in zip(labels, typed, exact, verdicts) if v is not None)
    n = {k: sum(v == k for v in verdicts) for k in ("right", "close", "wrong")}
    st.success(f"{n['right']} of {sum(v is not None for v in verdicts)} right"
               + (f", {n['close']} close" if n["close"] else "") + ".")
    _result_table(labels, typed, exact, verdicts, decimals)
    missed = [j for j, v in enumerate(verdicts) if v in ("close", "wrong")]
    sources = _source_lines(ctx, stage, key, shape) if missed else {}
    shown = [j for j in missed if j in sources][:6]
    if shown:
        st.markdown("The lines that give the entries you missed:")
        for j in shown:
            st.latex(sources[j].tex(decimals))
    score_box(prefix, title)
    return True


def hand_check(prefix, i, stage, trace, decimals, axes, lines, carried=None, presets=None,
               lesson=None):
    """Type or paste your own numbers for a quantity; each is marked, the first wrong one
    is pointed at with the line that gives the right value. With a lesson, a sheet code
    (ui/variants) checks them against that exercise sheet's step instead."""
    # Drawn only while open (the key {prefix}_hc_open_{i} opens it): its widgets, hidden in
    # a closed box, took a sixth of the browser's work on every Next click.
    box, drawn = locks.drawn_while_open("Check my hand calculation", f"{prefix}_hc_open_{i}",
                                        icon=":material/edit:")
    with box:
        if not drawn:
            # what was typed stays for when it is opened again
            locks.keep_values((f"{prefix}_hc_key_{i}", f"{prefix}_hc_text_{i}",
                               f"{prefix}_hc_code"))
            return
        key = st.selectbox("Quantity", stage.keys, key=f"{prefix}_hc_key_{i}")
        text_key = f"{prefix}_hc_text_{i}"
        for name, values in (presets or {}).items():
            if key in values and st.button(f"Load {name}", key=f"{prefix}_hc_load_{i}_{key}"):
                st.session_state[text_key] = values[key]
        shape = np.shape(trace[key])
        st.text_area(f"Your {key}: {int(np.prod(shape))} numbers in table order (rows one per "
                     "line); ? skips one", key=text_key, height=100)
        code = st.text_input("Sheet code (from an exercise sheet; empty: the step shown)",
                             key=f"{prefix}_hc_code", placeholder=f"{lesson.url_path}-1",
                             max_chars=200) if lesson is not None else ""
        if not st.button("Check", key=f"{prefix}_hc_check_{i}"):
            return
        if str(code or "").strip():
            from ui import practice
            try:
                trace, lines, axes, code = practice.sheet_check(lesson, i, code, decimals)
            except ValueError as err:
                st.error(f"The sheet code cannot be used: {md_text(err)}. Nothing was checked; "
                         "your numbers are kept.")
                return
            carried = None
            st.caption(f"Checked against sheet {code}.")
        exact = np.ravel(np.asarray(trace[key], dtype=np.float64))
        shape = np.shape(trace[key])  # a sheet's sizes may differ from the step shown
        try:
            typed, typed_dec, typed_exp = parse_typed(st.session_state[text_key], exact.size,
                                                      with_exponents=True)
        except ValueError as err:
            st.error(md_text(err))
            return
        verdicts, _ = mark_values(typed, typed_dec, exact, (carried or {}).get(key), typed_exp)
        labels = _labels(key, shape, axes)
        _result_table(labels, typed, exact, verdicts, decimals)
        st.markdown(f"**{verdict_counts(verdicts)}**")
        wrong = [j for j, v in enumerate(verdicts) if v is False]
        if all(v is None for v in verdicts):
            st.warning("Nothing was checked: every value was skipped with ?.")
            return
        if not wrong:
            st.success("All checked values are right (within the rounding of what you typed).")
            return
        j = wrong[0]
        st.error(f"{len(wrong)} wrong. The first is {md_text(labels[j])}: you have {typed[j]:g}, "
                 f"the exact value is {num(exact[j], decimals + 2).strip()}.")
        target = "= " + tex_num(exact[j], decimals)
        line = next((ln for ln in lines if ln.rstrip().endswith(target)), None)
        if line:
            st.markdown("The line that gives it:")
            st.latex(line)
