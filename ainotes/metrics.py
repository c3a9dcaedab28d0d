"""Classification metrics on label tensors: confusion matrix, per-class accuracy, confusions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from ainotes.arguments import _kind, class_labels, nonempty, whole

__all__ = ["confusion_matrix", "most_confused", "per_class_accuracy"]


def _as_labels(values: Any, name: str, num_classes: int) -> torch.Tensor:
    """``values`` as a 1-D int64 CPU tensor of class indices from 0 to ``num_classes - 1``, or a clear error."""
    if isinstance(values, torch.Tensor) and values.ndim == 1 and values.is_floating_point():
        raise TypeError(f"{name} holds {values.dtype} values, not class indices: for model outputs take `.argmax(1)` "
                        f"first; for float labels use {name}.long().")  # fmt: skip
    return class_labels(values, name, classes=num_classes).cpu()


def _paired_labels(y_true: Any, y_pred: Any, num_classes: Any) -> tuple[torch.Tensor, torch.Tensor, int]:
    """The checked labels and predictions, of the same non-zero length, and ``num_classes`` as an int."""
    num_classes = whole(num_classes, "num_classes", least=1, example="num_classes=10")
    true, pred = _as_labels(y_true, "y_true", num_classes), _as_labels(y_pred, "y_pred", num_classes)
    if len(true) != len(pred):
        raise ValueError(f"{len(true)} true labels but {len(pred)} predictions: y_true and y_pred need one entry "
                         "per example each.")  # fmt: skip
    if not len(true):
        raise ValueError("y_true and y_pred are empty: give one true label and one prediction per example.")
    return true, pred, num_classes


def _counts(cm: Any, name: str = "cm") -> torch.Tensor:
    """``cm`` as a square int64 CPU tensor of counts (whole, not negative), or a clear error.

    A list or a NumPy array is converted; floats holding whole numbers are accepted, fractions (a
    row-normalised matrix) are refused.
    """
    if isinstance(cm, (list, tuple, np.ndarray)):
        try:
            array = np.asarray(cm)
        except ValueError:
            raise ValueError(f"{name} has rows of different lengths: give a square table of counts, "
                             "e.g. confusion_matrix(y_true, y_pred, num_classes).") from None  # fmt: skip
        if array.dtype.kind not in "iuf":
            raise TypeError(f"{name} must hold counts (numbers), got {array.dtype} values.")
        cm = torch.as_tensor(array)
    if not isinstance(cm, torch.Tensor):
        raise TypeError(f"{name} must be a confusion matrix, a tensor of counts such as confusion_matrix(y_true, "
                        f"y_pred, num_classes) gives; got {_kind(cm)}.")  # fmt: skip
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"{name} has shape {tuple(cm.shape)}: a confusion matrix is square, one row and one column "
                         "per class, as confusion_matrix(y_true, y_pred, num_classes) gives.")  # fmt: skip
    if cm.dtype == torch.bool or cm.is_complex():
        raise TypeError(f"{name} holds {cm.dtype} values: give counts, as confusion_matrix(...) gives.")
    values = cm.detach().cpu().double()
    if not torch.isfinite(values).all():
        raise ValueError(f"{name} holds NaN or infinite values: give counts, as confusion_matrix(...) gives.")
    if (values < 0).any():
        raise ValueError(f"{name} holds negative entries such as {values[values < 0][0].item():g}: a confusion "
                         "matrix counts examples, so every entry is 0 or more.")  # fmt: skip
    fractions = values[values != values.round()]
    if len(fractions):
        raise ValueError(f"{name} holds fractions such as {fractions[0].item():g}: give the counts of "
                         "confusion_matrix(y_true, y_pred, num_classes), not a normalised matrix.")  # fmt: skip
    return values.long()


def confusion_matrix(y_true, y_pred, num_classes: int) -> torch.Tensor:
    """Counts ``cm[i, j]`` of examples of true class ``i`` predicted as class ``j``.

    ``y_true`` and ``y_pred`` are class indices, one per example: tensors, lists or NumPy arrays
    of whole numbers from 0 to ``num_classes - 1``. For a model's outputs (one row of scores per
    example), take the predicted classes first: ``outputs.argmax(1)``.

    Examples
    --------
    >>> from ainotes.metrics import confusion_matrix
    >>> confusion_matrix([0, 1, 1], [0, 1, 0], num_classes=2).tolist()
    [[1, 0], [1, 1]]
    >>> confusion_matrix([0, 1, 1], [0, 1, 2], num_classes=2)
    Traceback (most recent call last):
    ...
    ValueError: y_pred run from 0 to 2, but there are 2 classes (indices 0 to 1).
    """
    true, pred, num_classes = _paired_labels(y_true, y_pred, num_classes)
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

    ``cm`` holds counts, as :func:`confusion_matrix` gives (a list or a NumPy array works too);
    ``classes`` names its rows, one name per class.

    Examples
    --------
    >>> import torch
    >>> from ainotes.metrics import most_confused
    >>> most_confused(torch.tensor([[5, 2], [0, 7]]), ["cat", "dog"], k=1)
    [('cat', 'dog', 2)]
    """
    counts = _counts(cm)
    names = nonempty(classes, "classes", example="test_set.classes")
    k = whole(k, "k", least=1, example="k=5")
    n = len(names)
    if counts.shape[0] != n:
        raise ValueError(f"cm has shape {tuple(counts.shape)} but classes has {n} names: give a square matrix of "
                         f"size {n} (one row per class), or one name per row of cm.")  # fmt: skip
    off = counts.clone()
    off.fill_diagonal_(-1)
    values, index = off.flatten().sort(descending=True, stable=True)
    return [(names[i // n], names[i % n], int(v)) for v, i in zip(values[:k].tolist(), index[:k].tolist()) if v > 0]
