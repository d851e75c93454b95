"""The character-MLP notebook (Bengio's model on makemore's names): what its printouts show."""
SOURCE = "the character-MLP notebook"
MISTAKES = ()
PRINTED_E1 = (-0.0076, 0.0108, 0.0080, 0.0168, 0.0128, 0.0130, 0.0061, 0.0133, -0.0023, 0.0004,
              -0.0025, 0.0086, -0.0138, -0.0087, -0.0022, 0.0172, 0.0032, -0.0042, 0.0031,
              -0.0077)
PRINTED_LOSSES = {0: 2.6792, 20: 2.6626, 380: 2.4964, 400: 2.4909, 420: 2.4857, 440: 2.4807,
                  460: 2.4759, 480: 2.4712}
NOTES = (
    "Its initialisation is reproduced draw for draw (torch.manual_seed(42), then E, Wx, Wy by "
    "torch.randn with its scalings): E[1] here equals its printed row to the 4 decimals shown "
    "(tests/test_char_mlp.py checks every number).",
    "Its printed losses start at 2.6792, not at about log 27 = 3.30 that a model this freshly "
    "initialised gives on names.txt: the training cell ran after earlier runs had already "
    "trained the same tensors (its cell numbers jump), so its curve continues an earlier one "
    "and cannot be reproduced from the printed code alone.",
    "Its full-batch loop computes all 228,146 rows every step (0.6–0.7 s a step on two cores). "
    "Here the rows are grouped by their distinct contexts first (a few thousand), which gives "
    "the same loss to ~1e-6 hundreds of times faster; the minibatch run trains to a lower dev "
    "loss in seconds.",
    "Its names are sampled with torch.multinomial from an unseeded generator, so the ten names "
    "it prints differ on every run.",
    "It downloads names.txt at run time; here the built-in list is the US Census first names "
    "shipped by the `names` package (offline), and names.txt can be given as a path or its URL.",
)
