"""The loop itself: :func:`~ainotes.train.fit`, :func:`~ainotes.train.evaluate` and :func:`~ainotes.train.predict`."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn

from ainotes.arguments import _a, flag, whole
from ainotes.device import _device
from ainotes.model_summary import _model_device
from ainotes.train.batches import (
    Data,
    _batches,
    _check_batch,
    _check_image_list,
    _check_labels,
    _check_output,
    _check_scores,
    _first_loss,
    _forward,
    _is_classification,
    _long_labels,
    _non_finite_error,
    _TensorBatches,
)
from ainotes.train.history import Evaluation, History
from ainotes.train.settings import _check_optimizer, _learning_rates, _loss_function, _make_optimizer, _model

__all__ = ["NonFiniteLossError", "evaluate", "fit", "predict"]

# Steps between the checks that the training loss is finite on a GPU (each waits for it); on the CPU, every step.
CHECK_EVERY = 32


class NonFiniteLossError(ValueError):
    """The training loss became ``nan`` or infinite: :func:`~ainotes.train.fit` stopped at that step.

    Its message says at which epoch and step, and what usually causes it. The model's weights are
    ruined by then: create the model again before the next try.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from ainotes.train import NonFiniteLossError, fit
    >>> x, y = torch.randn(32, 2), torch.randint(0, 2, (32,))
    >>> x[0, 0] = float("nan")  # one missing value in the data
    >>> try:
    ...     fit(nn.Linear(2, 2), (x, y), epochs=3, progress=False, verbose=False)
    ... except NonFiniteLossError as error:
    ...     print(error)
    The training loss was nan at epoch 1, step 1 of 1, so training stopped. Usual causes: a learning rate too high (lr=0.001 there), unnormalised inputs (such as 0-255 pixels), nan in the data, or labels out of range.
    """


# --------------------------------------------------------------------------------------------
# The loop
# --------------------------------------------------------------------------------------------
def _momentum(optimizer: torch.optim.Optimizer) -> float:
    group = optimizer.param_groups[0]
    if "betas" in group:
        return float(group["betas"][0])
    return float(group.get("momentum", float("nan")))


def _empty(batches: Any) -> bool:
    """Whether ``batches`` has no batch; ``False`` when that is unknown (a DataLoader over an IterableDataset)."""
    try:
        return len(batches) == 0
    except TypeError:
        return False


def _check_interval(device: torch.device) -> int:
    """Steps between the checks that the loss is finite: every step on the CPU, where a check costs nothing."""
    return 1 if device.type == "cpu" else CHECK_EVERY


def _diverged(recent: list[torch.Tensor], epoch: int, step: int, steps: int, lrs: list[float]) -> NonFiniteLossError:
    """The error for a loss that stopped being finite in the last ``len(recent)`` steps, ending at ``step``."""
    values = torch.stack(recent).detach().double().cpu()
    bad = (~torch.isfinite(values)).nonzero()
    index = int(bad[0, 0]) if len(bad) else len(values) - 1  # else the float32 running total overflowed here
    at, lr = step - len(values) + 1 + index, lrs[len(lrs) - len(values) + index]
    return NonFiniteLossError(
        f"The training loss was {values[index].item():g} at epoch {epoch + 1}, step {at + 1} of {steps}, so training "
        f"stopped. Usual causes: a learning rate too high (lr={lr:.2g} there), unnormalised inputs (such as 0-255 "
        "pixels), nan in the data, or labels out of range."
    )


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
    model = _model(model)
    epochs = whole(epochs, "epochs", least=1, example="epochs=5")
    batch_size = whole(batch_size, "batch_size", least=1, example="batch_size=64")
    lr = _learning_rates(lr, optimizer)
    one_cycle, progress, verbose = flag(one_cycle, "one_cycle"), flag(progress, "progress"), flag(verbose, "verbose")
    if augment is not None and not callable(augment):
        raise TypeError(
            f"augment must be a function of a tensor batch that returns the augmented batch (e.g. "
            f"`lambda x: x.flip(3)`), or None; got {_a(augment)}."
        )
    classify, loss_fn = _is_classification(loss_fn), _loss_function(loss_fn)
    _check_optimizer(optimizer, model)
    if device is not None:
        model.to(_device(device))
    device = _model_device(model)
    train_batches = _batches(train_data, batch_size, True, device, "train_data", classify)
    valid_batches = (None if valid_data is None
                     else _batches(valid_data, max(batch_size, 256), False, device, "valid_data", classify))  # fmt: skip
    if len(train_batches) == 0:
        raise ValueError("train_data is empty: there is nothing to train on.")
    if valid_batches is not None and _empty(valid_batches):
        raise ValueError("valid_data is empty: give some validation data, or leave valid_data out.")
    if isinstance(train_batches, _TensorBatches) and isinstance(valid_batches, _TensorBatches) and (
            train_batches.x.dtype != valid_batches.x.dtype):  # fmt: skip
        raise TypeError(f"The images of train_data are {train_batches.x.dtype} values but those of valid_data "
                        f"{valid_batches.x.dtype}: prepare both the same way (e.g. x.float() / 255, then normalise).")  # fmt: skip
    if one_cycle and 0.3 * epochs * len(train_batches) <= 1:  # OneCycleLR's warm-up, pct_start=0.3 of the steps
        raise ValueError(f"one_cycle=True needs at least 4 steps (epochs × batches per epoch) to warm up and anneal; "
                         f"got {epochs * len(train_batches)}: train for more epochs or smaller batches, or set "
                         "one_cycle=False.")  # fmt: skip
    opt = _make_optimizer(optimizer, model, lr)
    scheduler = None
    if one_cycle:
        scheduler = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * len(train_batches))

    from tqdm.auto import tqdm

    history = History()
    checked = False
    steps = len(train_batches)
    check_every = _check_interval(device)
    # mininterval: a redraw at most every 0.5 s keeps the messages a notebook front-end receives few
    bar = tqdm(total=epochs * steps, disable=not progress, unit="batch", dynamic_ncols=True, mininterval=0.5)
    for epoch in range(epochs):
        start = time.perf_counter()
        bar.set_description(f"epoch {epoch + 1}/{epochs}")
        model.train()
        total_loss = torch.zeros((), device=device)
        correct = torch.zeros((), device=device, dtype=torch.long)
        seen = 0
        recent: list[torch.Tensor] = []  # the losses since the last check that they are finite
        for step, (x, y) in enumerate(train_batches):
            x, y = x.to(device, non_blocking=True), _long_labels(y.to(device, non_blocking=True))
            if augment is not None:
                x = _augmented(augment, x, check=not checked)
            out = _forward(model, x, "train_data", train_batches)
            if checked:
                loss = loss_fn(out, y)
                opt.zero_grad(set_to_none=True)
                loss.backward()
            else:
                _check_batch(out, y, x, model, "train_data", classify)
                for name, batches in (("train_data", train_batches), ("valid_data", valid_batches)):
                    if isinstance(batches, _TensorBatches) and out.ndim == 2 and batches.y.ndim == 1:
                        _check_labels(batches.y, out.shape[1], name)  # all labels at once, when cheap
                opt.zero_grad(set_to_none=True)
                loss = _first_loss(loss_fn, out, y, "train_data", backward=True)
                checked = True
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
            recent.append(loss.detach())
            if len(recent) >= check_every or step == steps - 1:  # one wait for the GPU per check
                if not torch.isfinite(total_loss):
                    bar.close()
                    raise _diverged(recent, epoch, step, steps, history.lr)
                recent.clear()
        history.train_loss.append(total_loss.item() / seen)
        history.train_acc.append(correct.item() / seen)
        if valid_batches is not None:
            result = _evaluate_batches(model, valid_batches, loss_fn, device, "valid_data", classify)
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
def _evaluate_batches(model: nn.Module, batches: Any, loss_fn: Callable, device: torch.device, name: str = "data",
                      classify: bool = False) -> Evaluation:  # fmt: skip
    was_training = model.training
    model.eval()
    total_loss = torch.zeros((), device=device, dtype=torch.float64)
    correct = torch.zeros((), device=device, dtype=torch.long)
    seen, finite = 0, torch.ones((), device=device, dtype=torch.bool)  # whether every output was finite
    try:
        for i, (x, y) in enumerate(batches):
            x, y = x.to(device), _long_labels(y.to(device))
            out = _forward(model, x, name)
            if i == 0:
                _check_batch(out, y, x, model, name, classify)
                loss = _first_loss(loss_fn, out, y, name, backward=False)
            else:
                loss = loss_fn(out, y)
            total_loss += loss.double() * y.shape[0]
            finite &= torch.isfinite(out).all()
            if out.ndim == 2:
                correct += (out.argmax(1) == y).sum()
            seen += y.shape[0]
    finally:
        model.train(was_training)
    if seen == 0:
        raise ValueError(f"{name} is empty: there is nothing to evaluate.")
    if not finite:
        raise _non_finite_error(model, name)
    return Evaluation(total_loss.item() / seen, correct.item() / seen)


def evaluate(
    model: nn.Module,
    data: Data,
    *,
    loss_fn: Callable | None = None,
    batch_size: int = 256,
    device: torch.device | str | int | None = None,
) -> Evaluation:
    """Mean loss and accuracy of ``model`` on ``data``, in evaluation mode and without gradients.

    The model's train/eval mode is restored afterwards. ``data``, ``loss_fn`` and ``device`` are
    as for :func:`~ainotes.train.fit`.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from ainotes.train import evaluate
    >>> model = nn.Linear(2, 2)
    >>> result = evaluate(model, (torch.randn(10, 2), torch.zeros(10, dtype=torch.long)))
    >>> 0.0 <= result.accuracy <= 1.0
    True
    >>> evaluate(model, (torch.randn(10, 2), torch.zeros(10)))
    Traceback (most recent call last):
    ...
    TypeError: The labels of data hold torch.float32 values: class labels are whole numbers (0, 1, 2, ...), use y.long().
    """
    model = _model(model)
    batch_size = whole(batch_size, "batch_size", least=1, example="batch_size=256")
    classify, loss_fn = _is_classification(loss_fn), _loss_function(loss_fn)
    if device is not None:
        model.to(_device(device))
    device = _model_device(model)
    batches = _batches(data, batch_size, False, device, "data", classify)
    return _evaluate_batches(model, batches, loss_fn, device, "data", classify)


@torch.no_grad()
def predict(model: nn.Module, data: Data, *, batch_size: int = 256) -> torch.Tensor:
    """Predicted class (index of the largest score) for every input in ``data``, on the CPU.

    ``data`` may also be a single tensor of inputs. A list of image tensors is refused, not stacked
    (a list is read as an ``(images, labels)`` pair): give ``torch.stack(images)``.

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
    model = _model(model)
    batch_size = whole(batch_size, "batch_size", least=1, example="batch_size=256")
    device = _model_device(model)
    if isinstance(data, torch.Tensor):
        if data.ndim == 0:
            raise ValueError("data is a single number (shape ()): give a batch of inputs, e.g. images [N, C, H, W].")
        data = (data, torch.zeros(len(data), dtype=torch.long))
    _check_image_list(data)
    batches = _batches(data, batch_size, False, device, "data")
    was_training = model.training
    model.eval()
    predictions = []
    try:
        for x, _ in batches:
            x = x.to(device)
            out = _forward(model, x, "data")
            if not predictions:
                _check_output(out, x, model, "data")
                _check_scores(out, "data")
            if not bool(torch.isfinite(out).all()):
                raise _non_finite_error(model, "data")
            predictions.append(out.argmax(1).cpu())
    finally:
        model.train(was_training)
    if not predictions:
        raise ValueError("data is empty: there is nothing to predict.")
    return torch.cat(predictions)
