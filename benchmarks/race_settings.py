"""Does chapter 4's race depend on its settings? Learning rates, seeds, epochs and augmentations.

Chapter 4 trains a fully connected network (3072 → 1024 → 512 → 128 → 3, tanh) and the small CNN
on CIFAR-3 (airplane, automobile, ship; chapter 3's validation split and statistics), both with
Adam and a one-cycle schedule peaking at 2e-3, batch 64, 10 epochs; then the CNN with random
flips for 20 epochs. This script repeats those runs

* with peak learning rates 1e-3, 2e-3 and 3e-3 (``--lrs``), and several seeds (``--seeds``): does
  the CNN beat the fully connected network, and does the latter overfit, whatever the setting?
* for the CNN, 20 epochs without augmentation, with flips, and with crops and flips: how much of
  the gain of the chapter's last model comes from the flips, and how much from the extra epochs?

It prints one line per run (training, validation and test accuracy, seconds per epoch) and writes
benchmarks/race_settings.json with the machine and torch version.

    python benchmarks/race_settings.py                      # seed 0; seeds 0, 1 for 20 epochs
    python benchmarks/race_settings.py --seeds 0 1 2 --lrs 2e-3

Data must already be in the cache or a mirror (AINOTES_MIRROR).
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import numpy as np
import torch
from chapter_times import machine  # benchmarks/chapter_times.py, beside this script
from torch import nn
from torch.utils.data import random_split

from ainotes.augment import random_crop, random_flip
from ainotes.data import as_tensors, channel_stats, cifar10, class_subset
from ainotes.train import evaluate, fit, seed_everything

RESULTS = Path(__file__).resolve().parent / "race_settings.json"
NAMES = ["airplane", "automobile", "ship"]


def fc_net() -> nn.Sequential:
    return nn.Sequential(nn.Flatten(), nn.Linear(3072, 1024), nn.Tanh(), nn.Linear(1024, 512), nn.Tanh(),
                         nn.Linear(512, 128), nn.Tanh(), nn.Linear(128, 3))  # fmt: skip


def small_cnn() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(3, 16, kernel_size=3, padding=1), nn.Tanh(), nn.MaxPool2d(2),
        nn.Conv2d(16, 8, kernel_size=3, padding=1), nn.Tanh(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(512, 32), nn.Tanh(), nn.Linear(32, 3),
    ).to(memory_format=torch.channels_last)  # fmt: skip


AUGMENTS = {"none": None, "flips": random_flip, "crops+flips": lambda x: random_crop(random_flip(x))}


def cifar3() -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    train_set = cifar10(train=True)
    train_part, valid_part = random_split(train_set, [45_000, 5_000], generator=torch.Generator().manual_seed(0))
    mean, std = channel_stats(train_part)
    parts = {"train": train_part, "valid": valid_part, "test": cifar10(train=False)}
    return {name: as_tensors(class_subset(part, NAMES), mean, std) for name, part in parts.items()}


def run(data: dict, model_name: str, lr: float, epochs: int, augment: str, seed: int) -> dict:
    seed_everything(seed)
    model = {"fully connected": fc_net, "CNN": small_cnn}[model_name]()
    history = fit(model, data["train"], data["valid"], epochs=epochs, lr=lr, one_cycle=True,
                  augment=AUGMENTS[augment], progress=False, verbose=False)  # fmt: skip
    result = dict(model=model_name, lr=lr, epochs=epochs, augment=augment, seed=seed,
                  seconds_per_epoch=round(float(np.mean(history.epoch_seconds)), 2))  # fmt: skip
    for part in ("train", "valid", "test"):
        result[f"{part}_acc"] = round(evaluate(model, data[part]).accuracy, 4)
    print(f"{model_name:<15} lr {lr:g} {epochs:>2} epochs {augment:<11} seed {seed}: train {result['train_acc']:.2%}, "
          f"valid {result['valid_acc']:.2%}, test {result['test_acc']:.2%}, {result['seconds_per_epoch']} s/epoch",
          flush=True)  # fmt: skip
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lrs", type=float, nargs="+", default=[1e-3, 2e-3, 3e-3])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--long-seeds", type=int, nargs="+", default=[0, 1], help="seeds of the 20-epoch CNN runs")
    args = parser.parse_args()
    data = cifar3()
    results = [run(data, model, lr, 10, "none", seed)
               for seed in args.seeds for lr in args.lrs for model in ("fully connected", "CNN")]  # fmt: skip
    results += [run(data, "CNN", 2e-3, 20, augment, seed) for seed in args.long_seeds for augment in AUGMENTS]
    RESULTS.write_text(json.dumps({"machine": machine(), "torch": torch.__version__, "date": date.today().isoformat(),
                                   "runs": results}, indent=1) + "\n")  # fmt: skip
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
