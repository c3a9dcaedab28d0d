"""Per-channel statistics of images, and undoing ``Normalize`` to show normalised images.

:func:`~ainotes.data.channel_stats` gives the per-channel mean and standard deviation that
``transforms.Normalize(mean, std)`` needs, from a dataset, a DataLoader or a tensor;
:func:`~ainotes.data.unnormalize` turns normalised images back into pixel values in [0, 1].
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, IterableDataset, Subset, default_collate, default_convert

from ainotes.arguments import _a
from ainotes.data.tensors import _per_channel, _raw_arrays

__all__ = ["channel_stats", "unnormalize"]

_KINDS = "Pass a Dataset, a DataLoader or a tensor [N, C, H, W]"
_LEVELS = torch.arange(256, dtype=torch.float64) / 255  # the values of uint8 pixels, scaled to [0, 1]


def _has_pixel_arrays(dataset: Any) -> bool:
    """Whether ``dataset`` (or the dataset under a Subset) has uint8 ``data`` and ``targets`` arrays."""
    while isinstance(dataset, Subset):
        dataset = dataset.dataset
    data = getattr(dataset, "data", None)
    return hasattr(dataset, "targets") and str(getattr(data, "dtype", "")) in ("uint8", "torch.uint8")


def _check_first_item(dataset: Any, where: str) -> None:
    """Refuse an empty dataset, and one whose items are PIL images, before reading it all."""
    if isinstance(dataset, IterableDataset) or not hasattr(dataset, "__len__"):
        return
    if len(dataset) == 0:
        raise ValueError(f"{where} is empty: there are no pixels to average.")
    item = dataset[0]
    if isinstance(item, (tuple, list)) and item:
        item = item[0]
    if type(item).__module__.startswith("PIL."):
        raise TypeError(f"{where} gives PIL images, not tensors: give the dataset transform=ToTensor(), e.g. "
                        "cifar10(transform=ToTensor()), so that its items are tensors [C, H, W].")  # fmt: skip


def _check_batch(x: Any, where: str) -> torch.Tensor:
    """``x`` if it is a batch [N, C, H, W] of float or uint8 pixels, else a clear error saying what it is."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{where} is {_a(x)}, not a tensor. {_KINDS} of images.")
    shape = tuple(x.shape)
    if x.ndim == 3 and shape[0] in (1, 3):
        raise ValueError(f"{where} has shape {shape}: a single image [C, H, W]. Statistics need a batch: "
                         "pass a batch [N, C, H, W], e.g. image.unsqueeze(0). (If it is a batch of grey images "
                         "[N, H, W], add the channel dimension with x.unsqueeze(1).)")  # fmt: skip
    if x.ndim == 3:
        raise ValueError(f"{where} has shape {shape}: a batch of grey images [N, H, W] without a channel "
                         "dimension. Add the channel dimension with x.unsqueeze(1).")  # fmt: skip
    if x.ndim != 4:
        raise ValueError(f"{where} has shape {shape}: expected a batch of images [N, C, H, W].")
    if shape[1] not in (1, 3) and shape[-1] in (1, 3):
        raise ValueError(f"{where} has shape {shape}: it looks channels-last [N, H, W, C], as numpy, PIL and "
                         "matplotlib store images. PyTorch wants [N, C, H, W]: use x.permute(0, 3, 1, 2).")  # fmt: skip
    if x.dtype != torch.uint8 and not x.is_floating_point():
        raise TypeError(f"{where} holds {x.dtype} values: give float pixels in [0, 1] or uint8 pixels from 0 to "
                        "255 (for 0 to 255 values in another type, use x.float() / 255).")  # fmt: skip
    return x


