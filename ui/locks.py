"""Lesson links a teacher can lock: `?lock=lr,weights` disables controls, `?hide=train,quiz`
leaves parts out. Read once per session (the first run of the lesson) and kept in session
state, so the locks hold while the student works; they are also written back into the
address bar, so a reload keeps them.

Names: the lesson's settings, plus the parts every lesson has (PARTS). A locked setting's
widget is drawn disabled, with a help text saying why; a hidden one is not drawn (its value
stays what the link or the defaults set).
"""
import streamlit as st

PARTS = {
    "weights": "the weights: edit form, new random init, reset",
    "lr": "the learning rate",
    "train": "the training panel",
    "quiz": "the quiz toggle",
    "history": "undo, redo and the history",
    "whatif": "the “What if…” comparison",
    "lens": "the learning-rate lens",
    "exercises": "the exercise sheets (teachers)",
}
LOCK_HELP = "Locked by your teacher's link"
MAX_TEXT = 500  # a lock / hide parameter longer than this is refused whole


def drawn_while_open(label, key, **kw):
    """An expander whose body the caller draws only while it is open; returns (it, open).
    What a closed box holds is still built (and typeset) by the browser on every click,
    unseen (bench/click_latency.py); widgets in it keep their values with keep_values."""
    box = st.expander(label, key=key, on_change="rerun", **kw)
    return box, box.open


def keep_values(keys):
    """Keep these widgets' values through a run that does not draw them (Streamlit drops a
    widget's value from session state in a run without its widget; set again, it stays)."""
    for k in keys:
        if k in st.session_state:
            st.session_state[k] = st.session_state[k]


def names(L):
    """Every name a link may lock or hide, in a fixed order: settings first."""
    return list(dict.fromkeys([*L.settings, *PARTS]))


def describe(L, name):
    return PARTS.get(name) or f"the setting “{name}”"


def parse(L, text):
    """(known names in order, unknown names) from `lr, weights,...`; ValueError when the text
    is too long to be a list of this lesson's names."""
    text = str(text)
    if len(text) > MAX_TEXT:
        raise ValueError(f"too long ({len(text):,} characters)")
    asked = [t.strip() for t in text.split(",") if t.strip()]
    known = [n for n in names(L) if n in asked]
    unknown = list(dict.fromkeys(t for t in asked if t not in names(L)))
    return known, unknown


def read(L, query, problems):
    """The link's `lock` and `hide` into session state (once: the first run of the lesson);
    unknown names are listed in `problems`, the known ones applied."""
    state = {"lock": [], "hide": []}
    for kind in ("lock", "hide"):
        if kind not in query:
            continue
        try:
            known, unknown = parse(L, query[kind])
        except ValueError as err:
            problems.append(f"`{kind}` ({err}; nothing was {kind}ed)")
            continue
        state[kind] = known
        if unknown:
            from ui.format import md_text
            shown = ", ".join(f"“{md_text(u[:30])}”" for u in unknown[:10])
            more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
            problems.append(f"`{kind}` names {shown}{more}, which this lesson does not have "
                            f"(it has: {', '.join(names(L))}); the other names were applied")
    st.session_state[L.key("locks")] = state


def _state(L):
    return st.session_state.get(L.key("locks")) or {"lock": [], "hide": []}


def hidden(L, name):
    """True when the link hides this part or setting."""
    return name in _state(L)["hide"]


def locked(L, name):
    """True when the link locks (or hides) this part or setting."""
    s = _state(L)
    return name in s["lock"] or name in s["hide"]


def widget(L, name, help=None):
    """disabled= and help= for a setting's widget."""
    return {"disabled": locked(L, name), "help": LOCK_HELP if locked(L, name) else help}


def any_locks(L):
    s = _state(L)
    return bool(s["lock"] or s["hide"])


def query(L):
    """The session's locks as URL parameters (nothing when there are none)."""
    s = _state(L)
    return {kind: ",".join(s[kind]) for kind in ("lock", "hide") if s[kind]}


def link(base, params):
    """base?params with commas kept readable (lock=lr,weights)."""
    from urllib.parse import urlencode
    q = urlencode({k: v for k, v in params.items() if v != ""}, safe=",")
    return f"{base}?{q}" if q else base
