"""The loop itself: :func:`~ainotes.train.fit`, :func:`~ainotes.train.evaluate` and :func:`~ainotes.train.predict`."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn

from ainotes.model_summary import _model_device
from ainotes.train.batches import Data, _batches, _check_batch, _check_labels, _forward, _TensorBatches
from ainotes.train.history import Evaluation, History

__all__ = ["evaluate", "fit", "predict"]


# --------------------------------------------------------------------------------------------
# The loop
# --------------------------------------------------------------------------------------------
def _momentum(optimizer: torch.optim.Optimizer) -> float:
    group = optimizer.param_groups[0]
    if "betas" in group:
        return float(group["betas"][0])
    return float(group.get("momentum", float("nan")))


def _learning_rates(lr: Any, optimizer: Any) -> float | list[float]:
    """``lr`` checked: one positive number, or one per parameter group of an optimizer."""
    if isinstance(lr, (list, tuple)):
        groups = optimizer.param_groups if isinstance(optimizer, torch.optim.Optimizer) else None
        if groups is None or len(groups) != len(lr):
            raise ValueError(
                f"lr={list(lr)!r} gives {len(lr)} learning rates: that needs an optimizer built with "
                f"{len(lr)} parameter groups, e.g. torch.optim.Adam([{{'params': model.fc.parameters()}}, "
                f"{{'params': backbone_parameters}}]); got {'one with ' + str(len(groups)) if groups else 'none'}."
            )
        return [_learning_rates(value, None) for value in lr]
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        raise ValueError(
            f"lr must be positive: one number, or a list of them for an optimizer with parameter groups; got {lr!r}."
        )
    return float(lr)


def _make_optimizer(optimizer: Any, model: nn.Module, lr: float | list[float]) -> torch.optim.Optimizer:
    if isinstance(optimizer, torch.optim.Optimizer):
        if isinstance(lr, list):  # one learning rate per group, also when no schedule changes them
            for group, value in zip(optimizer.param_groups, lr):
                group["lr"] = value
        return optimizer
    if optimizer is None:
        return torch.optim.Adam(model.parameters(), lr=lr)
    if callable(optimizer):  # a class such as torch.optim.SGD, or a factory
        return optimizer(model.parameters(), lr=lr)
    raise TypeError(f"optimizer must be None, an Optimizer or an Optimizer class; got {optimizer!r}.")


def _augmented(augment: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, check: bool) -> torch.Tensor:
    """``augment(x)`` without gradients; on the first batch (``check``), a clear error if it is not a batch."""
    with torch.no_grad():
        out = augment(x)
    if check and not isinstance(out, torch.Tensor):
        raise TypeError(
            f"augment returned {'None' if out is None else 'a ' + type(out).__name__} for a batch of shape "
            f"{tuple(x.shape)}: it must return a tensor batch, the augmented images (e.g. `return x.flip(3)`; "
            "check that it ends with `return`)."
        )
    if check and (out.ndim == 0 or out.shape[0] != x.shape[0]):
        raise ValueError(
            f"augment turned a batch of shape {tuple(x.shape)} into one of shape {tuple(out.shape)}: it must "
            "return one image per input image (the same first dimension). Transform the images of the batch, "
            "not the batch dimension."
        )
    return out


def fit(
    model: nn.Module,
    train_data: Data,
    valid_data: Data | None = None,
    *,
    epochs: int = 1,
    batch_size: int = 64,
    lr: float | Sequence[float] = 1e-3,
    optimizer: torch.optim.Optimizer | Callable[..., torch.optim.Optimizer] | None = None,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
    device: torch.device | str | None = None,
    one_cycle: bool = False,
    augment: Callable[[torch.Tensor], torch.Tensor] | None = None,
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
    lr : float or list of float, default 1e-3
        Learning rate; with ``one_cycle=True`` the peak learning rate. With an optimizer built
        with parameter groups, a list gives each group its own (peak) learning rate, in order.
    optimizer : Optimizer, Optimizer class, or None
        ``None`` means ``torch.optim.Adam``; a class (``torch.optim.SGD``) is built with ``lr``.
    loss_fn : callable, default ``nn.CrossEntropyLoss()``
    device : torch.device or str, optional
        Where to train. By default, where the model's parameters already are.
    one_cycle : bool, default False
        Use ``torch.optim.lr_scheduler.OneCycleLR``: the learning rate warms up to ``lr`` and
        anneals, while momentum (Adam's beta1) moves the opposite way; stepped every batch.
    augment : callable, optional
        Data augmentation on the device, written as a function of a tensor batch: each *training*
        batch ``x`` is replaced by ``augment(x)`` (run under ``torch.no_grad()``) before the forward
        pass, e.g. random horizontal flips of the batch. It must return one image per input image;
        their size may change (random crops) if the model accepts it. Validation batches are never
        augmented.
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
    >>> flip = lambda x: torch.where(
    ...     torch.rand(len(x), 1) < 0.5, x.flip(1), x
    ... )  # swap the 2 features of half
    >>> fit(nn.Linear(2, 2), (x, y), augment=flip, progress=False, verbose=False).epochs
    1
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}.")
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    lr = _learning_rates(lr, optimizer)
    if augment is not None and not callable(augment):
        raise TypeError(
            f"augment must be a function of a tensor batch that returns the augmented batch (e.g. "
            f"`lambda x: x.flip(3)`), or None; got a {type(augment).__name__}."
        )
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
            if augment is not None:
                x = _augmented(augment, x, check=not checked)
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

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from ainotes.train import predict
    >>> model = nn.Linear(2, 3)
    >>> with torch.no_grad():
    ...     _ = model.weight.copy_(torch.eye(3, 2))
    ...     _ = model.bias.zero_()
    >>> predict(model, torch.tensor([[5.0, 1.0], [0.0, 2.0], [-1.0, -1.0]]))
    tensor([0, 1, 2])
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
