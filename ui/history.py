"""Per-session history of a lesson's steps: undo, redo, a scrubber, and the initial state.

An entry is a snapshot of the page's input keys in session state (parameters, words,
learning rate...) plus a label; restoring it puts those values back exactly, and the page
recomputes the same Trace from them.
"""
import streamlit as st

CAP = 100  # entries kept; older ones drop (the initial state is kept apart, never dropped)


def _get(prefix):
    return st.session_state.setdefault(f"{prefix}_history", {"entries": [], "pos": -1,
                                                              "dropped": 0, "initial": None})


def snapshot(keys):
    """The current values of these session keys (copied)."""
    return {k: st.session_state[k] for k in keys if k in st.session_state}


def start(prefix, keys, label="start"):
    """Record the initial state once per session."""
    h = _get(prefix)
    if h["initial"] is None:
        h["initial"] = snapshot(keys)
        h["entries"], h["pos"] = [{"state": h["initial"], "label": label}], 0


def push(prefix, keys, label):
    """Record the current state after a step; anything after the current point is dropped."""
    h = _get(prefix)
    entries = h["entries"][:h["pos"] + 1] + [{"state": snapshot(keys), "label": label}]
    if len(entries) > CAP:
        h["dropped"] += len(entries) - CAP
        entries = entries[-CAP:]
    h["entries"], h["pos"] = entries, len(entries) - 1
    st.session_state[f"{prefix}_scrub"] = h["pos"]


def restore(prefix, i):
    """Put entry i's values back into session state (call from a callback)."""
    h = _get(prefix)
    i = min(max(i, 0), len(h["entries"]) - 1)
    st.session_state.update(h["entries"][i]["state"])
    h["pos"] = i
    st.session_state[f"{prefix}_scrub"] = i


def restore_initial(prefix):
    """Back to the identical start of the session (recorded as a new history point)."""
    h = _get(prefix)
    if h["initial"] is not None:
        st.session_state.update(h["initial"])


def _scrubbed(prefix):
    restore(prefix, st.session_state[f"{prefix}_scrub"])


def controls(prefix):
    """Undo / redo buttons and a scrubber over every recorded point."""
    h = _get(prefix)
    n, pos = len(h["entries"]), h["pos"]
    c1, c2, c3 = st.columns([1, 1, 6], vertical_alignment="bottom")
    c1.button("↶ Undo", key=f"{prefix}_undo", on_click=restore, args=(prefix, pos - 1),
              disabled=pos <= 0, width="stretch")
    c2.button("↷ Redo", key=f"{prefix}_redo", on_click=restore, args=(prefix, pos + 1),
              disabled=pos >= n - 1, width="stretch")
    if n > 1:
        st.session_state[f"{prefix}_scrub"] = pos
        c3.select_slider("History", options=list(range(n)), key=f"{prefix}_scrub",
                         format_func=lambda i: f"{h['dropped'] + i}: {h['entries'][i]['label']}",
                         on_change=_scrubbed, args=(prefix,))
    else:
        c3.caption("History: every step you take is kept here, to go back to.")
    if h["dropped"]:
        st.caption(f"The history keeps the last {CAP} points; the {h['dropped']} oldest were "
                   "dropped. 'Reset' still returns to the identical start.")


def reset_to_start(prefix, keys):
    """Back to the session's identical start, kept as a new point in the history."""
    restore_initial(prefix)
    push(prefix, keys, "reset to the initial values")


def step_controls(prefix, keys, take_step, new_init=None, reset=None,
                  reset_label="Reset to start"):
    """Take this step / New random init / Reset, the step counter, then undo / redo / scrubber."""
    c1, c2, c3, c4 = st.columns([2, 2, 2, 3], vertical_alignment="center")
    c1.button("Take this step", key=f"{prefix}_take", on_click=take_step, type="primary",
              width="stretch", help="Apply the update; the next step starts from the new values.")
    if new_init:
        c2.button("New random init", key=f"{prefix}_new_init", on_click=new_init, width="stretch")
    c3.button(reset_label, key=f"{prefix}_reset_params", on_click=reset or reset_to_start,
              args=() if reset else (prefix, keys), width="stretch")
    c4.markdown(f"**Steps taken: {st.session_state.get(f'{prefix}_steps', 0)}**")
    controls(prefix)


def record_step(prefix, state_keys, params, loss, stage=0):
    """After "Take this step": `params` start the next step, the step is counted, the stepper
    goes back to `stage`, and the point is kept in the history."""
    s = st.session_state
    s[f"{prefix}_params"] = params
    s[f"{prefix}_steps"] += 1
    s[f"{prefix}_stage"] = stage
    push(prefix, state_keys, f"after step {s[f'{prefix}_steps']} (loss was {loss:.4f})")


def new_seed(prefix, state_keys, fresh_params):
    """"New random init": the next seed, fresh parameters from it, kept in the history."""
    s = st.session_state
    s[f"{prefix}_seed"] = int(s[f"{prefix}_seed"]) + 1
    if fresh_params() is not False:
        push(prefix, state_keys, f"new random init (seed {s[f'{prefix}_seed']})")
