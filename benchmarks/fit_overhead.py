"""How much does ``ainotes.train.fit`` cost over a hand-written training loop?

Both train the chapter-1 CNN (225,034 parameters, channels_last) on the same in-memory
Fashion-MNIST tensors with the same settings: Adam, lr 1e-3, batch 64, shuffled, one epoch per
round. Rounds alternate (loop then fit, fit then loop, ...) so that drift in the machine's speed and
the order of runs hit both alike; each side reports its median round. ``fit`` runs as a reader uses it: progress bar and
per-epoch line on.

    python benchmarks/fit_overhead.py               # full epochs, 3 rounds each
    python benchmarks/fit_overhead.py --images 12000 --rounds 5

Prints images per second for both and the ratio fit / loop (1.00 = no overhead).
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import torch
from torch import nn

from ainotes.data import as_tensors, fashion_mnist
from ainotes.train import fit, seed_everything


def make_model() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 32, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10),
    ).to(memory_format=torch.channels_last)  # fmt: skip


def hand_loop(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int) -> None:
    """The minimal loop: shuffle, cut batches by indexing, forward, loss, backward, step."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    order = torch.randperm(len(x))
    for i in range(0, len(x), batch_size):
        index = order[i : i + batch_size]
        loss = loss_fn(model(x[index]), y[index])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=60_000, help="training images per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per side")
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()

    x, y = as_tensors(fashion_mnist())
    x, y = x[: args.images], y[: args.images]
    seed_everything(0)
    initial = make_model()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {len(x):,} images per round, "
          f"batch {args.batch_size}")  # fmt: skip

    times: dict[str, list[float]] = {"loop": [], "fit": []}
    for round_ in range(args.rounds):
        for side in ("loop", "fit") if round_ % 2 == 0 else ("fit", "loop"):  # alternate who goes first
            model = copy.deepcopy(initial)
            seed_everything(round_)
            start = time.perf_counter()
            if side == "loop":
                hand_loop(model, x, y, args.batch_size)
            else:
                fit(model, (x, y), epochs=1, batch_size=args.batch_size, lr=1e-3)
            times[side].append(time.perf_counter() - start)
            print(f"round {round_ + 1} {side:<4} {len(x) / times[side][-1]:8.0f} images/s", flush=True)

    loop_rate = len(x) / statistics.median(times["loop"])
    fit_rate = len(x) / statistics.median(times["fit"])
    print(f"\nhand-written loop: {loop_rate:8.0f} images/s (median of {args.rounds})")
    print(f"ainotes fit:       {fit_rate:8.0f} images/s (median of {args.rounds})")
    print(f"fit / loop:        {fit_rate / loop_rate:8.3f}  (overhead {100 * (1 - fit_rate / loop_rate):+.1f}%)")


if __name__ == "__main__":
    main()
