"""The lesson list: one place that app.py (navigation) and the home page both read."""
from typing import NamedTuple


class Lesson(NamedTuple):
    file: str        # under pages/
    url_path: str
    title: str
    icon: str
    blurb: str


LESSONS = [
    Lesson("tiny_word2vec.py", "tiny_word2vec", "Tiny word2vec", "🐶",
           "Seed 000: one SGD step of Embedding → Linear → cross-entropy, the README's hand "
           "calculation checked number by number."),
]
