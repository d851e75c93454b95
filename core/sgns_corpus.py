"""Corpora the SGNS lesson writes itself: sentences where planted groups keep their own company.

Each group's words fill the same kinds of slots ("the cat chased the dog", "she ate bread and
cheese"), so skip-gram should put them close together; `group_quality` measures how close.
"""
from functools import lru_cache

import numpy as np

from core.common import check_whole

GROUPS = {
    "animals": ["cat", "dog", "horse", "cow", "sheep", "goat", "rabbit", "fox"],
    "foods": ["bread", "cheese", "apple", "rice", "soup", "cake", "pasta", "salad"],
    "places": ["garden", "market", "park", "school", "kitchen", "forest", "village", "beach"],
    "colours": ["red", "blue", "green", "yellow", "white", "black", "pink", "purple"],
    "vehicles": ["car", "bus", "train", "bike", "boat", "truck", "van", "tram"],
}
_SLOT = {"animal": "animals", "food": "foods", "place": "places", "colour": "colours",
         "vehicle": "vehicles"}

# Each template: a slot in braces draws a word of that group (two slots may draw the same word).
TEMPLATES = (
    "the {animal} chased the {animal} in the {place}",
    "a {animal} slept near the {animal}",
    "we fed the {animal} and the {animal}",
    "the farmer saw a {animal} and a {animal}",
    "she ate {food} and {food} at the {place}",
    "he cooked {food} with {food} for dinner",
    "we had {food} for lunch and {food} for dinner",
    "i like {food} more than {food}",
    "they walked from the {place} to the {place}",
    "we met in the {place} near the {place}",
    "the children played in the {place}",
    "the wall was painted {colour} and {colour}",
    "she wore a {colour} coat and a {colour} hat",
    "the {colour} {vehicle} passed the {colour} {vehicle}",
    "he drove the {vehicle} to the {place}",
    "they took the {vehicle} and then the {vehicle}",
    "the {vehicle} was faster than the {vehicle}",
)


def default_corpus(n_sentences=3000, seed=0):
    """n_sentences token lists from TEMPLATES (about 8 tokens each), reproducible from seed."""
    n_sentences = check_whole(n_sentences, 1, "the number of sentences")
    rng = np.random.default_rng(check_whole(seed, 0, "the random seed"))
    sentences = []
    for t in rng.integers(len(TEMPLATES), size=n_sentences):
        words = []
        for token in TEMPLATES[t].split():
            if token.startswith("{"):
                group = GROUPS[_SLOT[token[1:-1]]]
                token = group[rng.integers(len(group))]
            words.append(token)
        sentences.append(words)
    return sentences


@lru_cache(maxsize=4)
def default_text(n_sentences=3000, seed=0):
    """default_corpus as text, one sentence a line (made once: every rerun of the lesson reads
    it)."""
    return "\n".join(" ".join(s) for s in default_corpus(n_sentences, seed))


# The benchmark's groups: the lesson's eight words per group plus numbered members.
PLANTED_GROUP_SIZE = 25
PLANTED_GROUPS = {name: words + [f"{name[:-1]}{i}" for i in range(len(words), PLANTED_GROUP_SIZE)]
                  for name, words in GROUPS.items()}
N_FILLERS = 3000
P_OTHER = 0.5   # chance that a sentence's group word comes from another group


def planted_corpus(n_tokens=1_000_000, seed=0):
    """At least n_tokens tokens in sentences of 7-17 words: each sentence picks a group of
    PLANTED_GROUPS and holds one or two group words (Zipf within the group: the 25th member
    is 25 times rarer than the first; each word from another group with probability P_OTHER)
    among 6-15 Zipf-distributed filler words ("w123"), in random order. Only group words
    meeting in a sentence tell the groups apart, so quality stays below 1 for a few epochs."""
    n_tokens = check_whole(n_tokens, 1, "the number of tokens")
    rng = np.random.default_rng(check_whole(seed, 0, "the random seed"))
    names = list(PLANTED_GROUPS)
    zipf = 1.0 / np.arange(1, N_FILLERS + 1)
    filler_cdf = np.cumsum(zipf) / zipf.sum()
    member_w = 1.0 / np.arange(1, PLANTED_GROUP_SIZE + 1)
    member_cdf = np.cumsum(member_w) / member_w.sum()
    sentences, total = [], 0
    while total < n_tokens:
        g, n_members, n_fill = rng.integers(len(names)), rng.integers(1, 3), rng.integers(6, 16)
        groups = np.where(rng.random(n_members) < P_OTHER,
                          rng.integers(len(names), size=n_members), g)
        members = np.searchsorted(member_cdf, rng.random(n_members), side="right")
        words = [PLANTED_GROUPS[names[h]][m] for h, m in zip(groups, members)]
        words += [f"w{f}" for f in np.searchsorted(filler_cdf, rng.random(n_fill), side="right")]
        sentences.append([words[i] for i in rng.permutation(len(words))])
        total += len(words)
    return sentences


def group_quality(neighbours_fn, groups, n=5):
    """Mean, over groups, of the mean over a group's words w of
    |N_n(w) & (G - {w})| / min(n, |G| - 1): the share of w's n nearest neighbours that are
    its own group's words, counted against the most that could be (1.0 = every neighbour
    slot holds a group mate). neighbours_fn(word, n) returns words or (word, score) pairs."""
    n = check_whole(n, 1, "the number of neighbours")
    per_group = []
    for words in groups.values():
        mates = set(words)
        scores = []
        for w in words:
            found = [x[0] if isinstance(x, tuple) else x for x in neighbours_fn(w, n)][:n]
            scores.append(len(set(found) & (mates - {w})) / min(n, len(mates) - 1))
        per_group.append(np.mean(scores))
    return float(np.mean(per_group))
