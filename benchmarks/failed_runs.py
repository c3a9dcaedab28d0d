"""Chapter 5's failed run over more seeds, with PyTorch's Adam and with fastai's Adam settings.

Chapter 5 trains ``simple_cnn`` (five stride-2 convolutions, 30,282 parameters) on full MNIST (55,000
training images, 5,000 for validation, split with seed 0) for one epoch at a constant learning rate
of 0.06, as the source article does with fastai, and finds a lottery: most seeds learn nothing.
This script checks that the lottery is not an artefact of PyTorch's Adam defaults. It repeats the
runs for batch sizes 64 and 512 and several seeds with

* ``adam``: ``torch.optim.Adam`` as in the chapter (betas 0.9/0.999, eps 1e-8, no weight decay);
* ``fastai-adam``: ``torch.optim.AdamW`` with fastai's defaults (betas 0.9/0.99, eps 1e-5, decoupled
  weight decay 0.01);

and, as a reference, one-cycle with ``AdamW`` at peak 0.01 and 0.06. It prints one line per run
(validation and test accuracy) and writes benchmarks/failed_runs.json with the machine and torch
version.

    python benchmarks/failed_runs.py                 # seeds 0-4
    python benchmarks/failed_runs.py --seeds 0 1 2

Data must already be in the cache or a mirror (AINOTES_MIRROR).
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from functools import partial
from pathlib import Path

import torch
from chapter_times import machine  # benchmarks/chapter_times.py, beside this script
from torch import nn

from ainotes.data import as_tensors, mnist
from ainotes.train import evaluate, fit, seed_everything

RESULTS = Path(__file__).resolve().parent / "failed_runs.json"
OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "fastai-adam": partial(torch.optim.AdamW, betas=(0.9, 0.99), eps=1e-5, weight_decay=0.01),
    "adamw": torch.optim.AdamW,
}


def conv(ni: int, nf: int, ks: int = 3, act: bool = True) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Conv2d(ni, nf, ks, stride=2, padding=ks // 2)]
    if act:
        layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def simple_cnn() -> nn.Sequential:
    return nn.Sequential(conv(1, 8, ks=5), conv(8, 16), conv(16, 32), conv(32, 64), conv(64, 10, act=False),
                         nn.Flatten()).to(memory_format=torch.channels_last)  # fmt: skip


def mnist_split() -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """The chapter's data: 55,000/5,000 split with seed 0, normalised with the training part's statistics."""
    images, labels = as_tensors(mnist(train=True))
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(0))
    train, valid = order[:55_000], order[55_000:]
    mean, std = images[train].mean(), images[train].std()
    test_images, test_labels = as_tensors(mnist(train=False))
    return {"train": ((images[train] - mean) / std, labels[train]), "valid": ((images[valid] - mean) / std, labels[valid]),
            "test": ((test_images - mean) / std, test_labels)}  # fmt: skip


def run(data: dict, optimizer: str, lr: float, batch_size: int, one_cycle: bool, seed: int) -> dict:
    seed_everything(seed)
    model = simple_cnn()
    history = fit(model, data["train"], data["valid"], epochs=1, batch_size=batch_size, lr=lr,
                  optimizer=OPTIMIZERS[optimizer], one_cycle=one_cycle, progress=False, verbose=False)  # fmt: skip
    result = dict(optimizer=optimizer, lr=lr, batch_size=batch_size, one_cycle=one_cycle, seed=seed,
                  valid_acc=round(history.valid_acc[-1], 4), test_acc=round(evaluate(model, data["test"]).accuracy, 4))  # fmt: skip
    schedule = "one-cycle" if one_cycle else "constant"
    print(f"{optimizer:<12} {schedule:<9} lr {lr:<5g} batch {batch_size:>3} seed {seed}: valid {result['valid_acc']:.2%}, "
          f"test {result['test_acc']:.2%}", flush=True)  # fmt: skip
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    data = mnist_split()
    results = [run(data, optimizer, 0.06, batch_size, False, seed)
               for optimizer in ("adam", "fastai-adam") for batch_size in (64, 512) for seed in args.seeds]  # fmt: skip
    results += [run(data, "adamw", lr, 64, True, seed) for lr in (0.01, 0.06) for seed in args.seeds]
    for optimizer in ("adam", "fastai-adam"):
        for batch_size in (64, 512):
            runs = [r for r in results if r["optimizer"] == optimizer and r["batch_size"] == batch_size]
            learned = sum(r["valid_acc"] > 0.5 for r in runs)
            print(f"{optimizer}, batch {batch_size}: {learned} of {len(runs)} runs learned (validation > 50%)")
    RESULTS.write_text(json.dumps({"machine": machine(), "torch": torch.__version__, "date": date.today().isoformat(),
                                   "runs": results}, indent=1) + "\n")  # fmt: skip
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
