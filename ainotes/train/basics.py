"""Seeding every random number generator, and counting parameters."""

from __future__ import annotations

import random

import numpy as np
import torch
from torch import nn

__all__ = ["count_parameters", "seed_everything"]


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
    >>> _ = seed_everything(42)
    >>> a = torch.rand(1)
    >>> _ = seed_everything(42)
    >>> b = torch.rand(1)
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
    >>> count_parameters(nn.Linear(784, 10))  # 784 * 10 weights + 10 biases
    7850
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"Expected a torch.nn.Module, got {type(model).__name__}.")
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)
