"""Light charts. A stage's charts (probability bars, heatmaps with the value in each cell,
embedding moves, the negative-sampling distribution) are HTML written here, one st.html
element each (st.html keeps no SVG). The training panel's charts (loss curves, trajectories,
word maps) are plain Vega-Lite specs (what Altair emits, without re-validating the schema on
every rerun, which cost most of a rerun)."""

import math

import numpy as np
import streamlit as st

from ui.format import html_text, num

# Okabe-Ito, a colour-blind-safe qualitative palette.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000"]
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # a name only: nothing is fetched


def inline_data(spec):
    """The spec with its top-level data moved into each layer. Streamlit turns top-level data
    into an Arrow table on every rerun (through pandas: a tenth of a click's server time);
    data inside the layers travels as plain JSON and draws the same."""
    if "data" not in spec:
        return spec
    spec = dict(spec)
    data = spec.pop("data")
    transform = spec.pop("transform", [])  # a parent's transform has no data once it moves
    layers = spec.pop("layer", None) or [{k: spec.pop(k) for k in ("mark", "encoding", "params")
                                          if k in spec}]
    spec["layer"] = [{**layer, "data": layer.get("data", data),
                      "transform": transform + layer.get("transform", [])} for layer in layers]
    return spec


LARGE = {"axis": {"labelFontSize": 18, "titleFontSize": 18}, "legend": {"labelFontSize": 18},
         "title": {"fontSize": 20}, "text": {"fontSize": 18}}


def show(spec, placeholder=None, width="stretch"):
    """Draw a Vega-Lite spec (dict) in the page or in a placeholder (large type in presenter
    mode, so chart labels grow with the rest of the text)."""
    if st.session_state.get("presenter"):
        spec = {**spec, "config": LARGE}
    (placeholder or st).vega_lite_chart(inline_data(spec), width=width)


def _f(x):
    return float(x)


# --- a stage's charts: HTML written on the server ------------------------------------------------
# A stage's chart is redrawn on every Next click and is on a lesson's first screen: as one
# st.html element it costs the browser some boxes to lay out, where Vega-Lite cost a library
# to load (a tenth of a cold start, bench/cold_start.py) and a chart to compile. The styles
# are app.py's CHART_CSS.
ORANGE, BLUE = PALETTE[1], PALETTE[0]
MARK = PALETTE[5]   # the triangle over a marked bar, and its legend key
POINTS = [c for c in PALETTE if c != "#F0E442"]   # the yellow is too pale on white
# Diverging blue-white-orange (ColorBrewer PuOr's orange, RdBu's blue: colour-blind safe).
NEG, MID, POS = (33, 102, 172), (247, 247, 247), (179, 88, 6)


