"""Batches for the loop: the fast path over in-memory tensors, DataLoaders otherwise, and the
checks that turn a shape mistake into a clear message.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

from ainotes.model_summary import _root_cause

Data = Dataset | DataLoader | tuple[torch.Tensor, torch.Tensor]


# --------------------------------------------------------------------------------------------
# Batches
# --------------------------------------------------------------------------------------------
class _TensorBatches:
    """Batches cut from two in-memory tensors by indexing (the fast path)."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, batch_size: int, shuffle: bool,
                 device: torch.device) -> None:  # fmt: skip
        if len(x) != len(y):
            raise ValueError(f"{len(x)} inputs but {len(y)} labels: they must match one to one.")
        self.x, self.y = x.to(device), y.to(device)
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


def _batches(data: Data, batch_size: int, shuffle: bool, device: torch.device, name: str):
    if isinstance(data, DataLoader):
        return data
    if isinstance(data, (tuple, list)) and len(data) == 2 and all(isinstance(t, torch.Tensor) for t in data):
        return _TensorBatches(data[0], data[1], batch_size, shuffle, device)
    if isinstance(data, TensorDataset) and len(data.tensors) == 2:
        return _TensorBatches(*data.tensors, batch_size, shuffle, device)
    if isinstance(data, Dataset):
        return DataLoader(data, batch_size=batch_size, shuffle=shuffle)
    raise TypeError(
        f"{name} must be a (images, labels) pair of tensors, a Dataset or a DataLoader; got {type(data).__name__}."
    )


def _check_batch(model_out: torch.Tensor, y: torch.Tensor, x_shape: torch.Size) -> None:
    """Catch the usual shape and label mistakes with a message that says what to change."""
    if model_out.shape[0] != y.shape[0]:
        raise ValueError(
            f"The model returned {model_out.shape[0]} rows of outputs for a batch of {y.shape[0]} "
            f"inputs of shape {tuple(x_shape)}. A reshape inside the model (such as "
            "`x.view(-1, n)`) probably uses the wrong feature count: print the shape before it."
        )
    if y.dtype in (torch.int64, torch.int32, torch.uint8) and y.ndim == 1:
        if model_out.ndim != 2:
            raise ValueError(
                f"The model's output has shape {tuple(model_out.shape)}, but a classifier must "
                "return (batch, classes) scores. Add nn.Flatten() before the last nn.Linear."
            )
        _check_labels(y, model_out.shape[1])


def _check_labels(y: torch.Tensor, n_outputs: int) -> None:
    low, high = int(y.min()), int(y.max())
    if low < 0 or high >= n_outputs:
        raise ValueError(
            f"The labels run from {low} to {high}, but the model returns {n_outputs} scores per "
            f"input (one per class, for labels 0 to {n_outputs - 1}). Make the last layer "
            f"return {high + 1} outputs, or check the labels."
        )


def _forward(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    try:
        return model(x)
    except RuntimeError as exc:
        if "shape" not in str(exc) and "size" not in str(exc):
            raise
        raise ValueError(
            f"The model could not process a batch of shape {tuple(x.shape)}: {_root_cause(exc)}. "
            f"Check the first layer (nn.Conv2d needs in_channels={x.shape[1] if x.ndim == 4 else '?'}"
            "; nn.Linear needs flattened inputs) and every reshape in forward()."
        ) from None
