"""Classification metrics on label tensors: confusion matrix, per-class accuracy, confusions."""

from __future__ import annotations

from collections.abc import Sequence

import torch

__all__ = ["confusion_matrix", "most_confused", "per_class_accuracy"]


def _as_labels(values: torch.Tensor | Sequence[int], name: str) -> torch.Tensor:
    tensor = torch.as_tensor(values).cpu()
    if tensor.ndim != 1:
        raise ValueError(f"{name} must be one label per example (1-D), got shape {tuple(tensor.shape)}.")
    if tensor.is_floating_point():
        raise TypeError(f"{name} must hold integer class indices, got {tensor.dtype}. "
                        "For model outputs, take `.argmax(1)` first.")  # fmt: skip
    return tensor.long()


def confusion_matrix(y_true, y_pred, num_classes: int) -> torch.Tensor:
    """Counts ``cm[i, j]`` of examples of true class ``i`` predicted as class ``j``.

    Examples
    --------
    >>> from ainotes.metrics import confusion_matrix
    >>> confusion_matrix([0, 1, 1], [0, 1, 0], num_classes=2).tolist()
    [[1, 0], [1, 1]]
    """
    true, pred = _as_labels(y_true, "y_true"), _as_labels(y_pred, "y_pred")
    if len(true) != len(pred):
        raise ValueError(f"{len(true)} true labels but {len(pred)} predictions: they must match.")
    for name, t in (("y_true", true), ("y_pred", pred)):
        if len(t) and (t.min() < 0 or t.max() >= num_classes):
            raise ValueError(f"{name} holds labels outside 0..{num_classes - 1} (num_classes={num_classes}).")
    return torch.bincount(true * num_classes + pred, minlength=num_classes**2).view(num_classes, num_classes)


def per_class_accuracy(y_true, y_pred, num_classes: int) -> torch.Tensor:
    """Share of each class's examples predicted correctly (NaN for a class with no examples).

    Examples
    --------
    >>> from ainotes.metrics import per_class_accuracy
    >>> per_class_accuracy([0, 1, 1], [0, 1, 0], num_classes=2).tolist()
    [1.0, 0.5]
    """
    cm = confusion_matrix(y_true, y_pred, num_classes).double()
    return cm.diagonal() / cm.sum(1)


def most_confused(cm: torch.Tensor, classes: Sequence[str], k: int = 5) -> list[tuple[str, str, int]]:
    """The ``k`` largest off-diagonal cells: ``(true class, predicted class, count)``.

    Examples
    --------
    >>> import torch
    >>> from ainotes.metrics import most_confused
    >>> most_confused(torch.tensor([[5, 2], [0, 7]]), ["cat", "dog"], k=1)
    [('cat', 'dog', 2)]
    """
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] != len(classes):
        raise ValueError(f"Expected a square matrix of size {len(classes)} (one row per class), got {tuple(cm.shape)}.")
    off = cm.clone()
    off.fill_diagonal_(-1)
    values, index = off.flatten().sort(descending=True, stable=True)
    n = len(classes)
    return [(classes[i // n], classes[i % n], int(v)) for v, i in zip(values[:k].tolist(), index[:k].tolist()) if v > 0]
