"""Pretrain the book's small ResNet on 7 CIFAR-10 classes: the checkpoint chapter 7 transfers.

Source task: the 35,000 training images of the seven classes that are *not* chapter 7's target
(airplane, automobile, ship). Recipe: SGD with Nesterov momentum 0.9 and weight decay 5e-4, batch
128, a one-cycle schedule peaking at 0.1, random crops (padding 4) and flips on batches of tensors,
``channels_last``, deterministic algorithms, seed 0. Writes, into ``ainotes/models/checkpoints``:

* ``small_resnet_cifar7_v1.pt``: the ``state_dict`` (float32, loadable with ``weights_only=True``);
* ``small_resnet_cifar7_v1.json``: the metadata record (classes, normalisation, test accuracy on
  the 7,000 source-task test images, parameter count, command, recipe, versions, SHA-256).

Run from the repository root, offline with the data mirror (about 7 minutes on 2 CPU cores; a re-run gives the same file, bit for bit)::

    AINOTES_MIRROR=../shared/data AINOTES_OFFLINE=1 .venv/bin/python scripts/pretrain_small_resnet.py

``--output DIR`` writes elsewhere (to compare a re-run with the shipped checkpoint).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import torch

from ainotes.augment import crop_and_flip
from ainotes.data import as_tensors, channel_stats, cifar10, class_subset
from ainotes.data.sources import _sha256_file
from ainotes.models.resnet import SmallResNet
from ainotes.train import count_parameters, evaluate, fit, seed_everything

SOURCE_CLASSES = ["bird", "cat", "deer", "dog", "frog", "horse", "truck"]
RECIPE = dict(epochs=15, batch_size=128, lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4, seed=0)
NAME = "small_resnet_cifar7_v1"
CHECKPOINTS = Path(__file__).resolve().parents[1] / "ainotes" / "models" / "checkpoints"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=CHECKPOINTS, help="folder for the .pt and .json files")
    parser.add_argument("--epochs", type=int, default=RECIPE["epochs"], help="for a quick trial only")
    args = parser.parse_args()
    recipe = {**RECIPE, "epochs": args.epochs}
    start = time.perf_counter()
    seed_everything(recipe["seed"])
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(max(torch.get_num_threads(), 1))

    train_source = class_subset(cifar10(train=True), SOURCE_CLASSES)
    test_source = class_subset(cifar10(train=False), SOURCE_CLASSES)
    mean, std = channel_stats(train_source)
    mean, std = [round(v, 4) for v in mean], [round(v, 4) for v in std]
    x_train, y_train = as_tensors(train_source, mean, std)
    x_test, y_test = as_tensors(test_source, mean, std)
    print(f"source task: {len(y_train):,} training and {len(y_test):,} test images of {SOURCE_CLASSES}")

    model = SmallResNet(num_classes=len(SOURCE_CLASSES)).to(memory_format=torch.channels_last)
    sgd = torch.optim.SGD(model.parameters(), lr=recipe["lr"], momentum=recipe["momentum"],
                          nesterov=recipe["nesterov"], weight_decay=recipe["weight_decay"])  # fmt: skip
    fit(model, (x_train, y_train), (x_test, y_test), epochs=recipe["epochs"], batch_size=recipe["batch_size"],
        lr=recipe["lr"], optimizer=sgd, one_cycle=True, augment=crop_and_flip, progress=False)  # fmt: skip
    accuracy = evaluate(model, (x_test, y_test)).accuracy
    minutes = (time.perf_counter() - start) / 60

    args.output.mkdir(parents=True, exist_ok=True)
    weights = args.output / f"{NAME}.pt"
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}  # plain layout, float32
    torch.save(state, weights)
    digest = _sha256_file(weights)  # the checksum the loader verifies
    meta = {
        "name": NAME,
        "architecture": "ainotes.models.SmallResNet",
        "num_params": count_parameters(model),
        "categories": SOURCE_CLASSES,
        "source_task": "CIFAR-10 without airplane, automobile and ship: 35,000 training images of 7 classes",
        "min_size": [32, 32],
        "mean": mean,
        "std": std,
        "test_accuracy": round(accuracy, 4),
        "test_images": len(y_test),
        "recipe": {
            **recipe,
            "optimizer": "SGD",
            "schedule": "one-cycle (OneCycleLR, stepped per batch)",
            "augmentation": "random crop (padding 4) and horizontal flip, on batches of tensors",
            "memory_format": "channels_last",
            "deterministic": True,
        },  # fmt: skip
        "command": "python scripts/pretrain_small_resnet.py"
        + (f" --epochs {args.epochs}" if args.epochs != 15 else ""),
        "training_minutes": round(minutes, 1),
        "trained_with": {
            "torch": torch.__version__,
            "python": platform.python_version(),
            "cpu_threads": torch.get_num_threads(),
            "device": "cpu",
        },  # fmt: skip
        "file": weights.name,
        "file_size": weights.stat().st_size,
        "sha256": digest,
    }
    (args.output / f"{NAME}.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"test accuracy on the source task: {accuracy:.2%}; {minutes:.1f} min; {weights} ({digest[:12]}…)")


if __name__ == "__main__":
    sys.exit(main())
