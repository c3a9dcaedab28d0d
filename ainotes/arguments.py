"""Checks of the arguments of ``ainotes`` functions: a clear error, raised before any real work.

Each check returns the value as a plain Python number, or raises a ``TypeError`` (not a number of
the right kind) or a ``ValueError`` (an impossible value) whose message names the argument, the
value received and, when given, an example of a good one.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

__all__ = ["real", "whole"]


def _example(example: str | None) -> str:
    return f": e.g. {example}" if example else ""


def whole(value: Any, name: str, *, least: int | None = None, example: str | None = None) -> int:
    """``value`` as an int if it is a whole number (not a bool, a float or a string), at least ``least``.

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
        raise TypeError(f"{name} must be a whole number, got {value!r}{_example(example)}.")
    if least is not None and value < least:
        raise ValueError(f"{name}={value} is too small: give at least {least}{_example(example).replace(':', ',')}.")
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
        raise TypeError(f"{name} must be a number, got {value!r}{_example(example)}.")
    if not math.isfinite(value):
        raise ValueError(f"{name}={value!r} is not a finite number{_example(example)}.")
    if positive and not value > 0:
        raise ValueError(
            f"{name}={value!r} is impossible: give a positive number{_example(example).replace(':', ',')}."
        )
    return float(value)
