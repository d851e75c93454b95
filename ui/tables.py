"""Matrix tables: fixed decimals, signs aligned (monospace, right-aligned), marked cells.

On screen a table is one st.html element (escaped text only; app.py styles the classes), in
the Markdown export a Markdown table, each with the quantity's name in the corner cell. Marks
are Streamlit's background colours and bold, so they are not told apart by colour alone.
"""
import numpy as np
import streamlit as st

from ui.format import html_text, md_text, num

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


def _shown(values, rows, cols, marks, max_rows, max_cols):
    """(row labels, column labels, values, marks) of the part of the table that is shown."""
    arr, row_labels, col_labels = grid(values, rows, cols)
    m = (np.asarray(marks, dtype=object).reshape(arr.shape) if marks is not None
         else np.full(arr.shape, "", dtype=object))
    return (row_labels[:max_rows], col_labels[:max_cols], arr[:max_rows, :max_cols],
            m[:max_rows, :max_cols])


def markdown_table(values, decimals, rows=None, cols=None, marks=None, name=None,
                   max_rows=MAX_ROWS, max_cols=MAX_COLS):
    """A Markdown table of values (for the Markdown export); `marks`: array of '', 'target',
    'touched', 'changed'. A table larger than max_rows × max_cols shows its top-left part
    (None: no limit)."""
    row_labels, col_labels, arr, m = _shown(values, rows, cols, marks, max_rows, max_cols)
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


def html_table(values, decimals, rows=None, cols=None, marks=None, name=None,
               max_rows=MAX_ROWS, max_cols=MAX_COLS):
    """The same table as HTML for st.html (classes styled in app.py). Every label is escaped
    text. The browser draws it about twice as fast as a Markdown table, which it first parses
    (bench/click_latency.py: the big tables of the character MLP's stages)."""
    row_labels, col_labels, arr, m = _shown(values, rows, cols, marks, max_rows, max_cols)
    head = "".join(f"<th>{html_text(c)}</th>" for c in col_labels)
    body = []
    for i, label in enumerate(row_labels):
        cells = "".join(
            (f'<td class="mark-{m[i, j]}">' if m[i, j] in MARK_STYLE else "<td>")
            + num(arr[i, j], decimals) + "</td>" for j in range(arr.shape[1]))
        body.append(f'<tr><th scope="row">{html_text(label)}</th>{cells}</tr>')
    return (f'<table class="matrix"><thead><tr><th>{html_text(name or "")}</th>{head}</tr>'
            f'</thead><tbody>{"".join(body)}</tbody></table>')


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
    matrix_tables([((values, decimals, rows, cols, marks), name)], max_rows, max_cols)


def matrix_tables(tables, max_rows=MAX_ROWS, max_cols=MAX_COLS):
    """Several tables, each ((values, decimals, rows, cols, marks), name), drawn as one element
    (a stage's tables: one element for the browser to draw on a Next click, not one each);
    a table cut to its first rows or columns is followed by a note saying so."""
    group = []
    for args, name in tables:
        group.append(html_table(*args, name=name, max_rows=max_rows, max_cols=max_cols))
        note = cut_note(args[0], max_rows, max_cols)
        if note:
            group.append(f'<p class="cut-note">{html_text(note)}</p>')
    if group:
        st.html("".join(group))


def records_html(rows, decimals=None):
    """An HTML table of dicts with the same keys, one row each; cells are escaped text, floats
    with `decimals` decimals (monospace, signs aligned) when given."""
    def cell(x):
        if decimals is not None and isinstance(x, float):
            return f'<td class="num">{num(x, decimals)}</td>'
        return f"<td>{html_text(x)}</td>"
    head = "".join(f"<th>{html_text(k)}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(cell(x) for x in r.values()) + "</tr>" for r in rows)
    return f'<table class="records"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def records_table(rows, decimals=None):
    """Draw records_html (one st.html element: no Markdown to parse, no DataFrame to convert)."""
    st.html(records_html(rows, decimals))


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
