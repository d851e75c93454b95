"""core.names_data: the sources (built-in, upload, file, URL with a fake download), the
notebook's rows on names.txt, and makemore's 80/10/10 split."""
import io
import random
import urllib.error

import numpy as np
import pytest

from core import names_data as nd
from tests.conftest import NAMES

needs_names_txt = pytest.mark.skipif(not NAMES.is_file(),
                                     reason=f"the notebook's names.txt is not at {NAMES}")


def notebook_rows(words, context_len=3):
    """The notebook's build_dataset loop, as written (without torch)."""
    chars = ["."] + sorted(set("".join(words)))
    stoi = {ch: i for i, ch in enumerate(chars)}
    X, Y = [], []
    for name in words:
        s = "." * context_len + name + "."
        for i in range(context_len, len(s)):
            X.append([stoi[c] for c in s[i - context_len:i]])
            Y.append(stoi[s[i]])
    return np.array(X, dtype=np.int64).reshape(-1, context_len), np.array(Y, dtype=np.int64)


class FakeResponse(io.BytesIO):
    pass


def fake_opener(data, calls):
    def opener(url, timeout):
        calls.append((url, timeout))
        return FakeResponse(data)
    return opener


# --- the built-in list -----------------------------------------------------------------------

def test_names_data_default_list_is_offline_census_names():
    words = nd.default_names()
    assert len(words) == 5163 and len(set(words)) == len(words)
    assert words[:3] == ["mary", "patricia", "linda"]          # female list, most common first
    assert "james" in words and all(set(w) <= nd.LETTERS for w in words)
    assert nd.symbols(words) == list(".abcdefghijklmnopqrstuvwxyz")
    loaded = nd.load_names()
    assert loaded.names == words and loaded.rejected == [] and loaded.source == nd.DEFAULT_SOURCE


# --- uploads and files -----------------------------------------------------------------------

def test_names_data_bytes_lower_cased_in_order_duplicates_kept():
    got = nd.load_names(b"Emma\r\nolivia\n\n  AVA \nemma\n")
    assert got.names == ["emma", "olivia", "ava", "emma"] and got.rejected == []
    assert got.source == "upload"
    assert nd.load_names("\ufeffzoe\n".encode()).names == ["zoe"]   # a UTF-8 BOM is dropped


def test_names_data_rejected_lines_are_reported_with_line_numbers():
    got = nd.load_names("anna\nr2d2\nmary jane\njosé\nbo\n".encode())
    assert got.names == ["anna", "bo"]
    assert [(no, name) for no, name, _ in got.rejected] == [(2, "r2d2"), (3, "mary jane"),
                                                            (4, "josé")]
    assert "'2'" in got.rejected[0][2] and "a space" in got.rejected[1][2]
    assert "'é'" in got.rejected[2][2]


@pytest.mark.parametrize("data, words", [
    (b"", "empty"), (b"\n \n", "empty"), (b"\xff\xfeab\x00c", "binary"),
    (b"caf\xe9\n", "not UTF-8"), (b"123\n4 5\n", "no usable names"),
    (b"a" * (nd.MAX_BYTES + 1), "at most"), (b"ab\n" * (nd.MAX_NAMES + 1), "more than"),
])
def test_names_data_bad_uploads_raise_readable_errors(data, words):
    with pytest.raises(ValueError, match=words):
        nd.load_names(data)


def test_names_data_local_path_and_missing_file(tmp_path):
    f = tmp_path / "mine.txt"
    f.write_text("Ada\nGrace\n")
    for source in (f, str(f)):
        got = nd.load_names(source)
        assert got.names == ["ada", "grace"] and got.source == str(f)
    with pytest.raises(ValueError, match="no names file"):
        nd.load_names(tmp_path / "nope.txt")
    with pytest.raises(ValueError, match="uploaded file"):
        nd.load_names(42)


# --- URL: downloaded once, then cached; never the network in tests ---------------------------

def test_names_data_url_downloaded_once_then_cached(tmp_path):
    calls = []
    opener = fake_opener(b"emma\nolivia\n", calls)
    first = nd.load_names(nd.NOTEBOOK_URL, cache_dir=tmp_path, opener=opener)
    assert first.names == ["emma", "olivia"] and len(calls) == 1
    assert calls[0] == (nd.NOTEBOOK_URL, nd.DOWNLOAD_TIMEOUT)
    assert (tmp_path / "names.txt").read_bytes() == b"emma\nolivia\n"
    again = nd.load_names(nd.NOTEBOOK_URL, cache_dir=tmp_path, opener=opener)
    assert again.names == first.names and len(calls) == 1 and "cached" in again.source
    other = "https://example.org/other.txt"
    nd.load_names(other, cache_dir=tmp_path, opener=fake_opener(b"x\n", calls))
    assert nd.cache_path(other, tmp_path).is_file()
    assert nd.cache_path(other, tmp_path).name != "names.txt"


