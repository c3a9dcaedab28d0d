"""The batch-norm explorer: one channel of a BatchNorm2d layer, before and after, in train and eval mode.

:func:`batchnorm_view` reads it from a copy of the model (the caller's is never changed), with how an
image's prediction in train mode depends on its batch; :func:`batchnorm_figure` draws a view;
:class:`BatchNormExplorer` is a thin widget layer over both. It uses only ipywidgets APIs common to
versions 7.7 (Google Colab) and 8. Nothing changes matplotlib's style on import.
"""

from __future__ import annotations

import copy
import html
from typing import Any

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from torch import nn

from ainotes._signatures import init_signature
from ainotes.arguments import real, whole
from ainotes.notebook import show_figure

__all__ = ["BatchNormExplorer", "batchnorm_figure", "batchnorm_view"]

TRAIN_COLOUR, EVAL_COLOUR, GREY = "#0969da", "#cf222e", "#57606a"  # the book's blue, red and grey
BATCH_SIZES = (2, 4, 8, 16, 32, 64, 128, 256, 512)  # the explorer's slider
GAMMA_BETA_RANGE = (-3.0, 3.0)  # the explorer's sliders
_STEP, _BINS = 0.05, 40  # the sliders' step; the histograms' bins
_WIDTH = 9.6  # inches: about 770 pixels at the book's dpi of 80


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
    if not isinstance(layer, str):
        raise TypeError(f"layer must be a layer's name or the layer itself, got {layer!r}: {valid}.")
    module = modules.get(layer)
    if not isinstance(module, nn.BatchNorm2d):
        what = "no layer of the model" if module is None else f"a {type(module).__name__}"
        raise ValueError(f"layer={layer!r} is {what}, not a BatchNorm2d layer: {valid}.")
    if module.running_mean is None:
        raise ValueError(f"layer={layer!r} keeps no running statistics (track_running_stats=False).")
    return layer, module


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
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}: e.g. the chapter's CNN.")
    if not isinstance(images, torch.Tensor) or not images.is_floating_point() or images.dim() != 4:
        raise TypeError(f"images must be a float tensor (N, C, H, W), got {_what(images)}: e.g. normalised MNIST test "
                        "images of shape (10000, 1, 28, 28); convert integer pixels with .float().")  # fmt: skip
    n = len(images)
    if (not isinstance(labels, torch.Tensor) or labels.dim() != 1 or labels.is_floating_point()
            or labels.is_complex() or labels.dtype == torch.bool):  # fmt: skip
        raise TypeError(f"labels must be a 1-D integer tensor (one class per image), got {_what(labels)}.")
    if len(labels) != n:
        raise ValueError(f"labels has {len(labels)} values but images has {n} images: give one label per image.")
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
    >>> from ainotes.bn_explorer import batchnorm_view
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
            eval_probs = probabilities(torch.tensor([image]), train=False)  # first: the copy's buffers are intact
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


def _a(label: int) -> str:  # "a 7", "an 8", "an 11"
    return f"{'an' if str(label).startswith('8') or label in (11, 18) else 'a'} {label}"


def _number(value: float) -> str:
    return f"{value:.3g}"


