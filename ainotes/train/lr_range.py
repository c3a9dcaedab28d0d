"""The learning-rate range test: train briefly with a growing learning rate and watch the loss.

:func:`~ainotes.train.lr_range_test` trains the model for a few hundred mini-batches while the learning rate grows
exponentially from ``start_lr`` to ``end_lr``, records the loss at each, and then puts the model
back exactly as it was; :func:`~ainotes.train.plot_lr_range` draws the loss against the learning rate. The loss
falls, flattens, then shoots up once the learning rate is too large; a peak learning rate for
training is usually taken about ten times below the one of the lowest (smoothed) loss.

Written here rather than taken from the ``torch-lr-finder`` package, whose model reset is a
separate manual step, which needs a DataLoader, and which imports ``tqdm.autonotebook``.
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from ainotes.arguments import _kind, real, whole
from ainotes.device import _device
from ainotes.model_summary import _model_device
from ainotes.train.batches import Data, _batches, _check_batch, _first_loss, _forward, _is_classification, _long_labels
from ainotes.train.loop import NonFiniteLossError
from ainotes.train.settings import _check_optimizer, _loss_function, _make_optimizer, _model

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["LRRangeResult", "lr_range_test", "plot_lr_range"]

MIN_STEPS_BEFORE_DIVERGING = 10  # the smoothed loss is too noisy before this to call a rise divergence


@dataclass
class LRRangeResult:
    """What :func:`~ainotes.train.lr_range_test` recorded, one value per step it trained.

    Attributes
    ----------
    lrs, losses, smoothed : list of float
        The learning rate of each step, its mini-batch loss, and the loss smoothed exponentially
        (with bias correction, so the first steps are not pulled towards 0).
    best_lr : float
        The learning rate at the lowest smoothed loss.
    suggestion : float
        ``best_lr / 10``, the usual rule of thumb for a peak learning rate (e.g. of one-cycle).
    stopped_early : bool
        True when the loss diverged and the test stopped before its last step.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from ainotes.train import lr_range_test, seed_everything
    >>> _ = seed_everything(0)
    >>> x = torch.randn(128, 2)
    >>> result = lr_range_test(
    ...     nn.Linear(2, 2), (x, (x[:, 0] > 0).long()), start_lr=1e-3, end_lr=10, steps=20
    ... )
    >>> (
    ...     len(result.lrs) == len(result.losses) == len(result.smoothed),
    ...     result.best_lr in result.lrs,
    ... )
    (True, True)
    """

    lrs: list[float]
    losses: list[float]
    smoothed: list[float]
    best_lr: float
    suggestion: float
    stopped_early: bool


def _check_arguments(model: Any, start_lr: Any, end_lr: Any, steps: Any, batch_size: Any, smoothing: Any,
                     diverge: Any) -> None:  # fmt: skip
    _model(model)
    start_lr = real(start_lr, "start_lr", example="start_lr=1e-5", positive=True)
    end_lr = real(end_lr, "end_lr", example="end_lr=10", positive=True)
    if start_lr >= end_lr:
        raise ValueError(f"start_lr={start_lr:g} must be smaller than end_lr={end_lr:g}: the learning rate grows from "
                         "one to the other (e.g. start_lr=1e-5, end_lr=10).")  # fmt: skip
    whole(steps, "steps", least=2, example="steps=200")
    whole(batch_size, "batch_size", least=1, example="batch_size=64")
    if isinstance(smoothing, bool) or not isinstance(smoothing, numbers.Real):
        raise TypeError(f"smoothing must be a number, got {smoothing!r}: e.g. smoothing=0.05.")
    if not 0 < smoothing <= 1:
        raise ValueError(f"smoothing={smoothing!r} is impossible: it is the weight of each new loss in the smoothed "
                         "loss, greater than 0 and at most 1 (1: no smoothing), e.g. smoothing=0.05.")  # fmt: skip
    if isinstance(diverge, bool) or not isinstance(diverge, numbers.Real):
        raise TypeError(f"diverge must be a number, got {diverge!r}: e.g. diverge=4.")
    if not (math.isfinite(diverge) and diverge > 1):
        raise ValueError(f"diverge={diverge!r} is impossible: the test stops when the smoothed loss exceeds diverge "
                         "times its lowest value, so it must be greater than 1, e.g. diverge=4.")  # fmt: skip


def _endless(batches: Any) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """The batches again and again (reshuffled each pass), for data with fewer batches than steps."""
    while True:
        empty = True
        for batch in batches:
            empty = False
            yield batch
        if empty:
            raise ValueError("train_data is empty: there is nothing to train on.")


def lr_range_test(
    model: nn.Module,
    train_data: Data,
    *,
    start_lr: float = 1e-5,
    end_lr: float = 10.0,
    steps: int = 200,
    batch_size: int = 64,
    optimizer: torch.optim.Optimizer | Callable[..., torch.optim.Optimizer] | None = None,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
    smoothing: float = 0.05,
    diverge: float = 4.0,
    device: torch.device | str | None = None,
) -> LRRangeResult:
    """Train ``model`` for up to ``steps`` mini-batches with a learning rate growing from ``start_lr`` to ``end_lr``.

    Before step ``i`` every parameter group's learning rate is set to
    ``start_lr * (end_lr / start_lr) ** (i / (steps - 1))``. The mini-batch loss of each step is
    recorded, and smoothed: ``avg = (1 - smoothing) * avg + smoothing * loss``, divided by
    ``1 - (1 - smoothing) ** (i + 1)``. The test stops early once the smoothed loss is not a
    finite number, or (after the first 10 steps) exceeds ``diverge`` times the lowest so far.

    Afterwards the model is put back exactly as it was, also when an error stops the test: its
    parameters, buffers (such as BatchNorm's running statistics), gradients and the train/eval
    mode of each module; so is an ``optimizer`` instance's state. The test does consume random
    numbers (shuffling, dropout), so the results of a seeded run that follows it change.

    Parameters
    ----------
    model : nn.Module
        The network, as it would be given to :func:`ainotes.train.fit`.
    train_data : pair of tensors, Dataset or DataLoader
        See :mod:`ainotes.train`. Shuffled, and gone through again if it has fewer than ``steps``
        batches.
    start_lr, end_lr : float, default 1e-5 and 10
        The first and last learning rates, positive, ``start_lr < end_lr``.
    steps : int, default 200
        Mini-batches to train on at most; at least 2.
    batch_size : int, default 64
        Inputs per mini-batch (ignored for a DataLoader).
    optimizer : Optimizer, Optimizer class, or None
        ``None`` means ``torch.optim.AdamW``; a class or factory is called as
        ``optimizer(model.parameters(), lr=start_lr)``; an instance is used as it is.
    loss_fn : callable, default ``nn.CrossEntropyLoss()``
    smoothing : float, default 0.05
        Weight of each new loss in the smoothed loss, in (0, 1]; 1 means no smoothing.
    diverge : float, default 4
        Stop once the smoothed loss exceeds this many times its lowest value; greater than 1.
    device : torch.device or str, optional
        Where to train; the model is moved there (and stays), as by ``fit``. By default, where
        its parameters already are.

    Returns
    -------
    LRRangeResult

    Raises
    ------
    TypeError, ValueError
        For impossible arguments, with what to give instead.
    NonFiniteLossError
        When even the first loss is not a finite number (a ``ValueError``).

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from ainotes.train import lr_range_test, seed_everything
    >>> _ = seed_everything(0)
    >>> x = torch.randn(256, 2)
    >>> y = (x[:, 0] > 0).long()
    >>> model = nn.Linear(2, 2)
    >>> before = model.weight.clone()
    >>> result = lr_range_test(model, (x, y), start_lr=1e-4, end_lr=100, steps=50)
    >>> (
    ...     len(result.lrs) <= 50,
    ...     f"{result.lrs[0]:g}",
    ...     result.suggestion == result.best_lr / 10,
    ... )
    (True, '0.0001', True)
    >>> torch.equal(model.weight, before)
    True
    """
    _check_arguments(model, start_lr, end_lr, steps, batch_size, smoothing, diverge)
    classify, loss_fn = _is_classification(loss_fn), _loss_function(loss_fn)
    _check_optimizer(optimizer, model)
    if device is not None:
        model.to(_device(device))
    device = _model_device(model)
    batches = _batches(train_data, batch_size, True, device, "train_data", classify)
    if len(batches) == 0:
        raise ValueError("train_data is empty: there is nothing to train on.")
    saved_state = copy.deepcopy(model.state_dict())
    saved_extra = {name: b.detach().clone() for name, b in model.named_buffers() if name not in saved_state}
    saved_grads = [None if p.grad is None else p.grad.detach().clone() for p in model.parameters()]
    saved_modes = [(m, m.training) for m in model.modules()]
    given = isinstance(optimizer, torch.optim.Optimizer)
    saved_optimizer = copy.deepcopy(optimizer.state_dict()) if given else None
    try:
        opt = (torch.optim.AdamW(model.parameters(), lr=start_lr) if optimizer is None
               else _make_optimizer(optimizer, model, start_lr))  # fmt: skip
        return _run(model, opt, _endless(batches), loss_fn, device, start_lr, end_lr, steps, smoothing, diverge,
                    classify)  # fmt: skip
    finally:
        with torch.no_grad():
            model.load_state_dict(saved_state)
            buffers = dict(model.named_buffers())
            for name, value in saved_extra.items():
                buffers[name].copy_(value)
            for p, grad in zip(model.parameters(), saved_grads):
                p.grad = grad
        for module, training in saved_modes:
            module.training = training
        if given:
            optimizer.load_state_dict(saved_optimizer)


def _run(model: nn.Module, opt: torch.optim.Optimizer, batches: Iterator, loss_fn: Callable, device: torch.device,
         start_lr: float, end_lr: float, steps: int, smoothing: float, diverge: float,
         classify: bool) -> LRRangeResult:  # fmt: skip
    model.train()
    lrs: list[float] = []
    losses: list[float] = []
    smoothed: list[float] = []
    avg, best, best_index, diverged = 0.0, math.inf, -1, False
    for i in range(steps):
        lr = end_lr if i == steps - 1 else start_lr * (end_lr / start_lr) ** (i / (steps - 1))  # exact ends
        for group in opt.param_groups:
            group["lr"] = lr
        x, y = next(batches)
        x, y = x.to(device, non_blocking=True), _long_labels(y.to(device, non_blocking=True))
        out = _forward(model, x, "train_data")
        opt.zero_grad(set_to_none=True)
        if i == 0:
            _check_batch(out, y, x, model, "train_data", classify)
            loss = _first_loss(loss_fn, out, y, "train_data", backward=True)
        else:
            loss = loss_fn(out, y)
            loss.backward()
        opt.step()
        value = float(loss.detach())
        avg = (1 - smoothing) * avg + smoothing * value
        smooth = avg / (1 - (1 - smoothing) ** (i + 1))
        lrs.append(lr)
        losses.append(value)
        smoothed.append(smooth)
        if not math.isfinite(smooth):
            diverged = True
            break
        if smooth < best:
            best, best_index = smooth, i
        if i >= MIN_STEPS_BEFORE_DIVERGING and smooth > diverge * best:
            diverged = True
            break
    if best_index < 0:
        raise NonFiniteLossError(f"The loss was {losses[0]} from the first step, at learning rate {start_lr:g}: check the "
                         "data (no nan or inf) and the model's output before looking for a learning rate.")  # fmt: skip
    best_lr = lrs[best_index]
    return LRRangeResult(lrs, losses, smoothed, best_lr, best_lr / 10, diverged and len(lrs) < steps)


def plot_lr_range(result: LRRangeResult, *, title: str = "Learning-rate range test", ax: Axes | None = None) -> Figure:
    """The loss of each step of a learning-rate range test against its learning rate, on a log axis.

    The smoothed loss is drawn solid, the raw mini-batch losses faint; dashed lines mark the
    learning rate of the lowest smoothed loss and a tenth of it (the suggested peak learning
    rate). The loss axis stops at 1.5 times the first smoothed loss, so that a diverging tail does
    not flatten the rest of the curve.

    Parameters
    ----------
    result : LRRangeResult
        What :func:`~ainotes.train.lr_range_test` returned.
    title : str, default "Learning-rate range test"
    ax : Axes, optional
        Where to draw; by default on a new 6.4 × 4 inch figure.

    Returns
    -------
    Figure

    Examples
    --------
    >>> from ainotes.train import LRRangeResult, plot_lr_range
    >>> result = LRRangeResult(
    ...     [1e-3, 1e-2, 1e-1, 1.0],
    ...     [2.3, 1.9, 1.2, 9.0],
    ...     [2.3, 2.0, 1.6, 4.0],
    ...     0.1,
    ...     0.01,
    ...     False,
    ... )
    >>> fig = plot_lr_range(result)
    >>> ax = fig.axes[0]
    >>> ax.get_xscale(), ax.get_xlabel(), ax.get_ylabel()
    ('log', 'learning rate (log scale)', 'training loss')
    """
    import matplotlib.pyplot as plt  # here, so that importing ainotes.train does not import matplotlib
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if not isinstance(result, LRRangeResult):
        raise TypeError(f"result must be the LRRangeResult that lr_range_test returns, got {_kind(result)}.")
    if not result.lrs:
        raise ValueError("result has no steps recorded: there is nothing to plot.")
    if ax is not None and not isinstance(ax, Axes):
        fix = ": pick one, e.g. axes[0]" if isinstance(ax, np.ndarray) else ", e.g. from fig, ax = plt.subplots()"
        raise TypeError(f"ax must be a matplotlib Axes, got {_kind(ax)}{fix}.")
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 4), layout="constrained")
    else:
        fig = ax.figure
        while not isinstance(fig, Figure):  # a subfigure's figure
            fig = fig.figure
    ax.plot(result.lrs, result.losses, color="#0969da", alpha=0.3, linewidth=1, label="loss of each batch")
    ax.plot(result.lrs, result.smoothed, color="#0969da", linewidth=2, label="smoothed loss")
    ax.axvline(result.best_lr, color="#cf222e", linestyle="--", linewidth=1.5,
               label=f"lowest loss: lr = {result.best_lr:.2g}")  # fmt: skip
    ax.axvline(result.suggestion, color="#1a7f37", linestyle="--", linewidth=1.5,
               label=f"a tenth of it: lr = {result.suggestion:.2g}")  # fmt: skip
    ax.set_xscale("log")
    finite = [v for v in result.smoothed + result.losses if math.isfinite(v)]
    smooth = [v for v in result.smoothed if math.isfinite(v)]
    if smooth:
        first, lowest, floor = smooth[0], min(smooth), min(finite)
        high = max(first, lowest)
        top = 1.5 * high if high > 0 else high + 0.5 * max(high - lowest, abs(high), 1e-3)
        bottom = floor - 0.05 * (top - floor)
        ax.set_ylim(max(bottom, 0.0) if floor >= 0 else bottom, top)
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("training loss")
    ax.set_title(title)
    ax.legend(fontsize=9)
    return fig
