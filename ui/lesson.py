"""The lesson framework: a lesson is a definition (this module's `Lesson`) plus its worksheet
lines; `run(lesson)` does everything lessons share.

State, in session state under the lesson's prefix:
- settings: the lesson's inputs (words, learning rate, window...), one widget each, keyed
  `{prefix}_{name}`;
- `{prefix}_model`: the parameters, the step count, the random seed, the parameters at the
  last (re)start and the steps taken since (`log`), changed only by `apply` in a callback,
  all at once, so the parameters shown always equal the start replayed for the steps shown;
- `{prefix}_hist`: the history of (label, settings, model) points for undo / redo, and
  `version`, counting its changes (the key of the weights' edit form);
- `{prefix}_stage`: the stage shown.
A state that cannot be used (bad words, a step that overflows) is refused with a message and
the last good one stays on screen.
"""
import copy
from dataclasses import dataclass, field
from typing import Callable

import streamlit as st

from core.common import check_lesson_lr
from ui import cached, classroom, locks, practice, seedcheck, training, urlstate
from ui.format import md_text
from ui.stepper import stepper, under_stepper

HISTORY_CAP = 100


@dataclass(frozen=True)
class Example:
    """What one step needs, read from the settings: parameters, the example, the learning
    rate, and anything the worksheet lines want to name (`info`: words, labels...)."""
    params: dict
    example: dict
    lr: float
    info: dict = field(default_factory=dict)


@dataclass
class Ctx:
    """One step as shown: the lesson, its Example, the Trace and the display settings."""
    lesson: "Lesson"
    settings: dict
    ex: Example
    trace: dict
    decimals: int
    steps: int
    seed: int
    diffs: dict = None

    @property
    def params(self):
        return self.ex.params

    @property
    def info(self):
        return self.ex.info

    @property
    def lr(self):
        return self.ex.lr

    def value(self, name):
        """A worksheet source: a Trace key, a parameter, or the learning rate."""
        if name == "lr":
            return self.ex.lr
        return self.trace[name] if name in self.trace else self.ex.params[name]


@dataclass(frozen=True)
class UrlParam:
    setting: str
    parse: Callable                           # (text, settings) -> value; ValueError if unusable
    show: Callable = lambda value, settings: str(value)   # (value, settings) -> text


def word_param(setting, words_of):
    """A setting holding a word's index, written in the URL as the word."""
    def parse(text, settings):
        words = words_of(settings)
        if text not in words:
            raise ValueError("not a word of the vocabulary")
        return words.index(text)
    return UrlParam(setting, parse, lambda i, settings: words_of(settings)[i % len(
        words_of(settings))])


def word_params(words_of, *settings):
    """{name: word_param(name, words_of)} for each name."""
    return {name: word_param(name, words_of) for name in settings}


def lr_param(setting="lr"):
    """The learning rate in the URL: the same range as typed (core.common.check_lesson_lr)."""
    return UrlParam(setting, lambda text, settings: urlstate.positive_float(text),
                    lambda x, settings: repr(float(x)))


def int_param(setting, lo, hi):
    """A whole-number setting in the URL."""
    return UrlParam(setting, lambda text, settings: urlstate.int_in(lo, hi)(text))


def index_param(setting, count):
    """An index into a list whose length `count(settings)` depends on the other settings (a
    window of the text...); written as 0 when past the end, where the lesson uses the first
    (as `choose` does)."""
    return UrlParam(setting, lambda text, settings: urlstate.int_in(0, count(settings) - 1)(text),
                    lambda i, settings: str(i if 0 <= i < count(settings) else 0))


def text_params(*settings):
    """{name: a text setting of that name in the URL, as typed} for each name."""
    return {name: text_param(name, str) for name in settings}


def text_param(setting, check):
    """A text setting in the URL, checked by `check(text)` (raises ValueError)."""
    def parse(text, settings):
        check(text)
        return text
    return UrlParam(setting, parse)