def batchnorm_figure(view: dict) -> Figure:
    """Three panels, 9.6 inches wide: the channel's input of BN, with the batch mean (blue, dashed) and
    running mean (red, dotted); its output in train and eval mode (same bins); and the image's
    probability of its true class in train mode, one dot per companion batch, against eval mode (line).

    Parameters
    ----------
    view : dict
        From :func:`batchnorm_view`.

    Examples
    --------
    >>> import torch, torch.nn as nn
    >>> from ainotes.bn_explorer import batchnorm_figure, batchnorm_view
    >>> _ = torch.manual_seed(0)
    >>> net = nn.Sequential(
    ...     nn.Conv2d(1, 4, 2, 2),
    ...     nn.BatchNorm2d(4),
    ...     nn.AvgPool2d(14),
    ...     nn.Flatten(),
    ...     nn.Linear(4, 10),
    ... )
    >>> images, labels = torch.randn(100, 1, 28, 28), torch.tensor([7] * 100)
    >>> fig = batchnorm_figure(batchnorm_view(net, images, labels, layer="1", batch_size=8))
    >>> [
    ...     " ".join(ax.get_title().split()) for ax in fig.axes
    ... ]  # doctest: +NORMALIZE_WHITESPACE
    ['Layer 1, channel 0: input of BN (batch of 8)', 'After BN with γ = 1.00, β = 0.00',
     'Image 0 (a 7): train mode depends on the batch']
    """
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(_WIDTH, 3.9), layout="constrained")
    before, after_train, after_eval = (view[key].numpy() for key in ("before", "after_train", "after_eval"))
    counts = left.hist(before, bins=_BINS, color=GREY, alpha=0.55)[0]
    for key, colour, style in (("batch_mean", TRAIN_COLOUR, "--"), ("running_mean", EVAL_COLOUR, ":")):
        left.axvline(view[key], color=colour, linestyle=style, linewidth=2.2, label=f"{key.replace('_', ' ')} "
                     f"{_number(view[key])}")  # fmt: skip
    bins = np.histogram_bin_edges(np.concatenate([after_train, after_eval]), bins=_BINS)
    counts = [counts, middle.hist(after_train, bins=bins, color=TRAIN_COLOUR, alpha=0.45,
                                  label="train mode (batch statistics)")[0],
              middle.hist(after_eval, bins=bins, histtype="step", color=EVAL_COLOUR, linewidth=1.8,
                          label="eval mode (running statistics)")[0]]  # fmt: skip
    probs = view["train_probs"]
    right.axhline(view["eval_prob"], color=EVAL_COLOUR, linestyle="--", linewidth=2,
                  label=f"eval mode: {view['eval_prob']:.2f}")  # fmt: skip
    right.plot(range(1, len(probs) + 1), probs, "o", color=TRAIN_COLOUR, markersize=6, clip_on=False,
               label=f"train mode, batches of {view['batch_size']}")  # fmt: skip
    right.set(xlim=(0.5, len(probs) + 0.5), ylim=(-0.02, 1.04))  # a line at 0 or 1 stays visible
    right.xaxis.set_major_locator(MaxNLocator(integer=True))
    for ax, title, xlabel, ylabel, top in (
        (left, f"Layer {view['layer']}, channel {view['channel']}:\ninput of BN (batch of {view['batch_size']})",
         "value before BN", "number of values", max(counts[0].max(), 1)),
        (middle, f"After BN with γ = {view['gamma']:.2f}, β = {view['beta']:.2f}", "value after BN",
         "number of values", max(counts[1].max(), counts[2].max(), 1)),
        (right, f"Image {view['image']} ({_a(view['label'])}):\ntrain mode depends on the batch", "companion batch",
         "probability of the true class", None),
    ):  # fmt: skip
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(xlabel, fontsize=10)
        ax.set_ylabel(ylabel, fontsize=10)
        ax.tick_params(labelsize=9)
        if top is not None:
            ax.set_ylim(0, 1.45 * top)  # room for the legend
        ax.legend(loc="best" if top is None else "upper right", fontsize=9)
    fig.suptitle(f"Train mode uses this batch's mean {_number(view['batch_mean'])} and std "
                 f"{_number(view['batch_std'])}; eval mode the running mean {_number(view['running_mean'])} and std "
                 f"{_number(view['running_std'])}", fontsize=11)  # fmt: skip
    return fig


def _caption(view: dict) -> str:
    probs = view["train_probs"]
    return (f"<p>This batch of {view['batch_size']}: mean <b>{_number(view['batch_mean'])}</b>, std <b>"
            f"{_number(view['batch_std'])}</b>; running statistics (used in eval mode): mean <b>"
            f"{_number(view['running_mean'])}</b>, std <b>{_number(view['running_std'])}</b>. In train mode, image "
            f"{view['image']} ({_a(view['label'])}) gets probability <b>{min(probs):.2f}</b> to <b>{max(probs):.2f}"
            f"</b> for its true class, depending on the {view['batch_size'] - 1} other images in its batch "
            f"({len(probs)} batches); in eval mode always <b>{view['eval_prob']:.2f}</b> (predicted "
            f"{view['eval_pred']}).</p>")  # fmt: skip


