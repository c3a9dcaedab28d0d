"""Whole data sets as tensors, read straight from their ``data`` and ``targets`` arrays.

The per-channel statistics that use the same fast path live in :mod:`ainotes.data.stats`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch.utils.data import Subset

__all__ = ["as_tensors"]


# --------------------------------------------------------------------------------------------
# Fast tensors
# --------------------------------------------------------------------------------------------
def _raw_arrays(dataset: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """Images as uint8 (N, C, H, W) and labels as int64, straight from ``data``/``targets``."""
    if isinstance(dataset, Subset):
        images, labels = _raw_arrays(dataset.dataset)
        index = torch.as_tensor(list(dataset.indices), dtype=torch.long)
        return images[index], labels[index]
    if not (hasattr(dataset, "data") and hasattr(dataset, "targets")):
        raise TypeError(
            f"{type(dataset).__name__} has no `data` and `targets` arrays. Pass a torchvision-style "
            "dataset (MNIST, FashionMNIST, CIFAR10, CIFAR10Arrays) or a Subset of one."
        )
    images = torch.as_tensor(np.asarray(dataset.data))
    if images.dtype != torch.uint8:
        raise TypeError(f"Expected uint8 pixels in `data`, got {images.dtype}.")
    if images.ndim == 3:  # (N, H, W) grey
        images = images.unsqueeze(1)
    elif images.ndim == 4 and images.shape[-1] in (1, 3):  # (N, H, W, C) as in CIFAR-10
        images = images.permute(0, 3, 1, 2)
    else:
        raise ValueError(f"Expected images of shape (N, H, W) or (N, H, W, C), got {tuple(images.shape)}.")
    labels = torch.as_tensor(np.asarray(dataset.targets), dtype=torch.long)
    return images.contiguous(), labels


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
    images, labels = _raw_arrays(dataset)
    x = images.float().div_(255)
    if (mean is None) != (std is None):
        raise ValueError("Give both `mean` and `std` to normalise, or neither.")
    if mean is not None:
        channels = x.shape[1]
        if len(mean) != channels or len(std) != channels:
            raise ValueError(f"The images have {channels} channel(s): give {channels} mean and std values.")
        m = torch.tensor(mean, dtype=x.dtype).view(1, -1, 1, 1)
        s = torch.tensor(std, dtype=x.dtype).view(1, -1, 1, 1)
        x.sub_(m).div_(s)
    return x, labels
