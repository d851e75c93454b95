"""Seed 003's corpus pipeline: raw text -> tokens -> vocabulary -> sliding windows -> vectors.

The course tokenizes with nltk and the `emoji` package; here the same rules are one regex
scan plus a small rule for apostrophes, so it runs offline and in linear time (~0.3 s/MB):
  - a run of . , ! ? ; - (any mix; also – — … and the CJK/Arabic forms) is one '.' token;
  - words are lower-cased and kept when alphabetic (letters plus combining marks, so Hindi,
    Arabic with vowel marks, CJK all count); a run with a digit or '_' is dropped whole,
    as are numbers such as 3.14 or 12:30 (nltk gives them one non-alphabetic token);
  - emoji are kept, including skin tones, ZWJ sequences, flags and keycaps;
  - quotes and every other symbol are dropped;
  - the part of a word after an apostrophe is dropped, as nltk splits off and drops
    clitics: "I'm" -> i, "don't" -> do, "John's" -> john.
Where nltk behaves oddly we take the plain reading of the rule: "well-known" gives
well . known (nltk keeps 'well.known' as one token and drops it), and "..." gives '.'
(nltk drops it). CJK text without spaces stays one token per run, as with nltk.
"""
import re
import unicodedata
from functools import lru_cache

import numpy as np

from core.common import one_hot as _one_hot

# Course: re.sub(r'[,!?;-]+', '.', corpus); we add '.', dashes, '…' and the CJK/Arabic marks.
_PUNCT = "[.,!?;\\-–—…。．，！？；、،؛؟]+"

_EMOJI_BASE = ("\u2600-\u27bf\u2300-\u23ff\u2b00-\u2bff\u2190-\u21ff\u25a0-\u25ff"
               "\U0001F000-\U0001FAFF")
_EMOJI_TEXT_DEFAULT = "\u00a9\u00ae\u203c\u2049\u2122\u24c2\u3030\u303d\u3297\u3299"
_EMOJI_MOD = "\ufe0e\ufe0f\u20e3\U0001F3FB-\U0001F3FF\U000E0020-\U000E007F"
_EMOJI_ONE = f"(?:[{_EMOJI_BASE}]|[{_EMOJI_TEXT_DEFAULT}](?=\ufe0f))[{_EMOJI_MOD}]*"
_EMOJI = ("[0-9#*]\ufe0f?\u20e3"                             # keycap 1️⃣ #️⃣
          r"|[\U0001F1E6-\U0001F1FF]{2}"                   # flag: two regional indicators
          f"|{_EMOJI_ONE}(?:\u200d{_EMOJI_ONE})*")         # 👍🏽, ❤️, a ZWJ family
# one test that rules the emoji branch out, for the scanner's speed
_EMOJI_FIRST = f"[0-9#*{_EMOJI_BASE}{_EMOJI_TEXT_DEFAULT}]"
_ZW = "\u200c\u200d"                                       # ZWNJ, ZWJ (Persian, Indic words)


def _is_mark(ch):
    return unicodedata.category(ch)[0] == "M" and ch not in "\ufe0e\ufe0f\u20e3"  # emoji parts


def _ranges(pred, lo, hi):
    """Regex class body of the code points in [lo, hi) for which pred(chr) holds."""
    out, start = [], None
    for c in range(lo, hi + 1):
        inside = c < hi and pred(chr(c))
        if inside and start is None:
            start = c
        elif not inside and start is not None:
            out.append(f"\\U{start:08x}-\\U{c - 1:08x}")
            start = None
    return "".join(out)


@lru_cache(maxsize=None)
def _marks(astral):
    """Combining marks (Python's re has no \\p{M}): of the BMP, or of the planes above."""
    if not astral:
        return _ranges(_is_mark, 0, 0x10000)
    return _ranges(_is_mark, 0x10000, 0x20000) + "\\U000E0100-\\U000E01EF"


