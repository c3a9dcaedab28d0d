"""The channel explorer: pick a CIFAR-10 image, see its channels and its pixel values raw and normalised.

A thin widget layer over :func:`ainotes.channelplot.channel_figure`. It uses only ipywidgets APIs
common to versions 7.7 (Google Colab) and 8.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import torch

from ainotes._signatures import init_signature
from ainotes.arguments import class_labels, nonempty, whole
from ainotes.channelplot import channel_figure
from ainotes.convplot import number
from ainotes.data.stats import _per_channel, channel_stats
from ainotes.notebook import show_figure

__all__ = ["ChannelExplorer"]

_NAMES = ("red", "green", "blue")


def _pixel_scale(values: torch.Tensor, name: str) -> None:
    """Refuse a mean or std off the 0-to-1 scale of ``ToTensor()`` pixels (of 0-255 pixels, say)."""
    if not bool(((values >= 0) & (values <= 1)).all()):
        shown = tuple(round(v, 4) for v in values.tolist())
        raise ValueError(f"`{name}` is {shown}: the explorer's pixels run from 0 to 1 (as ToTensor() gives them), so "
                         f"each {name} must be from 0 to 1; divide values of 0-255 pixels by 255.")  # fmt: skip


@init_signature
class ChannelExplorer(w.VBox):
    """Choose a class and an image of it; see the image, its channels, and its pixel values per
    channel raw and after ``Normalize(mean, std)``, with their mean and std.

    Parameters
    ----------
    dataset : torchvision-style colour dataset, e.g. ``cifar10()``
        With ``data`` (N, H, W, 3) uint8, ``targets`` and ``classes``.
    mean, std : three float
        The data set's per-channel mean and std, as given to ``Normalize``.
    start : int, default 79
        The image shown first (CIFAR-10's training image 79 is an automobile): the class menu
        starts at its class and the slider at its place in that class.
    per_class : int, default 100
        The slider chooses among the first ``per_class`` images of the class.

    Attributes
    ----------
    category : Dropdown
        The class (its value is the class index).
    number : IntSlider
        Which image of the class: 0 is its first image in the data set.
    drawn : dict
        What is shown: ``index`` (in the data set), ``label``, ``position`` (in the class),
        ``raw`` and ``normalised`` (each a pair of per-channel mean and std).

    Examples
    --------
    In a notebook, the last line of a cell shows it; outside one, the figures go to stdout as text.

    >>> import contextlib, io, numpy as np
    >>> from ainotes.channel_explorer import ChannelExplorer
    >>> class Tiny:
    ...     data = np.random.default_rng(0).integers(0, 256, (6, 8, 8, 3), dtype=np.uint8)
    ...     targets = [0, 1, 0, 1, 1, 0]
    ...     classes = ["cat", "dog"]
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     explorer = ChannelExplorer(Tiny(), (0.5, 0.5, 0.5), (0.25, 0.25, 0.25), start=4)
    >>> explorer.drawn["index"], explorer.drawn["label"], explorer.number.value
    (4, 'dog', 2)
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     explorer.category.value = 0
    >>> explorer.drawn["index"], explorer.drawn["label"]
    (0, 'cat')
    """

    def __init__(self, dataset: Any, mean: Sequence[float], std: Sequence[float], *, start: int = 79,
                 per_class: int = 100) -> None:  # fmt: skip
        missing = [f"`{name}`" for name in ("data", "targets", "classes") if not hasattr(dataset, name)]
        if missing:
            raise TypeError(f"dataset: the {type(dataset).__name__} has no {' or '.join(missing)}: give a "
                            "torchvision-style colour dataset such as cifar10(), with `data` (N, H, W, 3), `targets` "
                            "and `classes`.")  # fmt: skip
        data = np.asarray(dataset.data)
        if data.ndim != 4 or data.shape[-1] != 3 or data.dtype != np.uint8:
            hint = (": it looks channels-first, use data.transpose(0, 2, 3, 1)" if data.ndim == 4 and
                    data.shape[1] == 3 and data.shape[-1] != 3 else "")  # fmt: skip
            raise ValueError(f"The dataset's `data` is {data.dtype} of shape {data.shape}: the explorer needs colour "
                             f"images with 3 channels, uint8 of shape (N, H, W, 3), as CIFAR-10's{hint}.")  # fmt: skip
        if not len(data):
            raise ValueError("The dataset's `data` holds no images: give a dataset with at least one.")
        classes = [str(c) for c in nonempty(dataset.classes, "dataset.classes", example="['cat', 'dog']")]
        targets = class_labels(dataset.targets, "dataset.targets", classes=len(classes)).numpy()
        if len(targets) != len(data):
            raise ValueError(f"The dataset has {len(data)} images but {len(targets)} targets: give one per image.")
        start = whole(start, "start", example="start=79")
        per_class = whole(per_class, "per_class", least=1, example="per_class=100")
        if not 0 <= start < len(data):
            raise ValueError(f"`start` is {start}, but the dataset has {len(data)} images: give 0 to {len(data) - 1}.")
        self.mean = _per_channel(mean, "mean", 3).float()
        self.std = _per_channel(std, "std", 3, positive=True).float()
        _pixel_scale(self.mean, "mean")
        _pixel_scale(self.std, "std")
        self.data, self.classes = data, classes
        label = int(targets[start])
        position = int(np.flatnonzero(targets == label).tolist().index(start))
        if position >= per_class:
            raise ValueError(f"Image {start} is number {position} of class {self.classes[label]!r}, beyond the first "
                             f"per_class={per_class}: give per_class={position + 1} or more.")  # fmt: skip
        self.members = {c: np.flatnonzero(targets == c)[:per_class] for c in range(len(self.classes))}
        options = [(name, c) for c, name in enumerate(self.classes) if len(self.members[c])]
        style = {"description_width": "90px"}
        self.category = w.Dropdown(options=options, value=label, description="class", style=style)
        # The slider counts images within the chosen class (0 = its first image in the data set).
        self.number = w.IntSlider(position, min=0, max=len(self.members[label]) - 1, description="nth of class",
                                  style=style)  # fmt: skip
        self.figure, self.stats = w.Output(), w.HTML()
        self.drawn: dict = {}
        self._filling = False
        wrap = w.Layout(flex_flow="row wrap")  # on a phone the controls wrap instead of being cut off
        super().__init__([w.HBox([self.category, self.number], layout=wrap), self.figure, self.stats])
        self.category.observe(lambda _: self._on_class(), "value")
        self.number.observe(lambda _: self.update(), "value")
        self.update()

    def _on_class(self) -> None:
        self._filling = True  # the slider's value and range change together: draw once, after
        self.number.value = 0
        self.number.max = len(self.members[self.category.value]) - 1
        self._filling = False
        self.update()

    def index(self) -> int:
        """The data-set index of the image the controls choose."""
        return int(self.members[self.category.value][self.number.value])

    def image(self) -> torch.Tensor:
        """The chosen image as ``ToTensor()`` gives it: float [3, H, W] in [0, 1]."""
        return torch.from_numpy(np.ascontiguousarray(self.data[self.index()])).permute(2, 0, 1).float() / 255

    def update(self) -> None:
        """Redraw for the controls (called whenever one changes)."""
        if self._filling:
            return
        index, image = self.index(), self.image()
        label = self.classes[self.category.value]
        normalised = (image - self.mean.view(3, 1, 1)) / self.std.view(3, 1, 1)
        raw, norm = channel_stats(image.unsqueeze(0)), channel_stats(normalised.unsqueeze(0))
        self.drawn = dict(index=index, label=label, position=self.number.value, raw=raw, normalised=norm)

        def line(stats: tuple) -> str:
            return "; ".join(f"{name} mean {number(m, '.2f')}, std {number(s, '.2f')}"
                             for name, m, s in zip(_NAMES, *stats))  # fmt: skip

        self.stats.value = (f"<p>Image {index} of the data set ({html.escape(label)} number {self.number.value} "
                            f"on the slider), per channel. <b>Raw:</b> {line(raw)}. "
                            f"<b>Normalised</b> with the data set's mean and std: {line(norm)}.</p>")  # fmt: skip
        with self.figure:
            self.figure.clear_output(wait=True)
            fig = channel_figure(image, self.mean.tolist(), self.std.tolist(), title=f"image {index}: {label}")
            show_figure(fig)
            plt.close(fig)
