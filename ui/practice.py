"""Practise and compare, for every lesson through the framework (no page code):

- exercise sheets (teachers): numbered variants of the step, printable with blanks, one
  answer key; `?variant=CODE` opens a variant, "Check my hand calculation" takes its code;
- what if: this step side by side with the same step under another rate, seed or setting;
- the learning-rate lens: the loss after this step (and after k steps) over a range of rates;
- links a teacher can lock (`?lock=`, `?hide=`; ui/locks), built in "Share this lesson".

ui/lesson.run calls `panels` under the stepper and `teacher_panels` at the end; the URL
hooks are `read_link` (first run), `link_model` (ui/lesson.init_state) and `url_extras`
(ui/urlstate.write_lesson_url). The computations are in ui/variants and ui/compare.
"""
import copy
import math

import numpy as np
import streamlit as st

from core.common import LR_MAX
from ui import charts, compare, locks, variants
from ui.format import md_code, md_text, num
from ui.tables import matrix_table, records_table
from ui.worksheet import render


def _s():
    return st.session_state


def _short(text, n=30):
    text = str(text)
    return text[:n] + ("…" if len(text) > n else "")


# --- the link: variant, lock, hide ---------------------------------------------------------------

def read_link(L, query, settings, seed, problems):
    """The first run's link: locks and hides into session state; `variant=CODE` replaces the
    settings and weights by that variant's. Returns (settings, seed) to use."""
    locks.read(L, query, problems)
    if "variant" not in query:
        return settings, seed
    text = str(query["variant"])
    try:
        v = variants.make(L, variants.parse_code(L, text))
    except ValueError as err:
        problems.append(f"`variant` = “{md_text(_short(text))}” ({md_text(err)}; the lesson's "
                        "usual start is shown)")
        return settings, seed
    ignored = []
    for name, p in L.url.items():
        if name in query:
            try:
                same = p.parse(str(query[name]), v.settings) == v.settings[p.setting]
            except ValueError:
                same = False
            if not same:
                ignored.append(f"`{name}`")
    if ignored:
        problems.append(f"{', '.join(ignored)} (ignored: sheet {md_code(v.code)} sets the "
                        "settings)")
    model = variants.model_of(L, v)
    _s()[L.key("link_model")] = model
    _s()[L.key("variant")] = {"code": v.code, "start": model["start"],
                              "settings": copy.deepcopy(v.settings)}
    return copy.deepcopy(v.settings), v.number


def link_model(L):
    """The model a link's variant starts from (once), or None."""
    return _s().pop(L.key("link_model"), None)


def current_variant(L):
    """The sheet code when the lesson still shows that variant's settings and weights (steps
    may have been taken), else None."""
    info = _s().get(L.key("variant"))
    model = _s().get(L.key("model"))
    if not info or not model or model["start"] is not info["start"]:
        return None
    if any(_s().get(L.key(name)) != value for name, value in info["settings"].items()):
        return None
    return info["code"]


def url_extras(L):
    """What the address bar keeps besides the lesson's state: locks, and the variant shown."""
    q = locks.query(L)
    code = current_variant(L)
    if code:
        q["variant"] = code
    return q


def open_variant(L, key):
    """Callback: open the variant whose code is typed at session key `key` (a history point:
    undo brings the work back)."""
    from ui import lesson
    text = _s().get(key, "")
    try:
        v = variants.make(L, variants.parse_code(L, text), int(_s().get("decimals", 4)))
    except ValueError as err:
        lesson._flash(L, "error", f"No sheet was opened: {err}.")
        return
    model = variants.model_of(L, v)
    _s()[L.key("variant")] = {"code": v.code, "start": model["start"],
                              "settings": copy.deepcopy(v.settings)}
    lesson._apply(L, f"sheet {v.code}", model, v.settings, stage=0)
    lesson._flash(L, "success", f"Sheet {v.code} is open: its settings and weights. Undo brings "
                                "back what was here before.")


def sheet_check(L, i, text, decimals):
    """(trace, rendered lines of stage i, axes, code) of the variant a typed sheet code names;
    ValueError with a message when the code cannot be used."""
    v = variants.make(L, variants.parse_code(L, text), decimals)
    stage = L.stages(v.ctx)[i]
    lines = render(stage.lines(v.ctx) if stage.lines else [], decimals)
    return v.trace, lines, (L.axes(v.ctx) if L.axes else {}), v.code


