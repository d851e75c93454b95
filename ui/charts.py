"""Light Altair charts: probability bars, embedding moves, loss curves, trajectories."""
import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

# Okabe-Ito, a colour-blind-safe qualitative palette.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000"]


def prob_bars(probs, words, target, decimals):
    """Probabilities as bars, the target word's bar in orange and labelled, values on the bars."""
    df = pd.DataFrame({"word": [str(w) for w in words], "p": np.asarray(probs, dtype=float),
                       "is": ["target" if i == target else "other" for i in range(len(words))]})
    df["label"] = df["p"].map(lambda p: f"{p:.{decimals}f}")
    base = alt.Chart(df).encode(x=alt.X("word:N", sort=None, title=None),
                                y=alt.Y("p:Q", scale=alt.Scale(domain=[0, 1]), title="probability"))
    bars = base.mark_bar().encode(
        color=alt.Color("is:N", scale=alt.Scale(domain=["target", "other"],
                                                range=[PALETTE[1], PALETTE[0]]),
                        legend=alt.Legend(title=None, orient="top")))
    text = base.mark_text(dy=-8, font="monospace").encode(text="label:N")
    st.altair_chart((bars + text).properties(height=220), width="stretch")


def embedding_move(before, after, words, moved):
    """2-D embeddings before (hollow) and after (filled) the update, an arrow for moved rows."""
    before, after = np.asarray(before, float), np.asarray(after, float)
    pts = pd.DataFrame({"word": [str(w) for w in words], "x": before[:, 0], "y": before[:, 1],
                        "x2": after[:, 0], "y2": after[:, 1]})
    color = alt.Color("word:N", scale=alt.Scale(range=PALETTE), legend=None)
    base = alt.Chart(pts)
    old = base.mark_point(size=90, filled=False).encode(x=alt.X("x:Q", title="dim 0"),
                                                         y=alt.Y("y:Q", title="dim 1"), color=color)
    new = base.mark_point(size=90, filled=True).encode(x="x2:Q", y="y2:Q", color=color)
    arrow = base.transform_filter(alt.FieldOneOfPredicate("word", [str(words[i]) for i in moved])
                                  ).mark_rule(strokeWidth=2).encode(x="x:Q", y="y:Q", x2="x2:Q",
                                                                     y2="y2:Q", color=color)
    label = base.mark_text(dx=10, dy=-10, align="left").encode(x="x2:Q", y="y2:Q", text="word:N",
                                                               color=color)
    st.altair_chart((old + new + arrow + label).properties(height=320), width="stretch")
    st.caption("Hollow: before the update. Filled: after. The line joins a moved word's two "
               "positions.")


def loss_chart(losses, title="loss per epoch"):
    """Loss against epoch as an Altair chart (also what the PNG / SVG export draws)."""
    df = pd.DataFrame({"epoch": np.arange(1, len(losses) + 1), "loss": np.asarray(losses, float)})
    return alt.Chart(df).mark_line(point=len(df) <= 60, color=PALETTE[0]).encode(
        x=alt.X("epoch:Q"), y=alt.Y("loss:Q", scale=alt.Scale(zero=False)),
        tooltip=["epoch", "loss"]).properties(title=title, height=260)


def loss_curve(losses, title="loss per epoch", placeholder=None):
    """Loss against epoch; draws into `placeholder` when given (for live updates)."""
    (placeholder or st).altair_chart(loss_chart(losses, title), width="stretch")


def trajectories(history, words, placeholder=None):
    """Each word's 2-D embedding across epochs: a path from the start (hollow) to the end."""
    history = np.asarray(history, float)  # (epochs+1, V, 2)
    rows = [{"epoch": e, "word": str(w), "x": history[e, i, 0], "y": history[e, i, 1]}
            for e in range(history.shape[0]) for i, w in enumerate(words)]
    df = pd.DataFrame(rows)
    color = alt.Color("word:N", scale=alt.Scale(range=PALETTE), legend=alt.Legend(orient="top"))
    path = alt.Chart(df).mark_line(point=False).encode(
        x=alt.X("x:Q", title="dim 0"), y=alt.Y("y:Q", title="dim 1"), order="epoch:Q", color=color)
    start = alt.Chart(df[df.epoch == 0]).mark_point(size=80, filled=False).encode(
        x="x:Q", y="y:Q", color=color)
    end = alt.Chart(df[df.epoch == df.epoch.max()]).mark_point(size=80, filled=True).encode(
        x="x:Q", y="y:Q", color=color)
    chart = (path + start + end).properties(title="embeddings during training", height=320)
    (placeholder or st).altair_chart(chart, width="stretch")
