"""Exercise sheets: numbered variants of a lesson's step, printable with blanks, and one
answer key for all of them. No Streamlit calls: tests and notebooks use these directly.

A variant is a number k (its seed). Its settings are the lesson's defaults with
`Lesson.variant(k)` on top (default: none, i.e. the same settings with new weights); its
weights are `L.fresh(settings, k, None)` rounded to GIVEN_DECIMALS, *before* the step is
computed, so the numbers a sheet prints are exactly the numbers its Trace (and the answer
key) is computed from. A variant's code is the lesson's URL path, a dash and k
(`tiny_word2vec-4821`): the code alone rebuilds the variant.
"""
import copy
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass

import numpy as np

from core.common import check_lesson_lr, strip_bidi
from ui import cached
from ui.format import md_code, md_text, num, tex_text
from ui.tables import grid
from ui.worksheet import render

MAX_VARIANT = 2**31 - 1        # the largest sheet number (the URL's seed range)
MAX_SHEETS = 200               # variants per batch
GIVEN_DECIMALS = 2             # the weights a sheet gives are rounded to this many decimals
MAX_CODE_LEN = 120
MAX_BYTES = 5_000_000          # a batch's Markdown sheets and key together, about
BLANK_MD = "____"
BLANK_TEX = r"\underline{\hspace{2cm}}"
PAGE_BREAK_MD = '\n\n<div style="page-break-after: always;"></div>\n\n---\n\n'


# --- codes -----------------------------------------------------------------------------------

def format_code(L, k):
    return f"{L.url_path}-{int(k)}"


def parse_code(L, text):
    """The variant number of a code such as `tiny_word2vec-4821`; ValueError saying what is
    wrong (empty, another lesson's code, not a number, negative, too large)."""
    text = strip_bidi(str(text)).strip()
    example = format_code(L, 4821)
    if not text:
        raise ValueError("no sheet code was given")
    if len(text) > MAX_CODE_LEN:
        raise ValueError(f"that is too long to be a sheet code (a code looks like {example})")
    prefix = L.url_path + "-"
    if text.lower().startswith(prefix.lower()):
        number = text[len(prefix):]
        if number.startswith("-"):
            raise ValueError("sheet numbers are never negative")
        if not re.fullmatch(r"[0-9]+", number):
            raise ValueError(f"“{number[:20]}” after “{prefix}” is not a whole number")
        k = int(number)
        if k > MAX_VARIANT:
            raise ValueError(f"the number {number[:20]}{'…' if len(number) > 20 else ''} is "
                             f"too large: sheet numbers go from 0 to {MAX_VARIANT:,}")
        return k
    if "-" in text:
        other = text.rpartition("-")[0]
        raise ValueError(f"this code is not for this lesson (it starts with “{other[:40]}”); "
                         f"this lesson's codes start with “{prefix}”")
    raise ValueError(f"“{text[:30]}” is not a sheet code: a code is the lesson's name, a dash "
                     f"and a number, such as {example}")


def check_number(k):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= MAX_VARIANT:
        raise ValueError(f"sheet numbers are whole numbers from 0 to {MAX_VARIANT:,}")
    return int(k)


# --- variants --------------------------------------------------------------------------------

def same_settings(k):
    """The default Lesson.variant: the same settings; only the weights change (seed k)."""
    return {}


def pick(**options):
    """A Lesson.variant: each named setting takes one of its options, chosen by the sheet
    number (the same number always picks the same)."""
    options = {name: list(values) for name, values in options.items()}

    def variant(k):
        rng = np.random.default_rng([int(k), 0x5EED])
        return {name: values[int(rng.integers(len(values)))] for name, values in options.items()}
    return variant


