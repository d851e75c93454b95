"""The CBOW course notes' printed numbers and formulas beside the math.

The notes step on the first window of "I'm happy because I'm learning" (C = 2, N = 3) with
weights they print; their printed numbers are compared with ours, and where a formula
disagrees with torch autograd the mistake is explained (tests/test_cbow_mlp.py checks every
claim here against the notes' own printouts or autograd).
"""
import numpy as np

from core.cbow_mlp import COURSE_C, COURSE_PARAMS, COURSE_TOKENS, COURSE_WINDOW

SOURCE = "the CBOW course notes"

# What the notes print for that window: key -> (values, decimals printed). Column vectors
# are flattened. grad_W1 and grad_b1 are what the notes print under those names (wrong: see
# NOTES_MISTAKES); the block labelled "Grad b1" holds grad_b2's five numbers.
COURSE_PRINTED = {
    "x": ([0.25, 0.25, 0.0, 0.5, 0.0], 2),
    "y": ([0.0, 0.0, 1.0, 0.0, 0.0], 0),
    "z1": ([0.36483875, 0.63710329, -0.3236647], 8),
    "h": ([0.36483875, 0.63710329, 0.0], 8),
    "z2": ([-0.31973737, -0.28125477, -0.09838369, -0.33512159, -0.19919612], 8),
    "y_hat": ([0.18519074, 0.19245626, 0.23107446, 0.18236353, 0.20891502], 8),
    "loss": (1.465015292361111, 15),
    "grad_W1": ([[0.0, 0.0, 0.0, 0.0, 0.0],
                 [0.0, 0.0, 0.0, 0.0, 0.0],
                 [0.04261464, 0.04261464, 0.0, 0.08522929, 0.0]], 8),
    "grad_W2": ([[0.06756476, 0.11798563, 0.0],
                 [0.0702155, 0.12261452, 0.0],
                 [-0.28053384, -0.48988499, 0.0],
                 [0.06653328, 0.1161844, 0.0],
                 [0.07622029, 0.13310045, 0.0]], 8),
    "grad_b1": ([0.18519074, 0.19245626, -0.76892554, 0.18236353, 0.20891502], 8),
    "grad_b2": ([0.18519074, 0.19245626, -0.76892554, 0.18236353, 0.20891502], 8),
}

