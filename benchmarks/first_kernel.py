"""Does chapter 5's 5×5 first kernel beat a 3×3 one? More seeds than the chapter can afford.

The chapter trains ``simple_cnn`` for one epoch of one-cycle (``AdamW``, peak 0.01, batch 64) with
a 5×5 and a 3×3 first kernel, three seeds each, and compares validation accuracy. This script runs
more seeds (``--seeds``) and more epochs (``--epochs``), reports validation and test accuracy per
run and the mean and standard deviation per kernel size, and writes benchmarks/first_kernel.json.

    python benchmarks/first_kernel.py                    # seeds 0-7, 1 epoch
    python benchmarks/first_kernel.py --epochs 3 --seeds 0 1 2

Data must already be in the cache or a mirror (AINOTES_MIRROR).
"""

from __future__ import annotations

import argparse
import json
import statistics
from datetime import date
from pathlib import Path

import torch
from chapter_times import machine  # benchmarks/chapter_times.py, beside this script
from failed_runs import conv, mnist_split  # the chapter's model blocks and data split
from torch import nn

from ainotes.train import evaluate, fit, seed_everything

RESULTS = Path(__file__).resolve().parent / "first_kernel.json"


def simple_cnn(first_ks: int) -> nn.Sequential:
    return nn.Sequential(conv(1, 8, ks=first_ks), conv(8, 16), conv(16, 32), conv(32, 64), conv(64, 10, act=False),
                         nn.Flatten()).to(memory_format=torch.channels_last)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(8)))
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=0.01)
    args = parser.parse_args()
    data = mnist_split()
    results = []
    for ks in (3, 5):
        for seed in args.seeds:
            seed_everything(seed)
            model = simple_cnn(ks)
            history = fit(model, data["train"], data["valid"], epochs=args.epochs, lr=args.lr,
                          optimizer=torch.optim.AdamW, one_cycle=True, progress=False, verbose=False)  # fmt: skip
            test = evaluate(model, data["test"]).accuracy
            results.append(dict(kernel=ks, seed=seed, epochs=args.epochs, lr=args.lr,
                                valid_acc=round(history.valid_acc[-1], 4), test_acc=round(test, 4)))  # fmt: skip
            print(f"{ks}x{ks} seed {seed}: valid {history.valid_acc[-1]:.2%}, test {test:.2%}", flush=True)
    for ks in (3, 5):
        for part in ("valid_acc", "test_acc"):
            values = [100 * r[part] for r in results if r["kernel"] == ks]
            print(f"{ks}x{ks} {part}: mean {statistics.mean(values):.2f}%, sd {statistics.stdev(values):.2f}")
    RESULTS.write_text(json.dumps({"machine": machine(), "torch": torch.__version__, "date": date.today().isoformat(),
                                   "runs": results}, indent=1) + "\n")  # fmt: skip
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
