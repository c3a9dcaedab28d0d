"""Four trainers, one workload: a hand-written loop, ``ainotes.train.fit``, fastai and PyTorch Lightning (issue 13).

All four train chapter 5's ``simple_cnn`` (five stride-2 convolutions, channels_last) from the same initial
weights (deep copies of one seeded model) on the same in-memory MNIST tensors (60,000 training images,
normalised with their mean and standard deviation), batch 64, 2 epochs, validating on the 10,000 test images
after each epoch, with the same optimiser and the same one-cycle schedule, stepped every batch:

* ``torch.optim.AdamW`` (betas 0.9/0.999, eps 1e-8, decoupled weight decay 0.01 on every parameter), which
  is what ``fit(..., optimizer=torch.optim.AdamW, one_cycle=True)`` builds;
* ``OneCycleLR`` with fit's settings (its defaults): peak 0.01, ``pct_start`` 0.3, ``div_factor`` 25,
  ``final_div_factor`` 1e4, cosine, beta1 from 0.95 down to 0.85 and back.

The four ways:

* ``hand``: a hand-written loop (shuffle, cut batches by indexing, forward, loss, backward, step,
  ``OneCycleLR.step()``; after each epoch a validation pass);
* ``fit``: ``ainotes.train.fit(model, train, test, optimizer=torch.optim.AdamW, one_cycle=True)``;
* ``fastai``: ``Learner(dls, model, loss_func=..., opt_func=partial(OptimWrapper, opt=torch.optim.AdamW),
  metrics=accuracy).fit_one_cycle(...)`` with ``pct_start=0.3``, ``div=25``, ``div_final=25 * 1e4`` and
  ``moms=(0.95, 0.85, 0.95)``: fastai's own cosine schedule, set to the same curve;
* ``lightning``: ``Trainer(max_epochs=..., accelerator="cpu", logger=False, enable_checkpointing=False)`` and a
  ``LightningModule`` whose ``configure_optimizers`` returns the same ``AdamW`` and ``OneCycleLR`` with
  ``interval="step"``; it logs the training loss and the validation loss and accuracy with ``self.log``.

fastai and Lightning read batches from torch ``DataLoader``s over ``TensorDataset``s that fetch a whole
batch with one indexing (a ``BatchSampler`` as the sampler), as the hand loop and ``fit`` do: the comparison
is of the trainers, not of per-image collation. Progress bars are on, as each library draws them by default
(``fit``'s tqdm, fastai's fastprogress, Lightning's RichProgressBar, its default when rich is installed, as
fastai's dependencies install it), but drawn into ``os.devnull`` so that the log keeps one line per run
(rich, seeing no terminal, draws less there than in one); ``--bars off`` turns them all off, ``--verbose``
lets them print.

Each round trains the four, once each, from the same seed; the order alternates between rounds (forwards,
backwards, ...) so that drift in the machine's speed hits all alike, and a short untimed warm-up of each
trainer on 1,024 images comes first. The time of a trainer is the wall time of its whole training call
(setup, every epoch and its validation) divided by the epochs; the median over the rounds is compared with
the hand loop's. On a shared machine other processes steal the cores: the script measures how many they use
during each run (from /proc/stat), waits (``--wait``) for a quiet second before each run, runs a disturbed
run (more than 0.15 cores of others) again, up to ``--retries`` times while under ``--budget`` seconds, and
takes the medians over the undisturbed runs (all runs if none). Every trained model is then scored by the
same function on the test set. The script also checks that each trainer's learning rate and beta1, step by
step, follow ``OneCycleLR``'s curve.

    make trainers                                        # creates .venv-trainers on first use, then:
    .venv-trainers/bin/python benchmarks/trainers.py     # 2 epochs, 3 rounds; writes benchmarks/trainers.json
    .venv-trainers/bin/python benchmarks/trainers.py --images 2048 --epochs 1 --rounds 1 --json -   # a quick try

Prints a Markdown table (seconds per epoch, ratio to the hand loop, test accuracy) and writes
benchmarks/trainers.json with the versions, the machine, the date and the load average. Data must already
be in the cache or a mirror (AINOTES_MIRROR).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import datetime
import json
import logging
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch
from failed_runs import simple_cnn  # chapter 5's model, benchmarks/failed_runs.py beside this script
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, SequentialSampler, TensorDataset

import ainotes
from ainotes.data import as_tensors, mnist
from ainotes.train import fit, one_cycle_curves, seed_everything

TRAINERS = ("hand", "fit", "fastai", "lightning")
QUIET = 0.15  # cores used by other processes during a run, at most, for the run to count as undisturbed
Tensors = tuple[torch.Tensor, torch.Tensor]


@dataclass
class Settings:
    epochs: int
    batch_size: int
    lr: float
    bars: bool
    verbose: bool
    valid_batch_size: int = 256  # fit validates with max(batch_size, 256): the others do the same


@dataclass
class Run:
    """What one trainer's training call gave: its wall time, the time of each epoch, the schedule it used."""

    seconds: float
    epoch_seconds: list[float]
    lr: list[float] = field(default_factory=list)
    beta1: list[float] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Shared pieces: the model, batches, the evaluation, the schedule