@lru_cache(maxsize=None)
def _scan_re(astral):
    """Splits text into chunks of word characters, emoji and punctuation runs, in one pass.

    \\w and the BMP marks are a bitmap plus one category test; astral marks (rare: Brahmi,
    Adlam, ...) are a slow list of ranges, so they are only added when the text has one.
    """
    w = f"[\\w{_marks(False)}{_marks(True) if astral else ''}'’{_ZW}]"
    chunk = f"{w}+(?:[.,:/](?=[0-9]){w}+)*"                # 3.14 and 1,000 stay one chunk
    return re.compile(f"(?={_EMOJI_FIRST})({_EMOJI})|({chunk})|({_PUNCT})")


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _has_astral_mark(text):
    if not _ASTRAL.search(text):
        return False
    marks = re.compile(f"[{_marks(True)}]")
    return any(marks.match(ch) for ch in set(_ASTRAL.findall(text)))


@lru_cache(maxsize=None)
def _is_letter(ch):
    return ch.isalpha() or _is_mark(ch) or ch in _ZW


def _chunk_word(chunk):
    """The word of a chunk that is not plain letters (I'm, don't, हिन्दी, 3.14) or None.

    The part before the first apostrophe is the word, the rest are clitics nltk splits off
    ('m, 's, and the t of n't, which also takes the n: don't -> do); a word with a digit,
    numeral or '_' is not alphabetic and is dropped, as are numbers (3.14 is one chunk).
    """
    parts = chunk.replace("’", "'").split("'")
    i = next((i for i, part in enumerate(parts) if part), len(parts))
    if i == len(parts):
        return None
    word = parts[i].strip(_ZW)
    if i + 1 < len(parts) and parts[i + 1] in ("t", "T") and word[-1:] in ("n", "N") \
            and len(word) > 1:
        word = word[:-1]                                     # don't -> do + n't
    return word.lower() if word and all(map(_is_letter, word)) else None


def tokenize(text):
    """The course's tokens of `text`: lower-cased words, '.' and emoji (see module doc)."""
    if not isinstance(text, str):
        raise ValueError("the text must be a string")
    out = []
    for emoji, chunk, punct in _scan_re(_has_astral_mark(text)).findall(text):
        if chunk:
            if chunk.isalpha():                                # the common case: a plain word
                out.append(chunk.lower())
            elif chunk[0] not in "0123456789":                 # (a number is dropped whole)
                word = _chunk_word(chunk)
                if word:
                    out.append(word)
        elif punct:
            out.append(".")
        else:
            out.append(emoji)
    return out


def build_vocab(tokens):
    """The sorted unique tokens: the course's get_dict order (index = position)."""
    return sorted(set(tokens))


def _check_C(C):
    if isinstance(C, (bool, np.bool_)) or not isinstance(C, (int, np.integer)):
        raise ValueError(f"the context half-size C must be a whole number, got {C!r}")
    if C < 1:
        raise ValueError(f"the context half-size C must be at least 1, got {C}")
    return int(C)


def windows(tokens, C):
    """[(context_words, center_word)]: C words each side of every center, as get_windows."""
    C = _check_C(C)
    tokens = list(tokens)
    if not tokens:
        raise ValueError("the text has no tokens: no words, emoji or punctuation to keep "
                         "(digits and quotes are dropped)")
    if len(tokens) < 2 * C + 1:
        got = f"{len(tokens)}: {tokens}" if len(tokens) <= 12 else str(len(tokens))
        raise ValueError(f"a window with C = {C} needs at least {2 * C + 1} tokens "
                         f"(C before the center word, the center, C after); the text gives "
                         f"{got}. Use a longer text or a smaller C.")
    return [(tokens[i - C:i] + tokens[i + 1:i + C + 1], tokens[i])
            for i in range(C, len(tokens) - C)]


def _index_of(vocab):
    return vocab if isinstance(vocab, dict) else {w: i for i, w in enumerate(vocab)}


def one_hot(word, vocab):
    """(V,) float64 vector with a 1 at `word`'s index in `vocab` (a list, or word -> index)."""
    index = _index_of(vocab)
    if word not in index:
        raise ValueError(f"{word!r} is not in the vocabulary")
    return _one_hot(index[word], len(index))