# --- panels -------------------------------------------------------------------------------------

def panels(L, ctx):
    """Under the stepper: What if… and the learning-rate lens (each unless hidden)."""
    if not locks.hidden(L, "whatif"):
        lazy_panel(L, ctx, "What if…", "whatif", ":material/compare_arrows:", _what_if_body)
    if not locks.hidden(L, "lens"):
        lazy_panel(L, ctx, "Learning-rate lens", "lens", ":material/search:", _lens_body)


def teacher_panels(L, ctx):
    """At the end of the page: exercise sheets and the share box (not in presenter mode)."""
    if _s().get("presenter"):
        return
    if not locks.hidden(L, "exercises"):
        lazy_panel(L, ctx, "For teachers: exercise sheets", "exercises", ":material/assignment:",
                   _exercises_body)
    lazy_panel(L, ctx, "Share this lesson", "share", ":material/share:", _share_body)


@st.fragment
def lazy_panel(L, ctx, label, name, icon, body):
    """An expander whose body(L, ctx) runs only while it is open (a fragment: its widgets
    rerun only this panel)."""
    box, drawn = locks.drawn_while_open(label, L.key(f"{name}_open"), icon=icon)
    with box:
        if drawn:
            body(L, ctx)


# --- what if --------------------------------------------------------------------------------------

KINDS = ("learning rate", "initial seed", "a setting")


def _setting_text(L, name, settings):
    link = next((p for p in L.url.values() if p.setting == name), None)
    try:
        return link.show(settings[name], settings) if link else str(settings[name])
    except (ValueError, IndexError, KeyError, TypeError, ZeroDivisionError):
        return str(settings[name])


def typable(L):
    """The settings a value can be typed for: numbers, text, and those the link reads."""
    linked = {p.setting for p in L.url.values()}
    return [name for name, value in L.settings.items()
            if name in linked or isinstance(value, (bool, int, float, str, np.number))]


def _which(d, axes, most=6):
    """Labels of the entries of a Diff that differ (the first few)."""
    rows, cols = axes.get(d.key, (None, None))
    out = []
    for idx in zip(*np.nonzero(np.atleast_1d(d.mask))):
        if len(d.shape) == 0:
            return [d.key]
        parts = [str(rows[idx[0]]) if rows is not None else str(idx[0])]
        if len(idx) > 1:
            parts.append(str(cols[idx[1]]) if cols is not None else str(idx[1]))
        out.append(f"{d.key}[{', '.join(parts)}]")
        if len(out) == most:
            break
    return out


def diff_rows(diffs, axes, decimals):
    """The "what differs" table: one row per Trace key."""
    rows = []
    for d in diffs:
        if d.diff is None:
            rows.append({"quantity": d.key, "largest |difference|": "shapes differ",
                         "entries that differ": "–", "which": ""})
            continue
        which = _which(d, axes)
        more = d.n_differ - len(which)
        rows.append({"quantity": d.key, "largest |difference|":
                     num(d.largest, decimals).strip() if d.largest else "0 (the same)",
                     "entries that differ": f"{d.n_differ} of {d.size}",
                     "which": ", ".join(which) + (f" and {more} more" if more > 0 else "")})
    return rows


