"""The training loop the chapters stop writing by hand once they have taught it.

``fit`` does what a careful hand-written loop does (``train()``/``eval()`` switching, zeroing
gradients, validation under ``torch.no_grad``), plus the bookkeeping a reader wants to see:
losses, accuracies and learning rates per epoch and per step, and a progress bar.

Data can be given three ways:

* a pair of tensors ``(images, labels)`` or a ``TensorDataset`` of two tensors: the fast path.
  The tensors are moved to the device once and batches are cut by indexing, with no per-sample
  Python work;
* any map-style ``Dataset`` (a torchvision dataset with a transform, say): wrapped in a
  ``DataLoader``;
* a ``DataLoader``: used as it is.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

from ainotes.model_summary import _model_device, _root_cause, readable_units, summary

__all__ = [
    "Evaluation",
    "History",
    "count_parameters",
    "evaluate",
    "fit",
    "predict",
    "readable_units",
    "seed_everything",
    "summary",
]

Data = Dataset | DataLoader | tuple[torch.Tensor, torch.Tensor]


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------
def seed_everything(seed: int = 0) -> int:
    """Seed Python, NumPy and PyTorch (CPU and every GPU) so runs repeat exactly.

    Also asks cuDNN for deterministic kernels. Returns the seed.

    Examples
    --------
    >>> import torch
    >>> from ainotes.train import seed_everything
    >>> _ = seed_everything(42); a = torch.rand(1)
    >>> _ = seed_everything(42); b = torch.rand(1)
    >>> bool(a == b)
    True
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer in [0, 2**32), got {seed!r}.")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    return seed


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters (weights and biases) in ``model``.

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes.train import count_parameters
    >>> count_parameters(nn.Linear(784, 10))   # 784 * 10 weights + 10 biases
    7850
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"Expected a torch.nn.Module, got {type(model).__name__}.")
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


