"""How the layers of a model change the grid, read for :func:`ainotes.conv.receptive_field` (private helpers).

A model's layers are walked in the order they run: nested ``nn.Sequential`` blocks are opened, and a
layer whose effect on the height and width is not modelled (or whose ``forward`` may not run its
children in order) is refused with an error naming it, never skipped.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from torch import nn

from ainotes.arguments import _a, flag, module

_STOP, _SAME = "stop", "same grid"  # layers that end the grid (Flatten, Linear) or keep it (ReLU, ...)


def _create(value: Any, default: str = "nn.Conv2d(1, 8, 3)") -> str:
    """How to create a layer of the class ``value`` (``nn.ReLU()``, ``nn.Conv2d(...)``), else ``default``."""
    if not (isinstance(value, type) and issubclass(value, nn.Module)) or value is nn.Sequential:
        return default
    needed = [
        p for p in inspect.signature(value).parameters.values() if p.default is p.empty and p.kind <= p.KEYWORD_ONLY
    ]
    prefix = "nn." if getattr(nn, value.__name__, None) is value else ""
    return f"{prefix}{value.__name__}({'...' if needed else ''})"


def _single(value: Any, name: str, layer: str) -> Any:
    if isinstance(value, (tuple, list)):
        if len(set(value)) != 1:
            raise ValueError(f"{layer}: {name}={tuple(value)} differs between height and width; "
                             "receptive_field handles square settings only.")  # fmt: skip
        return value[0]
    return value


_CONVS = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
_POOLS = (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d, nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d)
# Layers after which there is no grid to follow: the field of global (adaptive) pooling is the whole input.
_STOPS = (nn.Linear, nn.Flatten, nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d,
          nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d, nn.AdaptiveMaxPool3d)  # fmt: skip
# Layers that keep the height and width: activations (not GLU, which halves a dimension), normalisation, dropout.
_KEEP = (nn.Identity, nn.modules.dropout._DropoutNd, nn.modules.batchnorm._NormBase, nn.GroupNorm, nn.LayerNorm,
         nn.LocalResponseNorm, nn.CrossMapLRN2d, getattr(nn, "RMSNorm", nn.LayerNorm),
         *(c for c in vars(nn.modules.activation).values() if isinstance(c, type) and issubclass(c, nn.Module)
           and c.__module__ == nn.modules.activation.__name__ and c not in (nn.GLU, nn.MultiheadAttention)))  # fmt: skip


def _unknown(layer: nn.Module, label: str) -> str:
    """Why receptive_field refuses ``layer``, and what to do."""
    if any(layer.children()):
        return (f"Layer {label!r} ({type(layer).__name__}) has layers inside whose order of computation receptive_field "
                "cannot know (a residual block adds its input back): list the layers it runs, in order, in an "
                "nn.Sequential.")  # fmt: skip
    what = f"Layer {label!r} ({repr(layer) if len(repr(layer)) <= 70 else type(layer).__name__})"
    if isinstance(layer, (nn.modules.conv._ConvTransposeNd, nn.Upsample)):
        return f"{what} enlarges the grid, which receptive_field does not model: pass only the layers before it."
    return (f"{what} may change the height and width in a way receptive_field cannot know: if it keeps them (like an "
            "activation), leave it out of the list.")  # fmt: skip


def _layer_settings(layer: Any, index: int, label: str) -> tuple[str, dict[str, Any]] | str:
    """(name, settings) for a layer that changes the grid; else _STOP or _SAME."""
    if isinstance(layer, Mapping):
        unknown = set(layer) - {"name", "kernel_size", "stride", "padding", "dilation", "pool"}
        if unknown or "kernel_size" not in layer:
            raise ValueError(
                f"Layer {index}: expected a dict with kernel_size and optionally stride, padding, dilation, "
                f"pool (bool), name; got keys {sorted(map(str, layer))}."
            )
        pool = flag(layer.get("pool", False), f"Layer {index}: pool")
        settings = dict(kernel_size=layer["kernel_size"], stride=layer.get("stride", layer["kernel_size"] if pool else 1),
                        padding=layer.get("padding", 0), dilation=layer.get("dilation", 1), pool=pool,
                        ceil_mode=False)  # fmt: skip
        return str(layer.get("name", f"{'pool' if pool else 'conv'} {index}")), settings
    if isinstance(layer, type) and issubclass(layer, nn.Module):
        module(layer, f"Layer {label!r} of layers", example=_create(layer))
    name = f"{'pool' if 'Pool' in type(layer).__name__ else 'conv'} {index}"
    if isinstance(layer, _CONVS):
        padding = layer.padding if isinstance(layer.padding, str) else _single(layer.padding, "padding", name)
        return name, dict(kernel_size=_single(layer.kernel_size, "kernel_size", name),
                          stride=_single(layer.stride, "stride", name), padding=padding,
                          dilation=_single(layer.dilation, "dilation", name), pool=False, ceil_mode=False)  # fmt: skip
    if isinstance(layer, _POOLS):
        kernel = _single(layer.kernel_size, "kernel_size", name)
        stride = _single(layer.stride, "stride", name) if layer.stride is not None else kernel
        return name, dict(kernel_size=kernel, stride=stride, padding=_single(layer.padding, "padding", name),
                          dilation=_single(getattr(layer, "dilation", 1), "dilation", name), pool=True,
                          ceil_mode=layer.ceil_mode)  # fmt: skip
    if isinstance(layer, _STOPS):
        return _STOP
    if isinstance(layer, _KEEP):
        return _SAME
    if isinstance(layer, nn.Module):
        raise TypeError(_unknown(layer, label))
    raise TypeError(f"Layer {index}: cannot read the geometry of {type(layer).__name__}; pass an nn.Sequential "
                    "or a list of dicts with kernel_size, stride, padding, dilation.")  # fmt: skip


def _in_order(layer: Any) -> bool:
    """Whether running ``layer`` runs its children in the order they are listed (and nothing else)."""
    return isinstance(layer, nn.ModuleList) or (
        isinstance(layer, nn.Sequential) and type(layer).forward is nn.Sequential.forward
    )


def _leaves(layers: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(label, layer) in order, looking inside nested nn.Sequential / nn.ModuleList blocks; labels as in PyTorch."""
    for key, layer in layers.named_children() if isinstance(layers, nn.Module) else enumerate(layers):
        if _in_order(layer):
            yield from _leaves(layer, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", layer


def _layer_list(layers: Any) -> list[tuple[str, Any]]:
    """The layers of ``layers``, in the order they run, or a clear error when that order cannot be known."""
    if isinstance(layers, type) and issubclass(layers, nn.Module):
        module(layers, "layers", example=_create(layers, "nn.Sequential(nn.Conv2d(1, 8, 3), nn.MaxPool2d(2))"))
    if isinstance(layers, nn.Module):
        if _in_order(layers):
            return list(_leaves(layers))
        if not any(layers.children()):
            return [("0", layers)]  # a single layer
        raise TypeError(f"layers is {_a(layers)}, whose forward may not run its layers in the order they "
                        "are listed (a residual network adds inputs back): pass an nn.Sequential, or a list of the "
                        "layers in the order forward runs them.")  # fmt: skip
    if isinstance(layers, Mapping):
        raise TypeError("layers is one dict: put it in a list, e.g. [{'kernel_size': 3, 'stride': 2}].")
    if isinstance(layers, (str, bytes)) or not isinstance(layers, Iterable):
        raise TypeError(f"layers must be an nn.Sequential or a list of layers or dicts, got {layers!r} "
                        f"({type(layers).__name__}).")  # fmt: skip
    return list(_leaves(list(layers)))


def _after_the_end(rest: list[tuple[str, Any]], label: str, stop: nn.Module) -> None:
    """Refuse a convolution or pooling layer after the layer where the grid ends."""
    for later, layer in rest:
        if isinstance(layer, (*_CONVS, *_POOLS, Mapping)):
            raise ValueError(f"Layer {later!r} ({type(layer).__name__}) comes after the {type(stop).__name__} at layer "
                             f"{label!r}, where receptive_field stops: pass only the layers before it.")  # fmt: skip