def test_names_data_offline_url_gives_a_clear_message_and_caches_nothing(tmp_path):
    def offline(url, timeout):
        raise urllib.error.URLError("Temporary failure in name resolution")
    with pytest.raises(ValueError, match="offline.*Upload the file instead"):
        nd.load_names(nd.NOTEBOOK_URL, cache_dir=tmp_path, opener=offline)
    with pytest.raises(ValueError, match="not UTF-8"):
        nd.load_names(nd.NOTEBOOK_URL, cache_dir=tmp_path, opener=fake_opener(b"\xe9\n", []))
    assert not any(tmp_path.iterdir())


def test_names_data_only_http_urls_are_downloaded(tmp_path):
    with pytest.raises(ValueError, match="http"):
        nd.download_names("file:///etc/passwd", cache_dir=tmp_path)


# --- characters and rows ---------------------------------------------------------------------

def test_names_data_symbols_and_codecs():
    syms = nd.symbols(["emma", "bob"])
    assert syms == [".", "a", "b", "e", "m", "o"]
    s2i, i2s = nd.stoi(syms), nd.itos(syms)
    assert s2i["."] == 0 and s2i["m"] == 4 and all(i2s[s2i[c]] == c for c in syms)


def test_names_data_emma_becomes_five_rows():
    assert nd.name_rows("emma") == [("...", "e"), ("..e", "m"), (".em", "m"), ("emm", "a"),
                                    ("mma", ".")]
    assert nd.name_rows("al", block_size=1) == [(".", "a"), ("a", "l"), ("l", ".")]


@pytest.mark.parametrize("block_size", [0, 11, 2.0, True, "3", -1])
def test_names_data_block_size_refused(block_size):
    with pytest.raises(ValueError, match="context length"):
        nd.build_dataset(["emma"], block_size)
    with pytest.raises(ValueError, match="context length"):
        nd.name_rows("emma", block_size)


@pytest.mark.parametrize("block_size", [1, 2, 3, 5, 10])
def test_names_data_rows_equal_the_notebook_loop(block_size):
    words = random.Random(block_size).sample(nd.default_names(), 300) + ["a", "zz"]
    X, Y = nd.build_dataset(words, block_size)
    Xn, Yn = notebook_rows(words, block_size)
    assert X.dtype == Y.dtype == np.int64
    np.testing.assert_array_equal(X, Xn)
    np.testing.assert_array_equal(Y, Yn)


def test_names_data_rows_refuse_unknown_characters():
    with pytest.raises(ValueError, match="outside the vocabulary"):
        nd.build_dataset(["emma"], 3, syms=[".", "e", "m"])
    with pytest.raises(ValueError, match="'.'"):
        nd.build_dataset(["em.ma"], 3)


@needs_names_txt
def test_names_data_names_txt_rows_as_the_notebook_prints():
    got = nd.load_names(NAMES)
    assert len(got.names) == 32033 and got.rejected == []
    assert got.names[:3] == ["emma", "olivia", "ava"]
    X, Y = nd.build_dataset(got.names, 3)
    assert X.shape == (228146, 3) and Y.shape == (228146,)
    assert X[1].tolist() == [0, 0, 5] and Y[1] == 13   # "X1 is tensor([0, 0, 5]) and Y1 is 13"
    Xn, Yn = notebook_rows(got.names, 3)
    np.testing.assert_array_equal(X, Xn)
    np.testing.assert_array_equal(Y, Yn)


# --- the 80/10/10 split ----------------------------------------------------------------------

def test_names_data_split_is_makemores():
    words = nd.default_names()
    split = nd.split_dataset(words, 3, seed=42)
    shuffled = list(words)
    random.seed(42)
    random.shuffle(shuffled)              # makemore: random.seed(42); random.shuffle(words)
    n1, n2 = int(0.8 * len(words)), int(0.9 * len(words))
    syms = nd.symbols(words)
    for part, names in (("train", shuffled[:n1]), ("dev", shuffled[n1:n2]),
                        ("test", shuffled[n2:])):
        X, Y = nd.build_dataset(names, 3, syms)
        np.testing.assert_array_equal(split[part][0], X)
        np.testing.assert_array_equal(split[part][1], Y)
    assert sum(len(split[p][1]) for p in split) == len(nd.build_dataset(words, 3)[1])


def test_names_data_split_is_seeded_and_leaves_the_global_rng_alone():
    words = nd.default_names()
    random.seed(7)
    before = random.random()
    random.seed(7)
    a, b = nd.split_dataset(words, 3, seed=1), nd.split_dataset(words, 3, seed=1)
    assert random.random() == before
    c = nd.split_dataset(words, 3, seed=2)
    np.testing.assert_array_equal(a["dev"][0], b["dev"][0])
    assert a["dev"][0].shape != c["dev"][0].shape or not np.array_equal(a["dev"][0], c["dev"][0])
    with pytest.raises(ValueError, match="at least 10"):
        nd.split_dataset(words[:9])


@needs_names_txt
def test_names_data_split_sizes_on_names_txt():
    words = nd.load_names(NAMES).names
    split = nd.split_dataset(words, 3, seed=42)
    n = len(words)
    assert int(0.8 * n) == 25626 and int(0.9 * n) - int(0.8 * n) == 3203
    sizes = {k: len(v[1]) for k, v in split.items()}
    assert sum(sizes.values()) == 228146
    assert sizes == {"train": 182625, "dev": 22655, "test": 22866}   # makemore's lecture sizes
