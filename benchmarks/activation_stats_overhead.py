"""How much does recording activation statistics (``ainotes.stats.ActivationStats``) slow training?

Trains the activation-statistics chapter's simple CNN (five stride-2 convolutions, channels_last)
for one epoch of MNIST with ``fit`` (AdamW, one-cycle, lr 0.01, batch 64), once plainly and once
inside ``with ActivationStats(model) as stats:`` (its five default layers, 40 bins). Rounds
alternate (plain then stats, stats then plain, ...) so that drift in the machine's speed hits both
sides alike; each side reports its median round.

    python benchmarks/activation_stats_overhead.py               # full epochs, 3 rounds each
    python benchmarks/activation_stats_overhead.py --images 12000 --rounds 5

Prints the median seconds per epoch of both and the ratio with / without (1.00 = no overhead).
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import torch
from failed_runs import simple_cnn  # chapter 5's model, beside this script
from torch import nn

from ainotes.data import as_tensors, mnist
from ainotes.stats import ActivationStats
from ainotes.train import fit, seed_everything


def train(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> None:
    fit(model, (x, y), epochs=1, batch_size=64, lr=0.01, optimizer=torch.optim.AdamW, one_cycle=True,
        progress=False, verbose=False)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=60_000, help="training images per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per side")
    args = parser.parse_args()

    x, y = as_tensors(mnist())
    x, y = x[: args.images], y[: args.images]
    seed_everything(0)
    initial = simple_cnn()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {len(x):,} images per round, batch 64")

    times: dict[str, list[float]] = {"without": [], "with": []}
    for round_ in range(args.rounds):
        for side in ("without", "with") if round_ % 2 == 0 else ("with", "without"):  # alternate who goes first
            model = copy.deepcopy(initial)
            seed_everything(round_)
            start = time.perf_counter()
            if side == "with":
                with ActivationStats(model) as stats:
                    train(model, x, y)
                _ = stats.histograms(-1)  # reading the records back is part of the cost
            else:
                train(model, x, y)
            times[side].append(time.perf_counter() - start)
            print(f"round {round_ + 1} {side:<7} stats {times[side][-1]:7.2f} s", flush=True)

    plain, recorded = statistics.median(times["without"]), statistics.median(times["with"])
    print(f"\nwithout ActivationStats: {plain:7.2f} s per epoch (median of {args.rounds})")
    print(f"with ActivationStats:    {recorded:7.2f} s per epoch (median of {args.rounds})")
    print(f"with / without:          {recorded / plain:7.3f}  (overhead {100 * (recorded / plain - 1):+.1f}%)")


if __name__ == "__main__":
    main()