@dataclass(frozen=True)
class Lesson:
    prefix: str                     # session-state keys: f"{prefix}_..."
    url_path: str
    title: str                      # the page's title
    icon: str                       # a Material icon
    blurb: str                      # one sentence for the home page
    intro: str                      # Markdown under the title
    model: str                      # the core module: trace_step, torch_trace_step, TRACE_KEYS
    settings: dict                  # setting name -> default value
    read: Callable                  # (settings, params) -> Example; ValueError when unusable
    shape: Callable                 # settings -> what params must fit (re-init when it changes)
    fresh: Callable                 # (settings, seed, old params) -> params
    controls: Callable              # (ctx) -> draws the settings' widgets
    stages: Callable                # (ctx) -> [Stage]
    headline: Callable              # (ctx) -> Markdown line naming this step
    axes: Callable = None           # (ctx) -> {key: (row labels, column labels)}
    marks: Callable = None          # (ctx) -> {key: array of '', target, touched, changed}
    url: dict = field(default_factory=dict)   # URL name -> UrlParam
    edit: dict = field(default_factory=dict)  # parameter name -> label: editable as text
    training: object = None         # ui.training.Training
    graph: tuple = ()               # forward edges (from, to), or text "a>b c>d": ui/graph.py
    table_rows: Callable = None     # (ctx) -> {key: row indices}: large tables show only these
    seed: object = None             # core.seeds.<lesson>: the source document's numbers
    step_stage: int = 0             # the stage shown after "Take this step"
    reset_label: str = "Reset to start"
    random_init: bool = True        # offer "New random init"
    seed_setting: str = ""          # a setting that is the model's random seed (a "Random seed"
                                    # box): New random init raises it, a typed one re-inits
    title_short: str = ""           # for exports
    nav_title: str = ""             # the navigation's (short) title; default: the title
    variant: Callable = None        # sheet number -> settings overrides for exercise sheets
                                    # (ui/variants); None: the same settings, new weights
    adapt: Callable = None          # (last good settings, settings) -> settings to change with
                                    # a change (chosen words a new text no longer has)

    @property
    def menu_title(self):
        return self.nav_title or self.title

    def key(self, name):
        return f"{self.prefix}_{name}"


# --- state -----------------------------------------------------------------------------------

def _s():
    return st.session_state


def settings_of(L):
    return {name: _s()[L.key(name)] for name in L.settings}


def _model(L):
    return _s()[L.key("model")]


def _fresh_model(L, settings, seed, old=None):
    params = L.fresh(settings, seed, old)
    return {"params": params, "start": params, "steps": 0, "seed": seed, "log": [],
            "shape": L.shape(settings)}


def _seed_of(L, settings, seed):
    """The seed fresh weights use: the lesson's seed setting when it has one, else `seed`."""
    return int(settings[L.seed_setting]) if L.seed_setting else seed


def _hist(L):
    return _s()[L.key("hist")]


def _record(L, label):
    """Keep the current settings and model as a new history point (after the current one)."""
    h = _hist(L)
    point = {"label": label, "settings": copy.deepcopy(settings_of(L)), "model": _model(L)}
    entries = h["entries"][:h["pos"] + 1] + [point]
    h["dropped"] += max(0, len(entries) - HISTORY_CAP)
    h["entries"], h["pos"] = entries[-HISTORY_CAP:], min(len(entries), HISTORY_CAP) - 1
    h["version"] = h.get("version", 0) + 1


def _flash(L, kind, text):
    _s()[L.key("flash")] = (kind, text)


def init_state(L):
    """Defaults, then the link's parameters (once per session), then the first history point."""
    s = _s()
    for name, value in L.settings.items():
        s.setdefault(L.key(name), copy.deepcopy(value))
    s.setdefault(L.key("stage"), 0)
    if L.key("model") not in s:
        urlstate.read_lesson_url(L)
        if L.seed_setting:
            s[L.key(L.seed_setting)] = s.get(L.key("seed0"), 0)
        try:
            s[L.key("model")] = practice.link_model(L) or _fresh_model(  # a sheet's link
                L, settings_of(L), s.get(L.key("seed0"), 0))
        except ValueError:  # the link's settings were checked; this is the defaults' safety net
            for name, value in L.settings.items():
                s[L.key(name)] = copy.deepcopy(value)
            s[L.key("model")] = _fresh_model(L, settings_of(L), _seed_of(L, settings_of(L), 0))
        s[L.key("hist")] = {"entries": [], "pos": -1, "dropped": 0}
        _record(L, "start")
    else:
        urlstate.follow_browser_history(L)


