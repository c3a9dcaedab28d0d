"""What one channel of a BatchNorm2d layer does to a batch, in training and in evaluation mode (chapter 6).

:func:`batchnorm_view` reads it from a copy of the model (the caller's is never changed), with how an
image's prediction in training mode depends on its batch. It is the computation behind the batch-norm
explorer (:mod:`ainotes.bn_explorer`, which draws it and re-exports it); it needs neither widgets nor
matplotlib.
"""

from __future__ import annotations

import copy
import difflib
from typing import Any

import numpy as np
import torch
from torch import nn

from ainotes import arguments
from ainotes.arguments import _count, real, whole

__all__ = ["batchnorm_view"]


def _bn_layer(model: nn.Module, layer: Any) -> tuple[str, nn.BatchNorm2d]:
    """The layer's name in the model and the layer, or an error listing the model's BatchNorm2d layers."""
    modules = dict(model.named_modules())
    names = [name for name, module in modules.items() if isinstance(module, nn.BatchNorm2d)]
    valid = (f"give one of the model's BatchNorm2d layers: {', '.join(map(repr, names))}" if names
             else "the model has no BatchNorm2d layer: give a model with batch normalisation")  # fmt: skip
    if isinstance(layer, nn.Module):
        found = [name for name, module in modules.items() if module is layer]
        if not found:
            raise ValueError(f"layer: the {type(layer).__name__} given is not part of the model: {valid}.")
        layer = found[0]
    if isinstance(layer, type):
        raise TypeError(f"layer must be a layer's name or the layer itself, got the class {layer.__name__}: {valid}.")
    if not isinstance(layer, str):
        raise TypeError(f"layer must be a layer's name or the layer itself, got {layer!r}: {valid}.")
    module = modules.get(layer)
    if not isinstance(module, nn.BatchNorm2d):
        what = "no layer of the model" if module is None else f"a {type(module).__name__}"
        close = difflib.get_close_matches(layer, names, n=1) if module is None else []
        guess = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"layer={layer!r} is {what}, not a BatchNorm2d layer: {valid}{guess}.")
    if module.running_mean is None:
        raise ValueError(f"layer={layer!r} keeps no running statistics (track_running_stats=False).")
    return layer, module


def _fits(model: nn.Module, images: torch.Tensor) -> None:
    """Refuse images whose channels differ from those the model's first layer takes (for a Sequential model)."""
    first = model
    while isinstance(first, nn.Sequential) and len(first):
        first = first[0]
    expected = getattr(first, "in_channels", 0) if isinstance(first, nn.Conv2d) else getattr(first, "num_features", 0)
    if isinstance(first, (nn.Conv2d, nn.BatchNorm2d)) and expected and images.shape[1] != expected:
        hint = "; they look channels-last: use images.permute(0, 3, 1, 2)" if images.shape[-1] == expected else ""
        raise ValueError(f"images has {images.shape[1]} channels (shape {tuple(images.shape)}), but the model's first "
                         f"layer, {type(first).__name__}, takes {expected}: give images of shape (N, {expected}, H, W)"
                         f"{hint}.")  # fmt: skip


def _what(value: Any) -> str:
    return f"a {value.dtype} tensor of shape {tuple(value.shape)}" if torch.is_tensor(value) else type(value).__name__


def _index(value: Any, name: str, size: int, what: str) -> int:
    value = whole(value, name, example=f"{name}=0")
    if not 0 <= value < size:
        raise ValueError(f"{name}={value} is out of range: {what}, give 0 to {size - 1}.")
    return value


