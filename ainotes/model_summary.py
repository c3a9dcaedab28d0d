"""A model's layer-by-layer table (via ``torchinfo``), with its units in words.

:func:`summary` is also importable from :mod:`ainotes.train`, where the chapters find it.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import inspect
import io
import numbers
import re
from typing import Any

import torch
from torch import nn

from ainotes.arguments import _kind, choice, module, whole

__all__ = ["readable_units", "summary"]


def summary(model: nn.Module, input_size: tuple[int, ...], **kwargs: Any) -> Any:
    """Layer-by-layer table of output shapes and parameter counts (via ``torchinfo``).

    ``input_size`` includes the batch dimension, e.g. ``(1, 1, 28, 28)``. The returned object
    prints as the table; extra keyword arguments go to ``torchinfo.summary``. Unit labels read
    ``"Total mult-adds (millions): 2.66"``: torchinfo 1.8 on Python 3.11 and later prints its
    unit as ``(Units.MEGABYTES)``, which is neither the unit nor a size in bytes.

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes.train import summary  # or from ainotes.model_summary
    >>> text = str(summary(nn.Sequential(nn.Conv2d(1, 8, 3), nn.Flatten()), (1, 1, 28, 28)))
    >>> [line for line in text.splitlines() if "mult-adds" in line]
    ['Total mult-adds (millions): 0.05']
    >>> summary(nn.Conv2d(1, 8, 3), (1, 28, 28))
    Traceback (most recent call last):
    ...
    ValueError: input_size=(1, 28, 28) has 3 dimensions, but the model starts with nn.Conv2d: give (batch, channels, height, width), e.g. (1, 1, 28, 28).
    """
    import torchinfo

    module(model, "model", example=f"{model.__name__}(...)" if isinstance(model, type) else "nn.Sequential(...)")
    _check_options(kwargs, torchinfo.summary, model)
    _check_table_options(kwargs, torchinfo)
    if input_size is not None or "input_data" not in kwargs:
        _check_input_size(input_size, model)
    device = _model_device(model)
    options = dict(col_names=("output_size", "num_params"), depth=3, verbose=0, device=device,
                   row_settings=("var_names",))  # fmt: skip
    options.update(kwargs)
    verbose = options.get("verbose") or 0
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # printed below, with readable units
            stats = torchinfo.summary(model, input_size=input_size, **options)
    except RuntimeError as exc:  # torchinfo wraps the model's own shape error
        raise ValueError(
            f"The model could not process an input of size {tuple(input_size)}: "
            f"{_root_cause(exc)}. Check the input size (batch, channels, height, width) "
            "against the model's first layer."
        ) from None
    stats.__class__ = _readable_summary_class(type(stats))
    if verbose:
        print(stats)
    return stats


_UNIT_WORDS = {"K": "thousands", "M": "millions", "G": "billions", "T": "trillions"}
_UNIT_NAMES = {"KILOBYTES": "K", "MEGABYTES": "M", "GIGABYTES": "G", "TERABYTES": "T"}
# "(Units.MEGABYTES)" (torchinfo 1.8 on Python >= 3.11) or "(M)" (the intended text), in a totals line.
_UNIT_LABEL = re.compile(r"^((?:Total|Trainable|Non-trainable) [\w -]+?) \((?:Units\.)?(\w+)\):", re.MULTILINE)


def readable_units(text: str) -> str:
    """Unit labels of a torchinfo summary in words: ``(Units.MEGABYTES)`` or ``(M)`` → ``(millions)``.

    Only the totals lines change (``Total params``, ``Total mult-adds``, ...); numbers and the
    size lines in MB stay as they are.

    Examples
    --------
    >>> from ainotes.model_summary import readable_units
    >>> readable_units("Total mult-adds (Units.MEGABYTES): 2.66\\nTotal params (G): 1.20")
    'Total mult-adds (millions): 2.66\\nTotal params (billions): 1.20'
    """

    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {_kind(text)}: e.g. readable_units(str(stats)).")

    def words(match: re.Match) -> str:
        unit = _UNIT_NAMES.get(match[2], match[2])
        return f"{match[1]} ({_UNIT_WORDS[unit]}):" if unit in _UNIT_WORDS else match[0]

    return _UNIT_LABEL.sub(words, text)


@functools.cache
def _readable_summary_class(base: type) -> type:
    """A subclass of torchinfo's ``ModelStatistics`` that prints its units in words."""

    def __repr__(self) -> str:
        return readable_units(base.__repr__(self))

    return type(base.__name__, (base,), {"__repr__": __repr__, "__str__": __repr__, "__module__": __name__})