# --------------------------------------------------------------------------------------------
def batch_loader(data: Tensors, batch_size: int, shuffle: bool) -> DataLoader:
    """A torch DataLoader that fetches each batch with one indexing of the tensors (no per-image collation)."""
    dataset = TensorDataset(*data)
    sampler = RandomSampler(dataset) if shuffle else SequentialSampler(dataset)
    return DataLoader(dataset, sampler=BatchSampler(sampler, batch_size, drop_last=False), batch_size=None)


@torch.no_grad()
def evaluate(model: nn.Module, data: Tensors, batch_size: int = 256) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of ``model`` on ``data``, in evaluation mode: one function for all four."""
    was_training = model.training
    model.eval()
    x, y = data
    total_loss, correct = 0.0, 0
    for i in range(0, len(x), batch_size):
        out = model(x[i : i + batch_size])
        total_loss += nn.functional.cross_entropy(out, y[i : i + batch_size], reduction="sum").item()
        correct += int((out.argmax(1) == y[i : i + batch_size]).sum())
    model.train(was_training)
    return total_loss / len(x), correct / len(x)


def steps_per_epoch(n: int, batch_size: int) -> int:
    return -(-n // batch_size)


def one_cycle(optimizer: torch.optim.Optimizer, lr: float, total_steps: int) -> torch.optim.lr_scheduler.OneCycleLR:
    """The schedule ``fit(..., one_cycle=True)`` builds: ``OneCycleLR`` with its defaults, stepped every batch."""
    return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=total_steps)


@contextlib.contextmanager
def quiet(enabled: bool) -> Iterator[None]:
    """Progress bars and the libraries' own lines into os.devnull (they are still drawn), unless ``enabled``."""
    if not enabled:
        yield
        return
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        yield