def _checked(model: Any, images: Any, labels: Any, layer: Any, channel: Any, batch_size: Any, image: Any,
             companions: Any, seed: Any) -> dict:  # fmt: skip
    """The arguments checked, as plain Python values (``layer`` as its name, the layer as ``module``)."""
    arguments.module(model, "model", example="the chapter's CNN")
    example = "e.g. normalised MNIST test images of shape (10000, 1, 28, 28)"
    if not isinstance(images, torch.Tensor):
        fix = "; convert it with torch.from_numpy(images)" if isinstance(images, np.ndarray) else ""
        raise TypeError(f"images must be a float tensor (N, C, H, W), got {_what(images)}: {example}{fix}.")
    if images.dim() != 4:
        fix = {3: "; for one channel, add it with images.unsqueeze(1)", 2: "; unflatten them, e.g. images.view(-1, 1, "
               "28, 28)"}.get(images.dim(), "")  # fmt: skip
        raise ValueError(f"images must be 4-D (N, C, H, W), got shape {tuple(images.shape)}: {example}{fix}.")
    if not images.is_floating_point():
        raise TypeError(f"images must be a float tensor (N, C, H, W), got {_what(images)}: {example}; convert "
                        "integer pixels with .float().")  # fmt: skip
    n = len(images)
    if n < 2:
        raise ValueError(f"images holds {_count(n, 'image')}, shape {tuple(images.shape)}: give at least 2, as train mode "
                         "normalises each batch with its own statistics.")  # fmt: skip
    _fits(model, images)
    if (not isinstance(labels, torch.Tensor) or labels.dim() != 1 or labels.is_floating_point()
            or labels.is_complex() or labels.dtype == torch.bool):  # fmt: skip
        fix = (
            "; for one-hot rows or scores use labels.argmax(1)" if torch.is_tensor(labels) and labels.dim() == 2 else ""
        )
        raise TypeError(f"labels must be a 1-D integer tensor (one class per image), got {_what(labels)}{fix}.")
    if len(labels) != n:
        raise ValueError(f"labels has {len(labels)} values but images has {n} images: give one label per image.")
    if len(labels) and int(labels.min()) < 0:
        raise ValueError(f"labels holds {int(labels.min())}: class labels run from 0 to the number of classes - 1.")
    name, module = _bn_layer(model, layer)
    channel = _index(channel, "channel", module.num_features, f"layer {name!r} has {module.num_features} channels")
    batch_size = whole(batch_size, "batch_size", example="batch_size=64")
    if batch_size < 2:
        raise ValueError(f"batch_size={batch_size} is too small: give at least 2. In train mode BN normalises with "
                         "the batch's statistics, so it needs more than one value per channel; the chapter's last "
                         "BN layer sees 1×1 maps, and PyTorch refuses a batch of 1 image there.")  # fmt: skip
    if batch_size > n:
        raise ValueError(f"batch_size={batch_size} is more than the {n} images given: give 2 to {n}.")
    image = _index(image, "image", n, f"there are {n} images")
    return dict(layer=name, module=module, channel=channel, batch_size=batch_size, image=image,
                companions=whole(companions, "companions", least=1, example="companions=12"),
                seed=whole(seed, "seed", example="seed=0"))  # fmt: skip


def _batch(n: int, image: int, batch_size: int, seed: int) -> torch.Tensor:
    """Indices: ``image`` first, then ``batch_size - 1`` others drawn without replacement."""
    others = torch.randperm(n - 1, generator=torch.Generator().manual_seed(seed))[: batch_size - 1]
    others = others + (others >= image).long()  # skip the image itself
    return torch.cat([torch.tensor([image]), others])


def _learned(layer: nn.BatchNorm2d, channel: int) -> tuple[float, float]:
    """The layer's learned scale and shift for ``channel`` (1 and 0 for a layer without them)."""
    return (float(layer.weight[channel].detach()), float(layer.bias[channel].detach())) if layer.affine else (1.0, 0.0)


