"""Checks of the arguments of ``ainotes`` functions: a clear error, raised before any real work.

Each check returns the value as a plain Python number, or raises a ``TypeError`` (not a number of
the right kind) or a ``ValueError`` (an impossible value) whose message names the argument, the
value received and, when given, an example of a good one.
"""

from __future__ import annotations

import difflib
import math
import numbers
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import torch

__all__ = [
    "choice",
    "class_labels",
    "flag",
    "folder",
    "fraction",
    "function",
    "module",
    "nonempty",
    "real",
    "tensor",
    "whole",
]


def _example(example: str | None) -> str:
    return f": e.g. {example}" if example else ""


def _kind(value: Any) -> str:
    """The type name of ``value`` for a message, or ``None``: ``'int'``, ``'None'``."""
    return "None" if value is None else type(value).__name__


def _a(value: Any) -> str:
    """``value``'s type with its article for a message, or ``None``: ``'a list'``, ``'an ndarray'``, ``'None'``."""
    kind = _kind(value)
    vowel = kind[:1].lower() in "aeiou" or kind.startswith("nd")  # "an ndarray"
    return kind if value is None else f"{'an' if vowel else 'a'} {kind}"


def _count(n: int, word: str) -> str:
    """``n`` and ``word``, plural unless ``n`` is 1, for a message: ``'1 value'``, ``'3 values'``."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def _shown(value: Any) -> str:
    """``value`` as a message shows it: short, NumPy scalars as plain numbers, no memory addresses."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        value = str(value)  # np.str_ too
    if isinstance(value, (torch.Tensor, np.ndarray)):
        is_tensor = isinstance(value, torch.Tensor)
        count = value.numel() if is_tensor else value.size
        if value.ndim <= 1 and count <= 4:
            return f"{'tensor' if is_tensor else 'array'}({value.tolist()})"
        return f"a {'tensor' if is_tensor else 'NumPy array'} of shape {tuple(value.shape)}"
    text = repr(value)
    if " at 0x" in text or len(text) > 60:
        return _a(value)
    return text


def _described(value: Any) -> str:
    """:func:`_shown`, with the type in brackets when that says more: ``'3' (str)``, ``None``, ``a Foo``."""
    text = _shown(value)
    if value is None or text.startswith(("a ", "an ", "tensor(", "array(")):
        return text
    return f"{text} ({_kind(value)})"


def whole(value: Any, name: str, *, least: int | None = None, most: int | None = None,
          example: str | None = None) -> int:  # fmt: skip
    """``value`` as an int if it is a whole number (not a bool, a float or a string), from ``least`` to ``most``.

    Examples
    --------
    >>> from ainotes.arguments import whole
    >>> whole(3, "steps", least=2)
    3
    >>> whole(2.0, "steps", example="steps=200")
    Traceback (most recent call last):
    ...
    TypeError: steps must be a whole number, got 2.0: e.g. steps=200.
    >>> whole(1, "steps", least=2)
    Traceback (most recent call last):
    ...
    ValueError: steps=1 is too small: give at least 2.
    """
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be a whole number, got {_shown(value)}{_example(example)}.")
    if least is not None and value < least:
        raise ValueError(f"{name}={value} is too small: give at least {least}{_example(example).replace(':', ',')}.")
    if most is not None and value > most:
        raise ValueError(f"{name}={value} is too large: give at most {most}{_example(example).replace(':', ',')}.")
    return int(value)


def real(value: Any, name: str, *, example: str | None = None, positive: bool = False) -> float:
    """``value`` as a float if it is a finite number (not a bool or a string), positive if ``positive``.

    Examples
    --------
    >>> from ainotes.arguments import real
    >>> real(0.01, "max_lr", positive=True)
    0.01
    >>> real(float("nan"), "max_lr", example="max_lr=0.01")
    Traceback (most recent call last):
    ...
    ValueError: max_lr=nan is not a finite number: e.g. max_lr=0.01.
    >>> real(0, "start_lr", positive=True)
    Traceback (most recent call last):
    ...
    ValueError: start_lr=0 is impossible: give a positive number.
    """
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.number)):
        raise TypeError(f"{name} must be a number, got {_shown(value)}{_example(example)}.")
    if not math.isfinite(value):
        raise ValueError(f"{name}={_shown(value)} is not a finite number{_example(example)}.")
    if positive and not value > 0:
        raise ValueError(
            f"{name}={_shown(value)} is impossible: give a positive number{_example(example).replace(':', ',')}."
        )
    return float(value)