def settings_for(L, k):
    """The lesson's defaults with the variant's overrides."""
    overrides = (getattr(L, "variant", None) or same_settings)(k)
    unknown = [name for name in overrides if name not in L.settings]
    if unknown:
        raise ValueError(f"the lesson's variants name settings it does not have: {unknown}")
    settings = {**copy.deepcopy(L.settings), **copy.deepcopy(overrides)}
    if getattr(L, "seed_setting", ""):  # the lesson shows its seed as a setting: sheet k's
        settings[L.seed_setting] = int(k)
    return settings


def round_params(params, decimals=GIVEN_DECIMALS):
    """Floating-point arrays rounded to `decimals`; anything else kept as it is."""
    out = {}
    for name, value in params.items():
        arr = np.asarray(value)
        out[name] = np.round(arr.astype(np.float64), decimals) if arr.dtype.kind == "f" else value
    return out


@dataclass(frozen=True)
class Variant:
    number: int
    code: str
    settings: dict
    params: dict        # the weights the sheet gives (rounded): ctx.params, unless read changes
                        # them
    ctx: object         # ui.lesson.Ctx: Example, Trace, decimals

    @property
    def trace(self):
        return self.ctx.trace


def make(L, k, decimals=4):
    """Variant k of lesson L; ValueError when it cannot be made (the message says why)."""
    from ui.lesson import Ctx
    k = check_number(k)
    code = format_code(L, k)
    try:
        settings = settings_for(L, k)
        params = round_params(L.fresh(settings, k, None))
        ex = L.read(settings, params)
        check_lesson_lr(ex.lr)
        trace = cached.step(L.model, ex.params, ex.example, ex.lr)
    except (ValueError, FloatingPointError, OverflowError) as err:
        raise ValueError(f"sheet {code} cannot be made: {err}") from None
    return Variant(k, code, settings, params, Ctx(L, settings, ex, trace, int(decimals), 0, k))


def model_of(L, v):
    """The lesson state (`{prefix}_model`) that starts at variant v."""
    return {"params": v.params, "start": v.params, "steps": 0, "seed": v.number, "log": [],
            "shape": L.shape(v.settings)}


def fingerprint(trace):
    h = hashlib.sha1()
    for key, value in trace.items():
        h.update(key.encode())
        h.update(np.ascontiguousarray(value, dtype=np.float64).tobytes())
    return h.hexdigest()


# --- what a sheet prints -----------------------------------------------------------------------

@dataclass(frozen=True)
class SheetSpec:
    first: int                 # the first sheet number
    count: int                 # how many
    lo: int                    # stages lo..hi (0-based, inclusive)
    hi: int
    asked: tuple               # Trace keys left blank
    decimals: int = 4
    given_earlier: bool = True  # print the earlier stages' results as given

    @property
    def numbers(self):
        return range(self.first, self.first + self.count)


def check_spec(L, spec, n_stages):
    """ValueError with a message when the sheet request cannot be made."""
    if isinstance(spec.count, bool) or not isinstance(spec.count, (int, np.integer)):
        raise ValueError("the number of variants must be a whole number")
    if not 1 <= spec.count <= MAX_SHEETS:
        raise ValueError(f"{spec.count:,} variants: choose from 1 to {MAX_SHEETS} per batch "
                         "(make several batches, with other first numbers, for more)")
    check_number(spec.first)
    if spec.first + spec.count - 1 > MAX_VARIANT:
        raise ValueError(f"the last sheet number would be beyond {MAX_VARIANT:,}: choose a "
                         "smaller first number")
    if not 0 <= spec.lo <= spec.hi < n_stages:
        raise ValueError(f"the stages must be a range within 1..{n_stages}")
    if not spec.asked:
        raise ValueError("pick at least one quantity to leave blank")
    return spec