def context_vector(context_words, vocab):
    """(V,) mean of the context words' one-hots; a repeated word counts each time."""
    index = _index_of(vocab)
    words = list(context_words)
    if not words:
        raise ValueError("the context has no words")
    missing = [w for w in words if w not in index]
    if missing:
        raise ValueError(f"{missing[0]!r} is not in the vocabulary")
    x = np.zeros(len(index))                             # (V,)
    np.add.at(x, [index[w] for w in words], 1.0)
    return x / len(words)


# --- a lesson's text: checked, with limits a page can show ----------------------------------

MAX_CHARS = 20_000  # longer texts are refused with a message (the page stays usable)
MAX_VOCAB = 60      # a lesson shows V-wide tables and V formula lines: more would take seconds


def pipeline(text, C, max_chars=MAX_CHARS, max_vocab=MAX_VOCAB):
    """(tokens, vocab, windows) of a text a student typed or loaded, as tuples (windows as
    (context tuple, center)); ValueError with a message the student can act on."""
    if not isinstance(text, str):
        raise ValueError("the text must be a string")
    if len(text) > max_chars:
        raise ValueError(f"the text is too long ({len(text):,} characters; at most "
                         f"{max_chars:,})")
    if isinstance(C, (bool, np.bool_)) or not isinstance(C, (int, np.integer)):
        raise ValueError(f"the window size C must be a whole number, got {C!r}")
    return _pipeline(text, int(C), max_vocab)


@lru_cache(maxsize=16)  # a page asks several times per run for the same text
def _pipeline(text, C, max_vocab):
    tokens = tokenize(text)
    if not tokens:
        raise ValueError("the text has no words to learn from (only digits, quotes or spaces?)")
    vocab = build_vocab(tokens)
    if len(vocab) < 2:
        raise ValueError("the text needs at least two different words")
    if len(vocab) > max_vocab:
        raise ValueError(f"the text has {len(vocab):,} different words; this lesson shows every "
                         f"number of every word, so it takes at most {max_vocab}. Use a shorter "
                         f"text")
    if C < 1:
        raise ValueError("the window size C must be at least 1")
    if len(tokens) < 2 * C + 1:
        raise ValueError(f"with C = {C} a window needs {2 * C + 1} tokens; the text has "
                         f"{len(tokens)}. Use a longer text or a smaller C")
    wins = tuple((tuple(context), center) for context, center in windows(tokens, C))
    return tuple(tokens), tuple(vocab), wins


def decode_upload(raw, max_chars=MAX_CHARS, C=None, max_vocab=MAX_VOCAB):
    """The text of an uploaded file; ValueError when it is not UTF-8, looks binary or is too
    long (refused before decoding above 4 bytes per allowed character), and, given C, when
    `pipeline` cannot use it."""
    raw = bytes(raw)
    if len(raw) > 4 * max_chars:
        raise ValueError(f"the file is too long ({len(raw):,} bytes; a text may have at most "
                         f"{max_chars:,} characters)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the file is not UTF-8 text") from None
    if "\x00" in text:
        raise ValueError("the file looks binary, not text")
    if C is not None:
        pipeline(text, C, max_chars, max_vocab)
    return text


def text_example(text, C, window=0, max_chars=MAX_CHARS, max_vocab=MAX_VOCAB):
    """One window of a checked text (`pipeline`), as a lesson shows it: tokens, vocab, windows,
    C, the window's index (the first window when `window` is past the last), its context and
    center, the center's index (target), x (the mean of the context's one-hots) and y."""
    tokens, vocab, wins = pipeline(text, C, max_chars, max_vocab)
    window = int(window) if 0 <= window < len(wins) else 0
    context, center = wins[window]
    return {"tokens": tokens, "vocab": vocab, "windows": wins, "C": int(C), "window": window,
            "context": context, "center": center, "target": vocab.index(center),
            "x": context_vector(context, vocab), "y": one_hot(center, vocab)}
