"""Serve Step-through: the app (app.py) plus the route that following students' browsers wait
on for the teacher's next step (ui/classroom.news).

    streamlit run serve.py

`streamlit run app.py` serves the same app without the route (following students' pages
then poll for news twice a second) and without Nagle's algorithm turned off
(ui/serving.turn_nagle_off)."""
import streamlit as st

from ui import classroom, lessons, serving

serving.turn_nagle_off()
# The lessons (their pages, core modules and numpy) are imported, and each one's first step
# worked out, once the server is up, in the background, rather than in the first visitor's
# first run; app.py waits for them.
app = st.App("app.py", routes=[classroom.news_route(), *serving.index_routes(lessons.FILES)],
             lifespan=serving.import_when_up(lessons.warm))
