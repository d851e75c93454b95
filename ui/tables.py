"""Matrix tables (fixed decimals, signs aligned, marked cells) and Altair heatmaps."""
import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from ui.format import num

# Okabe-Ito tints: colour-blind safe, and each mark also changes the font weight.
MARK_CSS = {
    "target": "background-color: #f6d08a; font-weight: 700;",   # orange: the target word
    "touched": "background-color: #bfe3f7; font-weight: 700;",  # sky blue: rows this step uses
    "changed": "background-color: #b9e4d6; font-weight: 700;",  # bluish green: entries updated
}
MARK_LEGEND = ("Marks: orange = target word, blue = rows this step touches, "
               "green = entries the update changed.")


def frame(values, rows=None, cols=None, name=None):
    """An array (scalar, vector or matrix) as a DataFrame with word/dimension labels."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 0:
        arr = arr.reshape(1, 1)
        rows, cols = rows or ["value"], cols or [""]
    elif arr.ndim == 1:
        arr = arr.reshape(1, -1)
        cols, rows = rows, [""]
    rows = list(rows) if rows is not None else [str(i) for i in range(arr.shape[0])]
    cols = list(cols) if cols is not None else [str(j) for j in range(arr.shape[1])]
    df = pd.DataFrame(arr, index=_unique(rows), columns=_unique(cols))
    df.index.name = name  # shown in the table's corner: which quantity this is
    return df


def _unique(labels):
    """Labels made unique (pandas Styler needs it) by numbering repeats."""
    seen, out = {}, []
    for lab in map(str, labels):
        seen[lab] = seen.get(lab, 0) + 1
        out.append(lab if seen[lab] == 1 else f"{lab} ({seen[lab]})")
    return out


def matrix_table(values, decimals, rows=None, cols=None, marks=None, name=None):
    """Render values as a static table; `marks` is an array of '', 'target', 'touched', 'changed'."""
    df = frame(values, rows, cols, name)
    css = np.full(df.shape, "", dtype=object)
    if marks is not None:
        m = np.asarray(marks, dtype=object).reshape(df.shape)
        css = np.vectorize(lambda k: MARK_CSS.get(k, ""), otypes=[object])(m)
    styler = (df.style.format(lambda x: num(x, decimals))
              .apply(lambda _: pd.DataFrame(css, index=df.index, columns=df.columns), axis=None)
              .set_properties(**{"font-family": "monospace", "text-align": "right",
                                 "white-space": "pre"}))
    st.table(styler)


def heatmap(values, decimals, rows, cols, title=""):
    """A diverging (blue-orange, colour-blind safe) heatmap with each value written in its cell."""
    arr = np.asarray(values, dtype=np.float64)
    df = pd.DataFrame([{"row": str(r), "col": str(c), "value": float(arr[i, j]),
                        "label": num(arr[i, j], decimals).strip()}
                       for i, r in enumerate(rows) for j, c in enumerate(cols)])
    bound = float(np.max(np.abs(arr))) or 1.0
    base = alt.Chart(df).encode(x=alt.X("col:N", sort=list(map(str, cols)), title=None),
                                y=alt.Y("row:N", sort=list(map(str, rows)), title=None))
    rect = base.mark_rect().encode(
        color=alt.Color("value:Q", scale=alt.Scale(scheme="blueorange", domain=[-bound, bound]),
                        legend=None),
        tooltip=["row", "col", "label"])
    text = base.mark_text(fontSize=14, font="monospace").encode(
        text="label:N",
        color=alt.condition(f"abs(datum.value) > {0.6 * bound}", alt.value("white"),
                            alt.value("black")))
    chart = (rect + text).properties(title=title, height=alt.Step(36), width=alt.Step(84))
    st.altair_chart(chart, width="content")
