"""Reading a reader's answer: a shape, or a number or a flat list of numbers, written in any common way.

Both parsers raise a ``ValueError`` that says how to write the answer; the self-checks turn it into
a verdict. :mod:`ainotes.feedback` re-exports them.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch


def parse_shape(text: str | Sequence[int] | torch.Size) -> tuple[int, ...]:
    """Read a shape written as ``"1, 16, 30, 30"``, ``"[1, 16, 30, 30]"``, a list, a tuple or a ``torch.Size``.

    Whole floats (``30.0``), NumPy integers and a 1-D tensor count too. Anything else, such as a
    single number, words or ``30.5``, gets a ``ValueError`` that says how to write a shape.

    Examples
    --------
    >>> from ainotes.feedback import parse_shape
    >>> parse_shape("torch.Size([1, 16, 30, 30])"), parse_shape([1, 16, 30.0, 30])
    ((1, 16, 30, 30), (1, 16, 30, 30))
    >>> parse_shape(30)
    Traceback (most recent call last):
    ...
    ValueError: Could not read a shape from 30: a shape has one whole number per dimension, like (1, 16, 30, 30) or "1, 16, 30, 30", not a single number.
    """
    if isinstance(text, str):
        cleaned = text.replace("torch.Size", "")
        if not re.fullmatch(r"[\s\[\]\(\),\dx×]*", cleaned) or not re.search(r"\d", cleaned):
            raise ValueError(
                f"Could not read a shape from {text!r}: write numbers separated by commas, like 1, 16, 30, 30."
            )
        return tuple(int(n) for n in re.findall(r"\d+", cleaned))
    form = 'like (1, 16, 30, 30) or "1, 16, 30, 30"'
    if isinstance(text, (bytes, bytearray)):  # a sequence of ints, one per character: never a shape
        raise ValueError(f"Could not read a shape from the bytes {text!r}: give a str or the whole numbers, {form}.")
    if isinstance(text, (torch.Tensor, np.ndarray)) and text.ndim > 1:
        raise ValueError(f"Could not read a shape from an array of shape {tuple(text.shape)}: give the whole "
                         f"numbers of the shape, {form}.")  # fmt: skip
    if isinstance(text, (torch.Tensor, np.ndarray)) and text.ndim == 1:
        sizes = text.tolist()
    elif isinstance(text, (numbers.Number, np.generic, torch.Tensor)) and getattr(text, "ndim", 0) == 0:
        raise ValueError(f"Could not read a shape from {text!r}: a shape has one whole number per dimension, "
                         f"{form}, not a single number.")  # fmt: skip
    elif isinstance(text, Sequence):
        sizes = list(text)
    else:
        raise ValueError(f"Could not read a shape from {text!r}: give the whole numbers of the shape, {form}.")
    result = []
    for n in sizes:
        if isinstance(n, str) and re.fullmatch(r"\s*\d+\s*", n):
            n = int(n)
        if isinstance(n, np.generic):
            n = n.item()
        if isinstance(n, float) and n.is_integer():
            n = int(n)
        if isinstance(n, bool) or not isinstance(n, int):
            raise ValueError(f"Could not read a shape from {text!r}: {n!r} is not a whole number; give the whole "
                             f"numbers of the shape, {form}.")  # fmt: skip
        result.append(n)
    return tuple(result)


def parse_numbers(value: Any) -> tuple[float, ...]:
    """Read a number or a flat list of numbers as floats; ValueError if it is anything else.

    Accepts a number, a list or tuple, a 1-D tensor or array, or a string such as
    ``"0.66, 0.24, 0.10"``, ``"[0.66 0.24 0.1]"``, ``"tensor([0.66, 0.24, 0.10])"``, ``"66%, 24%"``
    (the percent signs are dropped, not divided out) or, with decimal commas,
    ``"0,66; 0,24; 0,10"``. Booleans, nested lists, words and non-finite values are refused.

    Examples
    --------
    >>> from ainotes.feedback import parse_numbers
    >>> parse_numbers("tensor([0.66, −0.24])"), parse_numbers("0,5; 1,25"), parse_numbers(3)
    ((0.66, -0.24), (0.5, 1.25), (3.0,))
    """
    if isinstance(value, (bytes, bytearray)):  # a sequence of ints, one per character: never the numbers meant
        raise ValueError(
            f"Could not read numbers from the bytes {value!r}: give a str or the numbers, like 0.66, 0.24."
        )
    if isinstance(value, str):
        text = value.replace("−", "-").replace("%", " ").strip()
        text = re.sub(r"^tensor\((.*)\)$", r"\1", text, flags=re.DOTALL).strip().strip("()[]")
        if ";" in text:  # decimal commas: "0,66; 0,24; 0,10"
            text = text.replace(",", ".").replace(";", ",")
        try:
            value = [float(p) for p in re.split(r"[,\s]+", text) if p]
        except ValueError:  # words
            raise ValueError(
                f"Could not read numbers from {value!r}: write numbers separated by commas, like 0.66, 0.24, 0.10."
            ) from None
    elif isinstance(value, (torch.Tensor, np.ndarray)):
        if value.ndim > 1:
            raise ValueError(f"Could not read numbers from an array of shape {tuple(value.shape)}: give a flat list.")
        value = value.detach().cpu().tolist() if isinstance(value, torch.Tensor) else value.tolist()
    if isinstance(value, (numbers.Real, np.number)) and not isinstance(value, bool):
        value = [value]
    if (not isinstance(value, Sequence) or not value
            or any(isinstance(v, bool) or not isinstance(v, (numbers.Real, np.number)) for v in value)):  # fmt: skip
        raise ValueError(f"Could not read numbers from {value!r}: give a number or a flat list of numbers, like "
                         "0.66, 0.24, 0.10.")  # fmt: skip
    result = tuple(float(v) for v in value)
    if not all(math.isfinite(v) for v in result):
        raise ValueError(f"Could not read numbers from {value!r}: give finite numbers, no inf or nan.")
    return result
