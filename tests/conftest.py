"""Shared test fixtures: paths and an AppTest factory."""
import html
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
NAMES = ROOT.parent / "shared" / "data" / "names.txt"


@pytest.fixture
def app():
    """The app started at its home page; switch pages with at.switch_page."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    return at


def open_page(at, file):
    at.switch_page(f"pages/{file}").run()
    assert not at.exception, at.exception
    return at


def _cells(line):
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def _unescape(text):
    return re.sub(r"\\(.)", r"\1", text)


def _number(cell):
    """A table cell such as **:orange-background[`-0.6347`]** as a float."""
    return float(re.search(r"`\s*([^`]+?)\s*`", cell).group(1))


def parse_table(markdown):
    """(name, DataFrame of floats) from a Markdown table rendered by ui.tables."""
    lines = markdown.strip().splitlines()
    head = [_unescape(c) for c in _cells(lines[0])]
    rows = [_cells(line) for line in lines[2:]]
    df = pd.DataFrame([[_number(c) for c in r[1:]] for r in rows],
                      index=[_unescape(r[0]) for r in rows], columns=head[1:])
    return head[0], df


class _Cells(HTMLParser):
    """The text of each th/td cell, row by row, of one HTML table (entities unescaped)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows, self.marks, self.cell = [], [], None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
            self.marks.append([])
        elif tag in ("th", "td"):
            self.cell = ""
            if tag == "td":
                self.marks[-1].append(dict(attrs).get("class", "").removeprefix("mark-"))

    def handle_endtag(self, tag):
        if tag in ("th", "td"):
            self.rows[-1].append(self.cell)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def _html_cells(body):
    """The parsed cells (rows and marks) of one HTML table."""
    parser = _Cells()
    parser.feed(body)
    return parser


def _tables_on_screen(at, kind):
    """(first header cell, parsed cells) of each HTML table of `kind` ('matrix' or 'records')
    on screen, top to bottom; a matrix table's first header cell is its quantity's name."""
    out = []
    for h in at.html:   # a stage's tables are one element
        for table in re.findall(rf'<table class="{kind}">.*?</table>', h.value, re.S):
            cells = _html_cells(table)
            out.append((cells.rows[0][0], cells))
    return out


def _frame(cells):
    head, *rows = cells.rows
    return pd.DataFrame([[float(c) for c in r[1:]] for r in rows],
                        index=[r[0] for r in rows], columns=head[1:])


def parse_html_table(body):
    """(name, DataFrame of floats) from an HTML table drawn by ui.tables.html_table."""
    cells = _html_cells(body)
    return cells.rows[0][0], _frame(cells)


def shown_marks(at, name):
    """The marks ('target', 'touched', 'changed' or '') of the cells of the last table named
    `name` on screen, as a 2-D array shaped like its numbers."""
    found = [cells for first, cells in _tables_on_screen(at, "matrix") if first == name]
    assert found, f"no table named {name} on screen"
    return np.array(found[-1].marks[1:], dtype=object)


def shown_records(at, first):
    """The rows, as {column: text}, of the records tables (ui.tables.records_table) on screen
    whose first column is named `first`."""
    return [dict(zip(cells.rows[0], r)) for head, cells in _tables_on_screen(at, "records")
            if head == first for r in cells.rows[1:]]


def shown_math(at):
    """Every display formula on screen: st.latex elements, the $$ blocks of Markdown elements
    and the lines of ui.mathtex's HTML blocks (a stage's formulas, its plugged-in lines)."""
    out = [x.value.strip("$\n") for x in at.latex]
    for m in at.markdown:
        out += re.findall(r"^\$\$\n(.*?)\n\$\$$", m.value, re.S | re.M)
    for h in at.html:
        out += [html.unescape(t) for t in re.findall(r'<div class="tex">(.*?)</div>', h.value)]
    return out


def shown_tables(at, name):
    """The DataFrames of the rendered tables named `name` (the quantity in the corner)."""
    return [_frame(cells) for first, cells in _tables_on_screen(at, "matrix") if first == name]


def shown_table(at, name):
    """The last rendered table of quantity `name`, as floats (the value shown on screen)."""
    frames = shown_tables(at, name)
    assert frames, f"no table named {name} on screen"
    return frames[-1]
