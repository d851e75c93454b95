"""The lesson list: one place that app.py (navigation) and the home page both read."""
from typing import NamedTuple


class Lesson(NamedTuple):
    file: str        # under pages/
    url_path: str
    title: str
    icon: str        # a Material icon: Streamlit ships its font, emoji may lack one
    blurb: str


LESSONS = [
    Lesson("tiny_word2vec.py", "tiny_word2vec", "Tiny word2vec", ":material/pets:",
           "Seed 000: one SGD step of Embedding → Linear → cross-entropy, the README's hand "
           "calculation checked number by number."),
    Lesson("manual_backprop.py", "manual_backprop", "Manual backprop", ":material/edit_note:",
           "Seed 001: the gradient of embedding @ linear → softmax → loss written out by hand "
           "in numpy, and the seed's 20-step loop."),
    Lesson("cbow.py", "cbow", "CBOW from raw text", ":material/notes:",
           "Seed 003: from a sentence to tokens, windows, one-hot averages and one step of a "
           "CBOW network, with the course notes' mistakes explained."),
    Lesson("cbow_torch.py", "cbow_torch", "CBOW in torch", ":material/local_fire_department:",
           "Seed 002: the mean of the context embeddings → Linear, and why only the context "
           "rows of E move."),
]
