"""Does chapter 3's input-scaling result hold for other seeds? (Its text says it held on three.)

Chapter 3 trains the same small tanh CNN on 20,000 CIFAR-10 training images scaled three ways
(bytes 0-255, [0, 1], normalised with the training part's statistics), one pass, SGD lr 0.01
momentum 0.9, and reports validation accuracy and first-layer tanh saturation. This script
repeats that run for several seeds (the seed sets the initial weights and the order of the
images) and prints one line per seed and scaling, plus whether the chapter's order
(normalised > [0, 1] > 0-255) held. With --adam it also runs Exercise 3.8 (Adam, lr 1e-3).
The results go to benchmarks/scaling_seeds.json, with the machine and torch version.

    python benchmarks/scaling_seeds.py                # seeds 0, 1, 2
    python benchmarks/scaling_seeds.py --seeds 0 1 2 3 4 --adam

Data must already be in the cache or a mirror (AINOTES_MIRROR).
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from chapter_times import machine  # benchmarks/chapter_times.py, beside this script
from torch import nn
from torch.utils.data import random_split

from ainotes.data import as_tensors, channel_stats, cifar10
from ainotes.train import seed_everything

RESULTS = Path(__file__).resolve().parent / "scaling_seeds.json"


def small_cnn() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(3, 16, kernel_size=3, padding=1), nn.Tanh(), nn.MaxPool2d(2),
        nn.Conv2d(16, 8, kernel_size=3, padding=1), nn.Tanh(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(8 * 8 * 8, 32), nn.Tanh(), nn.Linear(32, 10),
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--images", type=int, default=20_000)
    parser.add_argument("--adam", action="store_true", help="also run with Adam, lr 1e-3 (Exercise 3.8)")
    args = parser.parse_args()

    train_set = cifar10(train=True)
    # The chapter's split: the same generator seed, whatever the training seed.
    train_part, valid_part = random_split(train_set, [45_000, 5_000], generator=torch.Generator().manual_seed(0))
    mean, std = channel_stats(train_part)
    x_part, y_part = as_tensors(train_part)
    x_valid, y_valid = as_tensors(valid_part)
    m4, s4 = torch.tensor(mean).view(1, 3, 1, 1), torch.tensor(std).view(1, 3, 1, 1)
    scalings = {"0-255": lambda x: x * 255, "[0, 1]": lambda x: x, "normalised": lambda x: (x - m4) / s4}
    optimisers = {"SGD": (torch.optim.SGD, dict(lr=0.01, momentum=0.9))}
    if args.adam:
        optimisers["Adam"] = (torch.optim.Adam, dict(lr=1e-3))

    runs = []
    for opt_name, (optimizer, settings) in optimisers.items():
        for seed in args.seeds:
            accuracy, saturation = {}, {}
            for name, scale in scalings.items():
                seed_everything(seed)
                model = small_cnn()
                opt = optimizer(model.parameters(), **settings)
                x, y = scale(x_part[: args.images]), y_part[: args.images]
                saturated = []
                for index in torch.randperm(args.images).split(64):
                    first = model[:2](x[index])
                    loss = F.cross_entropy(model[2:](first), y[index])
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                    saturated.append((first.abs() > 0.99).float().mean().item())
                with torch.no_grad():
                    accuracy[name] = (model(scale(x_valid)).argmax(dim=1) == y_valid).float().mean().item()
                saturation[name] = float(np.mean(saturated[-25:]))
                print(f"{opt_name:<4} seed {seed} {name:<10} valid acc {accuracy[name]:.2%}  "
                      f"saturated at the end {np.mean(saturated[-25:]):.1%}", flush=True)  # fmt: skip
            order = accuracy["normalised"] > accuracy["[0, 1]"] > accuracy["0-255"]
            print(f"{opt_name:<4} seed {seed}: normalised > [0, 1] > 0-255: {order}", flush=True)
            runs.append({"optimizer": opt_name, "seed": seed, "valid_accuracy": accuracy,
                         "saturated_at_the_end": saturation, "order_held": order})  # fmt: skip
    record = {"date": date.today().isoformat(), "torch": torch.__version__, "images": args.images,
              "machine": machine(), "runs": runs}  # fmt: skip
    RESULTS.write_text(json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    main()