def _batches(data: Any, batch_size: int) -> tuple[Iterable, str]:
    """The batches to read ``data`` by, and how to name one in an error message."""
    if isinstance(data, torch.Tensor):
        if data.numel() == 0:
            raise ValueError(f"The tensor of shape {tuple(data.shape)} is empty: there are no pixels to average.")
        return _check_batch(data, "The tensor").split(batch_size), "The tensor"
    if _has_pixel_arrays(data):
        images = _raw_arrays(data, labels=False)[0]
        if images.numel() == 0:
            raise ValueError(f"The {type(data).__name__} is empty: there are no pixels to average.")
        return images.split(batch_size), f"The {type(data).__name__}'s `data`"
    if isinstance(data, DataLoader):
        if data.collate_fn in (default_collate, default_convert):  # a collate_fn of one's own may read PIL images
            _check_first_item(data.dataset, "The DataLoader's dataset")
        return data, "A batch from the DataLoader"
    if isinstance(data, Dataset):
        _check_first_item(data, f"The {type(data).__name__}")
        return DataLoader(data, batch_size=batch_size), f"A batch of the {type(data).__name__}'s items"
    advice = " (for a numpy array, torch.from_numpy(array))" if isinstance(data, np.ndarray) else ""
    if isinstance(data, (list, tuple)) and data and all(isinstance(item, torch.Tensor) for item in data):
        advice = " (for a list of images [C, H, W], torch.stack(images))"
    raise TypeError(f"channel_stats cannot read a {type(data).__name__}. {_KINDS}{advice}.")