def _luminance(rgb):
    def lin(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def diverging(x, bound):
    """(background rgb, text colour) of value x on a scale from -bound (blue) to +bound
    (orange); the text is black or white, whichever contrasts more (at least 4.5:1)."""
    t = min(abs(float(x)) / bound, 1.0) if bound else 0.0
    end = POS if x > 0 else NEG
    rgb = tuple(round(m + (e - m) * t) for m, e in zip(MID, end))
    lum = _luminance(rgb)
    text = "#000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#fff"
    return rgb, text


def heatmap_html(values, decimals, rows, cols, title=""):
    """A table whose cells are coloured by value (blue negative, orange positive) with the
    value written in each; labels escaped."""
    arr = np.asarray(values, dtype=np.float64)
    bound = float(np.max(np.abs(arr))) if arr.size else 0.0
    head = "".join(f"<th>{html_text(c)}</th>" for c in cols)
    body = []
    for i, r in enumerate(rows):
        cells = []
        for j in range(arr.shape[1]):
            (red, green, blue), text = diverging(arr[i, j], bound)
            cells.append(f'<td style="background: rgb({red}, {green}, {blue}); color: {text}">'
                         f"{num(arr[i, j], decimals)}</td>")
        body.append(f'<tr><th scope="row">{html_text(r)}</th>{"".join(cells)}</tr>')
    caption = f"<caption>{html_text(title)}</caption>" if title else ""
    return (f'<table class="matrix heatmap">{caption}<thead><tr><th></th>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def finite(*arrays):
    """True if every value is finite; else says under the stage that the chart is left out."""
    if all(np.all(np.isfinite(np.asarray(a, dtype=np.float64))) for a in arrays):
        return True
    st.caption("No chart for this step: a value is not finite (the tables show which).")
    return False


def heatmap(values, decimals, rows, cols, title=""):
    """A diverging (blue-orange, colour-blind safe) heatmap with each value in its cell."""
    if finite(values):
        st.html(heatmap_html(values, decimals, rows, cols, title))


def _legend(items):
    """Coloured keys with their names: items (name, colour) drawn as a square, or
    (name, colour, "triangle") as the triangle that marks bars (bars_html's `marked`)."""
    return '<div class="chart-legend">' + "".join(
        f'<span class="key{" tri" if "triangle" in shape else ""}" '
        f'style="--c: {color}"></span>{html_text(name)}' for name, color, *shape in items
    ) + "</div>"


# A bar chart's labels are turned upright when the chart on screen is narrower than they need
# side by side: the chart is a CSS container (at most 60rem wide, app.py) whose classes name
# the width its value labels and its words need (rem, rounded up to 5; 65: more than the
# widest chart), and BAR_CSS turns them with a container query per width.
NEEDS = range(5, 66, 5)
BAR_CSS = "".join(
    f"@container bars (max-width: {k}rem) {{ .values-{k} .bar-value {{ writing-mode: "
    f"vertical-rl; transform: translateX(-50%) rotate(180deg); }} .words-{k} .bar-word {{ "
    f"writing-mode: vertical-rl; transform: rotate(180deg); left: 50%; right: auto; "
    f"translate: -50% 0; text-align: left; }} .words-{k} .bar-plot {{ margin-bottom: 5rem; }} }}\n"
    for k in NEEDS)


def _needs(kind, labels, char_rem):
    """The class naming the width (rem) these labels need side by side, one per bar, beside
    the y axis (3rem); a character is about `char_rem` wide at the labels' size."""
    rem = 3 + len(labels) * (max((len(x) for x in labels), default=0) * char_rem + 0.6)
    return f"{kind}-{next((k for k in NEEDS if k >= rem), NEEDS[-1])}"


def bars_html(groups, series, label, value_labels=None, marked=(), legend=None, top=1.0):
    """Vertical bars as HTML (st.html allows no SVG): for each group (a word) one bar per
    series (colour, values), the colour one for all bars or one per bar; y from 0 to `top`
    with grid lines; `value_labels[s][i]` written over bar i of series s; a triangle above
    the groups in `marked`."""
    values = [x for per in (value_labels or []) for x in per]
    words = [str(g) for g in groups]
    needs = (_needs("values", values, 0.6), _needs("words", words, 0.55))
    axis = "".join(f'<span style="bottom: {100 * t:g}%">{t * top:.3g}</span>'
                   for t in (0, 0.25, 0.5, 0.75, 1.0))
    cols = []
    for i, g in enumerate(groups):
        bars = []
        for s, (color, values) in enumerate(series):
            fill = color[i] if isinstance(color, (list, tuple)) else color
            h = 100 * min(max(float(values[i]) / top, 0.0), 1.0)
            text = (f'<span class="bar-value">{html_text(value_labels[s][i])}</span>'
                    if value_labels else "")
            bars.append(f'<div class="bar" style="height: {h:.2f}%; background: {fill}">'
                        f"{text}</div>")
        mark = f'<span class="bar-mark" style="--c: {MARK}"></span>' if i in marked else ""
        cols.append(f'<div class="bar-group">{mark}<div class="bars">{"".join(bars)}</div>'
                    f'<div class="bar-word">{html_text(g)}</div></div>')
    return (f'<div class="bar-chart {" ".join(needs)}" role="img" '
            f'aria-label="{html_text(label)}">'
            + (_legend(legend) if legend else "")
            + f'<div class="bar-plot"><div class="bar-axis">{axis}</div>{"".join(cols)}</div>'
            "</div>")


def prob_bars_html(probs, words, target, decimals):
    probs = [float(p) for p in probs]
    labels = [f"{p:.{decimals}f}" for p in probs]
    colors = [ORANGE if i == target else BLUE for i in range(len(probs))]
    described = ", ".join(f"{w} {x}" for w, x in zip(words, labels))
    return bars_html([str(w) for w in words], [(colors, probs)],
                     f"Probability of each word (target {words[target]}): {described}",
                     [labels], legend=[("target", ORANGE), ("other", BLUE)])


def prob_bars(probs, words, target, decimals):
    """Probabilities as bars, the target word's bar in orange, values written on the bars."""
    if finite(probs):
        st.html(prob_bars_html(probs, words, target, decimals))


def round_step(raw, steps=(1, 2, 2.5, 5, 10)):
    """The smallest round number (a step times a power of ten) at least `raw` (> 0)."""
    mag = 10 ** np.floor(np.log10(raw))
    return float(next(m * mag for m in steps if m * mag >= raw * (1 - 1e-12)))


def round_top(x):
    """A round top for an axis from 0 to at least `x` (> 0) whose quarters are round too."""
    return 4 * round_step(x / 4, (1, 1.25, 2, 2.5, 5, 10))


def ticks(lo, hi, count=5):
    """Round tick values covering [lo, hi]."""
    if hi - lo < 1e-12:
        lo, hi = lo - 1, hi + 1
    step = round_step((hi - lo) / count)
    first = np.floor(lo / step) * step
    return [float(first + i * step) for i in range(int(np.ceil((hi - first) / step - 1e-9)) + 1)]


PLACEABLE = 1e300  # beyond this a chart's range and ticks overflow float64 (2e308 is inf)


def embedding_move_html(before, after, words, moved):
    """Points placed in % of a box: hollow before, filled after, a line for each moved row."""
    before, after = np.asarray(before, float), np.asarray(after, float)
    both = np.vstack([before, after])
    lo, hi = both.min(axis=0), both.max(axis=0)
    pad = 0.08 * np.maximum(hi - lo, 1e-9)   # no point on the box's edge
    tx, ty = ticks(lo[0] - pad[0], hi[0] + pad[0]), ticks(lo[1] - pad[1], hi[1] + pad[1])
    px = lambda x: 100 * (x - tx[0]) / (tx[-1] - tx[0])     # noqa: E731  % from the left
    py = lambda y: 100 * (y - ty[0]) / (ty[-1] - ty[0])     # noqa: E731  % from the bottom
    W, H = 520, 300   # px: the box, for the lines' lengths and angles
    out = [f'<span class="tick-x" style="left: {px(t):.2f}%">{t:g}</span>' for t in tx]
    out += [f'<span class="tick-y" style="bottom: {py(t):.2f}%">{t:g}</span>' for t in ty]
    for i, word in enumerate(words):
        color = POINTS[i % len(POINTS)]
        x0, y0, x1, y1 = px(before[i, 0]), py(before[i, 1]), px(after[i, 0]), py(after[i, 1])
        if i in moved:
            dx, dy = (x1 - x0) * W / 100, (y1 - y0) * H / 100
            out.append(f'<span class="move" style="left: {x0:.2f}%; bottom: {y0:.2f}%; '
                       f'width: {np.hypot(dx, dy):.1f}px; background: {color}; '
                       f'transform: rotate({-np.degrees(np.arctan2(dy, dx)):.2f}deg)"></span>')
        out.append(f'<span class="dot before" style="left: {x0:.2f}%; bottom: {y0:.2f}%; '
                   f'border-color: {color}"></span><span class="dot" style="left: {x1:.2f}%; '
                   f'bottom: {y1:.2f}%; background: {color}; border-color: {color}"></span>'
                   f'<span class="dot-word" style="left: {x1:.2f}%; bottom: {y1:.2f}%">'
                   f"{html_text(word)}</span>")
    moves = "; ".join(f"{words[i]} from ({before[i, 0]:.3g}, {before[i, 1]:.3g}) to "
                      f"({after[i, 0]:.3g}, {after[i, 1]:.3g})" for i in moved)
    label = ("Embeddings in dimensions 0 and 1, before (hollow) and after (filled) the update. "
             f"Moved: {moves or 'none'}")
    return (f'<div class="scatter" role="img" aria-label="{html_text(label)}">'
            f'<div class="scatter-plot">{"".join(out)}</div>'
            '<div class="axis-x">dim 0</div><div class="axis-y">dim 1</div></div>')


def embedding_move(before, after, words, moved):
    """2-D embeddings before (hollow) and after (filled) the update, a line for moved rows."""
    if not finite(before, after):
        return
    if np.abs(np.vstack([before, after])).max() > PLACEABLE:
        st.caption("No chart for this step: a value is too large to place on a chart (the "
                   "tables show it).")
        return
    st.html(embedding_move_html(before, after, words, moved))
    st.caption("Hollow: before the update. Filled: after. The line joins a moved word's two "
               "positions.")


def loss_spec(losses, title="loss per epoch", dev=None):
    """Loss against epoch (also what the PNG / SVG export draws); dev: [(epoch, loss)] on
    held-out data, a second line told apart by colour and by dashes."""
    data = [{"epoch": i + 1, "loss": _f(x), "set": "train"} for i, x in enumerate(losses)]
    data += [{"epoch": int(e), "loss": _f(x), "set": "dev (held out)"} for e, x in dev or ()]
    lines = {"color": {"field": "set", "type": "nominal", "scale": {"range": PALETTE[:2]},
                       "legend": {"orient": "top", "title": None}},
             "strokeDash": {"field": "set", "type": "nominal", "legend": None}} if dev else {}
    return {"$schema": SCHEMA, "title": title, "data": {"values": data}, "height": 260,
            "mark": {"type": "line", "point": len(data) <= 60, "color": PALETTE[0]},
            "encoding": {"x": {"field": "epoch", "type": "quantitative"},
                         "y": {"field": "loss", "type": "quantitative", "scale": {"zero": False}},
                         "tooltip": [{"field": "set"}, {"field": "epoch"}, {"field": "loss"}],
                         **lines}}


def loss_curve(losses, title="loss per epoch", placeholder=None, dev=None):
    """Loss against epoch (and dev loss, when given); draws into `placeholder` when given
    (for live updates)."""
    show(loss_spec(losses, title, dev), placeholder)


def trajectories(history, words, placeholder=None):
    """Each word's 2-D embedding across epochs: a path from the start (hollow) to the end."""
    history = np.asarray(history, float)  # (epochs+1, V, 2)
    last = history.shape[0] - 1
    data = [{"epoch": e, "word": str(w), "x": _f(history[e, i, 0]), "y": _f(history[e, i, 1])}
            for e in range(history.shape[0]) for i, w in enumerate(words)]
    color = {"field": "word", "type": "nominal", "scale": {"range": PALETTE},
             "legend": {"orient": "top"}}
    pos = {"x": {"field": "x", "type": "quantitative", "title": "dim 0"},
           "y": {"field": "y", "type": "quantitative", "title": "dim 1"}}
    spec = {"$schema": SCHEMA, "title": "embeddings during training", "height": 320,
            "data": {"values": data}, "layer": [
                {"mark": "line", "encoding": {**pos, "order": {"field": "epoch"}, "color": color}},
                {"transform": [{"filter": "datum.epoch == 0"}],
                 "mark": {"type": "point", "size": 80, "filled": False},
                 "encoding": {**pos, "color": color}},
                {"transform": [{"filter": f"datum.epoch == {last}"}],
                 "mark": {"type": "point", "size": 80, "filled": True},
                 "encoding": {**pos, "color": color}}]}
    show(spec, placeholder)


def word_scatter(xy, words, title):
    """Words as labelled points in 2-D."""
    xy = np.asarray(xy, float)
    data = [{"word": str(w), "x": _f(xy[i, 0]), "y": _f(xy[i, 1] if xy.shape[1] > 1 else 0.0)}
            for i, w in enumerate(words)]
    enc = {"x": {"field": "x", "type": "quantitative", "title": "component 1"},
           "y": {"field": "y", "type": "quantitative", "title": "component 2"}}
    show({"$schema": SCHEMA, "title": title, "height": 320, "data": {"values": data},
          "encoding": enc, "layer": [
              {"mark": {"type": "point", "size": 80, "filled": True, "color": PALETTE[0]}},
              {"mark": {"type": "text", "dx": 8, "dy": -8, "align": "left"},
               "encoding": {"text": {"field": "word"}}}]})


def distribution_html(words, raw, powered, drawn):
    return bars_html([str(w) for w in words], [(BLUE, raw), (ORANGE, powered)],
                    "Probability of each word: count / total, and count^0.75 normalised "
                    "(negatives are drawn from the second); drawn as negatives: "
                    + (", ".join(str(words[i]) for i in dict.fromkeys(drawn)) or "none"),
                    marked=set(drawn), top=round_top(max(max(raw), max(powered))),
                    legend=[("count / total", BLUE), ("count^0.75, normalised", ORANGE),
                            ("drawn as a negative", MARK, "triangle")])


def distribution(words, raw, powered, drawn):
    """Unigram probabilities beside their ^0.75 version, one pair of bars per word; the words
    drawn as negatives marked with a triangle above their bars (and named in the legend)."""
    if not finite(raw, powered):
        return
    st.html(distribution_html(words, raw, powered, drawn))
    st.caption("Blue: how often each word occurs. Orange: the same counts to the power 0.75, "
               "the distribution negatives are drawn from; the red triangles mark the drawn "
               "words. The power lifts rare words and lowers frequent ones.")