# Where the notes disagree with the math (checked against torch autograd in the tests).
# Strings are Markdown; math between $...$. The first three change the printed example;
# the last two are right for the single example shown and wrong only for a batch.
NOTES_MISTAKES = [
    {"stage": "backward", "key": "grad_W1",
     "title": "ReLU of the gradient instead of ReLU's derivative",
     "notes_version": r"$\frac{\partial J}{\partial W_1} = \mathrm{ReLU}\big(W_2^\top"
                      r"(\hat y - y)\big)\,x^\top$ (eq. 7); printed: rows 1 and 2 zero, "
                      r"row 3 non-zero",
     "correct_version": r"$\frac{\partial J}{\partial W_1} = \big(W_2^\top(\hat y - y)"
                        r"\odot \mathbb{1}[z_1 > 0]\big)\,x^\top$: rows 1 and 2 non-zero "
                        r"(negative), row 3 zero",
     "explanation": "The chain rule multiplies the signal coming back, $W_2^\\top(\\hat y - y)$, "
                    "by the derivative of ReLU at $z_1$: 1 where the unit fired ($z_1 > 0$), "
                    "0 where it did not. The notes apply ReLU itself to the signal instead, "
                    "which keeps its positive entries and zeroes its negative ones whatever "
                    "$z_1$ was. Here that is wrong twice: units 1 and 2 fired but their "
                    "signal is negative, so their gradient is lost; unit 3 did not fire "
                    "($z_1 < 0$, $h = 0$), so row 3 of $W_1$ cannot change the loss, yet it "
                    "gets a gradient because its signal is positive."},
    {"stage": "backward", "key": "grad_b1",
     "title": "the same slip, ReLU of the gradient",
     "notes_version": r"$\frac{\partial J}{\partial b_1} = \mathrm{ReLU}\big(W_2^\top"
                      r"(\hat y - y)\big)$ (eq. 9), `grad_b1 = relu(np.dot(W2.T, y_hat - y))`",
     "correct_version": r"$\frac{\partial J}{\partial b_1} = W_2^\top(\hat y - y) \odot "
                        r"\mathbb{1}[z_1 > 0]$",
     "explanation": "The same slip as for $W_1$: $b_1$ enters through $z_1$ exactly like "
                    "$W_1 x$, so its gradient is the signal times ReLU's derivative, not "
                    "ReLU of the signal. (ReLU's derivative is a 0/1 mask taken from the "
                    "forward pass; it never looks at the sign of the gradient.)"},
    {"stage": "backward", "key": "grad_b1",
     "title": "the numbers printed as *Grad b1* are grad_b2",
     "notes_version": "`print(f\"Grad b1: {grad_b2}\")`: the block labelled *Grad b1* shows "
                      "5 numbers, identical to *Grad b2*",
     "correct_version": "`print(f\"Grad b1: {grad_b1}\")`: $\\partial J/\\partial b_1$ has "
                        "N = 3 entries, one per hidden unit",
     "explanation": "A copy-paste slip in the print: the label says b1 but the f-string "
                    "prints grad_b2, so the printed *Grad b1* is $\\hat y - y$ (one entry "
                    "per vocabulary word). Its shape gives it away: $b_1$ has one entry per "
                    "hidden unit. The notes' own grad_b1 is never shown."},
    {"stage": "forward", "key": "y_hat",
     "title": "softmax sums over a whole batch (right for the one example shown)",
     "notes_version": "`def softmax(z)`: `e_z = np.exp(z)`, `sum_e_z = np.sum(e_z)`, "
                      "`return e_z / sum_e_z`",
     "correct_version": "`e_z / np.sum(e_z, axis=0, keepdims=True)`: each column of a "
                        "V×m batch sums to 1",
     "explanation": "Right for the single V×1 example shown, so the printed $\\hat y$ is "
                    "correct. But the notes also describe batches, "
                    "$\\hat Y = \\mathrm{softmax}(W_2 H + B_2)$ with m columns: np.sum "
                    "without an axis adds all V·m entries, so the columns would sum to less "
                    "than 1 and every probability would be too small."},
    {"stage": "loss", "key": "loss",
     "title": "a batch's losses are summed, not averaged (right for the one example shown)",
     "notes_version": "`def cross_entropy_loss(y_hat, y): return -np.sum(y * np.log(y_hat))`",
     "correct_version": r"for a batch, $J_{batch} = -\frac{1}{m}\sum_{i=1}^m\sum_{j=1}^V "
                        r"y_j^i \log \hat y_j^i$: `-np.sum(Y * np.log(Y_hat)) / m`",
     "explanation": "Right for one example (m = 1), so the printed loss is correct. On a "
                    "V×m batch the function sums the m losses instead of averaging them, "
                    "which is m times the cost $J_{batch}$ the notes define; gradients taken "
                    "from it are m times too large, as if the learning rate were m times "
                    "larger."},
]


MISTAKES = NOTES_MISTAKES
NOTES = ()


def is_own_example(info, params, example, lr):
    """True for the notes' own step: their sentence, C, N, first window and weights."""
    return (list(info.get("tokens", ())) == list(COURSE_TOKENS) and info.get("C") == COURSE_C
            and info.get("window") == COURSE_WINDOW
            and all(np.array_equal(params[k], COURSE_PARAMS[k]) for k in COURSE_PARAMS))


def compare(trace):
    """Rows (key, index, printed, decimals, exact, diff, tolerance, off, reason) for every
    number the notes print; a block printed with the wrong shape is one row marked off."""
    rows = []
    for key, (printed, dec) in COURSE_PRINTED.items():
        printed, ours = np.asarray(printed, dtype=np.float64), np.asarray(trace[key])
        half = 0.5 * 10.0 ** -dec
        if printed.shape != ours.shape:
            rows.append({"key": key, "index": None, "printed": float("nan"), "decimals": dec,
                         "exact": float("nan"), "diff": float("nan"), "tolerance": half,
                         "off": True, "reason": f"the notes print {printed.size} numbers for "
                         f"{ours.size} entries: see the common mistake"})
            continue
        for idx in np.ndindex(printed.shape):
            p, x = float(printed[idx]), float(ours[idx])
            off = abs(p - x) > half + 1e-12
            rows.append({"key": key, "index": idx, "printed": p, "decimals": dec, "exact": x,
                         "diff": p - x, "tolerance": half, "off": off,
                         "reason": "see the common mistake below" if off else ""})
    return rows
