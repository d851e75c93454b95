"""The torch word2vec notebook's CBOW model: what it shows and what it leaves out.

It prints no numbers to check (its outputs were not kept), so there is no comparison table.
"""
SOURCE = "the torch word2vec notebook"
MISTAKES = ()
NOTES = (
    "The notebook creates the model without torch.manual_seed, so its weights (and any loss "
    "it prints) differ on every run; here the random seed is a setting, so a step can be "
    "reproduced and shared.",
    "Its 'Learned Vector for jumps' is printed after a single SGD step at learning rate 0.01: "
    "the row has moved by 0.01 · grad_h / 4, a change in the third or fourth decimal. One step "
    "teaches nothing yet; the lesson shows that movement number by number.",
    "torch.mean over the context means each of the C context rows gets grad_h / C; a word "
    "that appears twice gets it twice (nn.Embedding's backward adds the repeats).",
)
