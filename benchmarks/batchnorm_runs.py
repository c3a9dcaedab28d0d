"""Chapter 6's batch-norm runs over several seeds: the learning-rate sweep, the range tests, five epochs
of one-cycle for both placements of batch norm, and the source article's own setting.

Chapter 6 trains chapter 5's ``simple_cnn`` (five stride-2 convolutions) on full MNIST, with and without
batch normalisation, once per setting (seed 0). This script repeats its runs for several seeds, built and
trained exactly as the chapter does (the seed is set before the model is built and again before
training), to say how large the margins are:

* one epoch of one-cycle (``AdamW``, batch 64) at peaks from 0.003 to 1, without and with BN, on 55,000
  training images, validated on the 5,000 others (split with seed 0): the chapter's sweep;
* a learning-rate range test of both models (300 steps from 1e-5 to 10 with ``AdamW``, as the chapter);
* the chapter's final recipe, five epochs on all 60,000 training images at the peak the chapter
  chooses (``PEAK``), with the test accuracy after each epoch, for the two placements: the article's
  conv -> ReLU -> BN ("after") and conv(bias=False) -> BN -> ReLU ("before");
* the article's setting (batch 512, peak 0.1), with ``AdamW`` and with fastai's Adam settings.

It prints one line per run and writes benchmarks/batchnorm_runs.json with the machine and torch
version.

    python benchmarks/batchnorm_runs.py                 # seeds 0-2
    python benchmarks/batchnorm_runs.py --seeds 0 1 2 3 4

Data must already be in the cache or a mirror (AINOTES_MIRROR).
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Literal

import torch
from chapter_times import machine  # benchmarks/chapter_times.py, beside this script
from failed_runs import OPTIMIZERS, mnist_split
from torch import nn

from ainotes.train import fit, lr_range_test, seed_everything

RESULTS = Path(__file__).resolve().parent / "batchnorm_runs.json"
PEAK = 0.03  # the peak the chapter chooses on the validation images (its sweep's best with BN)
SWEEP = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
Placement = Literal["none", "after", "before"]


def conv(ni: int, nf: int, ks: int = 3, act: bool = True, bn: Placement = "none") -> nn.Sequential:
    """A stride-2 block: conv -> ReLU ("none"), conv -> ReLU -> BN ("after"), conv -> BN -> ReLU ("before")."""
    layers: list[nn.Module] = [nn.Conv2d(ni, nf, ks, stride=2, padding=ks // 2, bias=bn != "before")]
    if bn == "before":
        layers.append(nn.BatchNorm2d(nf))
    if act:
        layers.append(nn.ReLU())
    if bn == "after":
        layers.append(nn.BatchNorm2d(nf))
    return nn.Sequential(*layers)


def bn_cnn(bn: Placement = "after", seed: int = 0) -> nn.Sequential:
    """The chapter's model, initialised from ``seed`` (as the chapter's ``fresh``)."""
    seed_everything(seed)
    return nn.Sequential(conv(1, 8, 5, bn=bn), conv(8, 16, bn=bn), conv(16, 32, bn=bn), conv(32, 64, bn=bn),
                         conv(64, 10, act=False, bn=bn), nn.Flatten()).to(memory_format=torch.channels_last)  # fmt: skip


def run(data: dict, bn: Placement, lr: float, epochs: int, seed: int, *, full: bool, batch_size: int = 64,
        optimizer: str = "adamw") -> dict:  # fmt: skip
    """One run as the chapter's ``train``; ``full``: all 60,000 images, validated on the test images."""
    model = bn_cnn(bn, seed)
    seed_everything(seed)
    train, valid = (data["all"], data["test"]) if full else (data["train"], data["valid"])
    history = fit(model, train, valid, epochs=epochs, batch_size=batch_size, lr=lr, optimizer=OPTIMIZERS[optimizer],
                  one_cycle=True, progress=False, verbose=False)  # fmt: skip
    accuracy = [round(a, 4) for a in history.valid_acc]
    result = dict(bn=bn, lr=lr, epochs=epochs, batch_size=batch_size, optimizer=optimizer, seed=seed,
                  data="60,000 -> test" if full else "55,000 -> validation", accuracy=accuracy)  # fmt: skip
    print(f"BN {bn:<6} {optimizer:<11} peak {lr:<5g} batch {batch_size:>3} {epochs} epoch(s) seed {seed}, "
          f"{result['data']}: {' '.join(f'{a:.2%}' for a in accuracy)}", flush=True)  # fmt: skip
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    data = mnist_split()
    data["all"] = tuple(torch.cat([a, b]) for a, b in zip(data["train"], data["valid"]))
    ranges = []
    for bn in ("none", "after"):
        for seed in args.seeds:
            best = lr_range_test(
                bn_cnn(bn, seed),
                data["train"],
                start_lr=1e-5,
                end_lr=10,
                steps=300,
                batch_size=64,
                optimizer=torch.optim.AdamW,
            ).best_lr  # as in the chapter
            ranges.append(dict(bn=bn, seed=seed, best_lr=round(best, 4)))
            print(f"range test, BN {bn}, seed {seed}: lowest loss at lr {best:.3g}", flush=True)
    runs = [run(data, bn, lr, 1, seed, full=False) for bn in ("none", "after") for lr in SWEEP for seed in args.seeds]
    runs += [run(data, bn, PEAK, 5, seed, full=True) for bn in ("after", "before") for seed in args.seeds]
    runs += [run(data, "after", 0.1, 5, seed, full=True, batch_size=512, optimizer=optimizer)
             for optimizer in ("adamw", "fastai-adam") for seed in args.seeds]  # fmt: skip
    print("\nsweep (validation accuracy after one epoch, lowest-highest over the seeds):")
    for bn in ("none", "after"):
        for lr in SWEEP:
            acc = [r["accuracy"][-1] for r in runs if r["bn"] == bn and r["lr"] == lr and r["epochs"] == 1]
            print(f"  BN {bn:<5} peak {lr:<5g}: {min(acc):.2%}-{max(acc):.2%}")
    print("five epochs on 60,000 images (test accuracy after the last epoch):")
    for bn, lr, batch_size, optimizer in (("after", PEAK, 64, "adamw"), ("before", PEAK, 64, "adamw"),
                                          ("after", 0.1, 512, "adamw"), ("after", 0.1, 512, "fastai-adam")):  # fmt: skip
        acc = [r["accuracy"][-1] for r in runs if (r["bn"], r["lr"], r["batch_size"], r["optimizer"], r["epochs"])
               == (bn, lr, batch_size, optimizer, 5)]  # fmt: skip
        print(f"  BN {bn:<6} peak {lr:<5g} batch {batch_size:>3} {optimizer:<11}: {min(acc):.2%}-{max(acc):.2%}, "
              f"mean {sum(acc) / len(acc):.2%}")  # fmt: skip
    RESULTS.write_text(json.dumps({"machine": machine(), "torch": torch.__version__, "date": date.today().isoformat(),
                                   "range_tests": ranges, "runs": runs}, indent=1) + "\n")  # fmt: skip
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
