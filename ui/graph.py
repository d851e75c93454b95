"""The network drawn (Graphviz, st.graphviz_chart): the lesson's forward edges, each node
with its tensor's name and shape (and values, when small), the current stage lit up: forward
quantities in blue, gradients flowing back in vermillion (Okabe-Ito, colour-blind-safe; the
text also says "forward" / "gradient"), updated parameters in bluish green.

A lesson gives its forward edges as (from, to) names of parameters, inputs or Trace keys; a
Trace key grad_X / dL_dX belongs to node X and X_new to X.
"""
import re

import numpy as np

from ui.format import num

FORWARD, BACKWARD, UPDATE, IDLE = "#0072B2", "#D55E00", "#009E73", "#9E9E9E"
MAX_VALUES = 6  # a node shows its values when it has at most this many


def edges(spec):
    """A lesson's graph as (from, to) pairs: given as pairs, or as text of chains "a>b>c d>b"
    (the edges a>b, b>c, d>b)."""
    if not isinstance(spec, str):
        return spec
    chains = [chain.split(">") for chain in spec.split()]
    return tuple(dict.fromkeys((a, b) for nodes in chains for a, b in zip(nodes, nodes[1:])))


def node_of(key):
    """The graph node a Trace key belongs to, and how (forward / gradient / update)."""
    m = re.match(r"^(?:grad_|dL_d)(.+)$", key)
    if m:
        return m.group(1), "gradient"
    if key.endswith("_new"):
        return key[:-4], "update"
    return key, "forward"


def _label(ctx, name, decimals):
    try:
        value = np.asarray(ctx.value(name), dtype=np.float64)
    except (KeyError, TypeError, ValueError):
        return name
    shape = "scalar" if value.ndim == 0 else " × ".join(map(str, value.shape))
    text = f"{name}\\n({shape})"
    if value.size <= MAX_VALUES:
        text += "\\n" + " ".join(num(x, decimals).strip() for x in np.ravel(value))
    return text


def dot(ctx, edges, stage_keys):
    """Graphviz DOT source of the network with this stage's keys highlighted."""
    lit = {}
    for key in stage_keys:
        node, how = node_of(key)
        lit.setdefault(node, how)
    colour = {"forward": FORWARD, "gradient": BACKWARD, "update": UPDATE}
    nodes = list(dict.fromkeys(n for e in edges for n in e))
    out = ["digraph G {", 'rankdir=LR; bgcolor="transparent";',
           'node [shape=box, style="rounded,filled", fillcolor=white, fontname="Helvetica", '
           'fontsize=11, color="#9E9E9E"];', 'edge [color="#9E9E9E"];']
    for n in nodes:
        how = lit.get(n)
        label = _label(ctx, n, min(ctx.decimals, 3))
        if how:
            label += f"\\n[{'gradient ∂L/∂' + n if how == 'gradient' else how}]"
            out.append(f'"{n}" [label="{label}", color="{colour[how]}", penwidth=3, '
                       f'fillcolor="{colour[how]}22"];')
        else:
            out.append(f'"{n}" [label="{label}"];')
    for a, b in edges:
        if lit.get(b) == "forward":
            out.append(f'"{a}" -> "{b}" [color="{FORWARD}", penwidth=2.5];')
        elif lit.get(a) == "gradient" or lit.get(b) == "gradient":
            out.append(f'"{a}" -> "{b}" [color="{BACKWARD}", penwidth=2.5, dir=back, '
                       'style=dashed, label="∂L"];')
        else:
            out.append(f'"{a}" -> "{b}";')
    out.append("}")
    return "\n".join(out)


def describe(edges, stage_keys):
    """A text alternative: what the picture shows, for a screen reader."""
    parts = [f"{a} → {b}" for a, b in edges]
    lit = [f"{node_of(k)[0]} ({node_of(k)[1]})" for k in stage_keys]
    return ("The network: " + ", ".join(parts) + ". This stage: " +
            (", ".join(lit) if lit else "no tensors") + ".")
