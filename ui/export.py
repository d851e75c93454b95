"""Exports of the current step: CSV (one row per element), Markdown and LaTeX worksheets,
and charts as PNG / SVG. The text builders are plain functions (tests parse them back)."""
import csv
import io

import numpy as np
import streamlit as st

from ui.format import md_text, num, tex_text
from ui.tables import grid, markdown_table
from ui.worksheet import render


def _labels(arr, axes):
    """(row label, column label) for every element of arr, in C order."""
    rows, cols = axes if axes else (None, None)
    arr = np.asarray(arr)
    for idx in np.ndindex(arr.shape):
        if arr.ndim == 0:
            yield idx, "", ""
        elif arr.ndim == 1:
            yield idx, (str(rows[idx[0]]) if rows is not None else str(idx[0])), ""
        else:
            yield idx, (str(rows[idx[0]]) if rows is not None else str(idx[0])), \
                (str(cols[idx[1]]) if cols is not None else str(idx[1]))


def trace_csv(trace, axes):
    """quantity,index,row,column,value: one row per element, full float64 precision."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["quantity", "index", "row", "column", "value"])
    for key, value in trace.items():
        arr = np.asarray(value, dtype=np.float64)
        for idx, r, c in _labels(arr, axes.get(key)):
            w.writerow([key, "/".join(map(str, idx)), r, c, repr(float(arr[idx]))])
    return out.getvalue()


def stage_lines(stage, ctx):
    """A stage's worksheet lines as LaTeX strings."""
    return render(stage.lines(ctx) if stage.lines else [], ctx.decimals)


def worksheet_md(title, stages, ctx, axes):
    """The worksheet as shown: per stage the formulas, the lines with numbers, the tables."""
    trace, decimals = ctx.trace, ctx.decimals
    parts = [f"# {md_text(title)}"]
    for i, stage in enumerate(stages):
        parts.append(f"## Stage {i + 1}: {stage.name}")
        parts += [f"$$ {f} $$" for f in stage.formulas]
        parts += [f"$$ {line} $$" for line in stage_lines(stage, ctx)]
        for k in stage.keys:
            parts.append(markdown_table(trace[k], decimals, *axes.get(k, (None, None)), name=k,
                                        max_rows=None, max_cols=None))  # every number
    return "\n\n".join(parts) + "\n"


def _tex_table(values, axes, decimals, name):
    arr, rows, cols = grid(values, *(axes or (None, None)), name)
    head = " & ".join(tex_text(c) for c in cols)
    body = [tex_text(label) + " & " + " & ".join(num(x, decimals).strip() for x in row) + r" \\"
            for label, row in zip(rows, arr)]
    return ("\\begin{tabular}{l" + "r" * arr.shape[1] + "}\n & " + head + r" \\ \hline" + "\n" +
            "\n".join(body) + "\n\\end{tabular}")


def worksheet_tex(title, stages, ctx, axes):
    """A standalone LaTeX document with the same lines and tables."""
    trace, decimals = ctx.trace, ctx.decimals
    parts = [r"\documentclass{article}", r"\usepackage{amsmath,amssymb}",
             r"\usepackage[margin=2cm]{geometry}", r"\begin{document}",
             r"\section*{" + tex_text(title) + "}"]
    for i, stage in enumerate(stages):
        parts.append(r"\subsection*{Stage " + str(i + 1) + ": " + tex_text(stage.name) + "}")
        parts += [r"\[ " + f + r" \]" for f in stage.formulas]
        parts += [r"\[ " + line + r" \]" for line in stage_lines(stage, ctx)]
        for k in stage.keys:
            parts.append(r"\noindent " + tex_text(k) + r"\\[2pt]" + "\n" +
                         _tex_table(trace[k], axes.get(k), decimals, k) + r"\\[6pt]")
    parts.append(r"\end{document}")
    return "\n".join(parts) + "\n"


def chart_image(spec, fmt):
    """A Vega-Lite spec (dict) as PNG bytes or SVG text (vl-convert, offline)."""
    import json

    import vl_convert as vlc
    spec = json.dumps(spec)
    return vlc.vegalite_to_png(spec, scale=2) if fmt == "png" else vlc.vegalite_to_svg(spec)


def downloads(prefix, title, stages, ctx, axes, charts=None):
    """Download buttons for this step (and for each named chart)."""
    trace = ctx.trace
    st.markdown("**Export this step**")
    cols = st.columns(4 + 2 * len(charts or {}))
    cols[0].download_button("CSV", lambda: trace_csv(trace, axes), f"{prefix}_step.csv",
                            "text/csv", key=f"{prefix}_dl_csv", on_click="ignore")
    cols[1].download_button("Markdown", lambda: worksheet_md(title, stages, ctx, axes),
                            f"{prefix}_worksheet.md", "text/markdown", key=f"{prefix}_dl_md",
                            on_click="ignore")
    cols[2].download_button("LaTeX", lambda: worksheet_tex(title, stages, ctx, axes),
                            f"{prefix}_worksheet.tex", "application/x-tex", key=f"{prefix}_dl_tex",
                            on_click="ignore")
    for j, (name, chart) in enumerate((charts or {}).items()):
        for k, fmt in enumerate(("png", "svg")):
            cols[3 + 2 * j + k].download_button(
                f"{name} {fmt.upper()}", lambda c=chart, f=fmt: chart_image(c, f),
                f"{prefix}_{name.replace(' ', '_')}.{fmt}",
                "image/png" if fmt == "png" else "image/svg+xml", key=f"{prefix}_dl_{name}_{fmt}",
                on_click="ignore")
