"""Number and text formatting for tables, LaTeX and Markdown; user text is escaped."""
import re

import numpy as np

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


def _clean(x, decimals):
    """x as a float rounded for display, with -0 shown as 0."""
    x = round(float(x), decimals)
    return 0.0 if x == 0 else x


def num(x, decimals):
    """Fixed decimals with a space where the minus sign would be, so signs line up."""
    return f"{_clean(x, decimals): .{decimals}f}"


def tex_num(x, decimals, paren=False):
    """A number for LaTeX with a true minus sign; parenthesised negatives when multiplied."""
    x = _clean(x, decimals)
    s = f"{abs(x):.{decimals}f}"
    if x < 0:
        return f"(-{s})" if paren else f"-{s}"
    return s


def tex_vec(values, decimals):
    """[a, b, c] as a LaTeX row vector."""
    return r"\begin{bmatrix}" + " & ".join(tex_num(v, decimals) for v in np.ravel(values)) + \
        r"\end{bmatrix}"


def tex_text(s):
    """User text (a word) made safe inside \\text{...}; any character is shown literally."""
    s = "".join(_TEX_SPECIAL.get(ch, ch) for ch in str(s)[:60])
    return r"\text{" + s + "}"


def md_text(s):
    """User text made literal in Markdown (no emphasis, links, HTML or math)."""
    return _MD_REWRITTEN.sub(r"\1" + _WJ, _MD_SPECIAL.sub(r"\\\1", str(s))).replace("\n", " ")


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
