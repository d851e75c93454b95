"""The stage charts of ui/charts.py: HTML whose numbers, bars and points are read back here."""
import re
from html.parser import HTMLParser

import numpy as np
import pytest

from ui import charts

HOSTILE = '<img src=x onerror=alert(1)>"&\u202e'


class Tags(HTMLParser):
    """(tag, attributes, text inside) of every element, in order."""

    def __init__(self, html):
        super().__init__()
        self.found, self.open = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        item = [tag, dict(attrs), ""]
        self.found.append(item)
        if tag not in ("img", "br"):
            self.open.append(item)

    def handle_endtag(self, tag):
        self.open.pop()

    def handle_data(self, data):
        for item in self.open:
            item[2] += data

    def of(self, tag, cls=None):
        return [(a, t) for g, a, t in self.found
                if g == tag and (cls is None or cls in a.get("class", "").split())]


def style(attrs, prop):
    return re.search(rf"(?:^|;)\s*{prop}:\s*([^;]+)", attrs["style"]).group(1).strip()


def contrast(rgb_a, rgb_b):
    """WCAG 2 contrast ratio of two sRGB colours (0-255)."""
    def lum(rgb):
        c = [x / 255 for x in rgb]
        c = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    hi, lo = sorted((lum(rgb_a), lum(rgb_b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def rgb(text):
    if text.startswith("#"):
        return (0, 0, 0) if text == "#000" else (255, 255, 255)
    return tuple(int(x) for x in re.findall(r"\d+", text))


def test_heatmap_writes_every_value_readably_and_escapes_labels():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(4, 3)) * 3
    tags = Tags(charts.heatmap_html(values, 3, ["a", HOSTILE, "c", "d"], ["x", "y", "z"], "W"))
    cells = tags.of("td")
    assert [float(t) for _, t in cells] == pytest.approx(np.ravel(values), abs=0.5e-3 + 1e-12)
    for attrs, _ in cells:   # at least WCAG AA for normal text on every background
        assert contrast(rgb(style(attrs, "background")), rgb(style(attrs, "color"))) >= 4.5
    # the scale: zero is near white, the largest |value| the end colour of its sign
    big = int(np.argmax(np.abs(values)))
    end = charts.POS if np.ravel(values)[big] > 0 else charts.NEG
    assert rgb(style(cells[big][0], "background")) == end
    assert [t for _, t in tags.of("th")][5] == HOSTILE.replace("\u202e", "")
    assert not tags.of("img") and tags.of("caption")[0][1] == "W"


@pytest.mark.parametrize("decimals", [2, 4])
def test_prob_bars_heights_labels_and_target(decimals):
    probs = np.array([0.1, 0.6, 0.25, 0.05])
    words = ["the", HOSTILE, "sat", "on"]
    tags = Tags(charts.prob_bars_html(probs, words, 2, decimals))
    bars = tags.of("div", "bar")
    assert [float(style(a, "height").rstrip("%")) for a, _ in bars] == pytest.approx(probs * 100)
    assert [t for _, t in bars] == [f"{p:.{decimals}f}" for p in probs]
    assert [style(a, "background") for a, _ in bars] == [
        charts.BLUE, charts.BLUE, charts.ORANGE, charts.BLUE]
    assert [t for _, t in tags.of("div", "bar-word")] == [w.replace("\u202e", "") for w in words]
    assert not tags.of("img")
    label = tags.of("div", "bar-chart")[0][0]["aria-label"]
    assert "target sat" in label and f"sat {0.25:.{decimals}f}" in label


def test_distribution_marks_the_drawn_words_and_scales_to_a_round_top():
    raw, powered = np.array([0.5, 0.3, 0.2]), np.array([0.42, 0.32, 0.26])
    tags = Tags(charts.distribution_html(["a", "b", "c"], raw, powered, [2, 2, 0]))
    groups = [g for g in tags.found if g[0] == "div" and g[1].get("class") == "bar-group"]
    starts = [tags.found.index(g) for g in groups] + [len(tags.found)]
    marked = [i for i in range(3) if any(a.get("class") == "bar-mark"
                                         for _, a, _ in tags.found[starts[i]:starts[i + 1]])]
    assert marked == [0, 2]   # the words drawn (c twice), each marked once
    axis = [float(t) for a, t in tags.of("span") if "bottom" in a.get("style", "")]
    # the y axis: quarters of a round top
    assert axis == [0, 0.125, 0.25, 0.375, 0.5]
    heights = [float(style(a, "height").rstrip("%")) for a, _ in tags.of("div", "bar")]
    np.testing.assert_allclose(heights, 100 * np.ravel(np.column_stack([raw, powered])) / 0.5)


def test_legend_keys_carry_their_shape_not_their_name():
    tags = Tags(charts.distribution_html(["a", "b"], np.array([0.6, 0.4]),
                                         np.array([0.55, 0.45]), [1]))
    keys = [a.get("class") for a, _ in tags.of("span") if "key" in a.get("class", "")]
    assert keys == ["key", "key", "key tri"]   # the drawn words' triangle, as above their bars
    tri = [a for a, _ in tags.of("span", "tri")][0]
    (mark,) = [a for a, _ in tags.of("span", "bar-mark")]
    assert style(mark, "--c") == style(tri, "--c") == "#D55E00"   # the same colour in both
    plain = Tags(charts.bars_html(["a"], [("#000", [0.5])], "x",
                                  legend=[("drawn by hand", "#000")]))
    assert [a.get("class") for a, _ in plain.of("span") if "key" in a.get("class", "")] == ["key"]


def test_round_top_has_round_quarters():
    # by hand: x / 4 rounded up to 1, 1.25, 2, 2.5, 5 or 10 times a power of ten, times 4
    for x, top in [(0.5, 0.5), (0.23, 0.4), (0.9, 1.0), (0.36, 0.4), (3.2, 4.0), (0.041, 0.05)]:
        assert charts.round_top(x) == pytest.approx(top)


def test_ticks_are_round_and_cover_the_range():
    for lo, hi in [(-1.07, 0.93), (0, 0.186), (3.2, 3.2), (-0.004, 0.0031)]:
        t = charts.ticks(lo, hi)
        assert t[0] <= lo and t[-1] >= hi
        steps = np.diff(t)
        np.testing.assert_allclose(steps, steps[0])
        mantissa = steps[0] / 10 ** np.floor(np.log10(steps[0]))
        assert min(abs(mantissa - m) for m in (1, 2, 2.5, 5, 10)) < 1e-9


def test_embedding_move_places_each_point_where_its_coordinates_are():
    before = np.array([[-1.0, 0.5], [0.2, -0.3], [0.9, 0.8]])
    after = before.copy()
    after[1] += [0.3, -0.2]
    tags = Tags(charts.embedding_move_html(before, after, ["dog", HOSTILE, "park"], [1]))
    ticks_x = [float(t) for _, t in tags.of("span", "tick-x")]
    ticks_y = [float(t) for _, t in tags.of("span", "tick-y")]

    def where(attrs):
        x = float(style(attrs, "left").rstrip("%")) / 100
        y = float(style(attrs, "bottom").rstrip("%")) / 100
        return (ticks_x[0] + x * (ticks_x[-1] - ticks_x[0]),
                ticks_y[0] + y * (ticks_y[-1] - ticks_y[0]))

    hollow = [where(a) for a, _ in tags.of("span", "before")]
    filled = [where(a) for a, _ in tags.of("span", "dot") if "before" not in a["class"]]
    np.testing.assert_allclose(hollow, before, atol=1e-3)
    np.testing.assert_allclose(filled, after, atol=1e-3)
    assert len(tags.of("span", "move")) == 1    # one line: the one moved word
    assert [t for _, t in tags.of("span", "dot-word")][1] == HOSTILE.replace("\u202e", "")
    assert not tags.of("img")


def test_a_step_that_overflows_gets_a_sentence_instead_of_a_chart():
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_string(
        "import numpy as np\nfrom ui import charts\n"
        "charts.embedding_move(np.zeros((2, 2)), np.array([[np.inf, 0], [0, 0]]), ['a', 'b'], [0])\n"
        "charts.prob_bars([np.nan, 1.0], ['a', 'b'], 0, 4)\n"
        "charts.heatmap(np.ones((2, 2)), 4, ['a', 'b'], ['x', 'y'])\n").run()
    assert not at.exception
    assert [c.value for c in at.caption] == [
        "No chart for this step: a value is not finite (the tables show which)."] * 2
    assert len(at.get("html")) == 1   # the finite heatmap


def test_a_point_too_far_out_to_place_gets_a_sentence_instead_of_a_chart():
    """Finite weights of 1e308 (tiny word2vec's bad-input case): the chart's range would be
    2e308, past float64, and its points' places not numbers."""
    import warnings

    from streamlit.testing.v1 import AppTest
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        at = AppTest.from_string(
            "import numpy as np\nfrom ui import charts\n"
            "charts.embedding_move(np.array([[1e308, -1e308], [0, 0]]), np.zeros((2, 2)), "
            "['a', 'b'], [0])\n"
            "charts.embedding_move(np.array([[1e299, -1e299], [0, 0]]), np.zeros((2, 2)), "
            "['a', 'b'], [0])\n").run()
    assert not at.exception
    assert [c.value for c in at.caption][0] == (
        "No chart for this step: a value is too large to place on a chart (the tables show it).")
    html = at.get("html")
    assert len(html) == 1 and "inf" not in html[0].proto.body and "nan" not in html[0].proto.body
