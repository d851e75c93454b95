"""Shared test fixtures: paths and an AppTest factory."""
from pathlib import Path

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


def shown_tables(at, name):
    """The DataFrames of the rendered tables named `name` (the quantity in the corner)."""
    return [t.value for t in at.table
            if hasattr(t.value, "index") and t.value.index.name == name]


def shown_table(at, name):
    """The last rendered table of quantity `name`, as floats (the value shown on screen)."""
    frames = shown_tables(at, name)
    assert frames, f"no table named {name} on screen"
    return frames[-1].astype(float)