def candidate(L, settings=None, model=None):
    """(Example, trace) for these settings and model; ValueError / FloatingPointError when
    they cannot be used. Parameters made for another shape are not used."""
    settings = settings_of(L) if settings is None else settings
    model = _model(L) if model is None else model
    if L.shape(settings) != model["shape"]:
        raise ValueError("the weights were made for other settings")
    ex = L.read(settings, model["params"])
    check_lesson_lr(ex.lr)
    trace = cached.step(L.model, ex.params, ex.example, ex.lr)
    return ex, trace


def _apply(L, label, model=None, settings=None, stage=None):
    """One state change, whole: settings (widget values), model, stage, and a history point."""
    s = _s()
    if settings is not None:
        for name, value in settings.items():
            s[L.key(name)] = copy.deepcopy(value)
    if model is not None:
        s[L.key("model")] = model
    if stage is not None:
        s[L.key("stage")] = stage
    _record(L, label)


def take_step(L):
    """Apply the step shown: the next step starts from the new parameters. Refused (nothing
    changes) when the current settings cannot be used or the step is not finite."""
    try:
        ex, trace = candidate(L)
    except (ValueError, FloatingPointError) as err:
        _flash(L, "error", f"The step was not taken: {err}.")
        return
    m = _model(L)
    core = cached.core(L.model)
    model = {**m, "params": core.next_params(ex.params, trace), "steps": m["steps"] + 1,
             "log": m["log"] + [(ex.example, ex.lr)]}
    _apply(L, f"after step {model['steps']} (loss was {trace['loss']:.4f})", model,
           stage=L.step_stage)


def new_init(L):
    """The next random seed: fresh parameters for the current settings."""
    m = _model(L)
    seed = {L.seed_setting: m["seed"] + 1} if L.seed_setting else None
    try:
        model = _fresh_model(L, {**settings_of(L), **(seed or {})}, m["seed"] + 1, m["params"])
    except ValueError as err:
        _flash(L, "error", f"No new weights: {err}.")
        return
    _apply(L, f"new random init (seed {model['seed']})", model, seed, stage=0)


def reset(L):
    """Back to the lesson's defaults (a new history point; undo brings the work back)."""
    settings = copy.deepcopy(L.settings)
    _apply(L, "reset to the start", _fresh_model(L, settings, _seed_of(L, settings, 0)), settings,
           stage=0)


def restore(L, i):
    """Go to history point i."""
    h = _hist(L)
    i = min(max(int(i), 0), len(h["entries"]) - 1)
    point = h["entries"][i]
    for name, value in point["settings"].items():
        _s()[L.key(name)] = copy.deepcopy(value)
    _s()[L.key("model")] = point["model"]
    h["pos"] = i
    h["version"] = h.get("version", 0) + 1


def _history_jump(L):
    restore(L, _s()[L.key("scrub")])


def settings_changed(L):
    """A setting changed: when the parameters no longer fit it (another vocabulary size...),
    start from fresh ones; either way the change is a history point."""
    try:
        if L.adapt:
            good = (_s().get(L.key("good")) or (L.settings, None))[0]
            _s().update({L.key(k): v for k, v in L.adapt(good, settings_of(L)).items()})
        shape = L.shape(settings_of(L))
    except ValueError:
        return  # the page says why and keeps the last good state
    m = _model(L)
    seed = _seed_of(L, settings_of(L), m["seed"])
    if shape != m["shape"] or seed != m["seed"]:
        try:
            model = _fresh_model(L, settings_of(L), seed, m["params"])
        except ValueError:
            return
        if seed != m["seed"] and shape == m["shape"]:
            _apply(L, f"random seed {seed}", model, stage=0)
            return
        _apply(L, "new weights for the new settings", model, stage=0)
        _flash(L, "info", "The settings changed the size of the model, so its weights start "
                          "from new random values. Undo brings the old ones back.")
    else:
        _apply(L, "settings changed")


