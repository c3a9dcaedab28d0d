"""Choosing and describing the device a chapter runs on."""

from __future__ import annotations

import os

import torch

__all__ = ["DEVICE_ENV", "get_device"]

#: Environment variable that forces a device, for example ``cpu``, ``cuda``, ``cuda:1`` or ``mps``.
DEVICE_ENV = "AINOTES_DEVICE"

_KINDS = ("cpu", "cuda", "mps")


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def _parse(name: str) -> torch.device:
    text = name.strip().lower()
    kind = text.split(":", 1)[0]
    if kind not in _KINDS:
        raise ValueError(
            f"Unknown device name {name!r}. Use one of 'cpu', 'cuda', 'cuda:N' or 'mps' "
            f"(check the {DEVICE_ENV} environment variable if you did not pass it yourself)."
        )
    try:
        return torch.device(text)
    except RuntimeError as exc:  # e.g. 'cuda:x'
        raise ValueError(f"Invalid device name {name!r}: {exc}") from None


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
                f"Device {str(device)!r} was asked for, but only {torch.cuda.device_count()} "
                "CUDA GPU(s) exist (numbered from 0)."
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


def get_device(name: str | None = None, *, verbose: bool = True) -> torch.device:
    """Pick the device to compute on: CUDA, then Apple MPS, then the CPU.

    Parameters
    ----------
    name : str, optional
        Force a device (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``). When omitted, the
        environment variable ``AINOTES_DEVICE`` is used if set, else the fastest available device.
    verbose : bool, default True
        Print one line saying which device was chosen and why.

    Returns
    -------
    torch.device

    Raises
    ------
    ValueError
        The name is not a device PyTorch knows.
    RuntimeError
        The named device is not available on this machine.

    Examples
    --------
    >>> from ainotes.device import get_device
    >>> get_device("cpu", verbose=False)
    device(type='cpu')
    """
    source = "asked for"
    if name is None and os.environ.get(DEVICE_ENV):
        name, source = os.environ[DEVICE_ENV], f"set by {DEVICE_ENV}"
    if name is not None:
        device = _parse(name)
        _check_available(device)
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