def _what_if_body(L, ctx):
    from ui.lesson import Ctx
    off = locks.locked(L, "whatif")
    st.caption("The same step computed again with one thing changed. The table lists what "
               "differs: the second step minus this one, per quantity.")
    kind = st.radio("Change", KINDS, horizontal=True, key=L.key("wi_kind"), disabled=off)
    try:
        if kind == KINDS[0]:
            text = st.text_input("Other learning rate α", value=f"{min(ctx.lr * 10, LR_MAX):g}",
                                 key=L.key("wi_lr"), disabled=off)
            change = ("lr", compare.parse_rate(text, "the other learning rate"))
            label = f"α = {change[1]:g}"
        elif kind == KINDS[1]:
            seed = st.number_input("Other initial seed", 0, 2**31 - 1,
                                   value=min(ctx.seed + 1, 2**31 - 1), step=1,
                                   key=L.key("wi_seed"), disabled=off)
            change = ("seed", int(seed), _s()[L.key("model")])
            label = f"initial seed {int(seed)}"
            if not L.random_init:
                st.caption("This lesson starts from fixed weights; another seed may change "
                           "nothing.")
        else:
            c1, c2 = st.columns([1, 2])
            name = c1.selectbox("Setting", typable(L), key=L.key("wi_name"), disabled=off)
            text = c2.text_input(f"Other value of {name}",
                                 value=_setting_text(L, name, ctx.settings),
                                 key=L.key(f"wi_value_{name}"), disabled=off)
            value = compare.parse_setting(L, name, text, ctx.settings)
            change = (("seed", int(value), _s()[L.key("model")]) if name == L.seed_setting
                      else ("setting", name, value))  # the lesson's seed box: its weights
            label = f"{name} = {_short(text)}"
        ex2, trace2 = compare.what_if(L, ctx, change)
    except (ValueError, FloatingPointError) as err:
        st.error(f"No comparison: {md_text(err)}. The step above is unchanged.")
        return
    ctx2 = Ctx(L, {**ctx.settings, change[1]: change[2]} if change[0] == "setting" else
               ctx.settings, ex2, trace2, ctx.decimals, ctx.steps,
               change[1] if change[0] == "seed" else ctx.seed)
    axes = L.axes(ctx) if L.axes else {}
    diffs = compare.trace_diff(ctx.trace, trace2)
    c1, c2 = st.columns(2)
    for col, name, c in ((c1, "This step", ctx), (c2, f"What if {md_text(label)}", ctx2)):
        loss = (f"  \nloss **{num(c.trace['loss'], ctx.decimals).strip()}**"
                if "loss" in c.trace else "")
        col.markdown(f"**{name}:** {L.headline(c)}{loss}")
    changed = [d for d in diffs if d.diff is None or d.n_differ]
    if not changed:
        st.info("Nothing differs: every number of the step is the same.")
    records_table(diff_rows(diffs, axes, ctx.decimals))
    keys = [d.key for d in diffs if d.diff is not None]
    default = next((i for i, d in enumerate(d for d in diffs if d.diff is not None)
                    if d.n_differ), 0)
    key = st.selectbox("Side by side", keys, index=default, key=L.key("wi_show"))
    d = next(x for x in diffs if x.key == key)
    marks = np.where(d.mask, "changed", "")
    c1, c2, c3 = st.columns(3)
    rows, cols = axes.get(key, (None, None))
    for col, title, values in ((c1, "this step", ctx.trace[key]), (c2, "what if", trace2[key]),
                               (c3, "difference (what if − this step)", d.diff)):
        with col:
            st.markdown(title)
            matrix_table(values, ctx.decimals, rows, cols, marks, name=key)
    st.caption("Marked (bold, green): the entries that differ.")


# --- the learning-rate lens -----------------------------------------------------------------------

@st.cache_data(max_entries=64, show_spinner=False)
def _lens(model, params, example, rates, k):
    return compare.lens(model, params, example, np.asarray(rates), k)


CLIP = 5.0  # the clipped loss axis ends at this many times the loss before the step


def lens_spec(data, lr, before, k, clip=True):
    """Loss after one step and after k steps against the rate (log scale); the loss before
    the step as a dashed line, the chosen rate as a vertical rule. Non-finite points are
    left out. clip: the loss axis ends at CLIP × the loss before, larger losses are drawn at
    its top edge (an overshoot to 1e30 does not flatten the rest); else a symmetric-log
    axis."""
    values = []
    for name, series in (("one", "after 1 step"), ("k", f"after {k} steps")):
        values += [{"lr": float(r), "loss": float(x), "series": series}
                   for r, x in zip(data["lr"], data[name]) if math.isfinite(x)]
    x = {"field": "lr", "type": "quantitative", "scale": {"type": "log"},
         "title": "learning rate α (log scale)", "axis": {"format": "~g"}}
    clip = clip and math.isfinite(before) and before > 0
    y = {"field": "loss", "type": "quantitative", "axis": {"format": "~g"},
         "title": "loss of this example" + ("" if clip else " (symmetric log scale)"),
         "scale": {"domain": [0, CLIP * before], "clamp": True, "nice": False} if clip else
         {"type": "symlog"}}
    layers = [{"data": {"values": values}, "mark": {"type": "line", "point": True},
               "encoding": {"x": x, "y": y, "color": {
                   "field": "series", "type": "nominal", "title": None,
                   "scale": {"range": [charts.PALETTE[0], charts.PALETTE[1]]},
                   "legend": {"orient": "top"}},
                   "tooltip": [{"field": "lr", "format": ".3g", "title": "α"},
                               {"field": "series"}, {"field": "loss", "format": ".6g"}]}}]
    if math.isfinite(before):
        layers.append({"data": {"values": [{"loss": float(before)}]},
                       "mark": {"type": "rule", "strokeDash": [6, 4], "color": "gray"},
                       "encoding": {"y": {"field": "loss", "type": "quantitative"}}})
    if data["lr"][0] <= lr <= data["lr"][-1]:
        layers.append({"data": {"values": [{"lr": float(lr), "label": f"α = {lr:g}"}]},
                       "layer": [{"mark": {"type": "rule", "color": charts.PALETTE[2],
                                           "strokeWidth": 2},
                                  "encoding": {"x": {"field": "lr", "type": "quantitative"}}},
                                 {"mark": {"type": "text", "align": "left", "dx": 4, "y": 8,
                                           "color": charts.PALETTE[2]},
                                  "encoding": {"x": {"field": "lr", "type": "quantitative"},
                                               "text": {"field": "label"}}}]})
    return {"$schema": charts.SCHEMA, "height": 300, "layer": layers,
            "title": "loss after the step, by learning rate (dashed: before the step)"}


