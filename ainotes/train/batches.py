"""Batches for the loop: the fast path over in-memory tensors, DataLoaders otherwise, and the
checks that turn a shape or type mistake into a clear message.
"""

from __future__ import annotations

import contextlib
import inspect
import numbers
import random
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset, default_collate, default_convert

from ainotes.arguments import _a, _kind
from ainotes.model_summary import _first_layer, _root_cause

Data = Dataset | DataLoader | tuple[torch.Tensor, torch.Tensor]

_SMALL_INTEGERS = (torch.int8, torch.int16, torch.int32, torch.uint8)  # class labels cross_entropy refuses or narrows


def _long_labels(y: torch.Tensor) -> torch.Tensor:
    """Integer labels of a smaller type as ``int64``, which ``cross_entropy`` needs; others unchanged."""
    return y.long() if y.dtype in _SMALL_INTEGERS else y


def _is_classification(loss_fn: Any) -> bool:
    """Whether ``loss_fn`` (``None``: the default) takes class indices as labels."""
    return loss_fn is None or isinstance(loss_fn, (nn.CrossEntropyLoss, nn.NLLLoss)) or loss_fn in (
        F.cross_entropy, F.nll_loss)  # fmt: skip


# --------------------------------------------------------------------------------------------
# Batches
# --------------------------------------------------------------------------------------------
class _TensorBatches:
    """Batches cut from two in-memory tensors by indexing (the fast path)."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, batch_size: int, shuffle: bool, device: torch.device,
                 name: str = "data", classify: bool = False) -> None:  # fmt: skip
        for what, t in (("images", x), ("labels", y)):
            if t.ndim == 0:
                raise ValueError(f"The {what} of {name} are a single number (shape ()): give one per input, "
                                 f"a tensor whose first dimension is the batch.")  # fmt: skip
        if len(x) != len(y):
            raise ValueError(f"{name} has {len(x)} inputs but {len(y)} labels: they must match one to one.")
        if classify:
            _check_label_tensor(y, name)
        self.x, self.y = x.to(device), _long_labels(y).to(device)
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


def _batches(data: Data, batch_size: int, shuffle: bool, device: torch.device, name: str, classify: bool = False):
    if isinstance(data, DataLoader):
        if data.collate_fn in (default_collate, default_convert):  # a collate_fn of one's own may convert the items
            _peek(data.dataset, name, classify)
        return data
    if isinstance(data, (tuple, list)) and len(data) == 2 and all(isinstance(t, torch.Tensor) for t in data):
        return _TensorBatches(data[0], data[1], batch_size, shuffle, device, name, classify)
    if isinstance(data, TensorDataset) and len(data.tensors) == 2:
        return _TensorBatches(*data.tensors, batch_size, shuffle, device, name, classify)
    if isinstance(data, Dataset):
        _peek(data, name, classify)
        return DataLoader(data, batch_size=batch_size, shuffle=shuffle)
    raise TypeError(
        f"{name} must be a (images, labels) pair of tensors, a Dataset or a DataLoader; {_what(data, name)}."
    )


def _what(data: Any, name: str) -> str:
    """What ``data`` is instead, and how to fix it, for the error of :func:`_batches`."""
    if isinstance(data, (tuple, list)) and len(data) == 2:
        kinds = tuple(type(t).__name__ for t in data)
        fix = ("convert them with torch.from_numpy(x) and torch.from_numpy(y).long()"
               if any(isinstance(t, np.ndarray) for t in data) else "convert them with torch.tensor(...)")  # fmt: skip
        return f"got a pair of ({', '.join(kinds)}): {fix}"
    if isinstance(data, (tuple, list)):
        return f"got {_a(data)} of {len(data)} items: give (images, labels)"
    if isinstance(data, torch.Tensor):
        return f"got a single tensor of shape {tuple(data.shape)}: give the labels too, as (images, labels)"
    if isinstance(data, np.ndarray):
        return "got a NumPy array: give (torch.from_numpy(x), torch.from_numpy(y).long())"
    if name == "valid_data" and isinstance(data, numbers.Number):
        return f"got {data!r}: settings such as epochs are keyword arguments, e.g. fit(model, train_data, epochs=5)"
    return f"got {_kind(data)}"


@contextlib.contextmanager
def _same_random_numbers() -> Iterator[None]:
    """Restore the random states of Python, NumPy and PyTorch (CPU) afterwards."""
    states = random.getstate(), np.random.get_state(), torch.get_rng_state()
    try:
        yield
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])
        torch.set_rng_state(states[2])


def _peek(dataset: Any, name: str, classify: bool) -> None:
    """Check the first item of a map-style data set: an (image, label) pair of a tensor and a class index."""
    try:
        if len(dataset) == 0:
            return
    except TypeError:  # an IterableDataset: nothing to peek at cheaply
        return
    with _same_random_numbers():  # a random transform must not shift the numbers training draws
        item = dataset[0]
    if not isinstance(item, (tuple, list)) or len(item) != 2:
        size = f" of {len(item)} items" if isinstance(item, (tuple, list)) else ""
        raise TypeError(f"The items of {name} must be (image, label) pairs; its first item is a "
                        f"{type(item).__name__}{size}.")  # fmt: skip
    image, label = item
    if type(image).__module__.startswith("PIL."):
        raise TypeError(f"{name} gives PIL images, not tensors: create the data set with transform=ToTensor() "
                        "(from torchvision.transforms), so that its items are tensors [C, H, W].")  # fmt: skip
    if not classify or isinstance(label, numbers.Integral) and not isinstance(label, (bool, np.bool_)):
        return
    if isinstance(label, (torch.Tensor, np.ndarray, bool, np.bool_, numbers.Real)):
        label = torch.as_tensor(np.asarray(label) if isinstance(label, np.ndarray) else label)
        if label.ndim > 0 and label.numel() > 1:
            raise ValueError(f"The labels of {name} are tensors of shape {tuple(label.shape)}, not class indices: "
                             "give each item's class as a whole number (label.argmax() for one-hot labels).")  # fmt: skip
        _check_label_tensor(label.reshape(1), name)
        return
    raise TypeError(f"The labels of {name} must be class indices (whole numbers); its first label is a "
                    f"{type(label).__name__}.")  # fmt: skip


# --------------------------------------------------------------------------------------------
# Checks of labels, inputs and outputs
# --------------------------------------------------------------------------------------------
def _check_label_tensor(y: torch.Tensor, name: str) -> None:
    """Class labels must be whole numbers, one per input: refuse floats, True/False, one-hot rows and columns."""
    if y.dtype == torch.bool:
        raise TypeError(f"The labels of {name} are True/False values: class labels are whole numbers, use y.long().")
    if y.is_floating_point() or y.is_complex():
        fix = "y.argmax(1) for one-hot rows" if y.ndim == 2 and y.shape[1] > 1 else "y.long()"
        raise TypeError(f"The labels of {name} hold {y.dtype} values: class labels are whole numbers (0, 1, 2, ...), "
                        f"use {fix}.")  # fmt: skip
    if y.ndim != 1:
        fix = ("y.squeeze(1)" if y.ndim == 2 and y.shape[1] == 1 else "y.argmax(1) for one-hot rows"
               if y.ndim == 2 else "one class index per input")  # fmt: skip
        raise ValueError(f"The labels of {name} have shape {tuple(y.shape)}: give one class index per input, a 1-D "
                         f"tensor; use {fix}.")  # fmt: skip


def _check_batch(model_out: Any, y: torch.Tensor, x: torch.Tensor, model: nn.Module, name: str = "data",
                 classify: bool = False) -> None:  # fmt: skip
    """Catch the usual shape and label mistakes on a first batch, with a message that says what to change."""
    if classify:
        _check_label_tensor(y, name)
    _check_output(model_out, x, model, name, classes=classify or (y.dtype == torch.int64 and y.ndim == 1))
    if model_out.shape[0] != y.shape[0]:
        raise ValueError(f"{name} has {x.shape[0]} inputs but {y.shape[0]} labels in a batch: they must match.")
    if y.dtype == torch.int64 and y.ndim == 1:
        _check_labels(y, model_out.shape[1], name)
    if classify:
        _check_scores(model_out, name)


def _check_output(out: Any, x: torch.Tensor, model: nn.Module, name: str, classes: bool = True) -> None:
    """The model must return one row of scores per input: ``(batch, classes)`` when ``classes``."""
    if not isinstance(out, torch.Tensor):
        size = f" of {len(out)} items" if isinstance(out, (tuple, list)) else ""
        raise TypeError(f"The model returned {_a(out)}{size}, not a tensor of (batch, classes) scores: "
                        "make forward() return only the scores (e.g. `return self.fc(x)`).")  # fmt: skip
    hint = _input_hint(model, x, name)
    if out.ndim == 0 or out.shape[0] != x.shape[0]:
        if hint:
            raise ValueError(hint)
        raise ValueError(
            f"The model returned {out.shape[0] if out.ndim else 'a single value instead of'} rows of outputs for a "
            f"batch of {x.shape[0]} inputs of shape {tuple(x.shape)}. A reshape inside the model (such as "
            "`x.view(-1, n)`) probably uses the wrong feature count: print the shape before it."
        )
    if classes and out.ndim != 2:
        if hint:
            raise ValueError(hint)
        fix = ("make the last layer return one score per class, e.g. nn.Linear(features, classes), and do not squeeze "
               "its output" if out.ndim == 1 else "Add nn.Flatten() before the last nn.Linear")  # fmt: skip
        raise ValueError(f"The model's output has shape {tuple(out.shape)}, but a classifier must return (batch, "
                         f"classes) scores. {fix[0].upper() + fix[1:]}.")  # fmt: skip


def _check_labels(y: torch.Tensor, n_outputs: int, name: str = "data") -> None:
    if y.numel() == 0:
        return
    low, high = int(y.min()), int(y.max())
    if low < 0 or high >= n_outputs:
        raise ValueError(
            f"The labels run from {low} to {high}, but the model returns {n_outputs} scores per "
            f"input (one per class, for labels 0 to {n_outputs - 1}). Make the last layer "
            f"return {high + 1} outputs, or check the labels of {name}."
        )


def _input_hint(model: nn.Module, x: torch.Tensor, name: str) -> str:
    """A message for a batch of images a model starting with ``nn.Conv2d`` cannot take; "" if none applies."""
    first = _first_layer(model)
    if not isinstance(first, nn.Conv2d):
        return ""
    shape, channels = tuple(x.shape), first.in_channels
    if x.ndim == 3 and shape[0] == channels:
        fix = "a single image [C, H, W]: add the batch dimension with x.unsqueeze(0)"
    elif x.ndim == 3:
        fix = "grey images [N, H, W] without a channel dimension: add it with x.unsqueeze(1)"
    elif x.ndim == 4 and shape[1] != channels and shape[-1] == channels:
        fix = "channels-last images [N, H, W, C]: PyTorch wants [N, C, H, W], use x.permute(0, 3, 1, 2)"
    else:
        return ""
    return (f"The inputs of {name} have shape {shape}, but the model starts with nn.Conv2d({channels}, ...), which "
            f"needs a batch of images [N, {channels}, H, W]; these look like {fix}.")  # fmt: skip


def _forward(model: nn.Module, x: torch.Tensor, name: str = "data", batches: Any = None) -> Any:
    try:
        return model(x)
    except ValueError as exc:  # nn.BatchNorm in training mode on a batch of one image
        if "Expected more than 1 value per channel" not in str(exc) or len(x) != 1:
            raise
        raise _single_image_error(model, name, batches) from None
    except RuntimeError as exc:
        weight = next((p for p in model.parameters() if p.is_floating_point()), None)
        about_types = "type" in str(exc) or "implemented for" in str(exc)  # e.g. "Input type (unsigned char) and ..."
        if about_types and not x.is_floating_point():
            fix = "x.float() / 255 for 0-255 pixels" if x.dtype == torch.uint8 else "x.float()"
            raise TypeError(
                f"The inputs of {name} are {x.dtype} values, not floats: convert them, e.g. {fix}."
            ) from None
        if about_types and weight is not None and x.dtype != weight.dtype:
            raise TypeError(f"The inputs of {name} are {x.dtype} values but the model's weights are {weight.dtype}: "
                            f"convert them with x.to({weight.dtype}) (x.float() for float32).") from None  # fmt: skip
        hint = _input_hint(model, x, name)
        if hint:
            raise ValueError(hint) from None
        if "shape" not in str(exc) and "size" not in str(exc):
            raise
        raise ValueError(
            f"The model could not process a batch of shape {tuple(x.shape)} from {name}: {_root_cause(exc)}. "
            f"Check the first layer (nn.Conv2d needs in_channels={x.shape[1] if x.ndim == 4 else '?'}"
            "; nn.Linear needs flattened inputs) and every reshape in forward()."
        ) from None


def _single_image_error(model: nn.Module, name: str, batches: Any) -> ValueError:
    """Why a batch of one image fails in training mode (batch normalisation), with batch sizes that avoid it."""
    layer = next((type(m).__name__ for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)),
                 "batch normalisation")  # fmt: skip
    n, size, drop = None, None, "leave one image out"
    if isinstance(batches, _TensorBatches):
        n, size, drop = len(batches.x), batches.batch_size, f"leave one image out, e.g. {name}=(x[:-1], y[:-1])"
    elif isinstance(batches, DataLoader):
        size, drop = batches.batch_size, "build the DataLoader with drop_last=True"
        with contextlib.suppress(TypeError):
            n = len(batches.dataset)
    if n == 1:
        return ValueError(f"{name} holds a single image, and {layer} cannot normalise one image in training mode: "
                          "give at least 2 images.")  # fmt: skip
    if n is None or size is None or n % size != 1:
        return ValueError(f"A batch of {name} holds a single image, and {layer} cannot normalise one image in "
                          f"training mode: choose a batch_size that does not leave 1 image, or {drop}.")  # fmt: skip
    below = next((b for b in range(size - 1, 1, -1) if n % b != 1), None)
    above = next(b for b in range(size + 1, n + 1) if n % b != 1)
    sizes = f"batch_size={below} or {above}" if below else f"batch_size={above}"
    return ValueError(f"The last batch of {name} holds a single image ({n} images in batches of {size}), and {layer} "
                      f"cannot normalise one image in training mode: choose a batch_size that does not leave 1 image, "
                      f"e.g. {sizes}, or {drop}.")  # fmt: skip


def _non_finite_error(model: nn.Module, name: str) -> ValueError:
    """The error for outputs holding nan or inf, which make losses and predictions meaningless."""
    broken = any(not bool(torch.isfinite(p).all()) for p in model.parameters() if p.is_floating_point())
    why = ("its weights hold nan or inf, probably ruined by training that diverged: create the model again and "
           "train it with a lower learning rate" if broken else "check the inputs for nan or inf (torch.isfinite(x).all()) "
           "and the model's forward()")  # fmt: skip
    return ValueError(f"The model's outputs on {name} are not finite (nan or inf), so its predictions mean nothing: "
                      f"{why}.")  # fmt: skip


def _check_scores(out: torch.Tensor, name: str) -> None:
    """A classifier needs one score per class: with a single one, argmax is always class 0."""
    if out.ndim == 2 and out.shape[1] == 1:
        raise ValueError(f"The model returns 1 score per input of {name}, but a classifier needs one per class (at "
                         "least 2): the largest of one score is always class 0. Make the last layer return one score "
                         "per class, e.g. nn.Linear(features, 10).")  # fmt: skip


def _check_image_list(data: Any) -> None:
    """Refuse a list of image tensors given to predict (read as an (images, labels) pair), and NumPy images."""
    if isinstance(data, np.ndarray):
        raise TypeError(f"data is a NumPy array of shape {list(data.shape)}: predict takes a tensor of images, e.g. "
                        "predict(model, torch.from_numpy(x)).")  # fmt: skip
    if not (isinstance(data, (list, tuple)) and data and all(isinstance(t, torch.Tensor) for t in data)):
        return
    first, second = data[0], data[-1]
    labels = (len(data) == 2 and first.ndim >= 1 and second.ndim == 1 and len(second) == len(first)
              and not (second.is_floating_point() and second.shape == first.shape))  # fmt: skip
    if not labels:
        raise ValueError(f"data is {_a(data)} of {len(data)} tensors of shape {tuple(first.shape)}: a "
                         "list is read as (images, labels). For a list of images, stack them into one batch: "
                         "predict(model, torch.stack(images)).")  # fmt: skip


def _check_log_probabilities(loss_fn: Any, out: torch.Tensor) -> None:
    """NLLLoss needs log-probabilities (the output of nn.LogSoftmax): refuse raw scores on a first batch."""
    if not (isinstance(loss_fn, nn.NLLLoss) or loss_fn is F.nll_loss) or out.ndim != 2 or not out.numel():
        return
    values = out.detach().float()
    if bool((values > 1e-4).any()) or bool(((values.logsumexp(1)).abs() > 1e-2).any()):
        raise ValueError(f"loss_fn={_describe(loss_fn)} needs log-probabilities, but the model's outputs are not "
                         f"(they run from {values.min().item():.3g} to {values.max().item():.3g}; log-probabilities "
                         "are <= 0 and their exp sums to 1 per input): use loss_fn=nn.CrossEntropyLoss() (the default), which takes raw scores, or end the "
                         "model with nn.LogSoftmax(dim=1).")  # fmt: skip


def _describe(loss_fn: Any) -> str:
    return repr(loss_fn) if isinstance(loss_fn, nn.Module) else getattr(loss_fn, "__name__", type(loss_fn).__name__)


def _first_loss(loss_fn: Callable, out: torch.Tensor, y: torch.Tensor, name: str, backward: bool) -> torch.Tensor:
    """``loss_fn(out, y)`` (and its backward pass) on a first batch, with a clear error when it does not fit."""
    _check_log_probabilities(loss_fn, out)
    try:
        loss = loss_fn(out, y)
    except (RuntimeError, TypeError, ValueError, IndexError) as exc:
        raise _loss_error(loss_fn, out, y, name, exc) from None
    if not isinstance(loss, torch.Tensor):
        raise TypeError(f"loss_fn={_describe(loss_fn)} returned {_a(loss)}, not a tensor: compute the "
                        "loss with torch operations (no .item() or float()), e.g. nn.CrossEntropyLoss().")  # fmt: skip
    if loss.numel() != 1:
        raise ValueError(f"loss_fn={_describe(loss_fn)} returned a loss of shape {tuple(loss.shape)}: it must be "
                         "one number, the mean over the batch (reduction='mean', the default).")  # fmt: skip
    if backward and not loss.requires_grad:
        raise ValueError("The loss does not depend on the model's parameters (it has no gradient): forward() and "
                         "loss_fn must not detach it (.detach(), .item(), .argmax(), torch.no_grad()).")  # fmt: skip
    if backward:
        try:
            loss.backward()
        except RuntimeError as exc:
            if "dtype" not in str(exc):  # e.g. MSELoss with integer labels: "Found dtype Long but expected Float"
                raise
            raise _loss_error(loss_fn, out, y, name, exc) from None
    return loss


def _loss_error(loss_fn: Callable, out: torch.Tensor, y: torch.Tensor, name: str, exc: BaseException) -> ValueError:
    hint = ("For class labels use nn.CrossEntropyLoss() (the default), which takes (batch, classes) scores and "
            "whole-number labels." if not _is_classification(loss_fn) and not y.is_floating_point()
            else "Check that loss_fn takes (outputs, labels), in this order.")  # fmt: skip
    if not _takes_two(loss_fn, out, y):
        hint = "The loss is called as loss_fn(outputs, labels): give a function of these two arguments."
    return ValueError(f"loss_fn={_describe(loss_fn)} does not fit the first batch of {name} (outputs "
                      f"{tuple(out.shape)} {out.dtype}, labels {tuple(y.shape)} {y.dtype}): {_root_cause(exc)}. "
                      f"{hint}")  # fmt: skip


def _takes_two(loss_fn: Callable, out: torch.Tensor, y: torch.Tensor) -> bool:
    """Whether ``loss_fn(out, y)`` fits its signature (True when the signature cannot be read)."""
    try:
        inspect.signature(loss_fn).bind(out, y)
    except TypeError:
        return False
    except ValueError:
        return True
    return True
