"""Our numpy skip-gram (core.sgns.train) against gensim's Word2Vec with one worker.

    python bench/sgns_train.py [--tokens 1000000] [--dim 50] [--window 5] [--k 5] [--epochs 3]

Needs gensim (pip install -r requirements-bench.txt). Both train on the same planted corpus
(core.sgns_corpus.planted_corpus) with the same window, dimension, negatives, epochs,
subsampling, min_count and learning rate (alpha falling linearly to alpha * 1e-4), and the
same start (gensim's vectors scaled to word2vec's +-0.5/dim); both are timed from the
sentences to the vectors (vocabulary included), one thread each (BLAS limited to one
thread, gensim workers=1). Speed is corpus words per CPU second (tokens x epochs / CPU time
of the process, before subsampling): on a busy machine wall time measures the neighbours,
CPU time still measures the work (wall time is printed too). Quality is group_quality: the
share of each planted word's n nearest neighbours that are its group mates. Targets: ours
>= 0.5x gensim's words/s, quality within 0.05 of gensim's. With --repeats > 1 each side
keeps its least CPU time.
"""
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one thread each, before numpy loads BLAS

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from core import sgns  # noqa: E402
from core.sgns_corpus import PLANTED_GROUPS, group_quality, planted_corpus  # noqa: E402

SPEED_TARGET, QUALITY_GAP = 0.5, 0.05


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    corpus = p.add_argument_group("corpus")
    corpus.add_argument("--tokens", type=int, default=1_000_000, help="planted corpus size")
    corpus.add_argument("--seed", type=int, default=0, help="seed of the corpus and of training")
    train = p.add_argument_group("training (the same for both)")
    train.add_argument("--dim", type=int, default=50, help="embedding size")
    train.add_argument("--window", type=int, default=5, help="largest window (shrunk at random)")
    train.add_argument("--k", type=int, default=5, help="negatives per pair")
    train.add_argument("--epochs", type=int, default=3, help="passes over the corpus")
    train.add_argument("--lr", type=float, default=0.025, help="starting learning rate (alpha)")
    train.add_argument("--subsample", type=float, default=1e-3, help="frequent-word threshold")
    train.add_argument("--min-count", type=int, default=1, help="drop rarer words")
    measure = p.add_argument_group("measurement")
    measure.add_argument("--neighbours", type=int, default=10, help="n of group_quality")
    measure.add_argument("--repeats", type=int, default=1, help="runs per side, fastest kept")
    return p.parse_args()


def ours(sentences, a):
    r = sgns.train(sentences, window=a.window, dim=a.dim, k=a.k, lr=a.lr, epochs=a.epochs,
                   subsample=a.subsample, min_count=a.min_count, seed=a.seed)
    return lambda w, n: sgns.neighbours(r, w, n)


def gensim(sentences, a):
    from gensim.models import Word2Vec

    m = Word2Vec(vector_size=a.dim, window=a.window, sg=1, hs=0, negative=a.k, epochs=a.epochs,
                 sample=a.subsample, min_count=a.min_count, alpha=a.lr, min_alpha=a.lr * 1e-4,
                 workers=1, seed=a.seed)
    m.build_vocab(sentences)
    m.wv.vectors *= 0.5            # gensim starts at +-1/dim; word2vec and ours at +-0.5/dim
    m.train(sentences, total_examples=m.corpus_count, epochs=a.epochs)
    return lambda w, n: m.wv.most_similar(w, topn=n)


def main():
    a = parse_args()
    sentences = planted_corpus(a.tokens, a.seed)
    n_tokens = sum(map(len, sentences))
    print(f"sgns | corpus | {n_tokens} tokens | {len(sentences)} sentences | "
          f"{len({w for s in sentences for w in s})} words | dim {a.dim} window {a.window} "
          f"k {a.k} epochs {a.epochs}", flush=True)
    results = {}
    for _ in range(a.repeats):
        for name, fit in (("ours", ours), ("gensim", gensim)):   # interleaved: same load
            t0, c0 = time.perf_counter(), time.process_time()
            nearest = fit(sentences, a)
            cpu, wall = time.process_time() - c0, time.perf_counter() - t0
            if name not in results or cpu < results[name][0]:
                results[name] = (cpu, wall, group_quality(nearest, PLANTED_GROUPS, a.neighbours))
    for name, (cpu, wall, quality) in results.items():
        print(f"sgns | {name} | {n_tokens * a.epochs / cpu:,.0f} words/s | {cpu:.1f} s CPU | "
              f"{wall:.1f} s wall | quality {quality:.3f}", flush=True)
    speed = results["gensim"][0] / results["ours"][0]
    gap = results["ours"][2] - results["gensim"][2]
    print(f"sgns | ours / gensim | {speed:.2f}x speed (target >= {SPEED_TARGET}x) | "
          f"quality {gap:+.3f} (target within {QUALITY_GAP})")


if __name__ == "__main__":
    main()
