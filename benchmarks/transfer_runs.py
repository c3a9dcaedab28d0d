"""Chapter 7's table over several seeds: four ways to learn CIFAR-3 from 50, 500 and all images per class.

Chapter 7 trains each method once (seed 0). This script repeats its runs, built and trained exactly as
the chapter does, for several training seeds (the seed fixes the initialisation, the batch order and the
augmentation; the images chosen per class and the split stay those of seed 0), to say how large the
margins are:

* chapter 4's CNN and the small ResNet from scratch, feature extraction (a linear head on the frozen
  backbone's cached features) and fine-tuning (backbone peak 3e-4, head 3e-3), for N = 50, 500 and all
  images per class, 30, 8 and 2 epochs: the test accuracy on the 3,000 CIFAR-3 test images;
* fine-tuning with 50 images per class and the backbone's peak at 3e-4, 3e-3 and 3e-2: the validation
  accuracy on the chapter's 600 watched validation images.

    python benchmarks/transfer_runs.py                 # seeds 0-2
    python benchmarks/transfer_runs.py --seeds 0 1 2 3 4

It prints one line per run and writes benchmarks/transfer_runs.json. Data must already be in the cache or
a mirror (AINOTES_MIRROR).
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import torch
from chapter_times import machine  # benchmarks/chapter_times.py, beside this script
from race_settings import small_cnn  # chapter 4's CNN with 3 outputs
from torch import nn
from torch.utils.data import random_split

from ainotes.augment import crop_and_flip
from ainotes.data import cifar10, class_subset
from ainotes.models import SmallResNetWeights, small_resnet
from ainotes.train import evaluate, fit, seed_everything

WEIGHTS = SmallResNetWeights.DEFAULT
NAMES = ["airplane", "automobile", "ship"]
PEAK_NEW, PEAK_PRETRAINED = 3e-3, 3e-4
METHODS = ["CNN from scratch", "ResNet from scratch", "feature extraction", "fine-tuning"]


def cifar3() -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """The chapter's data: the 45,000/5,000 split of seed 0, prepared with the weights' transforms."""
    preprocess = WEIGHTS.transforms()
    train_part, valid_part = random_split(
        cifar10(train=True), [45_000, 5_000], generator=torch.Generator().manual_seed(0)
    )
    data = {}
    for name, part in [("pool", train_part), ("valid", valid_part), ("test", cifar10(train=False))]:
        subset = class_subset(part, NAMES)
        data[name] = preprocess(torch.from_numpy(subset.data).permute(0, 3, 1, 2)), torch.tensor(subset.targets)
    return data


def per_class(labels: torch.Tensor, n: int, seed: int = 0) -> torch.Tensor:
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))
    return torch.cat([order[labels[order] == c][:n] for c in range(3)]).sort().values


def fine_tuning(backbone_peak: float) -> tuple[nn.Module, torch.optim.Optimizer, list[float]]:
    net = small_resnet(weights=WEIGHTS)
    net.fc = nn.Linear(net.fc.in_features, 3)
    backbone = [p for name, p in net.named_parameters() if not name.startswith("fc.")]
    optimizer = torch.optim.Adam([{"params": backbone}, {"params": net.fc.parameters()}])
    return net, optimizer, [backbone_peak, PEAK_NEW]


@torch.no_grad()
def features(x: torch.Tensor) -> torch.Tensor:
    backbone = small_resnet(weights=WEIGHTS)
    backbone.fc = nn.Identity()
    backbone.eval()
    return torch.cat([backbone(xb) for xb in x.split(500)])


def run(data: dict, cached: dict, method: str, idx: torch.Tensor, epochs: int, seed: int,
        backbone_peak: float = PEAK_PRETRAINED) -> nn.Module:  # fmt: skip
    seed_everything(seed)
    x, y = data["pool"]
    settings = dict(epochs=epochs, batch_size=64, lr=PEAK_NEW, one_cycle=True, progress=False, verbose=False)
    if method == "feature extraction":
        head = nn.Linear(128, 3)
        fit(head, (cached["pool"][idx], y[idx]), **settings)
        return head
    if method == "CNN from scratch":
        net = small_cnn()
    elif method == "ResNet from scratch":
        net = small_resnet(num_classes=3)
    else:
        net, settings["optimizer"], settings["lr"] = fine_tuning(backbone_peak)
    net = net.to(memory_format=torch.channels_last)
    fit(net, (x[idx], y[idx]), augment=crop_and_flip, **settings)
    return net


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    data = cifar3()
    cached = {part: features(data[part][0]) for part in ("pool", "test")}
    y_pool = data["pool"][1]
    n_all = int(torch.bincount(y_pool).min())
    epochs = {50: 30, 500: 8, n_all: 2}
    watch = data["valid"][0][:600], data["valid"][1][:600]
    table: dict = {m: {str(n): [] for n in epochs} for m in METHODS}
    peaks: dict = {str(p): [] for p in (PEAK_PRETRAINED, PEAK_NEW, 10 * PEAK_NEW)}
    for seed in args.seeds:
        for method in METHODS:
            for n, e in epochs.items():
                net = run(data, cached, method, per_class(y_pool, n), e, seed)
                test = (cached["test"], data["test"][1]) if method == "feature extraction" else data["test"]
                table[method][str(n)].append(round(evaluate(net, test).accuracy, 4))
                print(f"seed {seed} {method:<20} N={n:>5}: test {table[method][str(n)][-1]:.2%}", flush=True)
        for peak in (PEAK_PRETRAINED, PEAK_NEW, 10 * PEAK_NEW):
            net = run(data, cached, "fine-tuning", per_class(y_pool, 50), 30, seed, backbone_peak=peak)
            peaks[str(peak)].append(round(evaluate(net, watch).accuracy, 4))
            print(f"seed {seed} fine-tuning, N=50, backbone peak {peak:g}: validation {peaks[str(peak)][-1]:.2%}")
    out = Path(__file__).with_suffix(".json")
    out.write_text(json.dumps({"date": str(date.today()), "machine": machine(), "torch": torch.__version__,
                               "seeds": args.seeds, "n_all": n_all, "test_accuracy": table,
                               "fine_tuning_50_validation_by_backbone_peak": peaks}, indent=1) + "\n")  # fmt: skip
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
