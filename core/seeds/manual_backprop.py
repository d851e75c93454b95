"""The numpy manual-backprop notebook: what its printed numbers and formulas show.

tests/test_manual_backprop.py checks every number quoted here against the notebook's own
printouts or against autograd.
"""
SOURCE = "the numpy manual-backprop notebook"
MISTAKES = ()

SET_ORDER_NOTE = ("The notebook builds its vocabulary with set(words), whose order changes from "
                  "one Python run to the next (string hashing is randomised), so its index 4 "
                  "is a different word each run. Here the vocabulary is in first-appearance "
                  "order, so an index always means the same word.")
NOTES = (
    "The formulas are right: autograd agrees with dL/do = −(1/V)·y/o, dL/dx = (o − y)/V and "
    "dL/de = linear · dL/dx to float64 precision. The step to (o − y)/V uses Σy = 1, so it "
    "holds because y is one-hot.",
    "The printed numbers agree with each other: o = V·dL/dx + y sums to 1, and its "
    "o[4] ≈ 0.0530 gives both dL/do[4] = −2.3588 and the loss 0.3672.",
    "Cell 29 updates the embedding once with learning rate 1e-3 before the 20-step loop, so "
    "the loop's first printed loss comes after that update. It still prints 0.367 because "
    "the update lowers the loss by only about 1e-3·|dL/de|² ≈ 0.00025.",
    "The notebook sets no random seed, so nobody can reproduce its numbers exactly; here the "
    "seed is a setting.",
    "The printed losses come before each update and the final probabilities after the last "
    "one: o[4] = 0.974 means a loss of 0.0033, consistent with the last printed loss "
    "(0.003, one update earlier).",
    "The loss divides by V: L = −(1/V)·yᵀlog(o) is the usual cross-entropy divided by V, so "
    "every gradient is V times smaller. Learning rate 1.0 here moves the weights as far as "
    "learning rate 1/V (0.125 for 8 words) would with the usual loss.",
    "Only the embedding row moves: `linear` never gets its gradient eᵀ(o − y)/V, so the "
    "output layer stays frozen.",
    "“It learns very well!”: the word predicts itself and there is no context, so the row "
    "only learns to score its own column of `linear` above the others. That is "
    "memorising: the vector learns nothing about neighbouring words.",
    "The drawn graph `embedding --(@ linear)--> x` starts from the whole table, but only "
    "the row e = embedding[index] enters: x = e @ linear.",
    "The notebook's softmax computes exp(x) without subtracting max(x), so it overflows to NaN "
    "once a score passes about 709. Here the scores are shifted by their maximum when one "
    "passes 50, which leaves the probabilities the same.",
    "vocab = set(words) has 8 words for 9 tokens: 'the' appears twice.",
)


SEED_NOTES = NOTES
