"""Whole data sets as tensors, and per-channel statistics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch.utils.data import Subset


# --------------------------------------------------------------------------------------------
# Fast tensors and statistics
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


def channel_stats(data: Any) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean and standard deviation of pixel values scaled to [0, 1].

    ``data`` is a torchvision-style dataset or a float tensor (N, C, H, W). Computed in float64,
    chunk by chunk, so CIFAR-10's 153 million values take little memory.

    Examples
    --------
    >>> import torch
    >>> from ainotes.data import channel_stats
    >>> x = torch.stack([torch.zeros(3, 2, 2), torch.ones(3, 2, 2)])
    >>> mean, std = channel_stats(x)
    >>> mean
    (0.5, 0.5, 0.5)
    """
    if isinstance(data, torch.Tensor):
        if data.ndim != 4:
            raise ValueError(f"Expected a tensor of shape (N, C, H, W), got {tuple(data.shape)}.")
        images, scale = data, 1.0
    else:
        images, scale = _raw_arrays(data)[0], 1.0 / 255
    channels = images.shape[1]
    total = torch.zeros(channels, dtype=torch.float64)
    squares = torch.zeros(channels, dtype=torch.float64)
    for chunk in images.split(4096):
        chunk = chunk.to(torch.float64).mul_(scale).transpose(0, 1).reshape(channels, -1)
        total += chunk.sum(1)
        squares += chunk.square().sum(1)
    count = images.numel() // channels
    mean = total / count
    std = ((squares - count * mean.square()) / (count - 1)).clamp_min(0).sqrt()  # unbiased, as torch.std
    return tuple(mean.tolist()), tuple(std.tolist())
