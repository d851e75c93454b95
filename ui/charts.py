"""Light charts as plain Vega-Lite specs (what Altair emits, without re-validating the schema
on every rerun, which cost most of a rerun): probability bars, heatmaps with the value in
each cell, embedding moves, loss curves and trajectories."""

import numpy as np
import streamlit as st

from ui.format import num

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


def prob_bars_spec(probs, words, target, decimals):
    values = [{"word": str(w), "p": _f(p), "is": "target" if i == target else "other",
               "label": f"{_f(p):.{decimals}f}"} for i, (w, p) in enumerate(zip(words, probs))]
    enc = {"x": {"field": "word", "type": "nominal", "sort": None, "title": None},
           "y": {"field": "p", "type": "quantitative", "scale": {"domain": [0, 1]},
                 "title": "probability"}}
    return {"$schema": SCHEMA, "data": {"values": values}, "height": 220, "encoding": enc,
            "layer": [{"mark": "bar", "encoding": {"color": {
                "field": "is", "type": "nominal",
                "scale": {"domain": ["target", "other"], "range": [PALETTE[1], PALETTE[0]]},
                "legend": {"title": None, "orient": "top"}}}},
                {"mark": {"type": "text", "dy": -8, "font": "monospace"},
                 "encoding": {"text": {"field": "label", "type": "nominal"}}}]}


def prob_bars(probs, words, target, decimals):
    """Probabilities as bars, the target word's bar in orange, values written on the bars."""
    show(prob_bars_spec(probs, words, target, decimals))


def heatmap_spec(values, decimals, rows, cols, title=""):
    arr = np.asarray(values, dtype=np.float64)
    bound = float(np.max(np.abs(arr))) or 1.0
    data = [{"row": str(r), "col": str(c), "value": _f(arr[i, j]),
             "label": num(arr[i, j], decimals).strip()}
            for i, r in enumerate(rows) for j, c in enumerate(cols)]
    enc = {"x": {"field": "col", "type": "nominal", "sort": [str(c) for c in cols], "title": None},
           "y": {"field": "row", "type": "nominal", "sort": [str(r) for r in rows], "title": None}}
    return {"$schema": SCHEMA, "title": title, "data": {"values": data}, "encoding": enc,
            "width": {"step": 84}, "height": {"step": 36},
            "layer": [{"mark": "rect", "encoding": {
                "color": {"field": "value", "type": "quantitative", "legend": None,
                          "scale": {"scheme": "blueorange", "domain": [-bound, bound]}},
                "tooltip": [{"field": "row"}, {"field": "col"}, {"field": "label"}]}},
                {"mark": {"type": "text", "fontSize": 14, "font": "monospace"}, "encoding": {
                    "text": {"field": "label", "type": "nominal"},
                    "color": {"condition": {"test": f"abs(datum.value) > {0.6 * bound}",
                                            "value": "white"}, "value": "black"}}}]}


def heatmap(values, decimals, rows, cols, title=""):
    """A diverging (blue-orange, colour-blind safe) heatmap with each value in its cell."""
    show(heatmap_spec(values, decimals, rows, cols, title), width="content")


def embedding_move(before, after, words, moved):
    """2-D embeddings before (hollow) and after (filled) the update, a line for moved rows."""
    before, after = np.asarray(before, float), np.asarray(after, float)
    data = [{"word": str(w), "x": _f(before[i, 0]), "y": _f(before[i, 1]), "x2": _f(after[i, 0]),
             "y2": _f(after[i, 1]), "moved": i in moved} for i, w in enumerate(words)]
    color = {"field": "word", "type": "nominal", "scale": {"range": PALETTE}, "legend": None}
    pos = {"x": {"field": "x", "type": "quantitative", "title": "dim 0"},
           "y": {"field": "y", "type": "quantitative", "title": "dim 1"}}
    new = {"x": {"field": "x2", "type": "quantitative"}, "y": {"field": "y2", "type": "quantitative"}}
    spec = {"$schema": SCHEMA, "data": {"values": data}, "height": 320, "layer": [
        {"mark": {"type": "point", "size": 90, "filled": False}, "encoding": {**pos, "color": color}},
        {"mark": {"type": "point", "size": 90, "filled": True}, "encoding": {**new, "color": color}},
        {"transform": [{"filter": "datum.moved"}], "mark": {"type": "rule", "strokeWidth": 2},
         "encoding": {**pos, "x2": {"field": "x2"}, "y2": {"field": "y2"}, "color": color}},
        {"mark": {"type": "text", "dx": 10, "dy": -10, "align": "left"},
         "encoding": {**new, "text": {"field": "word"}, "color": color}}]}
    show(spec)
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


def distribution(words, raw, powered, drawn):
    """Unigram probabilities beside their ^0.75 version, one pair of bars per word; the words
    drawn as negatives marked with a triangle above their bars (and named in the legend)."""
    drawn = set(drawn)
    data = [{"word": str(w), "kind": kind, "p": _f(p), "drawn": i in drawn}
            for i, w in enumerate(words) for kind, p in (("count / total", raw[i]),
                                                          ("count^0.75, normalised", powered[i]))]
    enc = {"x": {"field": "word", "type": "nominal", "sort": None, "title": None},
           "xOffset": {"field": "kind"},
           "y": {"field": "p", "type": "quantitative", "title": "probability"},
           "color": {"field": "kind", "type": "nominal", "scale": {"range": PALETTE[:2]},
                     "legend": {"orient": "top", "title": None}}}
    show({"$schema": SCHEMA, "height": 220, "data": {"values": data}, "layer": [
        {"mark": "bar", "encoding": enc},
        {"transform": [{"filter": "datum.drawn && datum.kind != 'count / total'"}],
         "mark": {"type": "point", "shape": "triangle-down", "filled": True, "size": 90,
                  "color": PALETTE[5], "yOffset": -10},
         "encoding": {"x": enc["x"], "y": enc["y"]}}]})
    st.caption("Blue: how often each word occurs. Orange: the same counts to the power 0.75, "
               "the distribution negatives are drawn from; the red triangles mark the drawn "
               "words. The power lifts rare words and lowers frequent ones.")