def batchnorm_view(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, *, layer: str | nn.Module = "1.2",
                   channel: int = 0, batch_size: int = 64, gamma: float | None = None, beta: float | None = None,
                   image: int = 0, companions: int = 12, seed: int = 0) -> dict:  # fmt: skip
    """One channel of a BatchNorm2d layer on one batch: its input, statistics and output in both modes.

    The batch is image ``image`` then ``batch_size - 1`` others drawn without replacement with
    ``torch.Generator().manual_seed(seed)``. "before" is the layer's input when a deep copy of the
    model runs on it in training mode (earlier BN layers also use the batch's statistics); both
    outputs normalise these same values, with the batch's statistics (train mode) and with the
    running ones (eval mode). The caller's model, its buffers and flags are never changed.

    Parameters
    ----------
    model : nn.Module
        A classifier with BatchNorm2d layers, e.g. chapter 5's CNN with BN in every block.
    images, labels : torch.Tensor
        Float images (N, C, H, W), normalised as in training; their classes, 1-D integer.
    layer : str or nn.Module, default "1.2"
        A BatchNorm2d layer: its name in ``model.named_modules()`` or the layer itself.
    channel, image : int, default 0
        The layer's channel; the index of the image that comes first in every batch.
    batch_size : int, default 64
        From 2 to N: train mode needs more than one image per batch.
    gamma, beta : float or None
        Scale and shift applied after normalising; None means the layer's learned values.
    companions, seed : int, default 12 and 0
        The image is also classified in train mode in ``companions`` other random batches
        (seeds ``seed + 1`` to ``seed + companions``).

    Returns
    -------
    dict
        ``layer`` (name), ``channel``, ``batch_size``, ``gamma``, ``beta``, ``image``, ``label``, ``batch``
        (indices), ``before``, ``after_train``, ``after_eval`` (1-D float tensors over N×H×W),
        ``batch_mean``, ``batch_std`` (sqrt(biased variance + eps)), ``running_mean``, ``running_std``,
        ``train_probs`` (the true class's probability per companion batch), ``eval_prob``, ``eval_pred``.

    Examples
    --------
    >>> import torch, torch.nn as nn
    >>> from ainotes.bn_view import batchnorm_view
    >>> _ = torch.manual_seed(0)  # a BN layer named "1", on random images
    >>> net = nn.Sequential(
    ...     nn.Conv2d(1, 4, 2, 2),
    ...     nn.BatchNorm2d(4),
    ...     nn.AvgPool2d(14),
    ...     nn.Flatten(),
    ...     nn.Linear(4, 10),
    ... )
    >>> images, labels = torch.randn(100, 1, 28, 28), torch.randint(0, 10, (100,))
    >>> view = batchnorm_view(net, images, labels, layer="1", batch_size=8, image=5)
    >>> (
    ...     view["batch"][0],
    ...     view["before"].shape,
    ...     len(view["train_probs"]),
    ...     view["gamma"],
    ...     net.training,
    ... )
    (5, torch.Size([1568]), 12, 1.0, True)
    >>> abs(
    ...     float(view["after_train"].mean())
    ... ) < 1e-5  # train mode: the batch's own mean is subtracted
    True
    """
    c = _checked(model, images, labels, layer, channel, batch_size, image, companions, seed)
    module, channel, image = c["module"], c["channel"], c["image"]
    gamma = _learned(module, channel)[0] if gamma is None else real(gamma, "gamma", example="gamma=1.0")
    beta = _learned(module, channel)[1] if beta is None else real(beta, "beta", example="beta=0.0")
    to = next(({"device": p.device, "dtype": p.dtype} for p in model.parameters()), {})  # the model's device and dtype
    label, clone, captured = int(labels[image]), copy.deepcopy(model), {}  # the layer's latest input
    hook = dict(clone.named_modules())[c["layer"]].register_forward_pre_hook(lambda _, args: captured.update(x=args[0]))

    def probabilities(indices: torch.Tensor, train: bool = True) -> torch.Tensor:
        clone.train(train)
        logits = clone(images[indices].to(**to))
        if logits.dim() != 2 or not 0 <= label < logits.shape[1]:
            raise ValueError(f"labels[{image}]={label} is not a class of the model's output, of shape "
                             f"{tuple(logits.shape)}: give labels from 0 to {logits.shape[-1] - 1}.")  # fmt: skip
        return logits.softmax(dim=1)[0].float().cpu()

    try:
        with torch.no_grad(), torch.random.fork_rng(devices=[]):  # dropout, if any, leaves the caller's RNG alone
            torch.default_generator.manual_seed(c["seed"])  # the CPU's generator only: CUDA's is left alone
            try:
                eval_probs = probabilities(torch.tensor([image]), train=False)  # first: the copy's buffers are intact
            except RuntimeError as error:  # the images do not fit the model: size or layout
                if isinstance(error, torch.cuda.OutOfMemoryError):
                    raise
                raise ValueError(f"images of shape {tuple(images.shape)} do not fit the model ({str(error).splitlines()[0]}"
                                 "): give images shaped as the ones it was trained on.") from None  # fmt: skip
            probabilities(batch := _batch(len(images), image, c["batch_size"], c["seed"]))
            before = captured["x"][:, channel].reshape(-1).detach().float().cpu()
            train_probs = [float(probabilities(_batch(len(images), image, c["batch_size"], c["seed"] + k))[label])
                           for k in range(1, c["companions"] + 1)]  # fmt: skip
    finally:
        hook.remove()
    x, eps = before.double(), module.eps
    batch_mean, batch_std = float(x.mean()), float(torch.sqrt(x.var(unbiased=False) + eps))
    running_mean, running_std = float(module.running_mean[channel]), float((module.running_var[channel] + eps).sqrt())
    return dict(layer=c["layer"], channel=channel, batch_size=c["batch_size"], gamma=gamma, beta=beta, image=image,
                label=label, batch=batch.tolist(), before=before,
                after_train=(gamma * (x - batch_mean) / batch_std + beta).float(),
                after_eval=(gamma * (x - running_mean) / running_std + beta).float(), batch_mean=batch_mean,
                batch_std=batch_std, running_mean=running_mean, running_std=running_std, train_probs=train_probs,
                eval_prob=float(eval_probs[label]), eval_pred=int(eval_probs.argmax()))  # fmt: skip