def channel_stats(
    data: Any, *, unbiased: bool = True, batch_size: int = 1000
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean and standard deviation of pixel values in [0, 1]: the numbers ``Normalize`` needs.

    Sums of x and x² are accumulated in float64, batch by batch, so CIFAR-10's 153 million values
    take little memory and no precision is lost (uint8 pixels are counted per value, exactly).

    Parameters
    ----------
    data : Dataset, DataLoader or tensor
        - a torchvision-style dataset with uint8 ``data`` and ``targets`` arrays (MNIST,
          FashionMNIST, CIFAR10, :class:`~ainotes.data.CIFAR10Arrays`) or a ``Subset`` of one: the
          fast path reads the arrays directly, scaled by 1/255. The dataset's ``transform`` is
          **not** applied: these are the statistics of the raw pixels, which is what ``Normalize``
          after ``ToTensor()`` needs;
        - any other ``Dataset`` whose items are ``(image, label)`` or images, tensors [C, H, W]:
          read through a ``DataLoader(data, batch_size=batch_size)``, transform included;
        - a ``DataLoader`` yielding batches ``(x, y)`` or ``x``, with x of shape [N, C, H, W];
        - a tensor [N, C, H, W]: float values as they are, uint8 values scaled by 1/255.
    unbiased : bool, default True
        True: the sample standard deviation (divide by n − 1), as ``torch.std``. False: the
        population standard deviation (divide by n), as ``numpy.std``.
    batch_size : int, default 1000
        Images per batch for the fast path, a tensor and a dataset (a DataLoader keeps its own).

    Returns
    -------
    mean, std : tuple of float
        One value per channel.

    Examples
    --------
    >>> import torch
    >>> from ainotes.data import channel_stats
    >>> x = torch.stack(
    ...     [torch.zeros(3, 2, 2), torch.ones(3, 2, 2)]
    ... )  # two images, 3 channels
    >>> mean, std = channel_stats(x, unbiased=False)
    >>> mean, std
    ((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))
    >>> channel_stats(
    ...     torch.full((1, 1, 2, 2), 255, dtype=torch.uint8)
    ... )  # uint8 pixels are scaled by 1/255
    ((1.0,), (0.0,))
    >>> channel_stats(torch.rand(3, 32, 32))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: The tensor has shape (3, 32, 32): a single image [C, H, W]. ... e.g. image.unsqueeze(0). ...
    """
    if not isinstance(unbiased, (bool, np.bool_)):
        raise TypeError(f"`unbiased` must be True or False, got {unbiased!r}.")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"`batch_size` must be a positive int, got {batch_size!r}: e.g. batch_size=1000.")
    if batch_size < 1:
        raise ValueError(f"`batch_size` must be a positive int, got {batch_size}: e.g. batch_size=1000.")
    batches, where = _batches(data, int(batch_size))
    n, shift, s1, s2 = 0, None, 0.0, 0.0  # sums of (x - shift) and its square: shifted, so they cancel little
    for batch in batches:
        if isinstance(batch, (tuple, list)) and batch:
            batch = batch[0]
        x = _check_batch(batch, where)
        n += x.shape[0] * x.shape[2] * x.shape[3]
        if shift is not None and x.shape[1] != len(shift):
            raise ValueError(f"{where} has {x.shape[1]} channel(s), an earlier one {len(shift)}: all images must "
                             "have the same number of channels.")  # fmt: skip
        if x.dtype == torch.uint8:
            x = x.detach().cpu()
            counts = torch.stack([torch.bincount(x[:, c].reshape(-1), minlength=256) for c in range(x.shape[1])])
            counts = counts.to(torch.float64)  # (C, 256): how many pixels have each value
            if shift is None:
                shift = (counts @ _LEVELS) / counts.sum(1).clamp_min(1)
            values = _LEVELS - shift[:, None]
            s1 = s1 + (counts * values).sum(1)
            s2 = s2 + (counts * values.square()).sum(1)
        else:
            x = x.detach().to("cpu").to(torch.float64)
            if shift is None:
                shift = x.mean((0, 2, 3)) if x.numel() else torch.zeros(x.shape[1], dtype=torch.float64)
            x = x - shift.view(1, -1, 1, 1)
            s1 = s1 + x.sum((0, 2, 3))
            s2 = s2 + x.square_().sum((0, 2, 3))
    if n == 0:
        raise ValueError(f"There are no pixels to average: the {type(data).__name__} is empty.")
    if unbiased and n < 2:
        raise ValueError("There is one pixel per channel: the sample standard deviation (unbiased=True) needs at "
                         "least two. Pass more pixels, or unbiased=False.")  # fmt: skip
    mean = shift + s1 / n
    variance = ((s2 - s1.square() / n) / (n - 1 if unbiased else n)).clamp_min(0)
    if not bool(torch.isfinite(mean).all() and torch.isfinite(variance).all()):
        raise ValueError(f"{where} holds NaN or infinite values, so the mean and std would be nan: find where they "
                         "come from (e.g. torch.isfinite(x).all()) and remove them.")  # fmt: skip
    return tuple(mean.tolist()), tuple(variance.sqrt().tolist())


def unnormalize(x: torch.Tensor, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """Undo ``transforms.Normalize(mean, std)``: ``x * std + mean``, channel by channel.

    Use it to show normalised images: their values are about −2 to 2, and ``imshow`` wants [0, 1].

    Parameters
    ----------
    x : tensor [C, H, W] or [N, C, H, W]
        Normalised float images.
    mean, std : sequence of float
        The values given to ``Normalize``, one per channel; ``mean`` of pixels from 0 to 1 (as
        :func:`channel_stats` gives it).

    Returns
    -------
    tensor
        A new tensor of the shape of ``x``; ``x`` itself is not changed.

    Examples
    --------
    >>> import torch
    >>> from torchvision.transforms import Normalize
    >>> from ainotes.data import unnormalize
    >>> image = torch.tensor([0.0, 0.5, 1.0]).view(3, 1, 1)
    >>> normalised = Normalize((0.5, 0.5, 0.5), (0.25, 0.25, 0.25))(image)
    >>> (
    ...     normalised.flatten().tolist(),
    ...     unnormalize(normalised, (0.5,) * 3, (0.25,) * 3).flatten().tolist(),
    ... )
    ([-2.0, 0.0, 2.0], [0.0, 0.5, 1.0])
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"`x` must be a tensor of normalised images, got {_a(x)}.")
    if x.ndim not in (3, 4):
        raise ValueError(f"`x` has shape {tuple(x.shape)}: give one image [C, H, W] or a batch [N, C, H, W].")
    if not x.is_floating_point():
        raise TypeError(f"`x` holds {x.dtype} values: Normalize gives float tensors; undo it on those.")
    channels = x.shape[-3]
    if channels not in (1, 3) and x.shape[-1] in (1, 3):
        raise ValueError(f"`x` has shape {tuple(x.shape)}: it looks channels-last (H, W, C last), as numpy and "
                         "matplotlib store images. Unnormalize the tensor [C, H, W] or [N, C, H, W] that Normalize "
                         "gave, then permute it for imshow.")  # fmt: skip
    m = _per_channel(mean, "mean", channels, unit_scale=True).to(x.dtype).to(x.device).view(-1, 1, 1)
    s = _per_channel(std, "std", channels, positive=True).to(x.dtype).to(x.device).view(-1, 1, 1)
    return x * s + m
