"""Home: what Step-through is and one line per lesson."""
import streamlit as st

from ui.lessons import lessons

st.title("Step-through")
st.markdown(
    "Small neural networks learning word embeddings, **one SGD step at a "
    "time, with every number on screen**: forward pass, loss, backward pass and update, "
    "each as a worksheet line checked against torch autograd. Pick a lesson:")
for file, lesson in lessons():
    with st.container(border=True):
        st.page_link(f"pages/{file}", label=lesson.menu_title, icon=lesson.icon)
        st.caption(lesson.blurb)
st.caption("The decimals shown on every page are set in the sidebar.")
