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
        return _VALUE[self.kind]([a.value() for a in self.args])

    def tex(self, dec):
        a = [x.tex(dec) for x in self.args]
        if self.kind == "add":
            shown = a if self.shown is None or len(a) <= self.shown else a[:self.shown] + [r"\dots"]
            return " + ".join(shown).replace("+ -", "- ")
        return _TEX[self.kind](a)


def _sigmoid(x):
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


# kind -> (value of the evaluated arguments, LaTeX of the rendered arguments)
_OPS = {
    "add": (lambda v: float(sum(v)), None),
    "sub": (lambda v: v[0] - v[1], lambda a: f"{a[0]} - {a[1]}"),
    "mul": (lambda v: float(np.prod(v)), lambda a: r" \cdot ".join(a)),
    "juxt": (lambda v: float(np.prod(v)), "".join),
    "div": (lambda v: v[0] / v[1], lambda a: rf"\frac{{{a[0]}}}{{{a[1]}}}"),
    "neg": (lambda v: -v[0], lambda a: f"-{a[0]}"),
    "exp": (lambda v: math.exp(v[0]), lambda a: rf"e^{{{a[0]}}}"),
    "log": (lambda v: math.log(v[0]), lambda a: rf"\log({a[0]})"),
    "max0": (lambda v: max(0.0, v[0]), lambda a: rf"\max(0, {a[0]})"),
    "step": (lambda v: 1.0 if v[0] > 0 else 0.0, lambda a: rf"\mathbb{{1}}[{a[0]} > 0]"),
    "sigmoid": (lambda v: _sigmoid(v[0]), lambda a: rf"\sigma({a[0]})"),
    "tanh": (lambda v: math.tanh(v[0]), lambda a: rf"\tanh({a[0]})"),
    "logsig": (lambda v: float(-np.logaddexp(0.0, -v[0])), lambda a: rf"\log\sigma({a[0]})"),
    "paren": (lambda v: v[0], lambda a: f"({a[0]})"),
}
_VALUE = {k: f for k, (f, _) in _OPS.items()}
_TEX = {k: t for k, (_, t) in _OPS.items()}


def add(*terms, shown=None):
    return Op("add", list(terms), shown)


def mul(*factors):
    return Op("mul", list(factors))


def _unary(kind):
    return lambda a: Op(kind, [a])


sub, div = (lambda a, b: Op("sub", [a, b])), (lambda a, b: Op("div", [a, b]))
neg, exp, log, max0, step, sigmoid, tanh, logsig, paren = map(_unary, (
    "neg", "exp", "log", "max0", "step", "sigmoid", "tanh", "logsig", "paren"))


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
