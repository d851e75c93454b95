"""Predict-then-reveal quizzes and "check my hand calculation" for any stage.

Typed numbers are marked right when within half a unit of their own last typed digit of the
exact value, plus the rounding they may carry from earlier rounded steps (one more half unit
by default; a page can pass the exact carried bound, as the tiny word2vec does for its README).
"""
import hashlib
import re

import numpy as np
import pandas as pd
import streamlit as st

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
        exponents[i] = int(power) if power.lstrip("+-").isdigit() else 0
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


def _result_table(labels, typed, exact, verdicts, decimals):
    st.table(pd.DataFrame({"entry": [md_text(x) for x in labels],  # st.table renders Markdown
                           "yours": ["?" if np.isnan(x) else f"{x:g}" for x in typed],
                           "exact": [num(x, decimals) for x in exact],
                           "mark": ["–" if v is None else ("✓ right" if v else "✗ wrong")
                                    for v in verdicts]}))


def quiz(prefix, i, stage, trace, decimals, axes):
    """Hide stage i's numbers until a prediction is entered; True once revealed."""
    revealed = st.session_state.setdefault(f"{prefix}_revealed", set())
    fp = _fingerprint(trace, i)
    if fp in revealed:
        return True
    st.info("Quiz: predict before you look. Enter your values (or signs), then reveal.")
    c1, c2, c3 = st.columns([2, 2, 2])
    key = c1.selectbox("Quantity", stage.keys, key=f"{prefix}_quiz_key_{i}")
    mode = c2.radio("Predict", ["values", "signs"], horizontal=True, key=f"{prefix}_quiz_mode_{i}")
    tol = c3.number_input("Tolerance", 0.0, 10.0, 0.01, format="%.4f", key=f"{prefix}_quiz_tol")
    exact = np.ravel(np.asarray(trace[key], dtype=np.float64))
    with st.form(key=f"{prefix}_quiz_form_{i}", border=False):
        text = st.text_input(f"Your prediction for {key}: {exact.size} "
                             f"{'numbers' if mode == 'values' else 'signs (+ - 0)'} in order, "
                             "? to skip", key=f"{prefix}_quiz_text_{i}")
        go = st.form_submit_button("Reveal")
    if not go:
        return False
    try:
        if mode == "values":
            typed = parse_typed(text, exact.size)[0]
            verdicts = [None if np.isnan(v) else bool(abs(v - x) <= tol + 1e-12)
                        for v, x in zip(typed, exact)]
        else:
            typed = parse_signs(text, exact.size)
            verdicts = [None if np.isnan(s) else bool(s == np.sign(x)) for s, x in zip(typed, exact)]
    except ValueError as err:
        st.error(md_text(err))
        return False
    revealed.add(fp)
    n_right = sum(v is True for v in verdicts)
    st.session_state[f"{prefix}_quiz_result_{i}"] = (key, typed, verdicts)
    st.success(f"{n_right} of {sum(v is not None for v in verdicts)} right.")
    _result_table(_labels(key, np.shape(trace[key]), axes), typed, exact, verdicts, decimals)
    return True


def hand_check(prefix, i, stage, trace, decimals, axes, lines, carried=None, presets=None):
    """Type or paste your own numbers for a quantity; each is marked, the first wrong one
    is pointed at with the line that gives the right value."""
    with st.expander("Check my hand calculation", icon=":material/edit:"):
        key = st.selectbox("Quantity", stage.keys, key=f"{prefix}_hc_key_{i}")
        text_key = f"{prefix}_hc_text_{i}"
        for name, values in (presets or {}).items():
            if key in values and st.button(f"Load {name}", key=f"{prefix}_hc_load_{i}_{key}"):
                st.session_state[text_key] = values[key]
        shape = np.shape(trace[key])
        st.text_area(f"Your {key}: {int(np.prod(shape))} numbers in table order (rows one per "
                     "line); ? skips one", key=text_key, height=100)
        if not st.button("Check", key=f"{prefix}_hc_check_{i}"):
            return
        exact = np.ravel(np.asarray(trace[key], dtype=np.float64))
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
