"""The char MLP's training speed: the notebook's full-batch loop vs ours, and the class demo run.

    python bench/char_mlp.py [--names ../shared/data/names.txt] [--steps 5] [--skip-demo]

Both full-batch loops start from the notebook's initialisation and are timed in one run,
interleaved, each keeping its least time per step (as timeit does: a busy or noisy machine
only adds time), so the ratio holds when the machine's speed drifts (targets: >= 300x, same
loss +-1e-5). The
demo run is train_minibatch(init_params(), split_dataset(names, 3, seed=42),
**DEFAULT_TRAINING) (target: dev loss <= 2.10 within 10 s of wall time).
"""
import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import char_mlp as cm  # noqa: E402
from core import names_data as nd  # noqa: E402


def per_step(train, params, X, Y, steps):
    """(seconds per step of one run of `steps` steps, the losses)."""
    t0 = time.perf_counter()
    out = train(params, X, Y, steps, cm.NOTEBOOK_LR)
    return (time.perf_counter() - t0) / steps, out["losses"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    data = ap.add_argument_group("data")
    data.add_argument("--names", default=str(ROOT.parent / "shared" / "data" / "names.txt"),
                      help="names file, one name a line (default: the notebook's names.txt)")
    full = ap.add_argument_group("full batch (the notebook's loop)")
    full.add_argument("--steps", type=int, default=5, help="steps per timed notebook-loop run")
    full.add_argument("--fast-steps", type=int, default=200, help="steps per timed run of ours")
    full.add_argument("--repeats", type=int, default=5, help="timed runs each, interleaved; the least counts")
    demo = ap.add_argument_group("minibatch demo run")
    demo.add_argument("--skip-demo", action="store_true", help="only time the full batch")
    args = ap.parse_args()

    names = nd.load_names(Path(args.names)).names
    X, Y = nd.build_dataset(names, 3)
    P = cm.init_params()
    cm.train_full_batch(P, X, Y, 2)                                   # warm-up
    runs = [(per_step(cm.notebook_loop, P, X, Y, args.steps),
             per_step(cm.train_full_batch, P, X, Y, args.fast_steps)) for _ in range(args.repeats)]
    t_nb, l_nb = min(nb[0] for nb, _ in runs), runs[0][0][1]
    t_ours, l_ours = min(ours[0] for _, ours in runs), runs[0][1][1]
    diff = max(abs(a - b) for a, b in zip(l_nb, l_ours))
    print(f"char_mlp | data | {len(names):,} names, {len(Y):,} rows, "
          f"{len(cm.group_contexts(X, Y, 27)['contexts']):,} distinct contexts")
    print(f"char_mlp | notebook loop | {t_nb * 1e3:.1f} ms/step")
    print(f"char_mlp | full batch | {t_ours * 1e3:.2f} ms/step | {t_nb / t_ours:.0f}x notebook "
          f"loop | max loss diff {diff:.1e} over {len(l_nb)} steps")
    if args.skip_demo:
        return
    splits = nd.split_dataset(names, 3, seed=42)
    run = cm.train_minibatch(cm.init_params(), splits, **cm.DEFAULT_TRAINING)
    settings = ", ".join(f"{k}={v}" for k, v in cm.DEFAULT_TRAINING.items() if k != "lr_schedule")
    print(f"char_mlp | minibatch demo | dev {run['dev_loss']:.4f} | train "
          f"{run['train_loss']:.4f} | {run['seconds']:.1f} s | {run['steps_done']} steps | "
          f"{settings}")


if __name__ == "__main__":
    main()