# --------------------------------------------------------------------------------------------
# The four trainers
# --------------------------------------------------------------------------------------------
def train_hand(model: nn.Module, train: Tensors, test: Tensors, s: Settings) -> Run:
    """The hand-written loop: shuffle, cut batches by indexing, step the optimiser and the schedule every batch."""
    x, y = train
    optimizer = torch.optim.AdamW(model.parameters(), lr=s.lr)
    scheduler = one_cycle(optimizer, s.lr, s.epochs * steps_per_epoch(len(x), s.batch_size))
    loss_fn = nn.CrossEntropyLoss()
    epoch_seconds = []
    start = time.perf_counter()
    for _ in range(s.epochs):
        epoch_start = time.perf_counter()
        model.train()
        order = torch.randperm(len(x))
        for i in range(0, len(x), s.batch_size):
            index = order[i : i + s.batch_size]
            loss = loss_fn(model(x[index]), y[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
        evaluate(model, test, s.valid_batch_size)
        epoch_seconds.append(time.perf_counter() - epoch_start)
    return Run(time.perf_counter() - start, epoch_seconds)


def train_fit(model: nn.Module, train: Tensors, test: Tensors, s: Settings) -> Run:
    start = time.perf_counter()
    history = fit(model, train, test, epochs=s.epochs, batch_size=s.batch_size, lr=s.lr,
                  optimizer=torch.optim.AdamW, one_cycle=True, progress=s.bars, verbose=s.bars)  # fmt: skip
    seconds = time.perf_counter() - start
    return Run(seconds, list(history.epoch_seconds), list(history.lr), list(history.momentum))


def train_fastai(model: nn.Module, train: Tensors, test: Tensors, s: Settings) -> Run:
    import fastai.callback.progress  # noqa: F401  (adds the progress bar to the default callbacks)
    import fastai.callback.schedule  # noqa: F401  (adds Learner.fit_one_cycle)
    from fastai.callback.core import Callback
    from fastai.data.core import DataLoaders
    from fastai.learner import Learner
    from fastai.metrics import accuracy
    from fastai.optimizer import OptimWrapper

    class EpochTimer(Callback):
        order = 100  # after the other callbacks' after_epoch (the Recorder's, the progress bar's)

        def __init__(self) -> None:
            self.seconds: list[float] = []

        def before_epoch(self) -> None:
            self.start = time.perf_counter()

        def after_epoch(self) -> None:
            self.seconds.append(time.perf_counter() - self.start)

    dls = DataLoaders(batch_loader(train, s.batch_size, True), batch_loader(test, s.valid_batch_size, False))
    timer = EpochTimer()
    start = time.perf_counter()
    learn = Learner(dls, model, loss_func=nn.CrossEntropyLoss(), opt_func=partial(OptimWrapper, opt=torch.optim.AdamW),
                    metrics=accuracy, cbs=timer)  # fmt: skip
    # fastai's cosine one-cycle set to OneCycleLR's curve: its final lr is lr_max / div_final, OneCycleLR's
    # max_lr / (div_factor * final_div_factor); AdamW keeps its own weight decay (fit_one_cycle's wd=None).
    fit_call = partial(learn.fit_one_cycle, s.epochs, lr_max=s.lr, div=25.0, div_final=25.0 * 1e4, pct_start=0.3,
                       moms=(0.95, 0.85, 0.95))  # fmt: skip
    if s.bars:
        fit_call()
    else:
        with learn.no_bar():
            fit_call()
    seconds = time.perf_counter() - start
    hps = learn.recorder.hps  # what the ParamScheduler set for each batch
    return Run(seconds, timer.seconds, [float(v) for v in hps["lr"]], [float(v) for v in hps["mom"]])


def train_lightning(model: nn.Module, train: Tensors, test: Tensors, s: Settings) -> Run:
    import lightning as L
    from lightning.pytorch.callbacks import Callback

    if not s.verbose:  # the lines Lightning logs at every start (GPU available: False, ...); set after its import
        logging.getLogger("lightning.pytorch").setLevel(logging.WARNING)

    total_steps = s.epochs * steps_per_epoch(len(train[0]), s.batch_size)

    class Classifier(L.LightningModule):
        def __init__(self, net: nn.Module) -> None:
            super().__init__()
            self.net = net

        def training_step(self, batch: Tensors, batch_idx: int) -> torch.Tensor:
            x, y = batch
            loss = nn.functional.cross_entropy(self.net(x), y)
            self.log("train_loss", loss, prog_bar=True)
            return loss

        def validation_step(self, batch: Tensors, batch_idx: int) -> None:
            x, y = batch
            out = self.net(x)
            self.log_dict({"val_loss": nn.functional.cross_entropy(out, y),
                           "val_acc": (out.argmax(1) == y).float().mean()}, prog_bar=True)  # fmt: skip

        def configure_optimizers(self) -> dict[str, Any]:
            optimizer = torch.optim.AdamW(self.parameters(), lr=s.lr)
            scheduler = one_cycle(optimizer, s.lr, total_steps)
            return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}

    class Recorder(Callback):
        """The time of each epoch (with its validation) and the learning rate and beta1 of each step."""

        def __init__(self) -> None:
            self.seconds: list[float] = []
            self.lr: list[float] = []
            self.beta1: list[float] = []

        def on_train_epoch_start(self, trainer: L.Trainer, module: L.LightningModule) -> None:
            self.start = time.perf_counter()

        def on_train_batch_start(self, trainer: L.Trainer, module: L.LightningModule, batch: Any, idx: int) -> None:
            group = trainer.optimizers[0].param_groups[0]
            self.lr.append(float(group["lr"]))
            self.beta1.append(float(group["betas"][0]))

        def on_train_epoch_end(self, trainer: L.Trainer, module: L.LightningModule) -> None:  # after validation
            self.seconds.append(time.perf_counter() - self.start)

    recorder = Recorder()
    start = time.perf_counter()
    trainer = L.Trainer(max_epochs=s.epochs, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                        enable_progress_bar=s.bars, callbacks=[recorder])  # fmt: skip
    trainer.fit(
        Classifier(model), batch_loader(train, s.batch_size, True), batch_loader(test, s.valid_batch_size, False)
    )
    return Run(time.perf_counter() - start, recorder.seconds, recorder.lr, recorder.beta1)


TRAIN: dict[str, Callable[[nn.Module, Tensors, Tensors, Settings], Run]] = {
    "hand": train_hand,
    "fit": train_fit,
    "fastai": train_fastai,
    "lightning": train_lightning,
}


# --------------------------------------------------------------------------------------------
# Measurements around the runs
# --------------------------------------------------------------------------------------------
def load_average() -> list[float]:
    return [float(v) for v in Path("/proc/loadavg").read_text().split()[:3]]


def cpu_seconds() -> tuple[float, float]:
    """Busy CPU seconds of the whole machine (all cores, from /proc/stat) and of this process."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    busy = sum(fields[:8]) - fields[3] - fields[4]  # user nice system idle iowait irq softirq steal
    mine = os.times()
    return busy / os.sysconf("SC_CLK_TCK"), mine.user + mine.system


def wait_for_quiet(max_seconds: float) -> float:
    """Wait (up to ``max_seconds``) until other processes use less than QUIET cores over one second."""
    start = time.perf_counter()
    while time.perf_counter() - start < max_seconds:
        busy, mine = cpu_seconds()
        time.sleep(1.0)
        busy_after, mine_after = cpu_seconds()
        if (busy_after - busy) - (mine_after - mine) < QUIET:
            break
    return time.perf_counter() - start


def schedule_gap(run: Run, lr: np.ndarray, beta1: np.ndarray) -> dict[str, float] | None:
    """Largest gap, step by step, of a trainer's learning rate (fraction of the peak) and beta1 from OneCycleLR's."""
    if not run.lr:
        return None
    if len(run.lr) != len(lr):
        return {"steps": len(run.lr), "expected_steps": len(lr)}
    return {"lr_max_gap_to_peak": float(np.max(np.abs(np.array(run.lr) - lr)) / lr.max()),
            "beta1_max_gap": float(np.max(np.abs(np.array(run.beta1) - beta1)))}  # fmt: skip


def machine() -> dict[str, Any]:
    model_name = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                       if line.startswith("model name")), platform.processor())  # fmt: skip
    return {"cpu": model_name, "cores": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "system": platform.platform(), "python": platform.python_version()}  # fmt: skip


def versions() -> dict[str, str]:
    import fastai
    import lightning

    return {"torch": torch.__version__, "fastai": fastai.__version__, "lightning": lightning.__version__,
            "ainotes": ainotes.__version__}  # fmt: skip


def data(images: int) -> tuple[Tensors, Tensors]:
    x, y = as_tensors(mnist(train=True))
    x_test, y_test = as_tensors(mnist(train=False))
    mean, std = x.mean(), x.std()
    return ((x[:images] - mean) / std, y[:images]), ((x_test - mean) / std, y_test)


# --------------------------------------------------------------------------------------------
# The comparison
# --------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.01, help="the one-cycle peak")
    parser.add_argument("--rounds", type=int, default=3, help="times each trainer runs; the order alternates")
    parser.add_argument("--images", type=int, default=60_000, help="training images (fewer for a quick try)")
    parser.add_argument("--bars", choices=("on", "off"), default="on", help="progress bars (drawn into os.devnull)")
    parser.add_argument("--verbose", action="store_true", help="let the bars and the libraries' own lines print")
    parser.add_argument("--wait", type=float, default=60, help="seconds to wait, at most, for a quiet machine")
    parser.add_argument("--retries", type=int, default=2, help="runs again of a run disturbed by other processes")
    parser.add_argument("--budget", type=float, default=300, help="seconds after which disturbed runs are kept")
    parser.add_argument("--trainers", nargs="+", choices=TRAINERS, default=list(TRAINERS), help="a subset, with hand")
    parser.add_argument("--json", default=str(Path(__file__).with_name("trainers.json")), help="'-' writes none")
    args = parser.parse_args()
    trainers = tuple(name for name in TRAINERS if name in args.trainers)
    if "hand" not in trainers:
        parser.error("--trainers must include hand: the others are compared with it")
    s = Settings(args.epochs, args.batch_size, args.lr, args.bars == "on", args.verbose)

    if not args.verbose:
        warnings.filterwarnings("ignore", message=r".*does not have many workers.*")
    train, test = data(args.images)
    seed_everything(0)
    initial = simple_cnn()
    steps = s.epochs * steps_per_epoch(len(train[0]), s.batch_size)
    lr_curve, beta1_curve = one_cycle_curves(s.lr, steps)
    info = {"versions": versions(), "machine": machine()}
    print(f"{', '.join(f'{k} {v}' for k, v in info['versions'].items())}; {info['machine']['torch_threads']} threads; "
          f"{len(train[0]):,} images, batch {s.batch_size}, {s.epochs} epochs, {args.rounds} rounds, bars {args.bars}",
          flush=True)  # fmt: skip

    warm = Settings(1, s.batch_size, s.lr, s.bars, s.verbose)
    for name in trainers:  # untimed: first calls (imports, lazy set-ups) out of the way
        with quiet(not s.verbose):
            TRAIN[name](
                copy.deepcopy(initial), (train[0][:1024], train[1][:1024]), (test[0][:512], test[1][:512]), warm
            )

    load_before = load_average()
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in trainers}
    disturbed: list[dict[str, Any]] = []  # runs done again because other processes used the cores meanwhile
    gaps: dict[str, Any] = {}
    start = time.perf_counter()
    for round_ in range(args.rounds):
        for name in trainers if round_ % 2 == 0 else trainers[::-1]:
            for attempt in range(1, args.retries + 2):
                model = copy.deepcopy(initial)
                seed_everything(round_)
                waited = wait_for_quiet(args.wait)
                busy, mine = cpu_seconds()
                with quiet(not s.verbose):
                    run = TRAIN[name](model, train, test, s)
                busy_after, mine_after = cpu_seconds()
                others = max(0.0, (busy_after - busy) - (mine_after - mine)) / run.seconds
                loss, acc = evaluate(model, test)
                record = {"round": round_ + 1, "attempt": attempt, "seconds": round(run.seconds, 3),
                          "epoch_seconds": [round(t, 3) for t in run.epoch_seconds], "test_loss": round(loss, 4),
                          "test_accuracy": acc, "other_processes_cores": round(others, 2),
                          "waited_for_quiet_s": round(waited, 1), "threads": torch.get_num_threads()}  # fmt: skip
                print(f"round {round_ + 1} {name:<9} {run.seconds / s.epochs:6.2f} s/epoch  test accuracy {acc:.2%}  "
                      f"(other processes: {others:.2f} cores)", flush=True)  # fmt: skip
                last = attempt == args.retries + 1 or time.perf_counter() - start > args.budget
                if others <= QUIET or last:
                    break
                disturbed.append({"trainer": name, **record})
            results[name].append(record)
            gaps.setdefault(name, schedule_gap(run, lr_curve, beta1_curve))
    load_after = load_average()

    def timed(name: str) -> list[dict[str, Any]]:
        """The runs whose times count: the undisturbed ones (other processes under QUIET cores), else all."""
        return [r for r in results[name] if r["other_processes_cores"] <= QUIET] or results[name]

    hand = statistics.median(r["seconds"] for r in timed("hand")) / s.epochs
    summary = {}
    for name in trainers:
        per_epoch = statistics.median(r["seconds"] for r in timed(name)) / s.epochs
        in_loop = statistics.median(t for r in timed(name) for t in r["epoch_seconds"][1:] or r["epoch_seconds"])
        accuracies = [r["test_accuracy"] for r in results[name]]
        fastest = min(r["seconds"] for r in results[name]) / s.epochs
        summary[name] = {"seconds_per_epoch": round(per_epoch, 3), "ratio_to_hand": round(per_epoch / hand, 3),
                         "epoch_seconds_in_loop": round(in_loop, 3), "seconds_per_epoch_fastest": round(fastest, 3),
                         "runs_timed": [r["round"] for r in timed(name)],
                         "other_processes_cores_max": max(r["other_processes_cores"] for r in results[name]),
                         "test_accuracy_median": statistics.median(accuracies),
                         "test_accuracy_min": min(accuracies), "test_accuracy_max": max(accuracies)}  # fmt: skip

    labels = {"hand": "hand-written loop", "fit": "`ainotes.train.fit`", "fastai": "fastai `fit_one_cycle`",
              "lightning": "Lightning `Trainer.fit`"}  # fmt: skip
    print(f"\n| trainer | s / epoch | ratio to hand loop | later epochs alone (s) | test accuracy (median, range of "
          f"{args.rounds}) |\n|---|---:|---:|---:|---|")  # fmt: skip
    for name, r in summary.items():
        print(f"| {labels[name]} | {r['seconds_per_epoch']:.2f} | {r['ratio_to_hand']:.3f} | "
              f"{r['epoch_seconds_in_loop']:.2f} | {r['test_accuracy_median']:.2%} "
              f"({r['test_accuracy_min']:.2%}–{r['test_accuracy_max']:.2%}) |")  # fmt: skip
    others = max(r["other_processes_cores"] for runs in results.values() for r in runs)
    print(
        f"\nload average before {load_before}, after {load_after}; other processes used up to {others:.2f} cores "
        f"during a run; times are medians of the runs they disturbed by at most {QUIET} cores (all runs if none)"
    )
    for name, gap in gaps.items():
        if gap is not None:
            print(f"schedule of {name} against OneCycleLR: {gap}")

    if args.json != "-":
        report = {"command": "python " + " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
                  "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), **info,
                  "settings": {"model": "chapter 5's simple_cnn", "data": "MNIST", "images": len(train[0]),
                               "epochs": s.epochs, "batch_size": s.batch_size, "optimizer": "AdamW",
                               "one_cycle": {"max_lr": s.lr, "pct_start": 0.3, "div_factor": 25,
                                             "final_div_factor": 1e4, "beta1": [0.95, 0.85, 0.95]},
                               "rounds": args.rounds, "bars": args.bars},
                  "load_average_before": load_before, "load_average_after": load_after,
                  "summary": summary, "schedule_gap_to_OneCycleLR": gaps, "runs": results,
                  "disturbed_runs_done_again": disturbed}  # fmt: skip
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
