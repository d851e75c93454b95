"""Step-through's library: pure numpy models whose step functions return a Trace.

A Trace is an ordered dict from stage names to numpy arrays / floats (float64). Pages,
tests, exports and notebooks all read the same object. Nothing here imports streamlit.
"""