def fraction(value: Any, name: str, *, example: str | None = None) -> float:
    """``value`` as a float between 0 and 1; a value such as 85 is refused as a percentage.

    Examples
    --------
    >>> from ainotes.arguments import fraction
    >>> fraction(0.85, "accuracy")
    0.85
    >>> fraction(85, "accuracy")
    Traceback (most recent call last):
    ...
    ValueError: accuracy=85 is not between 0 and 1: it looks like a percentage, give 0.85.
    """
    number = real(value, name, example=example)
    if 0 <= number <= 1:
        return number
    if 2 <= number <= 100:  # 1.2 is more likely a slip than 1.2 percent
        raise ValueError(
            f"{name}={_shown(value)} is not between 0 and 1: it looks like a percentage, give {number / 100:g}."
        )
    raise ValueError(f"{name}={_shown(value)} is not between 0 and 1{_example(example)}.")


def flag(value: Any, name: str) -> bool:
    """``value`` if it is ``True`` or ``False`` (a string such as ``"False"`` would count as true).

    Examples
    --------
    >>> from ainotes.arguments import flag
    >>> flag(False, "train")
    False
    >>> flag("False", "train")
    Traceback (most recent call last):
    ...
    TypeError: train must be True or False, got 'False' (str).
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {_described(value)}.")


def choice(value: Any, name: str, options: Iterable[str]) -> str:
    """``value`` if it is one of the strings ``options``; otherwise an error listing them (and the closest).

    Examples
    --------
    >>> from ainotes.arguments import choice
    >>> choice("same", "padding", ["valid", "same", "full"])
    'same'
    >>> choice("smae", "padding", ["valid", "same", "full"])
    Traceback (most recent call last):
    ...
    ValueError: padding='smae' is not known: use one of 'valid', 'same', 'full' (did you mean 'same'?).
    """
    options = list(options)
    known = ", ".join(repr(option) for option in options)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {known}; got {_described(value)}.")
    if value in options:
        return value
    close = difflib.get_close_matches(value, options, n=1)
    guess = f" (did you mean {close[0]!r}?)" if close else ""
    raise ValueError(f"{name}={_shown(value)} is not known: use one of {known}{guess}.")


def function(value: Any, name: str, *, example: str) -> Callable[..., Any]:
    """``value`` if it can be called, such as a function, a transform or a loss.

    Examples
    --------
    >>> from ainotes.arguments import function
    >>> function(abs, "transform", example="transform=ToTensor()") is abs
    True
    >>> function("ToTensor", "transform", example="transform=ToTensor()")
    Traceback (most recent call last):
    ...
    TypeError: transform must be callable (a function or an object with __call__), got 'ToTensor' (str): e.g. transform=ToTensor().
    """
    if not callable(value):
        raise TypeError(
            f"{name} must be callable (a function or an object with __call__), got {_described(value)}"
            f"{_example(example)}."
        )
    return value


def tensor(value: Any, name: str, *, ndim: int | tuple[int, ...] | None = None, floating: bool = False,
           shape_hint: str | None = None) -> torch.Tensor:  # fmt: skip
    """``value`` if it is a tensor with ``ndim`` dimensions (one of them, for a tuple), of floats if ``floating``.

    ``shape_hint`` says what the dimensions are, e.g. ``"(batch, channels, height, width)"``.

    Examples
    --------
    >>> import torch
    >>> from ainotes.arguments import tensor
    >>> tensor(torch.zeros(2, 3), "x", ndim=2).shape
    torch.Size([2, 3])
    >>> tensor(
    ...     torch.zeros(3), "images", ndim=4, shape_hint="(batch, channels, height, width)"
    ... )
    Traceback (most recent call last):
    ...
    ValueError: images must have 4 dimensions, (batch, channels, height, width); got shape (3,).
    >>> tensor(torch.zeros(2, 2, dtype=torch.uint8), "x", floating=True)
    Traceback (most recent call last):
    ...
    TypeError: x holds torch.uint8 values, not floats: convert it, e.g. x.float() / 255 for 0-255 pixels.
    """
    if not isinstance(value, torch.Tensor):
        kind = f"a NumPy array: use torch.from_numpy({name})" if isinstance(value, np.ndarray) else type(value).__name__
        raise TypeError(f"{name} must be a torch.Tensor, got {kind}.")
    wanted = (ndim,) if isinstance(ndim, int) else ndim
    if wanted is not None and value.ndim not in wanted:
        count = " or ".join(str(n) for n in wanted)
        raise ValueError(
            f"{name} must have {count} dimensions{', ' + shape_hint if shape_hint else ''}; "
            f"got shape {tuple(value.shape)}."
        )
    if floating and not value.is_floating_point():
        fix = f"{name}.float() / 255 for 0-255 pixels" if value.dtype == torch.uint8 else f"{name}.float()"
        raise TypeError(f"{name} holds {value.dtype} values, not floats: convert it, e.g. {fix}.")
    return value


def class_labels(value: Any, name: str, *, classes: int | None = None) -> torch.Tensor:
    """``value`` as a 1-D ``int64`` tensor of class indices (0 to ``classes - 1`` when ``classes`` is given).

    Floats, one-hot rows and scores (logits) are refused with the conversion that fixes them; a list
    or NumPy array of whole numbers is converted.

    Examples
    --------
    >>> import torch
    >>> from ainotes.arguments import class_labels
    >>> class_labels([2, 0, 1], "labels")
    tensor([2, 0, 1])
    >>> class_labels(torch.tensor([0.0, 1.0]), "labels")
    Traceback (most recent call last):
    ...
    TypeError: labels holds torch.float32 values: class labels are whole numbers, use labels.long().
    >>> class_labels(torch.eye(3), "labels")
    Traceback (most recent call last):
    ...
    ValueError: labels has shape (3, 3): give one class index per image (a 1-D tensor); for one-hot rows or scores use labels.argmax(1).
    """
    if isinstance(value, (list, tuple, np.ndarray)):
        try:
            array = np.asarray(value)
        except ValueError:  # rows of different lengths
            raise ValueError(f"{name} must be a flat list of class indices, got rows of different lengths.") from None
        if array.dtype.kind not in "iu" and array.size:
            kind = {"U": "text", "S": "text", "f": "float", "b": "bool", "c": "complex"}.get(array.dtype.kind, "other")
            first = array.flat[0].item() if hasattr(array.flat[0], "item") else array.flat[0]
            raise TypeError(f"{name} must hold whole class numbers, got {kind} values such as {first!r}.")
        value = torch.as_tensor(array.astype(np.int64))
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a tensor of class indices, got {_described(value)}.")
    if value.ndim != 1:
        fix = f"; for one-hot rows or scores use {name}.argmax(1)" if value.ndim == 2 else ""
        raise ValueError(f"{name} has shape {tuple(value.shape)}: give one class index per image (a 1-D tensor){fix}.")
    if value.is_floating_point() or value.is_complex() or value.dtype == torch.bool:
        raise TypeError(f"{name} holds {value.dtype} values: class labels are whole numbers, use {name}.long().")
    value = value.long()
    if value.numel() and classes is not None:
        low, high = int(value.min()), int(value.max())
        if low < 0 or high >= classes:
            raise ValueError(
                f"{name} run from {low} to {high}, but there are {classes} classes (indices 0 to {classes - 1})."
            )
    return value


def folder(value: Any, name: str) -> Path:
    """``value`` as a :class:`~pathlib.Path` that is a folder or does not exist yet (not a file).

    Examples
    --------
    >>> from ainotes.arguments import folder
    >>> folder("/tmp", "root")
    PosixPath('/tmp')
    >>> folder(3, "root")
    Traceback (most recent call last):
    ...
    TypeError: root must be a folder path (a str or a pathlib.Path), got 3 (int).
    """
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a folder path (a str or a pathlib.Path), got {_described(value)}.")
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        raise ValueError(f"{name}={str(value)!r} is a file, not a folder: give a folder (it is created if missing).")
    return path


def module(value: Any, name: str, *, example: str) -> torch.nn.Module:
    """``value`` if it is a ``torch.nn.Module`` (a layer or a model), not its class or its name.

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes.arguments import module
    >>> module(nn.ReLU(), "layer", example="nn.ReLU()")
    ReLU()
    >>> module(nn.ReLU, "layer", example="nn.ReLU()")
    Traceback (most recent call last):
    ...
    TypeError: layer must be a torch.nn.Module, got the class ReLU: create one, e.g. nn.ReLU().
    """
    if isinstance(value, torch.nn.Module):
        return value
    if isinstance(value, type) and issubclass(value, torch.nn.Module):
        raise TypeError(
            f"{name} must be a torch.nn.Module, got the class {value.__name__}: create one, e.g. {example}."
        )
    raise TypeError(f"{name} must be a torch.nn.Module, got {_described(value)}: e.g. {example}.")


def nonempty(value: Any, name: str, *, example: str) -> list[Any]:
    """``value`` as a list if it is a list, tuple or other non-string iterable with at least one item.

    Examples
    --------
    >>> from ainotes.arguments import nonempty
    >>> nonempty((1, 2), "sizes", example="[28, 32]")
    [1, 2]
    >>> nonempty([], "sizes", example="[28, 32]")
    Traceback (most recent call last):
    ...
    ValueError: sizes is empty: give at least one item, e.g. [28, 32].
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a list, got {_described(value)}: e.g. {example}.")
    items = list(value)
    if not items:
        raise ValueError(f"{name} is empty: give at least one item, e.g. {example}.")
    return items