def _check_input_size(input_size: Any, model: nn.Module) -> None:
    """``input_size``: a tuple of positive whole numbers (or a list of them, one per input of the model)."""
    example = "e.g. (1, 1, 28, 28)"
    if isinstance(input_size, torch.Tensor):
        raise TypeError("input_size must be a shape, not a tensor: give input_size=tuple(x.shape), or the tensor "
                        "itself as input_data=x.")  # fmt: skip
    if not isinstance(input_size, (tuple, list)) or not input_size:
        raise TypeError(f"input_size must be a tuple of whole numbers including the batch dimension, {example}; got "
                        f"{input_size!r} ({type(input_size).__name__}).")  # fmt: skip
    if all(isinstance(size, (tuple, list)) for size in input_size):  # one size per input of the model
        for size in input_size:
            _check_input_size(size, nn.Identity())
        return
    for size in input_size:
        if isinstance(size, bool) or not isinstance(size, numbers.Integral):
            raise TypeError(f"input_size={input_size!r} must hold whole numbers, got {size!r} "
                            f"({type(size).__name__}): {example}.")  # fmt: skip
        if size < 1:
            raise ValueError(f"input_size={input_size!r} holds the size {size}: every size must be at least 1, "
                             f"{example}.")  # fmt: skip
    first = _first_layer(model)
    if isinstance(first, nn.Conv2d) and len(input_size) != 4:
        raise ValueError(f"input_size={tuple(input_size)} has {len(input_size)} dimensions, but the model starts with "
                         f"nn.Conv2d: give (batch, channels, height, width), e.g. (1, {first.in_channels}, 28, 28).")  # fmt: skip


def _check_options(options: dict[str, Any], function: Any, model: nn.Module) -> None:
    """Refuse an option neither ``function`` nor ``model.forward`` takes (torchinfo passes the others to forward)."""
    known = [name for name in inspect.signature(function).parameters if name not in ("model", "input_size", "kwargs")]
    forward = inspect.signature(model.forward).parameters
    if any(p.kind == p.VAR_KEYWORD for p in forward.values()):
        return
    for name in options:
        if name not in known and name not in forward:
            close = difflib.get_close_matches(name, known, n=1)
            guess = f" (did you mean {close[0]!r}?)" if close else ""
            raise TypeError(f"summary got the option {name}=, which neither torchinfo.summary nor the model's forward() "
                            f"takes{guess}.")  # fmt: skip


def _check_table_options(options: dict[str, Any], torchinfo: Any) -> None:
    """Check the options of the table torchinfo would refuse deep inside; a single column name becomes a tuple."""
    from ainotes.device import _device

    for key, kind in (("col_names", torchinfo.ColumnSettings), ("row_settings", torchinfo.RowSettings)):
        value = options.get(key)
        if value is None:
            continue
        names, single = [item.value for item in kind], isinstance(value, str)
        if not single and (isinstance(value, bytes) or not isinstance(value, (tuple, list, set, frozenset))):
            raise TypeError(f"{key} must be a tuple of names from {', '.join(map(repr, names))}; got {value!r} "
                            f"({type(value).__name__}).")  # fmt: skip
        for i, item in enumerate([value] if single else value):
            if not isinstance(item, kind):
                choice(item, key if single else f"{key}[{i}]", names)
        if single:
            options[key] = (value,)
    if options.get("verbose") is not None and not isinstance(options["verbose"], bool):  # True is 1 to torchinfo
        whole(options["verbose"], "verbose", least=0, most=2, example="verbose=0 (quiet), 1 (print) or 2 (details)")
    if "depth" in options:
        whole(options["depth"], "depth", least=0, example="depth=3")
    if options.get("device") is not None:
        _device(options["device"], "device")


def _first_layer(model: nn.Module) -> nn.Module | None:
    """The first module without sub-modules, in the order they were created: usually the first layer."""
    return next((m for m in model.modules() if next(m.children(), None) is None), None)


def _root_cause(exc: BaseException) -> str:
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _model_device(model: nn.Module) -> torch.device:
    param = next(model.parameters(), None)
    return param.device if param is not None else torch.device("cpu")
