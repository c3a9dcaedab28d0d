"""Seeding every random number generator, and counting parameters."""

from __future__ import annotations

import random

import numpy as np
import torch
from torch import nn

from ainotes.arguments import flag, module, whole

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
    >>> seed_everything("42")
    Traceback (most recent call last):
    ...
    TypeError: seed must be a whole number, got '42': e.g. seed=0.
    """
    seed = whole(seed, "seed", least=0, most=2**32 - 1, example="seed=0")
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
    if isinstance(model, (list, tuple)) or type(model).__name__ == "generator":
        raise TypeError(f"model must be a torch.nn.Module: give the model itself, not its parameters (got a "
                        f"{type(model).__name__}).")  # fmt: skip
    module(model, "model", example="nn.Linear(784, 10)")
    trainable_only = flag(trainable_only, "trainable_only")
    lazy = next((name for name, p in model.named_parameters() if isinstance(p, nn.parameter.UninitializedParameter)),
                None)  # fmt: skip
    if lazy is not None:
        raise ValueError(f"model has lazy layers (such as nn.LazyLinear) whose sizes are known only after a first "
                         f"forward pass ({lazy} is not created yet): run one batch through it first, e.g. "
                         "model(x[:1]), then count.")  # fmt: skip
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)
