"""Choosing and describing the device a chapter runs on."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import torch

from ainotes.arguments import _count, flag

__all__ = ["DEVICE_ENV", "get_device"]

#: Environment variable that forces a device, for example ``cpu``, ``cuda``, ``cuda:1`` or ``mps``.
DEVICE_ENV = "AINOTES_DEVICE"

_KINDS = ("cpu", "cuda", "mps")
_FROM_ENV = f" (it comes from the environment variable {DEVICE_ENV}: correct or unset it)"


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def _parse(value: Any, arg: str) -> torch.device:
    """``value`` (a name, a ``torch.device`` or a GPU index) as a ``torch.device``; ``arg`` names it in errors."""
    if isinstance(value, torch.device):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        if value < 0:
            raise ValueError(
                f"{arg}={value} is not a GPU index: GPUs are numbered from 0, e.g. {arg}=0 or {arg}='cuda'."
            )
        return torch.device("cuda", int(value))
    if not isinstance(value, str):
        raise TypeError(f"{arg} must be a device name such as 'cpu' or 'cuda', a torch.device or a GPU index; got "
                        f"{value!r} ({type(value).__name__}).")  # fmt: skip
    text = value.strip().lower()
    kind, _, index = text.partition(":")
    hint = " (for a GPU, write 'cuda')" if kind in ("gpu", "nvidia", "cuda0") else ""
    if kind not in _KINDS:
        raise ValueError(f"{arg}={value!r} is not a known device name: use one of 'cpu', 'cuda', 'cuda:N' or 'mps'"
                         f"{hint}{_FROM_ENV if arg == DEVICE_ENV else ''}.")  # fmt: skip
    if index and not index.isdigit():
        raise ValueError(f"{arg}={value!r} is not a known device name: the number after '{kind}:' must be a whole "
                         f"number from 0, e.g. 'cuda:0'{_FROM_ENV if arg == DEVICE_ENV else ''}.")  # fmt: skip
    return torch.device(text)


def _device(value: Any, arg: str = "device") -> torch.device:
    """``value`` as an available ``torch.device``, with a clear error naming ``arg`` otherwise.

    Used by :func:`get_device` and by the ``device=`` argument of :mod:`ainotes.train`.
    """
    device = _parse(value, arg)
    if device.type == "meta":
        shown = repr(value) if isinstance(value, str) else f"torch.device({str(device)!r})"
        raise ValueError(f"{arg}={shown} is the 'meta' device, which holds shapes but no values: nothing can be "
                         f"computed there. Use {arg}='cpu' or {arg}='cuda'.")  # fmt: skip
    _check_available(device)
    return device


def _check_available(device: torch.device) -> None:
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError(
                f"Device {str(device)!r} was asked for, but PyTorch sees no CUDA GPU. "
                "In Colab choose Runtime > Change runtime type > GPU; elsewhere pick 'cpu' "
                f"or unset {DEVICE_ENV}."
            )
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise RuntimeError(
                f"Device {str(device)!r} was asked for, but only {_count(torch.cuda.device_count(), 'CUDA GPU')} "
                "exist (numbered from 0)."
            )
    elif device.type == "mps" and not _mps_available():
        raise RuntimeError(
            "Device 'mps' was asked for, but Apple's Metal backend is not available on this "
            f"machine. Pick 'cpu' or unset {DEVICE_ENV}."
        )


def _describe(device: torch.device) -> str:
    if device.type == "cuda":
        return f"CUDA GPU {torch.cuda.get_device_name(device)}"
    if device.type == "mps":
        return "Apple GPU (MPS)"
    return f"CPU ({torch.get_num_threads()} threads)"


def get_device(name: str | torch.device | int | None = None, *, verbose: bool = True) -> torch.device:
    """Pick the device to compute on: CUDA, then Apple MPS, then the CPU.

    Parameters
    ----------
    name : str, torch.device or int, optional
        Force a device (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``, a ``torch.device``, or
        the index of a CUDA GPU: ``0`` is ``"cuda:0"``). When omitted, the environment variable
        ``AINOTES_DEVICE`` is used if set, else the fastest available device.
    verbose : bool, default True
        Print one line saying which device was chosen and why.

    Returns
    -------
    torch.device

    Raises
    ------
    TypeError
        ``name`` is neither a string, a ``torch.device`` nor a whole number.
    ValueError
        The name is not a device PyTorch knows.
    RuntimeError
        The named device is not available on this machine.

    Examples
    --------
    >>> from ainotes.device import get_device
    >>> get_device("cpu", verbose=False)
    device(type='cpu')
    >>> get_device("gpu", verbose=False)
    Traceback (most recent call last):
    ...
    ValueError: name='gpu' is not a known device name: use one of 'cpu', 'cuda', 'cuda:N' or 'mps' (for a GPU, write 'cuda').
    """
    flag(verbose, "verbose")
    source, arg = "asked for", "name"
    if name is None and os.environ.get(DEVICE_ENV):
        name, source, arg = os.environ[DEVICE_ENV], f"set by {DEVICE_ENV}", DEVICE_ENV
    if name is not None:
        device = _device(name, arg)
    else:
        source = "the fastest available"
        if torch.cuda.is_available():
            device = torch.device("cuda")
        elif _mps_available():
            device = torch.device("mps")
        else:
            device = torch.device("cpu")
            source = "no CUDA or Apple GPU found"
    if verbose:
        print(f"Using {device.type}: {_describe(device)}, {source}.")
    return device