def set_settings(L, values):
    """Put several settings in place at once (a preset), as one history point."""
    for name, value in values.items():
        _s()[L.key(name)] = copy.deepcopy(value)
    settings_changed(L)


def apply_edits(L, version):
    """The edited parameter texts, if they can be used; else a message, nothing changed."""
    from ui.format import parse_matrix
    m = _model(L)
    params = dict(m["params"])
    try:
        for name, label in L.edit.items():
            old = m["params"][name]
            text = _s()[L.key(f"edit_{name}_{version}")]
            rows = old.shape[0]
            cols = None if old.ndim == 1 else len(
                (str(text).strip().splitlines() or [""])[0].replace(",", " ").split()) or 1
            params[name] = parse_matrix(text, (rows,) if old.ndim == 1 else (rows, cols), name)
        ex = L.read(settings_of(L), params)
        cached.step(L.model, params, ex.example, ex.lr)
    except (ValueError, FloatingPointError) as err:
        _flash(L, "error", f"The edited weights were not used: {err}.")
        return
    # A new start: the steps are counted from the edited weights (the invariant: the
    # parameters shown are the start replayed for the steps shown).
    _apply(L, "weights edited", {**m, "params": params, "start": params, "steps": 0, "log": []})


# --- widgets for a lesson's settings -----------------------------------------------------------

def index_in(i, n):
    """A chosen index as choose() keeps it: 0 when it is no longer one of the n choices (the
    step taken must be the one on screen)."""
    return i if isinstance(i, int) and 0 <= i < n else 0


def choose(L, where, label, name, labels, help=None):
    """A selectbox over indices 0..len(labels)-1 shown as labels; a stale index is reset.

    The value is set on every run, so the browser shows (and sends back) this run's label for
    it: left alone it would send the label it last showed, which Streamlit hands back as the
    value (a text) once the labels have changed (another text, other words)."""
    k = L.key(name)
    value = _s().get(k)
    _s()[k] = index_in(value, len(labels))
    if locks.hidden(L, name):
        return
    where.selectbox(label, list(range(len(labels))), key=k, format_func=lambda i: labels[i],
                    on_change=settings_changed, args=(L,), **locks.widget(L, name, help))


def choose_word(L, where, label, name, words, help=None):
    """A selectbox over words, the setting holding the word itself."""
    k = L.key(name)
    if _s().get(k) not in words:
        _s()[k] = words[0]
    where.selectbox(label, list(words), key=k, on_change=settings_changed, args=(L,), help=help)


def lr_input(L, where, label="Learning rate α", help=None):
    """The learning rate, typed (one range with the links: core.common.check_lesson_lr)."""
    if locks.hidden(L, "lr"):
        return
    where.number_input(label, key=L.key("lr"), format="%g", step=0.01, on_change=settings_changed,
                       args=(L,), **locks.widget(L, "lr", help))


def number(L, where, label, name, lo, hi, help=None):
    """A whole-number setting."""
    if locks.hidden(L, name):
        return
    where.number_input(label, lo, hi, key=L.key(name), step=1, on_change=settings_changed,
                       args=(L,), **locks.widget(L, name, help))


def text(L, where, label, name, area=False, help=None, height=None, decode_file=None):
    """A text setting (words, a sentence, a corpus); with decode_file, a .txt file uploaded
    below it can fill it (see `upload`)."""
    if locks.hidden(L, name):
        return
    if area:
        where.text_area(label, key=L.key(name), on_change=settings_changed, args=(L,),
                        height=height, **locks.widget(L, name, help))
    else:
        where.text_input(label, key=L.key(name), on_change=settings_changed, args=(L,),
                         **locks.widget(L, name, help))
    if decode_file:
        upload(L, where, "…or load a UTF-8 .txt file", name, decode_file)


