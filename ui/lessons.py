"""The lesson list: the lesson definitions that app.py (navigation), the home page, tests and
bench scripts read. Each lives in its page file (pages/<file>.py defines `L`)."""
import importlib

FILES = ("tiny_word2vec", "manual_backprop", "cbow", "cbow_torch", "sgns", "char_mlp")


def lessons():
    """[(page file, Lesson)] in menu order."""
    return [(f"{name}.py", importlib.import_module(f"pages.{name}").L) for name in FILES]


def by_prefix(prefix):
    return next(L for _, L in lessons() if L.prefix == prefix)