def check_size(L, spec, first=None):
    """ValueError when the batch's files would be too large to make quickly: a lesson with
    large matrices (every number is printed) gets fewer sheets per batch. `first`: the first
    variant, if already made."""
    v = first or make(L, spec.first, spec.decimals)
    size = len(sheet_md(L, v, spec)) + len(answers_md_one(L, v, spec))
    most = max(1, min(MAX_SHEETS, MAX_BYTES // max(size, 1)))
    if spec.count > most:
        raise ValueError(f"these sheets are large (about {size / 1000:,.0f} kB each, with their "
                         f"answers, for these stages and quantities): at most {most} per batch. "
                         "Fewer stages or quantities make them smaller")
    return most


def exact_decimals(values, least=GIVEN_DECIMALS, most=12):
    """The fewest decimals (at least `least`) that print every value exactly."""
    arr = np.asarray(values, dtype=np.float64)
    for d in range(least, most + 1):
        if np.all(np.round(arr, d) == arr):
            return d
    return most


def exact_text(x):
    """A number printed so that reading it back gives exactly x."""
    return repr(float(x))


def _unmarkdown(text):
    """Markdown source (escaped user text) as the plain text it shows."""
    return re.sub(r"\\(.)", r"\1", str(text)).replace("\u2060", "")


def _param_axes(name, axes):
    """Row / column labels for a parameter: those of its update or gradient, if the lesson
    labels them (E_new or grad_E have E's shape)."""
    for key in (f"{name}_new", f"grad_{name}"):
        if key in axes:
            return axes[key]
    return (None, None)


def _axes(L, ctx):
    return L.axes(ctx) if L.axes else {}


def _setting_text(value):
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def _stages(L, v):
    return L.stages(v.ctx)


def _asked_in(stage, spec):
    return [k for k in stage.keys if k in spec.asked]


# --- Markdown --------------------------------------------------------------------------------

def _md_table(name, values, axes, cell):
    """A Markdown table of `cell(x)` for every entry, in the format ui/tables writes (the name
    in the corner), never cut: a sheet gives, and its key answers, every number."""
    arr, rows, cols = grid(values, *axes, name)
    lines = ["| " + md_text(name) + " | " + " | ".join(md_text(c) for c in cols) + " |",
             "|:---|" + "---:|" * arr.shape[1]]
    for label, row in zip(rows, arr):
        lines.append("| " + (md_text(label) if label else " ") + " | " +
                     " | ".join(cell(x) for x in row) + " |")
    return "\n".join(lines)


def _md_numbers(name, values, axes, decimals):
    return _md_table(name, values, axes, lambda x: f"`{num(x, decimals)}`")


def _md_blanks(name, shape, axes):
    return _md_table(name, np.zeros(shape), axes, lambda x: BLANK_MD)


def _given_numbers(L, v, spec, numbers, earlier):
    """The weights' tables (exact), then, when the sheet gives them, the heading `earlier` and
    the earlier stages' values (rounded); numbers(name, values, axes, decimals) draws a table."""
    ctx, axes = v.ctx, _axes(L, v.ctx)
    parts = [numbers(name, arr, _param_axes(name, axes), exact_decimals(arr)) for name, arr in
             ((name, np.asarray(value, dtype=np.float64)) for name, value in ctx.params.items())]
    if spec.given_earlier and spec.lo > 0:
        parts.append(earlier)
        parts += [numbers(k, ctx.trace[k], axes.get(k, (None, None)), spec.decimals)
                  for stage in _stages(L, v)[:spec.lo] for k in stage.keys]
    return parts


def given_md(L, v, spec):
    """The numbers a sheet gives: the example, the settings, the weights, α."""
    ctx = v.ctx
    parts = [f"**The step:** {L.headline(ctx)}",
             "**Settings:** " + "; ".join(f"{md_text(name)} = {md_code(_setting_text(value))}"
                                          for name, value in v.settings.items()),
             f"**Learning rate:** α = {exact_text(ctx.lr)}"]
    parts += _given_numbers(L, v, spec, _md_numbers, f"**From the earlier stages** (rounded to "
                            f"{spec.decimals} decimals):")
    return "\n\n".join(parts)


def sheet_md(L, v, spec):
    """One printable sheet: the formulas of the chosen stages, the given numbers and a blank
    for every entry of the quantities asked for."""
    axes = _axes(L, v.ctx)
    title = L.title_short or L.title
    parts = [f"# {md_text(title)}: exercise sheet", f"**Sheet {md_code(v.code)}**  ·  Name: "
             "______________________",
             f"Work out the blanks by hand, to {spec.decimals} decimals. To check your answers, "
             f"open the lesson and type the sheet code {md_code(v.code)} into “Check my hand "
             "calculation”.", "## Given", given_md(L, v, spec)]
    for i, stage in enumerate(_stages(L, v)[spec.lo:spec.hi + 1], start=spec.lo):
        parts.append(f"## Stage {i + 1}: {md_text(stage.name)}")
        parts += [f"$$ {f} $$" for f in stage.formulas]
        for k in _asked_in(stage, spec):
            parts.append(_md_blanks(k, np.shape(v.trace[k]), axes.get(k, (None, None))))
    return "\n\n".join(parts) + "\n"


def answers_md_one(L, v, spec):
    axes = _axes(L, v.ctx)
    parts = [f"## Sheet {md_code(v.code)}", L.headline(v.ctx)]
    for i, stage in enumerate(_stages(L, v)[spec.lo:spec.hi + 1], start=spec.lo):
        parts.append(f"### Stage {i + 1}: {md_text(stage.name)}")
        parts += [f"$$ {line} $$" for line in render(stage.lines(v.ctx) if stage.lines else [],
                                                      spec.decimals)]
        for k in _asked_in(stage, spec):
            parts.append(_md_numbers(k, v.trace[k], axes.get(k, (None, None)), spec.decimals))
    return "\n\n".join(parts)


def sheets_md(L, variants, spec):
    return PAGE_BREAK_MD.join(sheet_md(L, v, spec) for v in variants)


def answers_md(L, variants, spec):
    title = L.title_short or L.title
    head = (f"# {md_text(title)}: answer key\n\nSheets {md_code(variants[0].code)} to "
            f"{md_code(variants[-1].code)}, {spec.decimals} decimals. Each sheet's worksheet "
            "lines with numbers, then the values asked for.")
    return head + "\n\n" + "\n\n---\n\n".join(answers_md_one(L, v, spec) for v in variants) + "\n"


# --- LaTeX -----------------------------------------------------------------------------------

PREAMBLE = [r"% Words and symbols are Unicode: compile with lualatex or xelatex.",
            r"\documentclass{article}", r"\usepackage{amsmath,amssymb}",
            r"\usepackage[margin=2cm]{geometry}", r"\setlength{\parindent}{0pt}",
            r"\begin{document}"]


def _tex_table(name, values, axes, cell):
    """A tabular of `cell(x)` for each entry, with the lesson's labels."""
    arr, rows, cols = grid(values, *axes, name)
    head = " & ".join(tex_text(c) for c in cols)
    body = [(tex_text(label) if label else "") + " & " +
            " & ".join(cell(x) for x in row) + r" \\" for label, row in zip(rows, arr)]
    return (r"\noindent " + tex_text(name) + r"\\[2pt]" + "\n\\begin{tabular}{l" +
            "r" * arr.shape[1] + "}\n & " + head + r" \\ \hline" + "\n" + "\n".join(body) +
            "\n\\end{tabular}\\\\[6pt]")


def _tex_numbers(name, values, axes, decimals):
    return _tex_table(name, values, axes, lambda x: num(x, decimals).strip())


def given_tex(L, v, spec):
    ctx = v.ctx
    parts = [r"\textbf{The step:} " + tex_text(_unmarkdown(L.headline(ctx))) + r"\\",
             r"\textbf{Settings:} " + "; ".join(
                 tex_text(name) + " = " + tex_text(_setting_text(value))
                 for name, value in v.settings.items()) + r"\\",
             r"\textbf{Learning rate:} $\alpha = " + exact_text(ctx.lr) + r"$\\[6pt]"]
    parts += _given_numbers(L, v, spec, _tex_numbers, r"\textbf{From the earlier stages} (rounded "
                            r"to " + str(spec.decimals) + r" decimals):\\[4pt]")
    return "\n".join(parts)


def sheet_tex_body(L, v, spec):
    axes = _axes(L, v.ctx)
    title = L.title_short or L.title
    parts = [r"\section*{" + tex_text(title) + ": exercise sheet}",
             r"\textbf{Sheet " + tex_text(v.code) + r"} \hfill Name: \underline{\hspace{6cm}}"
             r"\\[6pt]",
             "Work out the blanks by hand, to " + str(spec.decimals) + " decimals. To check "
             "your answers, open the lesson and type the sheet code " + tex_text(v.code) +
             r" into ``Check my hand calculation''.", r"\subsection*{Given}", given_tex(L, v, spec)]
    for i, stage in enumerate(_stages(L, v)[spec.lo:spec.hi + 1], start=spec.lo):
        parts.append(r"\subsection*{Stage " + str(i + 1) + ": " + tex_text(stage.name) + "}")
        parts += [r"\[ " + f + r" \]" for f in stage.formulas]
        for k in _asked_in(stage, spec):
            parts.append(_tex_table(k, np.zeros(np.shape(v.trace[k])), axes.get(k, (None, None)),
                                    lambda x: BLANK_TEX))
    return "\n".join(parts)


def sheets_tex(L, variants, spec):
    bodies = "\n\\newpage\n".join(sheet_tex_body(L, v, spec) for v in variants)
    return "\n".join(PREAMBLE) + "\n" + bodies + "\n\\end{document}\n"


def answers_tex(L, variants, spec):
    title = L.title_short or L.title
    parts = list(PREAMBLE) + [r"\section*{" + tex_text(title) + ": answer key}",
                              "Sheets " + tex_text(variants[0].code) + " to " +
                              tex_text(variants[-1].code) + ", " + str(spec.decimals) +
                              " decimals."]
    for v in variants:
        axes = _axes(L, v.ctx)
        parts.append(r"\subsection*{Sheet " + tex_text(v.code) + "}")
        for i, stage in enumerate(_stages(L, v)[spec.lo:spec.hi + 1], start=spec.lo):
            parts.append(r"\subsubsection*{Stage " + str(i + 1) + ": " + tex_text(stage.name) +
                         "}")
            parts += [r"\[ " + line + r" \]" for line in
                      render(stage.lines(v.ctx) if stage.lines else [], spec.decimals)]
            for k in _asked_in(stage, spec):
                parts.append(_tex_numbers(k, v.trace[k], axes.get(k, (None, None)),
                                          spec.decimals))
    parts.append(r"\end{document}")
    return "\n".join(parts) + "\n"


# --- a batch -----------------------------------------------------------------------------------

def batch(L, spec):
    """(variants, problems): the variants that could be made, and a sentence per one that
    could not; also a note when two variants are the same exercise."""
    variants, problems, seen = [], [], {}
    for k in spec.numbers:
        try:
            v = make(L, k, spec.decimals)
        except ValueError as err:
            problems.append(str(err))
            continue
        fp = fingerprint(v.trace)
        if fp in seen:
            problems.append(f"sheet {v.code} is the same exercise as {seen[fp]}")
        seen.setdefault(fp, v.code)
        variants.append(v)
    return variants, problems


def sheets_zip(L, variants, spec):
    """Every sheet as its own .md and .tex, plus the answer key in both."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for v in variants:
            z.writestr(f"{v.code}.md", sheet_md(L, v, spec))
            z.writestr(f"{v.code}.tex", "\n".join(PREAMBLE) + "\n" + sheet_tex_body(L, v, spec) +
                       "\n\\end{document}\n")
        z.writestr("answers.md", answers_md(L, variants, spec))
        z.writestr("answers.tex", answers_tex(L, variants, spec))
    return out.getvalue()