def _slider(value: float) -> float:  # rounded to the sliders' step, within their range
    return round(min(max(round(value / _STEP) * _STEP, GAMMA_BETA_RANGE[0]), GAMMA_BETA_RANGE[1]), 2)


@init_signature
class BatchNormExplorer(w.VBox):
    """Choose a batch size, channel, γ, β and image; see a BatchNorm2d layer's input and output in train
    and eval mode, and how train mode's prediction depends on the batch (figure from
    :func:`~ainotes.bn_explorer.batchnorm_figure`, the statistics and probabilities in words below it).

    Parameters
    ----------
    model, images, labels, layer, channel, image, companions, seed
        As :func:`batchnorm_view`; the model is never changed.
    batch_size : int, default 64
        One of 2, 4, 8, …, 512 and at most ``len(images)`` (the slider's values).
    gamma, beta : float or None
        From -3 to 3; None: the layer's learned values, exactly (shown rounded) until a slider moves.
    show : bool, default True
        Draw the figure at once, so that a page built from the executed notebook shows it (else at
        the first change of a control, or call of :meth:`update`).

    Attributes
    ----------
    batch_size, gamma, beta, channel, image, learned : widgets
        The controls; the ``learned`` button, like a change of channel, resets γ and β.
    drawn : dict
        What is shown: the view without its tensors, and ``title`` (the figure's, None before it is
        drawn); or the settings and ``error`` (the message).

    Examples
    --------
    >>> import contextlib, io, torch, torch.nn as nn
    >>> from ainotes.bn_explorer import BatchNormExplorer
    >>> _ = torch.manual_seed(0)
    >>> net = nn.Sequential(
    ...     nn.Conv2d(1, 4, 2, 2),
    ...     nn.BatchNorm2d(4),
    ...     nn.AvgPool2d(14),
    ...     nn.Flatten(),
    ...     nn.Linear(4, 10),
    ... )
    >>> images, labels = torch.randn(100, 1, 28, 28), torch.randint(0, 10, (100,))
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     explorer = BatchNormExplorer(net, images, labels, layer="1", batch_size=8)
    >>> (
    ...     explorer.batch_size.options,
    ...     explorer.drawn["batch_size"],
    ...     explorer.drawn["title"] is not None,
    ... )
    ((2, 4, 8, 16, 32, 64), 8, True)
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     explorer.gamma.value = 2.0
    >>> explorer.drawn["gamma"]
    2.0
    """

    def __init__(self, model: nn.Module, images: torch.Tensor, labels: torch.Tensor, *,
                 layer: str | nn.Module = "1.2", channel: int = 0, batch_size: int = 64, gamma: float | None = None,
                 beta: float | None = None, image: int = 0, companions: int = 12, seed: int = 0,
                 show: bool = True) -> None:  # fmt: skip
        c = _checked(model, images, labels, layer, channel, batch_size, image, companions, seed)
        sizes = tuple(size for size in BATCH_SIZES if size <= len(images))
        if c["batch_size"] not in sizes:
            raise ValueError(f"batch_size={c['batch_size']} is not on the slider: give one of {str(sizes)[1:-1]}.")
        for name, value in (("gamma", gamma), ("beta", beta)):
            if value is not None and not GAMMA_BETA_RANGE[0] <= real(value, name) <= GAMMA_BETA_RANGE[1]:
                raise ValueError(f"{name}={value:g} is outside the sliders' range: give -3 to 3, or None (learned).")
        self.model, self.images, self.labels, self.layer = model, images, labels, c["layer"]
        self._module, self._companions, self._seed, self._hold = c["module"], c["companions"], c["seed"], False
        self._exact = {"gamma": gamma is None, "beta": beta is None}  # the learned value, exactly
        learned = _learned(self._module, c["channel"])
        style = {"description_width": "80px"}
        slider = dict(min=GAMMA_BETA_RANGE[0], max=GAMMA_BETA_RANGE[1], step=_STEP, readout_format=".2f",
                      continuous_update=False, style=style)  # fmt: skip
        self.batch_size = w.SelectionSlider(options=sizes, value=c["batch_size"], description="batch size",
                                            continuous_update=False, style=style)  # fmt: skip
        self.gamma = w.FloatSlider(value=_slider(learned[0]) if gamma is None else gamma, description="γ (scale)",
                                   **slider)  # fmt: skip
        self.beta = w.FloatSlider(value=_slider(learned[1]) if beta is None else beta, description="β (shift)",
                                  **slider)  # fmt: skip
        self.channel = w.IntSlider(value=c["channel"], min=0, max=self._module.num_features - 1, description="channel",
                                   continuous_update=False, style=style)  # fmt: skip
        self.image = w.BoundedIntText(value=c["image"], min=0, max=len(images) - 1, description="image", style=style)
        self.learned = w.Button(description="learned γ, β", tooltip="the layer's learned γ and β for this channel")
        self.figure, self.caption, self.drawn = w.Output(), w.HTML(), {}
        controls = [self.batch_size, self.channel, self.gamma, self.beta, self.learned, self.image]
        # on a phone the controls wrap instead of being cut off
        super().__init__([w.HBox(controls, layout=w.Layout(flex_flow="row wrap")), self.figure, self.caption])
        for control, moved in ((self.batch_size, None), (self.image, None), (self.gamma, "gamma"), (self.beta, "beta")):
            control.observe(lambda _, moved=moved: self._changed(moved), "value")
        self.channel.observe(lambda _: self.reset(), "value")
        self.learned.on_click(lambda _: self.reset())
        self.update(draw=bool(show))

    def _changed(self, moved: str | None = None) -> None:
        if not self._hold:
            self._exact.update({moved: False} if moved else {})
            self.update()

    def reset(self) -> None:
        """Put γ and β back to the layer's learned values for the channel, and redraw."""
        gamma, beta = _learned(self._module, self.channel.value)
        self._hold = True  # one redraw, not three
        self.gamma.value, self.beta.value, self._hold = _slider(gamma), _slider(beta), False
        self._exact = {"gamma": True, "beta": True}
        self.update()

    def settings(self) -> dict:
        """The controls' values, as keyword arguments of :func:`batchnorm_view` (γ, β None when learned)."""
        gamma, beta = (None if self._exact[key] else getattr(self, key).value for key in ("gamma", "beta"))
        return dict(layer=self.layer, channel=self.channel.value, batch_size=self.batch_size.value, gamma=gamma,
                    beta=beta, image=self.image.value, companions=self._companions, seed=self._seed)  # fmt: skip

    def update(self, draw: bool = True) -> None:
        """Recompute and redraw (called whenever a control changes); ``draw=False`` updates the caption only."""
        settings = self.settings()
        try:
            view = batchnorm_view(self.model, self.images, self.labels, **settings)
        except (ValueError, TypeError, RuntimeError) as error:
            self.caption.value = (f'<p style="color:#cf222e"><b>Impossible settings:</b> '
                                  f"{html.escape(str(error), quote=False)}</p>")  # fmt: skip
            self.figure.clear_output()
            self.drawn = dict(settings, error=str(error))
            return
        self.caption.value = _caption(view)
        self.drawn = {k: v for k, v in view.items() if not isinstance(v, torch.Tensor)} | {"title": None}
        if not draw:
            return
        with self.figure:
            self.figure.clear_output(wait=True)
            fig = batchnorm_figure(view)
            self.drawn["title"] = fig.get_suptitle()
            show_figure(fig)
            plt.close(fig)