# --------------------------------------------------------------------------------------------
# Batches
# --------------------------------------------------------------------------------------------
class _TensorBatches:
    """Batches cut from two in-memory tensors by indexing (the fast path)."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, batch_size: int, shuffle: bool,
                 device: torch.device) -> None:  # fmt: skip
        if len(x) != len(y):
            raise ValueError(f"{len(x)} inputs but {len(y)} labels: they must match one to one.")
        self.x, self.y = x.to(device), y.to(device)
        self.batch_size, self.shuffle = batch_size, shuffle

    def __len__(self) -> int:
        return -(-len(self.x) // self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n, bs = len(self.x), self.batch_size
        if not self.shuffle:
            for i in range(0, n, bs):
                yield self.x[i : i + bs], self.y[i : i + bs]
            return
        order = torch.randperm(n).to(self.x.device)
        for i in range(0, n, bs):
            index = order[i : i + bs]
            yield self.x[index], self.y[index]


def _batches(data: Data, batch_size: int, shuffle: bool, device: torch.device, name: str):
    if isinstance(data, DataLoader):
        return data
    if isinstance(data, (tuple, list)) and len(data) == 2 and all(isinstance(t, torch.Tensor) for t in data):
        return _TensorBatches(data[0], data[1], batch_size, shuffle, device)
    if isinstance(data, TensorDataset) and len(data.tensors) == 2:
        return _TensorBatches(*data.tensors, batch_size, shuffle, device)
    if isinstance(data, Dataset):
        return DataLoader(data, batch_size=batch_size, shuffle=shuffle)
    raise TypeError(
        f"{name} must be a (images, labels) pair of tensors, a Dataset or a DataLoader; got {type(data).__name__}."
    )


def _check_batch(model_out: torch.Tensor, y: torch.Tensor, x_shape: torch.Size) -> None:
    """Catch the usual shape and label mistakes with a message that says what to change."""
    if model_out.shape[0] != y.shape[0]:
        raise ValueError(
            f"The model returned {model_out.shape[0]} rows of outputs for a batch of {y.shape[0]} "
            f"inputs of shape {tuple(x_shape)}. A reshape inside the model (such as "
            "`x.view(-1, n)`) probably uses the wrong feature count: print the shape before it."
        )
    if y.dtype in (torch.int64, torch.int32, torch.uint8) and y.ndim == 1:
        if model_out.ndim != 2:
            raise ValueError(
                f"The model's output has shape {tuple(model_out.shape)}, but a classifier must "
                "return (batch, classes) scores. Add nn.Flatten() before the last nn.Linear."
            )
        _check_labels(y, model_out.shape[1])


def _check_labels(y: torch.Tensor, n_outputs: int) -> None:
    low, high = int(y.min()), int(y.max())
    if low < 0 or high >= n_outputs:
        raise ValueError(
            f"The labels run from {low} to {high}, but the model returns {n_outputs} scores per "
            f"input (one per class, for labels 0 to {n_outputs - 1}). Make the last layer "
            f"return {high + 1} outputs, or check the labels."
        )


def _forward(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    try:
        return model(x)
    except RuntimeError as exc:
        if "shape" not in str(exc) and "size" not in str(exc):
            raise
        raise ValueError(
            f"The model could not process a batch of shape {tuple(x.shape)}: {_root_cause(exc)}. "
            f"Check the first layer (nn.Conv2d needs in_channels={x.shape[1] if x.ndim == 4 else '?'}"
            "; nn.Linear needs flattened inputs) and every reshape in forward()."
        ) from None


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@dataclass
class History:
    """What happened during :func:`fit`: one value per epoch, and learning rate per step.

    Accuracies are fractions in [0, 1]. ``valid_*`` lists are empty without validation data.
    """

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    valid_loss: list[float] = field(default_factory=list)
    valid_acc: list[float] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    momentum: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """Number of epochs recorded."""
        return len(self.train_loss)

    def as_dict(self) -> dict[str, list[float]]:
        """The history as a plain dictionary (handy for ``pandas.DataFrame``)."""
        return asdict(self)

    def epoch_line(self, epoch: int, total: int | None = None) -> str:
        """One line summing up epoch ``epoch`` (0-based) of ``total`` (default: all recorded)."""
        total = self.epochs if total is None else total
        width = len(str(total))
        text = f"epoch {epoch + 1:>{width}}/{total} train loss {self.train_loss[epoch]:.3f} acc {self.train_acc[epoch]:.2%}"
        if self.valid_loss:
            text += f" | valid loss {self.valid_loss[epoch]:.3f} acc {self.valid_acc[epoch]:.2%}"
        return text + f" | {self.epoch_seconds[epoch]:.1f} s"

    def __str__(self) -> str:
        return "\n".join(self.epoch_line(e) for e in range(self.epochs))


class Evaluation(NamedTuple):
    """Mean loss and accuracy (fraction in [0, 1]) of a model on a data set."""

    loss: float
    accuracy: float


# --------------------------------------------------------------------------------------------
# The loop
# --------------------------------------------------------------------------------------------
def _momentum(optimizer: torch.optim.Optimizer) -> float:
    group = optimizer.param_groups[0]
    if "betas" in group:
        return float(group["betas"][0])
    return float(group.get("momentum", float("nan")))


def _make_optimizer(optimizer: Any, model: nn.Module, lr: float) -> torch.optim.Optimizer:
    if optimizer is None:
        return torch.optim.Adam(model.parameters(), lr=lr)
    if isinstance(optimizer, torch.optim.Optimizer):
        return optimizer
    if callable(optimizer):  # a class such as torch.optim.SGD, or a factory
        return optimizer(model.parameters(), lr=lr)
    raise TypeError(f"optimizer must be None, an Optimizer or an Optimizer class; got {optimizer!r}.")


def fit(
    model: nn.Module,
    train_data: Data,
    valid_data: Data | None = None,
    *,
    epochs: int = 1,
    batch_size: int = 64,
    lr: float = 1e-3,
    optimizer: torch.optim.Optimizer | Callable[..., torch.optim.Optimizer] | None = None,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
    device: torch.device | str | None = None,
    one_cycle: bool = False,
    progress: bool = True,
    verbose: bool = True,
) -> History:
    """Train ``model`` on ``train_data`` for ``epochs`` epochs, validating after each one.

    Parameters
    ----------
    model : nn.Module
        A classifier returning ``(batch, classes)`` scores (logits).
    train_data, valid_data : pair of tensors, Dataset or DataLoader
        See the module docs. ``valid_data`` is optional.
    epochs, batch_size : int
        Passes over the training data, and images per step (ignored for a DataLoader).
    lr : float, default 1e-3
        Learning rate; with ``one_cycle=True`` the peak learning rate.
    optimizer : Optimizer, Optimizer class, or None
        ``None`` means ``torch.optim.Adam``; a class (``torch.optim.SGD``) is built with ``lr``.
    loss_fn : callable, default ``nn.CrossEntropyLoss()``
    device : torch.device or str, optional
        Where to train. By default, where the model's parameters already are.
    one_cycle : bool, default False
        Use ``torch.optim.lr_scheduler.OneCycleLR``: the learning rate warms up to ``lr`` and
        anneals, while momentum (Adam's beta1) moves the opposite way; stepped every batch.
    progress, verbose : bool
        Show a progress bar (``tqdm.auto``), and print one line per epoch.

    Returns
    -------
    History

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from ainotes.train import fit, seed_everything
    >>> _ = seed_everything(0)
    >>> x, y = torch.randn(64, 2), torch.randint(0, 2, (64,))
    >>> history = fit(nn.Linear(2, 2), (x, y), epochs=2, progress=False, verbose=False)
    >>> history.epochs, len(history.lr)
    (2, 2)
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}.")
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    if not lr > 0:
        raise ValueError(f"lr must be positive, got {lr!r}.")
    if device is not None:
        from ainotes.device import get_device

        device = get_device(str(device), verbose=False)
        model.to(device)
    device = _model_device(model)
    loss_fn = loss_fn if loss_fn is not None else nn.CrossEntropyLoss()
    train_batches = _batches(train_data, batch_size, True, device, "train_data")
    valid_batches = (
        None if valid_data is None else _batches(valid_data, max(batch_size, 256), False, device, "valid_data")
    )
    if len(train_batches) == 0:
        raise ValueError("train_data is empty: there is nothing to train on.")
    opt = _make_optimizer(optimizer, model, lr)
    scheduler = None
    if one_cycle:
        scheduler = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * len(train_batches))

    from tqdm.auto import tqdm

    history = History()
    checked = False
    steps = len(train_batches)
    # mininterval: a redraw at most every 0.5 s keeps the messages a notebook front-end receives few
    bar = tqdm(total=epochs * steps, disable=not progress, unit="batch", dynamic_ncols=True, mininterval=0.5)
    for epoch in range(epochs):
        start = time.perf_counter()
        bar.set_description(f"epoch {epoch + 1}/{epochs}")
        model.train()
        total_loss = torch.zeros((), device=device)
        correct = torch.zeros((), device=device, dtype=torch.long)
        seen = 0
        for x, y in train_batches:
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            out = _forward(model, x)
            if not checked:
                _check_batch(out, y, x.shape)
                for batches in (train_batches, valid_batches):  # all labels at once, when cheap
                    if isinstance(batches, _TensorBatches) and out.ndim == 2 and batches.y.ndim == 1:
                        _check_labels(batches.y, out.shape[1])
                checked = True
            loss = loss_fn(out, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            history.lr.append(opt.param_groups[0]["lr"])
            history.momentum.append(_momentum(opt))
            if scheduler is not None:
                scheduler.step()
            n = y.shape[0]
            total_loss += loss.detach() * n
            if out.ndim == 2:
                correct += (out.detach().argmax(1) == y).sum()
            seen += n
            bar.update()
        history.train_loss.append(total_loss.item() / seen)
        history.train_acc.append(correct.item() / seen)
        if valid_batches is not None:
            result = _evaluate_batches(model, valid_batches, loss_fn, device)
            history.valid_loss.append(result.loss)
            history.valid_acc.append(result.accuracy)
        history.epoch_seconds.append(time.perf_counter() - start)
        if verbose:
            line = history.epoch_line(epoch, epochs)
            if progress:
                bar.write(line)  # above the bar in a terminal; below it in a notebook
            else:
                print(line, flush=True)
    bar.close()
    return history


@torch.no_grad()
def _evaluate_batches(model: nn.Module, batches: Any, loss_fn: Callable, device: torch.device) -> Evaluation:
    was_training = model.training
    model.eval()
    total_loss = torch.zeros((), device=device, dtype=torch.float64)
    correct = torch.zeros((), device=device, dtype=torch.long)
    seen = 0
    try:
        for i, (x, y) in enumerate(batches):
            x, y = x.to(device), y.to(device)
            out = _forward(model, x)
            if i == 0:
                _check_batch(out, y, x.shape)
            total_loss += loss_fn(out, y).double() * y.shape[0]
            if out.ndim == 2:
                correct += (out.argmax(1) == y).sum()
            seen += y.shape[0]
    finally:
        model.train(was_training)
    if seen == 0:
        raise ValueError("The evaluation data is empty.")
    return Evaluation(total_loss.item() / seen, correct.item() / seen)


def evaluate(
    model: nn.Module,
    data: Data,
    *,
    loss_fn: Callable | None = None,
    batch_size: int = 256,
    device: torch.device | str | None = None,
) -> Evaluation:
    """Mean loss and accuracy of ``model`` on ``data``, in evaluation mode and without gradients.

    The model's train/eval mode is restored afterwards.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from ainotes.train import evaluate
    >>> model = nn.Linear(2, 2)
    >>> result = evaluate(model, (torch.randn(10, 2), torch.zeros(10, dtype=torch.long)))
    >>> 0.0 <= result.accuracy <= 1.0
    True
    """
    if device is not None:
        model.to(device)
    device = _model_device(model)
    batches = _batches(data, batch_size, False, device, "data")
    return _evaluate_batches(model, batches, loss_fn or nn.CrossEntropyLoss(), device)


@torch.no_grad()
def predict(model: nn.Module, data: Data, *, batch_size: int = 256) -> torch.Tensor:
    """Predicted class (index of the largest score) for every input in ``data``, on the CPU.

    ``data`` may also be a single tensor of inputs.
    """
    device = _model_device(model)
    if isinstance(data, torch.Tensor):
        data = (data, torch.zeros(len(data), dtype=torch.long))
    batches = _batches(data, batch_size, False, device, "data")
    was_training = model.training
    model.eval()
    try:
        predictions = [_forward(model, x.to(device)).argmax(1).cpu() for x, _ in batches]
    finally:
        model.train(was_training)
    return torch.cat(predictions)
