"""Serve Step-through: the app (app.py) plus the route that following students' browsers wait
on for the teacher's next step (ui/classroom.news).

    streamlit run serve.py

`streamlit run app.py` serves the same app without the route: following students' pages
then poll for news twice a second instead."""
import streamlit as st

from ui import classroom

app = st.App("app.py", routes=[classroom.news_route()])