def lens_sentences(summary, before, what, decimals):
    parts = []
    if summary["best"] is not None:
        parts.append(f"{what}: the lowest loss is {num(summary['best_loss'], decimals).strip()} at "
                     f"α = {summary['best']:.3g}")
    else:
        parts.append(f"{what}: no rate in the range gives a finite loss")
    if summary["overshoot"] is not None:
        parts.append(f"the step overshoots (loss after > loss before, "
                     f"{num(before, decimals).strip()}) from α = {summary['overshoot']:.3g}")
    else:
        parts.append("no rate in the range overshoots")
    if summary["dropped"]:
        parts.append(f"{summary['dropped']} rates diverge (not finite, left out of the curve), "
                     f"the first at α = {summary['diverged']:.3g}")
    return "; ".join(parts) + "."


def _lens_body(L, ctx):
    off = locks.locked(L, "lens")
    if "loss" not in ctx.trace:
        st.info("This lesson's step has no loss to look at.")
        return
    st.caption("For this step: the loss of the same example after the update, for many "
               "learning rates; and after k such steps in a row.")
    c1, c2, c3, c4, c5 = st.columns([2, 2, 2, 2, 2], vertical_alignment="bottom")
    lo = c1.text_input("From α", "1e-4", key=L.key("lens_lo"), disabled=off)
    hi = c2.text_input("To α", "1e3", key=L.key("lens_hi"), disabled=off)
    n = c3.number_input("Points", value=60, step=1, key=L.key("lens_n"), disabled=off,
                        help=f"{compare.LENS_POINTS[0]} to {compare.LENS_POINTS[1]}")
    k = c4.number_input("k steps", value=5, step=1, key=L.key("lens_k"), disabled=off,
                        help=f"{compare.LENS_STEPS[0]} to {compare.LENS_STEPS[1]}: the same "
                             "step repeated on the same example")
    clip = c5.checkbox("Clip the loss axis", value=True, key=L.key("lens_clip"), disabled=off,
                       help=f"The axis ends at {CLIP:g}× the loss before the step; larger "
                            "losses are drawn at its top edge (the table has them all). Off: "
                            "a symmetric log scale with everything.")
    try:
        rates = compare.lr_range(compare.parse_rate(lo, "the start of the range"),
                                 compare.parse_rate(hi, "the end of the range"),
                                 int(n) if n == int(n) else n)
        if not compare.LENS_STEPS[0] <= int(k) <= compare.LENS_STEPS[1]:
            raise ValueError(f"k must be from {compare.LENS_STEPS[0]} to "
                             f"{compare.LENS_STEPS[1]}")
    except (ValueError, TypeError) as err:
        st.error(f"No lens: {md_text(err)}.")
        return
    k = int(k)
    data = _lens(L.model, ctx.params, ctx.ex.example, tuple(float(r) for r in rates), k)
    before = float(ctx.trace["loss"])
    charts.show(lens_spec(data, ctx.lr, before, k, clip))
    if clip and before > 0 and np.nanmax(np.r_[data["one"], data["k"], 0.0]) > CLIP * before:
        st.caption(f"Losses above {num(CLIP * before, ctx.decimals).strip()} are drawn at the "
                   "top edge; the table below lists them.")
    st.markdown(f"Loss before the step: **{num(before, ctx.decimals).strip()}**; this step uses "
                f"α = {ctx.lr:g}.")
    one = compare.lens_summary(data["lr"], data["one"], before)
    many = compare.lens_summary(data["lr"], data["k"], before)
    st.markdown("- " + lens_sentences(one, before, "After one step", ctx.decimals) + "\n- " +
                lens_sentences(many, before, f"After {k} steps", ctx.decimals))
    with st.expander("The numbers behind the chart"):
        records_table(lens_rows(data, before, k, ctx.decimals))