def settings_box(L, label, names):
    """An expander of the settings `names`, drawn only while open (its text areas and file
    uploader held a direct link's first stage back): the box to draw them in while it is
    open, else None, and the settings keep their values (a file uploaded in it is already in
    its text setting)."""
    box, drawn = locks.drawn_while_open(label, L.key(f"{names[0]}_open"))
    if not drawn:
        locks.keep_values([L.key(name) for name in names])
    return box if drawn else None


def upload(L, where, label, name, decode, key="upload", types=("txt",), help=None):
    """A file uploader (widget `{prefix}_{key}`) that fills the text setting `name`: a new
    file is read by `decode(raw bytes, settings)` (a core function returning the text, or
    raising ValueError), then used as if typed; else a message, and the text stays as it was.
    Locked or hidden with the text setting."""
    if locks.hidden(L, name):
        return
    where.file_uploader(label, type=list(types), key=L.key(key), on_change=_uploaded,
                        args=(L, name, key, decode), **locks.widget(L, name, help))


def _uploaded(L, name, key, decode):
    f = _s().get(L.key(key))
    if f is None:  # the file was removed: the text stays
        return
    try:
        text = decode(f.getvalue(), settings_of(L))
    except ValueError as err:
        _flash(L, "error", f"The file was not loaded: {err}. The text was left as it was.")
        return
    _s()[L.key(name)] = text
    settings_changed(L)


# --- page ------------------------------------------------------------------------------------

def _good_ctx(L, decimals):
    """The Ctx to show: the current settings if usable, else the last good ones (message)."""
    s = _s()
    m = _model(L)
    settings = settings_of(L)
    try:
        ex, trace = candidate(L)
        s[L.key("good")] = (settings, m)
    except (ValueError, FloatingPointError) as err:
        st.error(f"{md_text(err)}. Showing the last good values instead.")
        settings, m = s.get(L.key("good")) or (copy.deepcopy(L.settings), None)
        if m is None:
            m = _fresh_model(L, settings, 0)
        ex, trace = candidate(L, settings, m)
    return Ctx(L, settings, ex, trace, decimals, m["steps"], m["seed"])


def step_controls(L):
    """Take this step / New random init / Reset, the step counter, undo / redo / history."""
    s, h = _s(), _hist(L)
    c1, c2, c3, c4 = st.columns([2, 2, 2, 3], vertical_alignment="center")
    c1.button("Take this step", key=L.key("take"), on_click=take_step, args=(L,),
              type="primary", width="stretch",
              help="Apply the update; the next step starts from the new values.")
    weights = {"disabled": locks.locked(L, "weights"),
               "help": locks.LOCK_HELP if locks.locked(L, "weights") else None}
    if L.random_init and not locks.hidden(L, "weights"):
        c2.button("New random init", key=L.key("new_init"), on_click=new_init, args=(L,),
                  width="stretch", **weights)
    if not locks.hidden(L, "weights"):
        c3.button(L.reset_label, key=L.key("reset_params"), on_click=reset, args=(L,),
                  width="stretch", **weights)
    c4.markdown(f"**Steps taken: {_model(L)['steps']}**")
    n, pos = len(h["entries"]), h["pos"]
    if locks.hidden(L, "history"):
        return
    off = locks.locked(L, "history")
    c1, c2, c3 = st.columns([1, 1, 6], vertical_alignment="bottom")
    c1.button("Undo", icon=":material/undo:", key=L.key("undo"), on_click=restore,
              args=(L, pos - 1), disabled=pos <= 0 or off, width="stretch")
    c2.button("Redo", icon=":material/redo:", key=L.key("redo"), on_click=restore,
              args=(L, pos + 1), disabled=pos >= n - 1 or off, width="stretch")
    if n > 1 and not off:
        # A form: the choice counts only when "Go" is pressed, so a stale value sent with a
        # quick click elsewhere can never move the history.
        with c3.form(L.key("history_form"), border=False):
            f1, f2 = st.columns([5, 1], vertical_alignment="bottom")
            s[L.key("scrub")] = pos
            f1.selectbox("History", list(range(n)), key=L.key("scrub"),
                         format_func=lambda i: f"{h['dropped'] + i}: {h['entries'][i]['label']}")
            f2.form_submit_button("Go", on_click=_history_jump, args=(L,), width="stretch")
    else:
        c3.caption("History: every step you take is kept here, to go back to.")
    if h["dropped"]:
        st.caption(f"The history keeps the last {HISTORY_CAP} points; the {h['dropped']} "
                   "oldest were dropped. 'Reset' still returns to the identical start.")


