"""Checks of the arguments of :mod:`ainotes.plot`'s figures: a clear error before anything is drawn.

Private helpers of :mod:`ainotes.plot`: the images of :func:`~ainotes.plot.show_images` and the
images to show, a :class:`~ainotes.train.History`, and per-class accuracies.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import torch

from ainotes.arguments import _a, _count, _kind, fraction, whole
from ainotes.train import History

_MAX_IMAGES = 100  # more would take long to draw and be too small to see


def _check_images(images: Any) -> int:
    """The number of images in ``images`` (a batch tensor or array, or a sequence of images), or a clear error."""
    if isinstance(images, (torch.Tensor, np.ndarray)):
        if images.ndim == 2:
            raise ValueError(f"images has shape {tuple(images.shape)}: it looks like one image; give a batch, "
                             "e.g. images[None] or [image].")  # fmt: skip
        if images.ndim not in (3, 4):
            raise ValueError(f"Cannot show images of shape {tuple(images.shape)}: give a batch (N, C, H, W) or "
                             "(N, H, W), or a list of images.")  # fmt: skip
    elif isinstance(images, (str, bytes)) or not (hasattr(images, "__len__") and hasattr(images, "__getitem__")):
        raise TypeError(f"images must be a tensor (N, C, H, W) or (N, H, W), or a list of images; got {images!r} "
                        f"({type(images).__name__}).")  # fmt: skip
    return len(images)


def _chosen(indices: Any, count: int) -> list[int]:
    """The indices of the images to show, each from ``-count`` to ``count - 1``, or a clear error."""
    if isinstance(indices, (torch.Tensor, np.ndarray)):
        if indices.ndim != 1:
            raise ValueError(f"indices has shape {tuple(indices.shape)}: give a flat list of image numbers, "
                             "e.g. indices=range(16).")  # fmt: skip
        indices = indices.tolist()
    if indices is None:
        chosen = list(range(count))
    elif isinstance(indices, (str, bytes)) or not isinstance(indices, Iterable):
        raise TypeError(f"indices must be a list of image numbers, got {indices!r} ({type(indices).__name__}): "
                        "e.g. indices=range(16).")  # fmt: skip
    else:
        chosen = [whole(i, f"indices[{k}]", example="indices=range(16)") for k, i in enumerate(indices)]
    if not chosen:
        raise ValueError("No images to show: images or indices is empty.")
    for k, i in enumerate(chosen):
        if not -count <= i < count:
            raise ValueError(f"indices[{k}]={i} is out of range: there are {count} images, numbered 0 to {count - 1}.")
    if len(chosen) > _MAX_IMAGES:
        raise ValueError(f"show_images would draw {len(chosen)} images: give at most {_MAX_IMAGES}, "
                         "e.g. indices=range(16).")  # fmt: skip
    return chosen


def _check_history(history: Any) -> History:
    """``history`` if it is a :class:`~ainotes.train.History` whose lists fit each other, or a clear error."""
    if not isinstance(history, History):
        hint = {dict: " For a dict of lists, use History(**values).",
                list: " For a list of values per epoch, use History(train_loss=..., train_acc=...)."}  # fmt: skip
        raise TypeError(f"history must be the History returned by fit(), got {_a(history)}."
                        f"{hint.get(type(history), '')}")  # fmt: skip
    for field in ("train_loss", "train_acc", "valid_loss", "valid_acc", "lr", "momentum"):
        values = getattr(history, field)
        if not isinstance(values, (list, tuple, np.ndarray, torch.Tensor)):
            raise TypeError(f"history.{field} must be a list of numbers, got {_kind(values)}.")
        for i, value in enumerate(values):
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number, torch.Tensor)):
                raise TypeError(f"history.{field}[{i}] must be a number, got {value!r} ({type(value).__name__}).")
    for field in ("train_acc", "valid_acc"):
        for i, value in enumerate(getattr(history, field)):
            if not np.isnan(float(value)):
                fraction(float(value), f"history.{field}[{i}]")
    for field, other in (("train_acc", "train_loss"), ("valid_loss", "train_loss"), ("valid_acc", "valid_loss"),
                         ("momentum", "lr")):  # fmt: skip
        n, m = len(getattr(history, field)), len(getattr(history, other))
        if n != m and (n or field in ("train_acc", "valid_acc")):
            raise ValueError(f"history.{field} has {_count(n, 'value')} but history.{other} has {m}: give one per "
                             f"{'step' if other == 'lr' else 'epoch'} in each.")  # fmt: skip
    return history


def _accuracies(accuracy: Any) -> np.ndarray:
    """``accuracy`` as a 1-D float64 array of fractions in [0, 1] (NaN allowed), or a clear error."""
    if isinstance(accuracy, torch.Tensor):
        accuracy = accuracy.detach().cpu()
    array = np.asarray(accuracy) if isinstance(accuracy, (list, tuple, np.ndarray, torch.Tensor)) else None
    if array is None or array.dtype.kind not in "iuf":
        kind = type(accuracy).__name__ if array is None else f"{array.dtype} values"
        raise TypeError(f"accuracy must be one number per class, e.g. per_class_accuracy(y_true, y_pred, num_classes);"
                        f" got {kind}.")  # fmt: skip
    if array.ndim != 1:
        hint = "; for a confusion matrix use plot_confusion" if array.ndim == 2 else ""
        raise ValueError(f"accuracy has shape {array.shape}: give one accuracy per class (a 1-D list){hint}.")
    if not array.size:
        raise ValueError("accuracy is empty: give one accuracy per class.")
    for i, value in enumerate(array.astype(np.float64).tolist()):
        if not np.isnan(value):  # NaN: a class without examples (per_class_accuracy)
            fraction(value, f"accuracy[{i}]")
    return array.astype(np.float64)
