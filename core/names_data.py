"""Seed 004's data: a list of names -> characters -> (context, next character) rows.

    "emma" with block_size 3:   ... -> e,  ..e -> m,  .em -> m,  emm -> a,  mma -> .
'.' pads the start and marks the end of every name, as in the notebook.

Sources, all offline but the last: the built-in list (DEFAULT_SOURCE, US Census first
names shipped as data files by the PyPI package `names`), an uploaded .txt (bytes), a local
file, or a URL such as the notebook's names.txt (NOTEBOOK_URL), downloaded once and cached.
"""
import hashlib
import http.client
import importlib.metadata
import importlib.resources
import os
import random
import string
import urllib.error
import urllib.request
from pathlib import Path
from typing import NamedTuple

import numpy as np

NOTEBOOK_URL = "https://raw.githubusercontent.com/karpathy/makemore/refs/heads/master/names.txt"
try:
    _NAMES_VERSION = importlib.metadata.version("names")
except importlib.metadata.PackageNotFoundError:     # default_names() then says how to fix it
    _NAMES_VERSION = "(not installed)"
DEFAULT_SOURCE = (f"US Census 1990 first names, female then male list, most common first "
                  f"(data files of the PyPI package names {_NAMES_VERSION}, public domain)")
_CENSUS_FILES = ("dist.female.first", "dist.male.first")

MAX_BYTES = 5_000_000         # a names file larger than this is refused
MAX_NAMES = 200_000           # ... and so is one with more non-blank lines
MAX_NAME_LEN = 40             # longer lines are reported, not used
MAX_BLOCK_SIZE = 10
DOWNLOAD_TIMEOUT = 5.0        # seconds; offline machines fail fast
LETTERS = frozenset(string.ascii_lowercase)


class Names(NamedTuple):
    """What load_names found: the usable names (in file order, duplicates kept, as the
    notebook), the rejected lines as (line number, line, reason), and where they came from."""
    names: list
    rejected: list
    source: str


# --- sources ---------------------------------------------------------------------------------

def default_names():
    """The built-in list: lower-case, a-z only, deduplicated keeping the first place."""
    try:
        files = importlib.resources.files("names")
    except ModuleNotFoundError:
        raise ValueError("the built-in names list needs the package names "
                         "(pip install -r requirements.txt)") from None
    out = {}
    for file in _CENSUS_FILES:
        text = files.joinpath(file).read_text(encoding="ascii")
        for line in text.splitlines():
            name = line.split()[0].lower() if line.strip() else ""
            if name and set(name) <= LETTERS:
                out.setdefault(name, None)
    return list(out)


def parse_names(data, source="upload"):
    """Names from the bytes of a text file, one name a line; ValueError if none is usable."""
    if not isinstance(data, (bytes, bytearray)):
        raise ValueError("a names file must be given as bytes")
    if len(data) > MAX_BYTES:
        raise ValueError(f"the file is {len(data):,} bytes; at most {MAX_BYTES:,} are accepted")
    if b"\x00" in data:
        raise ValueError("this looks like a binary file, not text: give a .txt file with one "
                         "name per line")
    try:
        text = bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(f"the file is not UTF-8 text (byte {e.start} cannot be read); save it "
                         f"as UTF-8 with one name per line") from None
    lines = text.splitlines()
    if sum(1 for line in lines if line.strip()) > MAX_NAMES:
        raise ValueError(f"the file has more than {MAX_NAMES:,} names; give a shorter list")
    names, rejected = [], []
    for no, line in enumerate(lines, start=1):
        name = line.strip().lower()
        if not name:
            continue                       # blank lines carry no name
        reason = _rejection(name)
        if reason:
            rejected.append((no, line.strip(), reason))
        else:
            names.append(name)
    if not names:
        detail = "; ".join(f"line {no}: {reason}" for no, _, reason in rejected[:3])
        raise ValueError("no usable names found: give one name per line, letters a-z only"
                         + (f" ({detail})" if detail else " (the file is empty)"))
    return Names(names, rejected, source)


def _rejection(name):
    """Why a (stripped, lower-case) line is not a name of letters a-z, or '' if it is one."""
    if len(name) > MAX_NAME_LEN:
        return f"longer than {MAX_NAME_LEN} letters"
    bad = sorted({c for c in name if c not in LETTERS})
    if not bad:
        return ""
    shown = ", ".join("a space" if c == " " else repr(c) for c in bad[:5])
    return f"contains {shown}: only letters a-z are used"


def _default_cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "step-through"


def cache_path(url, cache_dir=None):
    """Where the download of `url` is kept: names.txt for the notebook's URL."""
    cache_dir = Path(cache_dir) if cache_dir is not None else _default_cache_dir()
    if url == NOTEBOOK_URL:
        return cache_dir / "names.txt"
    return cache_dir / f"names-{hashlib.sha256(url.encode()).hexdigest()[:16]}.txt"


def download_names(url=NOTEBOOK_URL, cache_dir=None, opener=None):
    """Names from an http(s) URL, read from the disk cache when there, else downloaded
    once (checked, then cached). `opener(url, timeout)` defaults to urllib's urlopen."""
    if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")):
        raise ValueError("only http:// and https:// addresses can be downloaded")
    path = cache_path(url, cache_dir)
    if path.is_file():
        return parse_names(_read_capped(path), source=f"{url} (cached at {path})")
    opener = opener or urllib.request.urlopen
    try:
        with opener(url, timeout=DOWNLOAD_TIMEOUT) as response:
            data = response.read(MAX_BYTES + 1)
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as e:
        reason = getattr(e, "reason", None) or e
        raise ValueError(f"could not download {url} ({reason}). Are we offline? Upload the "
                         f"file instead, or use the built-in list.") from None
    result = parse_names(data, source=url)           # nothing unusable is cached
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)                            # atomic: no half-written cache
    return result