def edit_form(L, ctx):
    """The editable parameters as text, applied together with one button."""
    from ui.format import matrix_text
    # A new key whenever the model may have changed (a step, undo, a history jump...): the
    # text areas then show the current parameters, never those of an earlier point.
    version = _hist(L).get("version", 0)
    # Drawn only while open: three text areas the browser would otherwise build, and fetch
    # the code of, before a direct link's first stage is on screen (bench/cold_start.py).
    # What is typed is sent only with "Use these weights", so closing the box keeps nothing.
    box, drawn = locks.drawn_while_open("Weights (editable)", L.key("weights_open"))
    if not drawn:
        return
    with box:
        with st.form(L.key("edit_form"), border=False):
            st.caption("One row per line, numbers separated by spaces or commas; rows follow the "
                       "vocabulary order.")
            cols = st.columns(len(L.edit))
            for col, (name, label) in zip(cols, L.edit.items()):
                col.text_area(label, matrix_text(ctx.params[name]), height=130,
                              key=L.key(f"edit_{name}_{version}"))
            st.form_submit_button("Use these weights", on_click=apply_edits, args=(L, version),
                                  disabled=locks.locked(L, "weights"),
                                  help=locks.LOCK_HELP if locks.locked(L, "weights") else None)


FOLLOWING_NOTE = ("You are following the teacher, who chooses the example and takes the "
                  "steps (Prev and Next still move you between this step's stages); **Explore on "
                  "my own** (above) brings back the settings, *Take this step*, the weights, "
                  "training and the exercises, starting from what the teacher has shown.")


def run(L):
    """Draw the lesson: header, controls, the step's stages, the seed check, training."""
    from ui.routing import through_app
    through_app()
    init_state(L)
    classroom.follow(L)  # a student following a class: the teacher's state
    decimals = int(_s().get("decimals", 4))
    st.title(L.title)
    with st.container(key=L.key("intro")):
        st.markdown(L.intro)
    notice = st.empty()  # the link's notice: filled once the stage count is known
    ctx = _good_ctx(L, decimals)
    urlstate.check_stage(L, len(L.stages(ctx)))
    with notice.container():
        urlstate.url_notice(L.prefix)
    flash = _s().pop(L.key("flash"), None)
    if flash:
        getattr(st, flash[0])(md_text(flash[1]))
    following = classroom.following()
    with st.container(border=True, key=L.key("controls")):
        # A follower sees the teacher's settings in the headline below, not as widgets: forty
        # follower pages are drawn for every click of the teacher's.
        if following:
            locks.keep_values([L.key(name) for name in L.settings])  # widgets not drawn
            st.markdown(f"**Steps taken: {ctx.steps}** · {FOLLOWING_NOTE}")
        else:
            L.controls(ctx)
            if L.edit and not locks.hidden(L, "weights"):
                edit_form(L, ctx)
            step_controls(L)
    st.markdown(f"#### Step {ctx.steps + 1}: {L.headline(ctx)}")
    stepper(L, ctx)
    under_stepper(L, ctx)
    if L.seed is not None:
        seedcheck.summary(L.seed, ctx)
    if following:
        return
    practice.panels(L, ctx)  # What if…, the learning-rate lens
    if L.training is not None and not locks.hidden(L, "train"):
        st.divider()
        training.panel(L, ctx, L.training)
    practice.teacher_panels(L, ctx)  # exercise sheets, Share this lesson
