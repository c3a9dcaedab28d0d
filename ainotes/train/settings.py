"""The settings of :func:`~ainotes.train.fit` and :func:`~ainotes.train.lr_range_test` checked: the model,
the learning rates, the loss function and the optimizer, each with a clear error before any training.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from ainotes.arguments import _a, _kind, function, module, real


def _learning_rates(lr: Any, optimizer: Any) -> float | list[float]:
    """``lr`` checked: one positive number, or one per parameter group of an optimizer."""
    if isinstance(lr, (list, tuple)):
        if not lr:
            raise ValueError(f"lr={lr!r} is empty: give one learning rate, e.g. lr=1e-3 (or a list of one per parameter "
                             "group of the optimizer).")  # fmt: skip
        groups = optimizer.param_groups if isinstance(optimizer, torch.optim.Optimizer) else None
        if groups is None or len(groups) != len(lr):
            raise ValueError(
                f"lr={list(lr)!r} gives {len(lr)} learning rates: that needs an optimizer built with "
                f"{len(lr)} parameter groups, e.g. torch.optim.Adam([{{'params': model.fc.parameters()}}, "
                f"{{'params': backbone_parameters}}]); got {'one with ' + str(len(groups)) if groups else 'none'}."
            )
        return [real(value, f"lr[{i}]", positive=True, example="lr=[1e-4, 1e-3]") for i, value in enumerate(lr)]
    return real(lr, "lr", positive=True, example="lr=1e-3")


def _model(model: Any) -> nn.Module:
    """``model`` if it is an ``nn.Module``; its class or anything else is refused."""
    if isinstance(model, type):
        return module(model, "model", example=f"{model.__name__}(...)")
    if callable(model) and not isinstance(model, nn.Module):
        maker = getattr(model, "__name__", "")
        got, maker = (f"the function {maker}", maker) if maker.isidentifier() else ("a function", "make_model")
        raise TypeError(f"model must be a torch.nn.Module, got {got}: call it first, e.g. model = {maker}().")
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {_kind(model)}.")
    if any(p.is_meta for p in model.parameters()):
        raise ValueError("model's parameters are on the 'meta' device, which holds shapes but no values: create the "
                         "model on the CPU (or give it real weights with model.to_empty(device='cpu') and "
                         "load_state_dict).")  # fmt: skip
    return model


def _loss_function(loss_fn: Any) -> Callable:
    """``loss_fn`` checked (a loss object or function, not its class); ``None`` is cross-entropy."""
    if loss_fn is None:
        return nn.CrossEntropyLoss()
    if isinstance(loss_fn, type):
        raise TypeError(f"loss_fn must be a loss, got the class {loss_fn.__name__}: create one, e.g. "
                        f"loss_fn={loss_fn.__name__}().")  # fmt: skip
    return function(loss_fn, "loss_fn", example="loss_fn=nn.CrossEntropyLoss()")


def _check_optimizer(optimizer: Any, model: nn.Module) -> None:
    """An optimizer instance must hold the model's parameters; a class must be an optimizer class."""
    trainable = [p for p in model.parameters() if p.requires_grad]
    if not trainable:
        raise ValueError(f"The model ({type(model).__name__}) has no trainable parameters, so there is nothing to "
                         "train: unfreeze the layers to train with layer.requires_grad_(True).")  # fmt: skip
    if isinstance(optimizer, torch.optim.Optimizer):
        held = {id(p) for group in optimizer.param_groups for p in group["params"]}
        if not any(id(p) in held for p in trainable):
            raise ValueError("optimizer holds none of the model's parameters: it was built for another model (or "
                             "before the model was created again). Build it from this one, e.g. "
                             "torch.optim.Adam(model.parameters()), or give the class: optimizer=torch.optim.Adam.")  # fmt: skip
    elif isinstance(optimizer, nn.Module):
        kind = type(optimizer).__name__
        if isinstance(optimizer, nn.modules.loss._Loss):
            raise TypeError(f"optimizer={kind}() is a loss, not an optimizer: give it as loss_fn={kind}(), and an "
                            "optimizer such as optimizer=torch.optim.Adam (or none: Adam is the default).")  # fmt: skip
        raise TypeError(f"optimizer is a {kind}, a layer or model (an nn.Module), not an optimizer: give a class such "
                        "as optimizer=torch.optim.Adam, or torch.optim.Adam(model.parameters()).")  # fmt: skip
    elif isinstance(optimizer, type) and not issubclass(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer={optimizer.__name__} is not an optimizer class: give one such as "
                        "optimizer=torch.optim.Adam.")  # fmt: skip
    elif optimizer is not None and not callable(optimizer):
        raise TypeError(f"optimizer must be None, an Optimizer or an Optimizer class; got {optimizer!r}: e.g. "
                        "optimizer=torch.optim.Adam.")  # fmt: skip


def _make_optimizer(optimizer: Any, model: nn.Module, lr: float | list[float]) -> torch.optim.Optimizer:
    _check_optimizer(optimizer, model)
    if isinstance(optimizer, torch.optim.Optimizer):
        if isinstance(lr, list):  # one learning rate per group, also when no schedule changes them
            for group, value in zip(optimizer.param_groups, lr):
                group["lr"] = value
        return optimizer
    if optimizer is None:
        return torch.optim.Adam(model.parameters(), lr=lr)
    try:
        built = optimizer(model.parameters(), lr=lr)  # a class such as torch.optim.SGD, or a factory
    except TypeError as exc:
        name = getattr(optimizer, "__name__", type(optimizer).__name__)
        raise TypeError(
            f"optimizer={name} could not be called as optimizer(parameters, lr=...) ({exc}): give an "
            "optimizer class such as optimizer=torch.optim.Adam; a loss goes in loss_fn=."
        ) from None
    if not isinstance(built, torch.optim.Optimizer):
        raise TypeError(f"optimizer returned {_a(built)}, not a torch.optim.Optimizer: give a class "
                        "such as torch.optim.Adam, or a function of (parameters, lr=...) that builds one.")  # fmt: skip
    return built
