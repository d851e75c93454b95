"""Worksheet lines: a formula with this step's numbers plugged in, built as a small expression.

A line is `label = expression = result`. The expression is a tree of numbers and operations;
its LaTeX is generated from the tree, and the same tree can be evaluated. So a test can read
every line a page shows and check it: each number plugged in is the value it names (`src`,
a Trace or parameter entry) and the result equals the arithmetic of the left to its printed
decimals.
"""
import math
from dataclasses import dataclass, field

import numpy as np

from ui.format import tex_num


class Expr:
    def tex(self, dec):
        raise NotImplementedError

    def value(self):
        raise NotImplementedError

    def leaves(self):
        return []


@dataclass
class Num(Expr):
    """A number on the worksheet; `src` = (name, index) of the value it shows, if any."""
    x: float
    src: tuple = None
    paren: bool = False
    digits: int = None   # shown with this many decimals instead of the worksheet's

    def tex(self, dec):
        return tex_num(self.x, dec if self.digits is None else self.digits, self.paren)

    def value(self):
        return float(self.x)

    def leaves(self):
        return [self]


def val(trace_or_params, name, *index, paren=False, digits=None):
    """The Num showing trace_or_params[name][index], with its source recorded (`digits`: shown
    with this many decimals, e.g. 0 for a one-hot entry)."""
    x = trace_or_params[name]
    x = x[index] if index else x
    return Num(float(x), (name, tuple(int(i) for i in index)), paren, digits)


def const(x):
    """A whole-number constant (a count, a one-hot entry, V): shown without decimals."""
    return Num(float(x), None, False, 0)


@dataclass
class Op(Expr):
    kind: str
    args: list = field(default_factory=list)
    shown: int = None        # for sums: terms shown before \dots (all are evaluated)

    def leaves(self):
        return [leaf for a in self.args for leaf in a.leaves()]

    def value(self):
        v = [a.value() for a in self.args]
        k = self.kind
        if k == "add":
            return float(sum(v))
        if k == "sub":
            return v[0] - v[1]
        if k in ("mul", "juxt"):
            return float(np.prod(v))
        if k == "div":
            return v[0] / v[1]
        if k == "neg":
            return -v[0]
        if k == "exp":
            return math.exp(v[0])
        if k == "log":
            return math.log(v[0])
        if k == "max0":
            return max(0.0, v[0])
        if k == "step":
            return 1.0 if v[0] > 0 else 0.0
        if k == "sigmoid":
            return 1 / (1 + math.exp(-v[0])) if v[0] >= 0 else math.exp(v[0]) / (1 + math.exp(v[0]))
        if k == "tanh":
            return math.tanh(v[0])
        if k == "logsig":  # log σ(x), stably
            return -np.logaddexp(0.0, -v[0])
        if k == "paren":
            return v[0]
        raise ValueError(k)

    def tex(self, dec):
        a = [x.tex(dec) for x in self.args]
        k = self.kind
        if k == "add":
            shown = a if self.shown is None or len(a) <= self.shown else a[:self.shown] + [r"\dots"]
            return " + ".join(shown).replace("+ -", "- ")
        if k == "sub":
            return f"{a[0]} - {a[1]}"
        if k == "mul":
            return r" \cdot ".join(a)
        if k == "juxt":
            return "".join(a)
        if k == "div":
            return rf"\frac{{{a[0]}}}{{{a[1]}}}"
        if k == "neg":
            return f"-{a[0]}"
        if k == "exp":
            return rf"e^{{{a[0]}}}"
        if k == "log":
            return rf"\log({a[0]})"
        if k == "max0":
            return rf"\max(0, {a[0]})"
        if k == "step":
            return rf"\mathbb{{1}}[{a[0]} > 0]"
        if k == "sigmoid":
            return rf"\sigma({a[0]})"
        if k == "tanh":
            return rf"\tanh({a[0]})"
        if k == "logsig":
            return rf"\log\sigma({a[0]})"
        if k == "paren":
            return f"({a[0]})"
        raise ValueError(k)


def add(*terms, shown=None):
    return Op("add", list(terms), shown)


def sub(a, b):
    return Op("sub", [a, b])


def mul(*factors):
    return Op("mul", list(factors))


def div(a, b):
    return Op("div", [a, b])


def neg(a):
    return Op("neg", [a])


def exp(a):
    return Op("exp", [a])


def log(a):
    return Op("log", [a])


def max0(a):
    return Op("max0", [a])


def step(a):
    return Op("step", [a])


def sigmoid(a):
    return Op("sigmoid", [a])


def tanh(a):
    return Op("tanh", [a])


def logsig(a):
    return Op("logsig", [a])


def paren(a):
    return Op("paren", [a])


def dot(pairs, bias=None, shown=None):
    """Σ a·b (+ bias) as (a)(b) + (a)(b) ...: `pairs` of Nums."""
    terms = [Op("juxt", [paren(a), paren(b)]) for a, b in pairs]
    return add(*terms, *([bias] if bias is not None else []), shown=shown)


@dataclass
class Line:
    """`label = [middle =] expr = result`; expr None: `label = result`."""
    label: str
    expr: Expr
    result: Num
    middle: str = ""

    def tex(self, dec):
        parts = [self.label] + ([self.middle] if self.middle else [])
        if self.expr is not None:
            parts.append(self.expr.tex(dec))
        parts.append(self.result.tex(dec))
        return " = ".join(parts)


def sgd(label, params, trace, name, new_name, grad_name, index, lr):
    """label = old − α·grad = new for one entry of a parameter."""
    index = tuple(index)
    return update(label, val(params, name, *index), lr, val(trace, grad_name, *index, paren=True),
                  val(trace, new_name, *index))


def render(lines, dec):
    """The LaTeX strings of these lines (plain strings pass through)."""
    return [ln.tex(dec) if isinstance(ln, Line) else ln for ln in lines]


def alpha(lr):
    """The learning rate as a worksheet number (6 decimals when it is tiny)."""
    return Num(lr, ("lr", ()), False, None if lr >= 1e-4 else 6)


def update(label, old, lr, grad, new):
    """label = old − α·(grad) = new, `grad` any expression (a sum of several gradients...)."""
    return Line(label, sub(old, mul(alpha(lr), grad if isinstance(grad, Num) else paren(grad))),
                new)


def copies(label, trace, key, n):
    """label(i) = trace[key][i] for i < n: a vector read from a table, entry by entry."""
    return [Line(label(i), None, val(trace, key, i)) for i in range(n)]
