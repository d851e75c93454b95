"""Number and text formatting for tables, LaTeX and Markdown; user text is escaped."""
import html
import re
import unicodedata

import numpy as np

from core.common import strip_bidi

MAX_MATRIX_TEXT = 100_000  # characters parse_matrix accepts

# '-' as '{-}': no -- / --- dashes. ':' as '{:}': Streamlit rewrites ':material/' anywhere in
# Markdown source, math included.
_TEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
                "#": r"\#", "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%",
                "~": r"\textasciitilde{}", "-": "{-}", ":": "{:}"}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<$&:/])")
# Streamlit's Markdown rewrites some text after escapes are undone (:streamlit:, :material_x:,
# emoji :shortcodes:, -> <= -- ...): an invisible word joiner after ':' and inside such pairs
# keeps them literal.
_WJ = "\u2060"
_MD_REWRITTEN = re.compile(r"(\\:|\\[-<>~](?=\\[-<>]|=))")


BIG = 1e6  # from here up, and below half a unit of the last decimal, numbers are scientific


def _clean(x, decimals):
    """x as a float rounded for display, with -0 shown as 0."""
    x = round(float(x), decimals)
    return 0.0 if x == 0 else x


def scientific(x, decimals):
    """True when x reads better as a × 10^k: too large, or too small for `decimals` (a
    non-zero value is never shown as zeros)."""
    x = abs(float(x))
    return x >= BIG or 0 < x < 0.5 * 10.0 ** -decimals


def _mantissa(x, decimals):
    """(mantissa text, exponent) with `decimals` significant digits (at least 1)."""
    m, e = f"{abs(float(x)):.{max(decimals, 1) - 1}e}".split("e")
    return m, int(e)


def num(x, decimals):
    """Fixed decimals with a space where the minus sign would be, so signs line up;
    scientific (decimals significant digits) beyond that range."""
    if scientific(x, decimals):
        m, e = _mantissa(x, decimals)
        return f"{'-' if x < 0 else ' '}{m}e{e:+03d}"
    return f"{_clean(x, decimals): .{decimals}f}"


def tex_num(x, decimals, paren=False):
    """A number for LaTeX with a true minus sign; parenthesised negatives when multiplied."""
    if scientific(x, decimals):
        m, e = _mantissa(x, decimals)
        s, x = rf"{m}\times10^{{{e}}}", float(x)
        return (f"(-{s})" if paren else f"-{s}") if x < 0 else (f"({s})" if paren else s)
    x = _clean(x, decimals)
    s = f"{abs(x):.{decimals}f}"
    if x < 0:
        return f"(-{s})" if paren else f"-{s}"
    return s


def tex_sgd(label, old, lr, grad, new, decimals):
    """One SGD update as a worksheet line: label = old − α·grad = new (α shown with 6 decimals
    when `decimals` would round it to 0)."""
    a = tex_num(lr, decimals if lr >= 10 ** -decimals else 6)
    return (rf"{label} = {tex_num(old, decimals)} - {a}\cdot{tex_num(grad, decimals, True)} = "
            rf"{tex_num(new, decimals)}")


def tex_vec(values, decimals):
    """[a, b, c] as a LaTeX row vector."""
    return r"\begin{bmatrix}" + " & ".join(tex_num(v, decimals) for v in np.ravel(values)) + \
        r"\end{bmatrix}"


def tex_text(s):
    """User text (a word) made safe inside \\text{...}; any character is shown literally.

    KaTeX refuses control, private-use and line-separator characters (shown as U+FFFD
    instead), and joins a combining mark (U+0300..U+036F) to the character before it, so a
    mark after '{', an escape or a space would break the formula: a word joiner carries it.
    """
    out, carrier = [], False  # carrier: the last character written can take a mark
    for ch in strip_bidi(s)[:60]:
        if "\u0300" <= ch <= "\u036f" and not carrier:
            out.append(_WJ)
        elif unicodedata.category(ch) in ("Cc", "Co", "Cs", "Zl", "Zp"):
            ch = "\ufffd"
        escaped = _TEX_SPECIAL.get(ch)
        out.append(escaped or ch)
        carrier = escaped is None and not ch.isspace()
    return r"\text{" + "".join(out) + "}"


def md_text(s):
    """User text made literal in Markdown (no emphasis, links, HTML or math), without bidi
    controls (they would mirror the app's own text around it)."""
    return _MD_REWRITTEN.sub(r"\1" + _WJ, _MD_SPECIAL.sub(r"\\\1", strip_bidi(s))).replace(
        "\n", " ")


def html_text(s):
    """User text made literal in HTML (every <, >, & and quote escaped), without bidi controls."""
    return html.escape(strip_bidi(str(s)).replace("\n", " "))


def md_code(s):
    """User text as inline code, shown literally: escapes do not work inside a code span, so
    the fence is longer than any run of backticks in the text instead (':' gets a word
    joiner, as in md_text)."""
    s = strip_bidi(s).replace("\n", " ").replace(":", ":" + _WJ)
    fence = "`" * (max(map(len, re.findall("`+", s)), default=0) + 1)
    pad = " " if s[:1] == "`" or s[-1:] == "`" else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def parse_matrix(text, shape, name):
    """Rows of numbers (one row a line, separated by spaces/commas) -> float64 array.

    ValueError with a message a student can act on when a value is not a number, missing,
    or not finite.
    """
    text = str(text)
    if len(text) > MAX_MATRIX_TEXT:  # refused before parsing: a pasted 10 MB would take seconds
        raise ValueError(f"{name}: the text is too long ({len(text):,} characters; at most "
                         f"{MAX_MATRIX_TEXT:,})")
    rows = [r for r in re.split(r"[\n;]+", text.strip()) if r.strip()]
    values = []
    for i, row in enumerate(rows):
        for tok in re.split(r"[,\s]+", row.strip().strip("[]")):
            if not tok:
                continue
            try:
                x = float(tok.replace("−", "-"))
            except ValueError:
                raise ValueError(f"{name}: row {i + 1}: '{tok[:20]}' is not a number") from None
            if not np.isfinite(x):
                raise ValueError(f"{name}: row {i + 1}: '{tok[:20]}' is not a finite number")
            values.append(x)
    size = int(np.prod(shape))
    if len(values) != size:
        want = " × ".join(map(str, shape))
        raise ValueError(f"{name} needs {size} numbers ({want}), got {len(values)}")
    return np.array(values, dtype=np.float64).reshape(shape)


def matrix_text(arr):
    """An array as editable text: one row a line, full precision."""
    arr = np.atleast_2d(np.asarray(arr, dtype=np.float64))
    return "\n".join(", ".join(repr(float(x)) for x in row) for row in arr)