def lens_rows(data, before, k, decimals):
    def cell(x):
        return num(x, decimals).strip() if math.isfinite(x) else "diverges"
    return [{"α": f"{r:.4g}", "loss after 1 step": cell(a), f"loss after {k} steps": cell(b),
             "1 step: change": cell(a - before) if math.isfinite(a) else "–"}
            for r, a, b in zip(data["lr"], data["one"], data["k"])]


# --- exercise sheets -----------------------------------------------------------------------------

def make_sheets(L, n_stages):
    """Callback of "Make exercises": the request checked, kept in session state."""
    s = _s()
    lo, hi = s[L.key("ex_stages")]
    try:
        count, first = s[L.key("ex_n")], s[L.key("ex_first")]
        for x, what in ((count, "the number of variants"), (first, "the first sheet number")):
            if x is None or x != int(x):
                raise ValueError(f"{what} must be a whole number")
        spec = variants.SheetSpec(int(first), int(count), int(lo), int(hi),
                                  tuple(s.get(L.key(f"ex_keys_{lo}_{hi}")) or ()),
                                  int(s.get("decimals", 4)), bool(s.get(L.key("ex_earlier"))))
        variants.check_spec(L, spec, n_stages)
        variants.check_size(L, spec)
    except (ValueError, TypeError, OverflowError) as err:
        s[L.key("ex_error")] = str(err)
        return
    s.pop(L.key("ex_error"), None)
    s[L.key("ex_spec")] = spec


def _exercises_body(L, ctx):
    off = locks.locked(L, "exercises")
    stages = L.stages(ctx)
    st.caption("Numbered variants of this lesson's step: the same formulas with other weights "
               "(and, where the lesson varies them, other inputs). Each sheet gives its numbers "
               "and leaves blanks for the quantities you pick; one answer key covers all. A "
               "student types the sheet code into “Check my hand calculation”, or opens the "
               "lesson with ?variant=CODE.")
    c1, c2, c3 = st.columns([1, 1, 3])
    c1.number_input("Variants", value=10, step=1, key=L.key("ex_n"), disabled=off,
                    help=f"1 to {variants.MAX_SHEETS}")
    c2.number_input("First sheet number", value=1, step=1, key=L.key("ex_first"), disabled=off,
                    help=f"0 to {variants.MAX_VARIANT:,}; sheet k is always the same exercise")
    c3.select_slider("Stages", options=list(range(len(stages))), value=(0, len(stages) - 1),
                     format_func=lambda i: f"{i + 1}. {stages[i].name}", key=L.key("ex_stages"),
                     disabled=off)
    lo, hi = _s()[L.key("ex_stages")]
    lo, hi = min(max(int(lo), 0), len(stages) - 1), min(max(int(hi), 0), len(stages) - 1)
    keys = list(dict.fromkeys(k for stage in stages[lo:hi + 1] for k in stage.keys))
    st.multiselect("Leave blank (the quantities to work out)", keys, default=keys,
                   key=L.key(f"ex_keys_{lo}_{hi}"), disabled=off)
    st.checkbox("Print the earlier stages' results as given", value=True,
                key=L.key("ex_earlier"), disabled=off or lo == 0)
    st.button("Make exercises", key=L.key("ex_make"), on_click=make_sheets,
              args=(L, len(stages)), type="primary", disabled=off)
    error = _s().get(L.key("ex_error"))
    if error:
        st.error(f"No sheets were made: {md_text(error)}.")
    spec = _s().get(L.key("ex_spec"))
    if spec is not None and spec.hi < len(stages):
        _sheet_downloads(L, spec)
    with st.form(L.key("ex_open_form"), border=False):
        f1, f2 = st.columns([3, 1], vertical_alignment="bottom")
        f1.text_input("Open a sheet here (its code)", key=L.key("ex_open_code"),
                      placeholder=variants.format_code(L, 1))
        if f2.form_submit_button("Open", on_click=open_variant, args=(L, L.key("ex_open_code")),
                                 disabled=locks.locked(L, "weights"),
                                 help=locks.LOCK_HELP if locks.locked(L, "weights") else
                                 "The sheet's settings and weights replace the lesson's (undo "
                                 "brings them back)."):
            st.rerun()  # the whole page: this panel is a fragment, the sheet changes it all


