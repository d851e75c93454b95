"""Matrix tables: fixed decimals, signs aligned (monospace, right-aligned), marked cells.

Tables are Markdown (one cheap element each, a real <table> in the page) with the quantity's
name in the corner cell. Marks use Streamlit's background colours and bold, so they are
not told apart by colour alone.
"""
import numpy as np
import streamlit as st

from ui.format import md_code, md_text, num

MARK_STYLE = {"target": "orange", "touched": "blue", "changed": "green"}
MARK_LEGEND = ("Marks (bold, coloured): :orange-background[orange] = target word, "
               ":blue-background[blue] = rows this step touches, :green-background[green] = "
               "entries the update changed.")


def grid(values, rows=None, cols=None, name=None):
    """(2-D array, row labels, column labels) for a scalar, vector (one row) or matrix."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 0:
        return arr.reshape(1, 1), [""], ["value"]
    if arr.ndim == 1:
        labels = rows if rows is not None else range(arr.size)
        return arr.reshape(1, -1), [""], [str(x) for x in labels]
    rows = rows if rows is not None else range(arr.shape[0])
    cols = cols if cols is not None else range(arr.shape[1])
    return arr, [str(x) for x in rows], [str(x) for x in cols]


MAX_ROWS, MAX_COLS = 30, 20  # a larger table shows its first rows / columns (the CSV has all)


def markdown_table(values, decimals, rows=None, cols=None, marks=None, name=None,
                   max_rows=MAX_ROWS, max_cols=MAX_COLS):
    """A Markdown table of values; `marks`: array of '', 'target', 'touched', 'changed'.
    A table larger than max_rows × max_cols shows its top-left part (say so with cut_note)."""
    arr, row_labels, col_labels = grid(values, rows, cols, name)
    m = (np.asarray(marks, dtype=object).reshape(arr.shape) if marks is not None
         else np.full(arr.shape, "", dtype=object))
    arr, m = arr[:max_rows, :max_cols], m[:max_rows, :max_cols]
    row_labels, col_labels = row_labels[:max_rows], col_labels[:max_cols]
    corner = md_text(name) if name else " "
    lines = ["| " + corner + " | " + " | ".join(md_text(c) for c in col_labels) + " |",
             "|:---|" + "---:|" * arr.shape[1]]
    for i, label in enumerate(row_labels):
        cells = []
        for j in range(arr.shape[1]):
            cell = f"`{num(arr[i, j], decimals)}`"
            if m[i, j] in MARK_STYLE:
                cell = f"**:{MARK_STYLE[m[i, j]]}-background[{cell}]**"
            cells.append(cell)
        lines.append("| " + (md_text(label) if label else " ") + " | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def cut_note(values, max_rows=MAX_ROWS, max_cols=MAX_COLS):
    """'' or a sentence saying which part of a large table is shown."""
    n_rows, n_cols = table_shape(values)
    if n_rows <= max_rows and n_cols <= max_cols:
        return ""
    return (f"Showing {min(n_rows, max_rows)} of {n_rows} rows and "
            f"{min(n_cols, max_cols)} of {n_cols} columns; the CSV export has "
            "every number.")


def table_shape(values):
    """(rows, columns) of the table of these values (a scalar or vector is one row)."""
    return grid(values)[0].shape


def matrix_table(values, decimals, rows=None, cols=None, marks=None, name=None,
                 max_rows=MAX_ROWS, max_cols=MAX_COLS):
    """Render values as a table with `name` in its corner."""
    st.markdown(markdown_table(values, decimals, rows, cols, marks, name, max_rows, max_cols))
    note = cut_note(values, max_rows, max_cols)
    if note:
        st.caption(note)


def records_table(rows, decimals=None):
    """A Markdown table of dicts with the same keys, one row each; cells are shown as text,
    floats with `decimals` decimals, signs aligned, when given. (st.table would convert a
    DataFrame to Arrow on every rerun.)"""
    def cell(x):
        if decimals is not None and isinstance(x, float):
            return md_code(num(x, decimals))    # monospace; the sign's space kept (td code: pre)
        return md_text(x)
    keys = list(rows[0])
    lines = ["| " + " | ".join(md_text(k) for k in keys) + " |", "|:---" * len(keys) + "|"]
    lines += ["| " + " | ".join(cell(r[k]) for k in keys) + " |" for r in rows]
    return "\n".join(lines)


# --- marks (pages name what to mark; the arrays are built here) ------------------------------

def target_marks(n, target):
    """'target' at one entry of a length-n vector."""
    return np.where(np.arange(n) == target, "target", "")


def changed_marks(new, old, touched_rows=()):
    """'changed' where new differs from old; 'touched' on the other entries of these rows."""
    new, old = np.asarray(new), np.asarray(old)
    touched = np.zeros(new.shape, dtype=bool)
    if len(touched_rows):
        touched[list(touched_rows)] = True
    return np.where(new != old, "changed", np.where(touched, "touched", ""))


def nonzero_marks(values, kind="touched"):
    """`kind` where the value is not zero (e.g. the rows a gradient reaches)."""
    return np.where(np.asarray(values) != 0, kind, "")
