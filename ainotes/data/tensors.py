"""Whole data sets as tensors, read straight from their ``data`` and ``targets`` arrays.

The per-channel statistics that use the same fast path live in :mod:`ainotes.data.stats`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch.utils.data import Subset

from ainotes.arguments import _count

__all__ = ["as_tensors"]


# --------------------------------------------------------------------------------------------
# Fast tensors
# --------------------------------------------------------------------------------------------
def _named(dataset: Any) -> str:
    """``dataset`` named for a message: ``'MNIST dataset'``, ``'TensorDataset'``."""
    kind = type(dataset).__name__
    return kind if kind.lower().endswith(("dataset", "subset")) else f"{kind} dataset"


def _per_channel(values: Any, name: str, channels: int, *, positive: bool = False,
                 unit_scale: bool = False) -> torch.Tensor:  # fmt: skip
    """``values`` as a float64 tensor of ``channels`` numbers, or a clear error naming the argument ``name``.

    ``unit_scale``: the statistics are of pixels from 0 to 1, so a value above 1 (of 0-255 pixels) is refused.
    """
    try:
        tensor = torch.as_tensor(values, dtype=torch.float64).flatten()
    except (TypeError, ValueError, RuntimeError) as exc:
        raise TypeError(f"`{name}` must be {_count(channels, 'number')}, one per channel; got {values!r}.") from exc
    if tensor.numel() != channels:
        raise ValueError(f"`{name}` has {_count(tensor.numel(), 'value')}, {values!r}, but the images have "
                         f"{_count(channels, 'channel')}: give {_count(channels, 'value')}, one per channel.")  # fmt: skip
    if not bool(torch.isfinite(tensor).all()):
        raise ValueError(f"`{name}` is {tuple(tensor.tolist())}: every value must be a finite number (no nan or "
                         "inf). Use the values that channel_stats gives.")  # fmt: skip
    if positive and not bool((tensor > 0).all()):
        raise ValueError(f"`{name}` is {tuple(tensor.tolist())}: every standard deviation must be positive (a zero "
                         "would divide by zero). Use the values that channel_stats gives.")  # fmt: skip
    if unit_scale and bool((tensor > 1).any()):
        shown = tuple(round(v, 4) for v in tensor.tolist())
        raise ValueError(f"`{name}` is {shown}: the pixels here run from 0 to 1 (as ToTensor() gives them), so each "
                         f"{name} must be at most 1; divide values of 0-255 pixels by 255 (or use channel_stats).")  # fmt: skip
    return tensor


def _raw_arrays(dataset: Any, *, labels: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """Images as uint8 (N, C, H, W) and labels as int64 (none unless ``labels``), from ``data``/``targets``."""
    if isinstance(dataset, Subset):
        images, targets = _raw_arrays(dataset.dataset, labels=labels)
        index = torch.as_tensor(list(dataset.indices), dtype=torch.long)
        if index.numel() and not (-len(images) <= int(index.min()) and int(index.max()) < len(images)):
            raise ValueError(f"The Subset's indices run from {int(index.min())} to {int(index.max())}, but its "
                             f"{type(dataset.dataset).__name__} has {len(images)} images: give indices from 0 to "
                             f"{len(images) - 1}.")  # fmt: skip
        return images[index], targets[index] if labels else targets
    if not (hasattr(dataset, "data") and hasattr(dataset, "targets")):
        kind = type(dataset).__name__
        advice = {"DataLoader": " (for a DataLoader, pass its dataset: loader.dataset)",
                  "TensorDataset": " (a TensorDataset already holds tensors: dataset.tensors)"}.get(kind, "")  # fmt: skip
        raise TypeError(
            f"{kind} has no `data` and `targets` arrays. Pass a torchvision-style "
            f"dataset (MNIST, FashionMNIST, CIFAR10, CIFAR10Arrays) or a Subset of one{advice}."
        )
    images = torch.as_tensor(np.asarray(dataset.data))
    if images.dtype != torch.uint8:
        raise TypeError(f"Expected uint8 pixels in `data`, got {images.dtype}: the {_named(dataset)}'s `data` "
                        "is not pixels from 0 to 255; read its items with a DataLoader instead.")  # fmt: skip
    if images.ndim == 3:  # (N, H, W) grey
        images = images.unsqueeze(1)
    elif images.ndim == 4 and images.shape[-1] in (1, 3):  # (N, H, W, C) as in CIFAR-10
        images = images.permute(0, 3, 1, 2)
    else:
        raise ValueError(f"Expected images of shape (N, H, W) or (N, H, W, C), got {tuple(images.shape)}.")
    if not labels:
        return images.contiguous(), torch.zeros(0, dtype=torch.long)
    targets = np.asarray(dataset.targets.cpu() if isinstance(dataset.targets, torch.Tensor) else dataset.targets)
    if targets.ndim != 1 or (targets.size and targets.dtype.kind not in "iu"):
        raise TypeError(f"The {_named(dataset)}'s `targets` must be one whole-number label per image; got "
                        f"{targets.dtype} values of shape {targets.shape}.")  # fmt: skip
    if len(targets) != len(images):
        raise ValueError(f"The {_named(dataset)} has {len(images)} images in `data` but {len(targets)} "
                         "labels in `targets`: they must match one to one.")  # fmt: skip
    return images.contiguous(), torch.as_tensor(targets, dtype=torch.long)


def as_tensors(
    dataset: Any,
    mean: Sequence[float] | None = None,
    std: Sequence[float] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A whole split as two tensors, fast: float images in [0, 1] (N, C, H, W) and int64 labels.

    This does in one step what ``ToTensor()`` (and ``Normalize(mean, std)`` when given) do image
    by image, reading the dataset's ``data`` and ``targets`` arrays directly. The dataset's own
    ``transform`` is not applied.

    Examples
    --------
    >>> import torch
    >>> from ainotes.data import as_tensors
    >>> class Tiny:
    ...     data = torch.full((2, 4, 4), 255, dtype=torch.uint8)
    ...     targets = [3, 1]
    >>> x, y = as_tensors(Tiny())
    >>> x.shape, x.max().item(), y.tolist()
    (torch.Size([2, 1, 4, 4]), 1.0, [3, 1])
    """
    if (mean is None) != (std is None):
        raise ValueError("Give both `mean` and `std` to normalise, or neither.")
    images, labels = _raw_arrays(dataset)
    if len(images) == 0:
        raise ValueError(f"The {_named(dataset)} is empty: there are no images to turn into tensors.")
    if mean is not None:
        m = _per_channel(mean, "mean", images.shape[1], unit_scale=True).float().view(1, -1, 1, 1)
        s = _per_channel(std, "std", images.shape[1], positive=True, unit_scale=True).float().view(1, -1, 1, 1)
    x = images.float().div_(255)
    if mean is not None:
        x.sub_(m).div_(s)
    return x, labels
