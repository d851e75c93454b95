"""Hand-check marking, number formatting at any size, and user text (issue "State that never
lies"): the oracle is arithmetic by hand."""
import numpy as np
import pytest

from core.common import LR_MAX, LR_MIN, check_lesson_lr, clean_word, parse_words, strip_bidi
from tests.conftest import parse_html_table
from ui.format import html_text, md_text, num, tex_num, tex_text
from ui.selfcheck import mark_values, parse_typed, verdict_counts
from ui.tables import html_table


def mark(text, exact):
    values, dec, exp = parse_typed(text, len(exact), with_exponents=True)
    return mark_values(values, dec, np.array(exact, dtype=float), None, exp)[0]


@pytest.mark.parametrize("typed,exact,right", [
    ("-0", -0.9937, False),        # 0 decimals: ±0.5, and -0.9937 rounds to -1
    ("-1", -0.9937, True),
    ("-0.99", -0.9937, True),      # ±0.005
    ("-0.98", -0.9937, False),
    ("-0.9937", -0.9937, True),
    ("2", 2.6, False),             # no ±1 for an integer
    ("3", 2.6, True),
    ("1.2e-5", 1.24e-5, True),     # ±0.05e-5
    ("1.2e-5", 1.26e-5, False),
    ("0.0000", 1.24e-5, True),     # 4 decimals: ±0.00005 (zeros are right to that precision)
])
def test_tolerance_is_half_a_unit_of_what_was_typed(typed, exact, right):
    assert mark(typed, [exact]) == [right]


def test_a_power_of_ten_never_widens_a_zero_nor_breaks_the_check():
    """0e9 is 0 (±0.5), not ±0.5e9; a power past float64 is a message, not a traceback."""
    assert mark("0e9 0e999 0.0e-5", [0.3, 0.7, 2e-7]) == [True, False, True]
    assert mark("0e9", [4e8]) == [False]
    for text in ("0e99999999999999999999", "1e-1000"):
        with pytest.raises(ValueError, match="power of ten out of range"):
            parse_typed(text, 1, with_exponents=True)


def test_skipped_is_not_checked_and_counted():
    verdicts = mark("? -0.99 ?", [1.0, -0.9937, 3.0])
    assert verdicts == [None, True, None]
    assert verdict_counts(verdicts) == "1 right, 0 wrong, 2 not checked"
    assert verdict_counts(mark("?", [1.0])) == "0 right, 0 wrong, 1 not checked"


@pytest.mark.parametrize("x,dec,text", [
    (1e300, 4, " 1.000e+300"), (-1e308, 2, "-1.0e+308"), (1e-300, 4, " 1.000e-300"),
    (0.00004, 4, " 4.000e-05"), (0.00005, 4, " 0.0001"), (0.0, 4, " 0.0000"),
    (-0.99374, 4, "-0.9937"), (999999.0, 2, " 999999.00"), (1e6, 2, " 1.0e+06"),
])
def test_numbers_of_any_size_read_well(x, dec, text):
    assert num(x, dec) == text
    assert float(text) == pytest.approx(x, rel=10 ** -(dec - 1) if x else 0, abs=10 ** -dec)


def test_tex_numbers_never_print_hundreds_of_digits():
    assert tex_num(1e300, 4) == r"1.000\times10^{300}"
    assert tex_num(-1e-300, 3, paren=True) == r"(-1.00\times10^{-300})"
    assert len(tex_num(1e308, 10)) < 30


@pytest.mark.parametrize("word", ["\u200b", "\u200b\u200c\u200d", "\ufeff", " \u2060 "])
def test_invisible_words_are_refused(word):
    with pytest.raises(ValueError, match="invisible"):
        clean_word(word)
    with pytest.raises(ValueError, match="invisible"):
        parse_words(f"dog, {word}, cat")


@pytest.mark.parametrize("word", ["\u202e", "\u200e\u200f"])
def test_a_word_of_only_bidi_controls_is_no_word(word):
    with pytest.raises(ValueError, match="invisible"):
        clean_word(word)
    assert parse_words(f"dog, {word}, cat") == ["dog", "cat"]


def test_bidi_controls_are_removed_everywhere():
    assert clean_word("\u202egod") == "god"
    assert strip_bidi("a\u2066b\u2069c\u202ed") == "abcd"
    assert "\u202e" not in md_text("x\u202ey") and "\u202e" not in tex_text("x\u202ey")
    assert "\u202e" not in html_text("x\u202ey")


HOSTILE = ["<img src=x onerror=alert(1)>", "</td></tr></table><script>x()</script>", "a&amp;b",
           '"quoted" <b>bold</b>', "&lt;"]


def test_a_table_shows_every_label_as_the_text_typed():
    """Words become table labels: as HTML they must stay text, the tags and entities shown."""
    values = np.arange(len(HOSTILE) * 2, dtype=float).reshape(-1, 2) - 3.5
    body = html_table(values, 2, HOSTILE, HOSTILE[:2], name=HOSTILE[4])
    assert "<script" not in body and "<img" not in body and "<b>" not in body
    name, df = parse_html_table(body)
    assert name == HOSTILE[4]
    assert list(df.index) == HOSTILE and list(df.columns) == HOSTILE[:2]
    np.testing.assert_array_equal(df.to_numpy(), values)  # x.5 at 2 decimals is exact


def test_one_learning_rate_range():
    assert check_lesson_lr(LR_MIN) == LR_MIN and check_lesson_lr(LR_MAX) == LR_MAX
    for bad in (1e-300, 1e300, 0.0, float("nan")):
        with pytest.raises(ValueError):
            check_lesson_lr(bad)


def test_a_cut_table_says_so_under_it_in_the_same_element(monkeypatch):
    """A stage's tables are one st.html element; a table cut to its first 30 rows and 20
    columns (of 100 x 60) is followed there by a note with those counts, an uncut one not."""
    from ui import tables
    drawn = []
    monkeypatch.setattr(tables.st, "html", drawn.append)
    big, small = np.zeros((100, 60)), np.ones((3, 2))
    tables.matrix_tables([((big, 4, None, None, None), "E"), ((small, 4, None, None, None), "W")])
    assert len(drawn) == 1
    html = drawn[0]
    note = ('<p class="cut-note">Showing 30 of 100 rows and 20 of 60 columns; the CSV export '
            'has every number.</p>')
    assert html.count("<table") == 2 and html.count('class="cut-note"') == 1
    assert html.index("</table>") < html.index(note) < html.rindex("<table")
