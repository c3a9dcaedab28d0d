"""Data augmentation on batches of image tensors, as chapter 4 wrote it.

Both functions take a batch ``[N, C, H, W]`` (on any device) and return a new batch of the same
shape, each image changed at random; pass them to :func:`ainotes.train.fit` as ``augment=``.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from ainotes.arguments import whole

__all__ = ["crop_and_flip", "random_crop", "random_flip"]


def _batch(x: torch.Tensor, name: str) -> torch.Tensor:
    """``x`` if it is a batch of images [N, C, H, W] with at least one image, else a clear error."""
    if not isinstance(x, torch.Tensor) or x.ndim != 4:
        if isinstance(x, np.ndarray):
            got, fix = f"a numpy array of shape {list(x.shape)}", "turn it into a tensor with torch.from_numpy(x)"
        elif isinstance(x, torch.Tensor) and x.ndim == 3 and x.shape[0] in (1, 3):
            got, fix = list(x.shape), ("add a batch dimension to a single image [C, H, W] with x.unsqueeze(0) (for a "
                                       "batch of grey images [N, H, W], add the channel dimension: x.unsqueeze(1))")  # fmt: skip
        elif isinstance(x, torch.Tensor) and x.ndim == 3:
            got, fix = (
                list(x.shape),
                "add the channel dimension to a batch of grey images [N, H, W] with x.unsqueeze(1)",
            )
        elif isinstance(x, torch.Tensor):
            got, fix = list(x.shape), _reshape_hint(x)
        else:
            got, fix = type(x).__name__, "give a tensor, e.g. a batch from a DataLoader"
        raise ValueError(f"{name} expects x to be a batch of images [N, C, H, W], got {got}; {fix}.")
    if x.shape[1] not in (1, 3) and x.shape[-1] in (1, 3):
        raise ValueError(f"{name} got x of shape {list(x.shape)}: it looks channels-last [N, H, W, C], as numpy and "
                         "matplotlib store images. PyTorch wants [N, C, H, W]: use x.permute(0, 3, 1, 2).")  # fmt: skip
    if x.shape[0] == 0 or x.shape[2] == 0 or x.shape[3] == 0:
        raise ValueError(f"{name} got an empty batch x of shape {list(x.shape)}: give at least one image.")
    return x


def _reshape_hint(x: torch.Tensor) -> str:
    """How to reshape flat images ``[N, D]`` into ``[N, C, H, W]``: square grey or colour images when D allows."""
    if x.ndim == 2:
        for channels, kind in ((1, "grey"), (3, "colour")):
            side = math.isqrt(x.shape[1] // channels)
            if x.shape[1] and side * side * channels == x.shape[1]:
                return f"reshape it, e.g. x.view(n, {channels}, {side}, {side}) for n {kind} {side}×{side} images"
    return "reshape it to (n, channels, height, width)"


def random_flip(x: torch.Tensor) -> torch.Tensor:
    """Flip each image of a batch left-right with probability 1/2.

    Examples
    --------
    >>> import torch
    >>> from ainotes.augment import random_flip
    >>> x = torch.arange(4.0).view(1, 1, 1, 4)
    >>> _ = torch.manual_seed(1)  # the first image kept, the second flipped
    >>> [random_flip(x).flatten().tolist() for _ in range(2)]
    [[0.0, 1.0, 2.0, 3.0], [3.0, 2.0, 1.0, 0.0]]
    """
    x = _batch(x, "random_flip")
    flip = torch.rand(x.shape[0], 1, 1, 1, device=x.device) < 0.5
    return torch.where(flip, x.flip(3), x)  # dimension 3 is the width


def random_crop(x: torch.Tensor, padding: int = 4) -> torch.Tensor:
    """Pad each image with ``padding`` zeros on every side, then cut a random window of the old size.

    Zeros are the mean colour once the images are normalised.

    Examples
    --------
    >>> import torch
    >>> from ainotes.augment import random_crop
    >>> random_crop(torch.ones(8, 3, 32, 32)).shape
    torch.Size([8, 3, 32, 32])
    """
    x = _batch(x, "random_crop")
    padding = whole(padding, "padding", least=0, example="padding=4")
    n, _, h, w = x.shape
    if padding >= min(h, w):
        raise ValueError(f"padding={padding} is too large for images of {h}×{w}: some crops would hold no image at "
                         f"all. Give at most {min(h, w) - 1}, e.g. padding=4 for 32×32 images.")  # fmt: skip
    padded = F.pad(x, (padding,) * 4)
    top = torch.randint(0, 2 * padding + 1, (n,)).tolist()
    left = torch.randint(0, 2 * padding + 1, (n,)).tolist()
    return torch.stack([image[:, i : i + h, j : j + w] for image, i, j in zip(padded, top, left)])


def crop_and_flip(x: torch.Tensor) -> torch.Tensor:
    """:func:`random_crop` (padding 4), then :func:`random_flip`: the usual CIFAR augmentation.

    Examples
    --------
    >>> import torch
    >>> from ainotes.augment import crop_and_flip
    >>> batch = torch.rand(8, 3, 32, 32)
    >>> augmented = crop_and_flip(batch)
    >>> augmented.shape, augmented.dtype
    (torch.Size([8, 3, 32, 32]), torch.float32)
    """
    return random_flip(random_crop(_batch(x, "crop_and_flip")))
