"""The torch word2vec notebook's skip-gram with negative sampling: what it shows, what it
leaves out, and where its numbers cannot be reproduced."""
from core.sgns import EPSILON_NOTE, loss_with_epsilon

SOURCE = "the torch word2vec notebook"
MISTAKES = ()
NOTES = (
    "Its mock setup (100 words, vectors of size 10, centre 0, context 1, negatives 50, 23, 99, 4 "
    "and 12, SGD at 0.01) is a preset here. It creates the model without torch.manual_seed, so "
    "the loss it prints after one step differs on every run and cannot be checked; here the "
    "random seed is a setting.",
    "It prints 'Loss after one step', but the loss is computed before the step (the forward "
    "pass runs first, then backward and optimizer.step()): the number is the loss the step "
    "starts from.",
    "Both tables start uniform in ±0.5/d. word2vec itself starts the output table at zero; "
    "training here does that, the one-step lesson follows the notebook.",
    "It adds 1e-7 inside both logs. " + EPSILON_NOTE.split("\n")[0],
    "A negative may be drawn twice, or be the context word itself: the notebook's model "
    "accepts both (each draw is a term of the loss), and so does this lesson, flagging them.",
)

FORMULA_CHECKS = ({"key": "loss", "change": "1e-7 inside the logs", "note": EPSILON_NOTE,
                   "theirs": lambda t: loss_with_epsilon(t["pos_score"], t["neg_scores"])},)
