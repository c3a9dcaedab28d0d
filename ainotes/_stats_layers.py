"""Choosing the layers that :class:`~ainotes.stats.ActivationStats` watches, and checking its options.

Private helpers of :mod:`ainotes.stats`: each turns what a student passes into what the recorder
needs, or raises a clear error that names the argument and says what to give instead.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from torch import nn

from ainotes.arguments import _a, flag, real, whole


def _names_list(names: Sequence[str], limit: int = 20) -> str:
    return ", ".join(repr(n) for n in names[:limit]) + (", ..." if len(names) > limit else "")


def _has_parameters(module: nn.Module) -> bool:
    return next(module.parameters(), None) is not None


def _every(kind: str) -> str:
    return f": to watch every {kind} layer, pass modules=[m for m in model.modules() if isinstance(m, nn.{kind})]"


def _name_hint(item: str, model: nn.Module) -> str:
    """For a layer name not in the model: the layer type it names, or the closest layer name."""
    kinds = {type(m).__name__.lower(): type(m).__name__ for m in model.modules()}
    if item.lower() in kinds:
        return f" ({item!r} is a layer type{_every(kinds[item.lower()])})"
    close = difflib.get_close_matches(item, [name for name, _ in model.named_modules() if name], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _select(model: nn.Module, modules: Any) -> tuple[list[str], list[nn.Module]]:
    """The names and modules to watch, in model order, or a clear error."""
    if modules is None:
        chosen = [(name, child) for name, child in model.named_children() if _has_parameters(child)]
        if not chosen and _has_parameters(model):
            chosen = [(type(model).__name__, model)]  # a bare layer, such as nn.Conv2d(1, 8, 3)
        if not chosen:
            raise ValueError(f"The model ({type(model).__name__}) has no parameters, so there is no layer to watch by "
                             "default. Pass the layers to watch: modules=['0', '2'] (names from model.named_modules()).")  # fmt: skip
        return [name for name, _ in chosen], [module for _, module in chosen]
    if isinstance(modules, (str, nn.Module, type)):
        modules = [modules]
    if isinstance(modules, Iterable) and not isinstance(modules, Sequence):
        modules = list(modules)  # e.g. a generator over model.modules()
    if not isinstance(modules, Sequence):
        raise TypeError(f"modules must be a list of layer names or layers of the model (or None for the default), "
                        f"got {_a(modules)}.")  # fmt: skip
    by_name = {name: module for name, module in model.named_modules() if name}
    by_id = {id(module): name for name, module in model.named_modules()}
    order = {name: i for i, name in enumerate(by_id.values())}
    chosen: dict[str, nn.Module] = {}
    for item in modules:
        if isinstance(item, str):
            if item not in by_name:
                raise ValueError(f"modules lists {item!r}, which is not a layer name of the model. Valid names: "
                                 f"{_names_list(list(by_name)) or '(none: the model has no submodules)'}"
                                 f"{_name_hint(item, model)}.")  # fmt: skip
            name, module = item, by_name[item]
        elif isinstance(item, nn.Module):
            if id(item) not in by_id:
                raise ValueError(f"modules lists a {type(item).__name__} that is not inside the model: pass layers of "
                                 "this model (e.g. model[0]), not of another model or a copy.")  # fmt: skip
            name, module = by_id[id(item)] or type(model).__name__, item
        elif isinstance(item, type) and issubclass(item, nn.Module):
            raise TypeError(
                f"modules lists the class {item.__name__}, not a layer of the model{_every(item.__name__)}."
            )
        else:
            raise TypeError(f"modules must hold layer names (str) or layers (nn.Module), got {item!r} of type "
                            f"{type(item).__name__}. For an nn.Sequential, name layer 0 as '0'.")  # fmt: skip
        if name in chosen:
            raise ValueError(f"modules lists layer {name!r} twice: list each layer once.")
        chosen[name] = module
    if not chosen:
        raise ValueError("modules is empty: list at least one layer, e.g. modules=['0'], or pass None for the default.")
    names = sorted(chosen, key=lambda n: order.get(n, -1))  # the model itself (class name) first
    return names, [chosen[n] for n in names]


def _check_options(bins: Any, hist_range: Any, near_zero: Any, train_only: Any) -> tuple[float, float]:
    whole(bins, "bins", least=1, most=1000, example="bins=40")
    items = [] if isinstance(hist_range, (str, bytes)) or not isinstance(hist_range, Iterable) else list(hist_range)
    if len(items) != 2:
        raise TypeError(f"hist_range must be two numbers (low, high), e.g. (0.0, 10.0); got {hist_range!r}.")
    lo, hi = (real(v, f"hist_range[{i}]", example="hist_range=(0.0, 10.0)") for i, v in enumerate(items))
    if not lo < hi:
        raise ValueError(f"hist_range must be two finite numbers, low < high, e.g. (0.0, 10.0); got {hist_range!r}.")
    if real(near_zero, "near_zero", example="near_zero=0.05") < 0:
        raise ValueError(f"near_zero={near_zero!r} is negative: give a number >= 0, e.g. near_zero=0.05.")
    flag(train_only, "train_only")
    return lo, hi