def _read_capped(path):
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ValueError(f"{path.name} is larger than {MAX_BYTES:,} bytes")
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise ValueError(f"no names file at {path}") from None
    except PermissionError:
        raise ValueError(f"{path} cannot be read (permission denied)") from None


def load_names(source=None, cache_dir=None, opener=None):
    """Names from `source`: None (built-in list), bytes (an upload), a str/Path to a file, or
    an http(s) URL string. Returns Names(names, rejected, source); ValueError if unusable."""
    if source is None:
        return Names(default_names(), [], DEFAULT_SOURCE)
    if isinstance(source, (bytes, bytearray)):
        return parse_names(source, source="upload")
    if isinstance(source, str) and source.strip().lower().startswith(("http://", "https://")):
        return download_names(source.strip(), cache_dir=cache_dir, opener=opener)
    if isinstance(source, (str, Path)):
        return parse_names(_read_capped(source), source=str(source))
    raise ValueError("give the names as an uploaded file, a file path or an http(s) URL")


# --- characters ------------------------------------------------------------------------------

def symbols(names):
    """The vocabulary: '.' then the sorted characters of the names (the notebook's chars)."""
    return ["."] + sorted(set("".join(names)) - {"."})


def stoi(syms):
    """Character -> index (the encoder)."""
    return {ch: i for i, ch in enumerate(syms)}


def itos(syms):
    """Index -> character (the decoder)."""
    return dict(enumerate(syms))


def check_block_size(block_size):
    """block_size as an int in 1..MAX_BLOCK_SIZE; ValueError otherwise."""
    if isinstance(block_size, (bool, np.bool_)) or not isinstance(block_size, (int, np.integer)) \
            or not 1 <= block_size <= MAX_BLOCK_SIZE:
        raise ValueError(f"the context length must be a whole number from 1 to "
                         f"{MAX_BLOCK_SIZE} characters, got {block_size!r}")
    return int(block_size)


# --- rows ------------------------------------------------------------------------------------

def name_rows(name, block_size=3):
    """The (context, next character) rows of one name: 'emma' -> ('...', 'e'), ..., ('mma', '.')."""
    block_size = check_block_size(block_size)
    s = "." * block_size + name + "."
    return [(s[i - block_size:i], s[i]) for i in range(block_size, len(s))]


def build_dataset(names, block_size=3, syms=None):
    """X (N, block_size) int64 contexts and Y (N,) int64 next characters, row for row as the
    notebook's loop (name by name, left to right); `syms` defaults to symbols(names)."""
    block_size = check_block_size(block_size)
    names = list(names)
    if not names:
        raise ValueError("no names to build rows from")
    syms = symbols(names) if syms is None else list(syms)
    if any("." in n for n in names):
        raise ValueError("'.' marks the ends of names; a name cannot contain it")
    if any(len(ch) != 1 or ord(ch) > 127 for ch in syms):
        raise ValueError("the vocabulary must be single ASCII characters")
    lookup = np.full(256, -1, dtype=np.int64)         # byte -> index, -1 = not in vocabulary
    for i, ch in enumerate(syms):
        lookup[ord(ch)] = i
    # each name becomes one segment "..." + name + "."; a row per segment position >= block_size
    text = "".join("." * block_size + n + "." for n in names)
    codes = np.frombuffer(text.encode("ascii", errors="replace"), dtype=np.uint8)
    stream = lookup[codes]                                            # (L,)
    if (stream < 0).any():
        raise ValueError("the names contain characters outside the vocabulary")
    lengths = np.array([len(n) + block_size + 1 for n in names])      # (n_names,)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)         # (L,) segment start
    targets = np.flatnonzero(np.arange(len(stream)) - starts >= block_size)  # (N,)
    windows = np.lib.stride_tricks.sliding_window_view(stream, block_size)   # (L-bs+1, bs)
    return windows[targets - block_size].copy(), stream[targets].copy()


def split_dataset(names, block_size=3, seed=42):
    """makemore's split: shuffle the names (random.seed(seed)), 80% train, 10% dev, 10% test;
    {"train": (X, Y), "dev": (X, Y), "test": (X, Y)} over the vocabulary of all the names."""
    words = list(names)
    if len(words) < 10:
        raise ValueError("give at least 10 names to split them 80/10/10")
    syms = symbols(words)
    random.Random(seed).shuffle(words)      # the same order as random.seed(seed); shuffle
    n1, n2 = int(0.8 * len(words)), int(0.9 * len(words))
    parts = {"train": words[:n1], "dev": words[n1:n2], "test": words[n2:]}
    return {k: build_dataset(v, block_size, syms) for k, v in parts.items()}


def clean_name(name):
    """A typed name as lower-case letters a-z; ValueError saying what is wrong."""
    from core.common import strip_bidi
    name = strip_bidi(str(name)).strip().lower()
    reason = _rejection(name) if name else "it is empty"
    if reason:
        raise ValueError(f"the name cannot be used: {reason}")
    return name