def _sheet_downloads(L, spec):
    first_code = variants.format_code(L, spec.first)
    last_code = variants.format_code(L, spec.first + spec.count - 1)
    try:
        first = variants.make(L, spec.first, spec.decimals)
    except ValueError as err:
        first = None
        st.warning(md_text(err))
    st.success(f"{spec.count} sheet{'s' if spec.count > 1 else ''}: {md_code(first_code)}"
               + (f" to {md_code(last_code)}" if spec.count > 1 else "") +
               f", stages {spec.lo + 1} to {spec.hi + 1}, blanks for "
               f"{', '.join(md_code(k) for k in spec.asked)}.")

    def made():
        vs, _ = variants.batch(L, spec)
        if not vs:
            raise ValueError("no sheet could be made")
        return vs

    cols = st.columns(5)
    files = [("Sheets (Markdown)", lambda: variants.sheets_md(L, made(), spec), "sheets.md",
              "text/markdown"),
             ("Sheets (LaTeX)", lambda: variants.sheets_tex(L, made(), spec), "sheets.tex",
              "application/x-tex"),
             ("Answer key (Markdown)", lambda: variants.answers_md(L, made(), spec), "answers.md",
              "text/markdown"),
             ("Answer key (LaTeX)", lambda: variants.answers_tex(L, made(), spec), "answers.tex",
              "application/x-tex"),
             ("All files (.zip)", lambda: variants.sheets_zip(L, made(), spec), "sheets.zip",
              "application/zip")]
    stem = f"{L.url_path}_{spec.first}-{spec.first + spec.count - 1}"
    for col, (label, data, name, mime) in zip(cols, files):
        col.download_button(label, data, f"{stem}_{name}", mime, key=L.key(f"ex_dl_{name}"),
                            on_click="ignore")
    st.caption("No PDF: compile the LaTeX (lualatex or xelatex) or print the Markdown.")
    if first is not None:
        with st.expander(f"Preview: sheet {first.code}"):
            st.markdown(variants.sheet_md(L, first, spec))


# --- share ---------------------------------------------------------------------------------------

def share_query(L, ctx, stage, lock=(), hide=(), state=True, variant=None):
    """The parameters of a lesson link: the lesson's state (ui/urlstate.lesson_query), the
    sheet variant, and what to lock and hide."""
    from ui import urlstate
    q = urlstate.lesson_query(L, ctx, stage) if state else {}
    if variant:
        q["variant"] = variant
    names = locks.names(L)
    if lock:
        q["lock"] = ",".join(n for n in names if n in lock)
    if hide:
        q["hide"] = ",".join(n for n in names if n in hide)
    return q


def _share_body(L, ctx):
    st.caption("A link to this lesson as it is now. Tick what students may not change (lock) "
               "or should not see (hide); the link keeps it for their whole session.")
    state = st.checkbox("This step's settings (stage, inputs, learning rate, seed)", value=True,
                        key=L.key("share_state"))
    code = current_variant(L)
    variant = code if code and st.checkbox(f"The weights of sheet {code}", value=True,
                                           key=L.key("share_variant")) else None
    names = locks.names(L)
    picked = {}
    for kind, verb in (("lock", "Lock"), ("hide", "Hide")):
        st.markdown(f"**{verb}**")
        cols = st.columns(4)
        picked[kind] = [n for j, n in enumerate(names) if cols[j % 4].checkbox(
            n, value=locks.locked(L, n) if kind == "lock" else locks.hidden(L, n),
            key=L.key(f"share_{kind}_{n}"), help=locks.describe(L, n))]
    stage = int(_s().get(L.key("stage"), 0))
    q = share_query(L, ctx, stage, picked["lock"], picked["hide"], state, variant)
    base = (st.context.url or "").rstrip("/")
    st.code(locks.link(f"{base}/{L.url_path}", q), language=None, wrap_lines=True)
