"""Every figure of the book: image grids, training curves, per-class accuracy, schedules.

Each function draws on new axes (or the ``ax`` given), titles and labels them, and returns the
matplotlib ``Figure``. Nothing changes matplotlib's style on import: call :func:`set_theme`.
The convolution figures live in :mod:`ainotes.convplot` (kernels, feature maps) and :mod:`ainotes.convanim` (the animation)
and :mod:`ainotes.diagrams` (architecture, multi-channel convolution, padding kinds); the first
four are re-exported here: ``from ainotes.plot import animate_convolution`` works. Colour channels
and their pixel values per channel are drawn by :mod:`ainotes.channelplot`; its
:func:`~ainotes.channelplot.plot_channel_histograms` and :func:`~ainotes.channelplot.show_channels`
are re-exported here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from ainotes._plot_checks import _accuracies, _check_history, _check_images, _chosen
from ainotes.arguments import class_labels, nonempty, real, whole
from ainotes.channelplot import plot_channel_histograms, show_channels
from ainotes.convanim import animate_convolution, animation_html
from ainotes.convplot import draw_map, show_feature_maps, show_kernels
from ainotes.metrics import _counts
from ainotes.statsplot import plot_color_dim, plot_layer_stats
from ainotes.train import History

__all__ = [
    "animate_convolution",
    "animation_html",
    "draw_map",
    "plot_channel_histograms",
    "plot_class_accuracy",
    "plot_color_dim",
    "plot_confusion",
    "plot_history",
    "plot_layer_stats",
    "plot_lr_schedule",
    "set_theme",
    "show_channels",
    "show_feature_maps",
    "show_images",
    "show_kernels",
]

_RIGHT, _WRONG = "#1a7f37", "#cf222e"
_MAX_WIDTH = 9.6  # inches: about 770 pixels at the book's dpi of 80


def set_theme(dpi: int = 80) -> None:
    """Apply the book's plotting style (seaborn's ``whitegrid``), with a modest figure ``dpi``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from ainotes.plot import set_theme
    >>> with (
    ...     plt.rc_context()
    ... ):  # the style only inside this block, so the example leaves no trace
    ...     set_theme(dpi=100)
    ...     (
    ...         plt.rcParams["figure.dpi"],
    ...         plt.rcParams["image.cmap"],
    ...         plt.rcParams["axes.grid"],
    ...     )
    (100.0, 'gray', True)
    """
    if real(dpi, "dpi", positive=True, example="dpi=80") < 20 or dpi > 600:
        raise ValueError(f"dpi={dpi!r} is out of range: give a resolution from 20 to 600 dots per inch, e.g. dpi=80.")
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams.update({"figure.dpi": dpi, "savefig.dpi": dpi, "image.cmap": "gray"})


def _image_to_numpy(image: Any, name: str) -> np.ndarray:
    """(C, H, W) or (H, W) tensor, or (H, W, C) array → something ``imshow`` shows; or a clear error."""
    if isinstance(image, tuple):
        raise TypeError(f"{name} is a tuple, not an image: for an (image, label) pair of a data set, give the images, "
                        "e.g. [train_set[i][0] for i in range(8)] or train_set.data.")  # fmt: skip
    if isinstance(image, (str, bytes)):
        raise TypeError(f"{name} is the text {image!r}, not an image: load the file first, e.g. with "
                        "PIL.Image.open(path), or give image tensors.")  # fmt: skip
    array = image.detach().cpu().numpy() if isinstance(image, torch.Tensor) else np.asarray(image)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} holds {array.dtype} values: give an image of numbers (a tensor or a NumPy array).")
    if array.ndim == 3 and array.shape[0] in (1, 3) and array.shape[-1] not in (1, 3):
        array = array.transpose(1, 2, 0)  # CHW → HWC
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[-1] not in (3, 4)):
        raise ValueError(f"Cannot show {name} of shape {tuple(array.shape)}: give (H, W), (C, H, W) or (H, W, C) "
                         "with 1 or 3 channels (C).")  # fmt: skip
    if array.dtype != np.uint8 and array.ndim == 3:  # normalised colour images: rescale to [0, 1]
        low, high = array.min(), array.max()
        if low < 0 or high > 1:
            array = (array - low) / max(high - low, 1e-12)
    return array


def show_images(
    images: torch.Tensor | Sequence,
    labels: Sequence[int] | torch.Tensor | None = None,
    *,
    predictions: Sequence[int] | torch.Tensor | None = None,
    classes: Sequence[str] | None = None,
    indices: Sequence[int] | None = None,
    ncols: int = 8,
    size: float = 1.4,
    title: str | None = None,
    fontsize: float = 9,
) -> Figure:
    """A grid of images, each titled with its true label and, if given, the prediction.

    Correct predictions are green, wrong ones red with the true class on a second line:
    ``"Pullover\\n(true: T-shirt/top)"``. Rows are spaced for two-line titles and the layout
    keeps long class names from running into each other.

    Parameters
    ----------
    images : tensor (N, C, H, W) or (N, H, W), or a sequence of images
    labels, predictions : class indices, one per image, or one per entry of ``indices`` (in its order)
    classes : class names, indexed by label
    indices : which images to show, at most 100 (fixed indices keep figures identical run to run)
    ncols : images per row
    size : width of one image in inches (reduced so that the grid is at most 9.6 inches wide)
    title : figure title
    fontsize : font size of the per-image titles

    Examples
    --------
    >>> import torch
    >>> from ainotes.plot import show_images
    >>> fig = show_images(
    ...     torch.rand(2, 8, 8), [0, 1], predictions=[0, 0], classes=["cat", "dog"]
    ... )
    >>> [ax.get_title() for ax in fig.axes]
    ['cat', 'cat\\n(true: dog)']
    """
    count = _check_images(images)
    names = None if classes is None else nonempty(classes, "classes", example="classes=train_set.classes")
    chosen = _chosen(indices, count)
    checked = {}
    for name, values in (("labels", labels), ("predictions", predictions)):
        if values is not None:
            checked[name] = class_labels(values, name, classes=None if names is None else len(names))
            n, values = len(checked[name]), checked[name].tolist()
            if n != count and n != len(chosen):
                also = f", or one per entry of indices ({len(chosen)})" if indices is not None else ""
                raise ValueError(f"{n} {name} for {count} images: give one per image{also}.")
            checked[name] = [values[i] for i in chosen] if n == count else values  # one per image shown
    labels, predictions = checked.get("labels"), checked.get("predictions")
    ncols = whole(ncols, "ncols", least=1, example="ncols=8")
    size = real(size, "size", positive=True, example="size=1.4")
    fontsize = real(fontsize, "fontsize", positive=True, example="fontsize=9")
    arrays = [_image_to_numpy(images[i], f"images[{i}]") for i in chosen]

    def name_of(label: int) -> str:
        label = int(label)
        return names[label] if names is not None else str(label)

    titles: list[tuple[str, str]] = []  # (text, colour) per image
    for k in range(len(chosen)):
        if predictions is not None and labels is not None and predictions[k] != labels[k]:
            titles.append((f"{name_of(predictions[k])}\n(true: {name_of(labels[k])})", _WRONG))
        elif predictions is not None:
            titles.append((name_of(predictions[k]), _RIGHT if labels is not None else "black"))
        elif labels is not None:
            titles.append((name_of(labels[k]), "black"))
    ncols = min(ncols, len(chosen))
    nrows = -(-len(chosen) // ncols)
    size = min(size, _MAX_WIDTH / ncols)  # at most about 800 pixels wide at dpi 80
    lines = max((text.count("\n") + 1 for text, _ in titles), default=0)
    row_height = size + (lines * fontsize * 1.35 / 72 + 0.08 if lines else 0.04)  # room for the titles
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, nrows * row_height + (0.4 if title else 0.1)),
                             squeeze=False, layout="constrained")  # fmt: skip
    for ax in axes.flat:
        ax.axis("off")
    for k, (ax, array) in enumerate(zip(axes.flat, arrays)):
        ax.imshow(array, cmap="gray")
        if titles:
            ax.set_title(titles[k][0], fontsize=fontsize, color=titles[k][1], linespacing=1.15)
    if title:
        fig.suptitle(title)
    return fig


def plot_history(history: History, title: str = "Training history") -> Figure:
    """Loss and accuracy per epoch, training and validation side by side.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from ainotes.plot import plot_history
    >>> from ainotes.train import History
    >>> history = History(
    ...     train_loss=[0.9, 0.5],
    ...     train_acc=[0.70, 0.84],
    ...     valid_loss=[0.7, 0.6],
    ...     valid_acc=[0.76, 0.80],
    ... )
    >>> fig = plot_history(history)
    >>> [ax.get_title() for ax in fig.axes], [len(ax.lines) for ax in fig.axes]
    (['Loss', 'Accuracy'], [2, 2])
    >>> plt.close(fig)
    """
    _check_history(history)
    if history.epochs == 0:
        raise ValueError("history is empty: train for at least one epoch first, e.g. history = fit(model, ...).")
    epochs = np.arange(1, history.epochs + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.5))
    ax_loss.plot(epochs, history.train_loss, "o-", label="training")
    ax_acc.plot(epochs, np.array(history.train_acc) * 100, "o-", label="training")
    if history.valid_loss:
        ax_loss.plot(epochs, history.valid_loss, "s-", label="validation")
        ax_acc.plot(epochs, np.array(history.valid_acc) * 100, "s-", label="validation")
    ax_loss.set(title="Loss", xlabel="epoch", ylabel="cross-entropy loss")
    ax_acc.set(title="Accuracy", xlabel="epoch", ylabel="accuracy (%)")
    for ax in (ax_loss, ax_acc):
        ax.set_xticks(epochs)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_lr_schedule(history: History, title: str = "Learning rate and momentum per step") -> Figure:
    """The learning rate (and momentum, where the optimiser has one) at every training step.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from ainotes.plot import plot_lr_schedule
    >>> from ainotes.train import History
    >>> fig = plot_lr_schedule(
    ...     History(lr=[0.001, 0.01, 0.004, 0.0001], momentum=[0.95, 0.85, 0.9, 0.95])
    ... )
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['learning rate', "momentum (Adam's beta1)"]
    >>> plt.close(fig)
    """
    _check_history(history)
    if not len(history.lr):
        raise ValueError("history has no steps recorded (history.lr is empty): give the History that fit() "
                         "returned after training.")  # fmt: skip
    fig, ax = plt.subplots(figsize=(8, 3))
    steps = np.arange(len(history.lr))
    ax.plot(steps, history.lr, color="C0")
    ax.set(xlabel="training step", ylabel="learning rate", title=title)
    momentum = np.array(history.momentum, dtype=float)
    if momentum.size and not np.isnan(momentum).all():
        twin = ax.twinx()
        twin.plot(steps, momentum, color="C1")
        twin.set_ylabel("momentum (Adam's beta1)", color="C1")
        twin.grid(False)
    fig.tight_layout()
    return fig


def plot_class_accuracy(
    accuracy: torch.Tensor | Sequence[float], classes: Sequence[str], title: str = "Accuracy per class"
) -> Figure:
    """Horizontal bars of per-class accuracy (fractions in [0, 1]), weakest class highlighted.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from ainotes.plot import plot_class_accuracy
    >>> fig = plot_class_accuracy([0.9, 0.6, 0.8], ["cat", "dog", "ship"])
    >>> [round(bar.get_width()) for bar in fig.axes[0].patches]
    [90, 60, 80]
    >>> plt.close(fig)
    """
    values = _accuracies(accuracy) * 100
    classes = nonempty(classes, "classes", example="test_set.classes")
    if len(values) != len(classes):
        raise ValueError(f"{len(values)} accuracies for {len(classes)} classes: give one per class.")
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(classes) + 1))
    colours = [_WRONG if v == np.nanmin(values) else "C0" for v in values]
    ax.barh(list(classes), values, color=colours)
    ax.invert_yaxis()
    ax.set(xlabel="accuracy on the test set (%)", xlim=(0, 100), title=title)  # from 0: bar lengths compare
    for y, v in enumerate(values):
        ax.text(v, y, f" {v:.1f}", va="center", fontsize=8)
    fig.tight_layout()
    return fig


def plot_confusion(cm: torch.Tensor, classes: Sequence[str], title: str = "Confusion matrix") -> Figure:
    """Heat map of a confusion matrix (rows: true class, columns: predicted class).

    ``cm`` holds counts, as :func:`~ainotes.metrics.confusion_matrix` gives (a row-normalised
    matrix of fractions is refused). The mistakes (off the diagonal) are shaded on their own
    scale, so that the confusions stand out; the correct counts on the diagonal are written in
    bold on a plain background.

    Examples
    --------
    >>> import torch
    >>> from ainotes.metrics import confusion_matrix
    >>> import matplotlib.pyplot as plt
    >>> from ainotes.plot import plot_confusion
    >>> cm = confusion_matrix(
    ...     torch.tensor([0, 0, 1, 1, 2]), torch.tensor([0, 1, 1, 1, 0]), num_classes=3
    ... )
    >>> fig = plot_confusion(cm, ["cat", "dog", "ship"])
    >>> [text.get_text() for text in fig.axes[0].texts]
    ['1', '1', '0', '0', '2', '0', '1', '0', '0']
    >>> plt.close(fig)
    """
    matrix = _counts(cm).numpy()
    classes = nonempty(classes, "classes", example="test_set.classes")
    if matrix.shape != (len(classes), len(classes)):
        raise ValueError(f"cm has shape {matrix.shape} but classes has {len(classes)} names: give a "
                         f"{len(classes)}×{len(classes)} matrix, or one name per row of cm.")  # fmt: skip
    mistakes = matrix.astype(float)
    np.fill_diagonal(mistakes, np.nan)  # not drawn: the diagonal would set the whole colour scale
    fig, ax = plt.subplots(figsize=(7, 6))
    shown = ax.imshow(mistakes, cmap="Reds", vmin=0)
    ax.grid(False)
    ticks = np.arange(len(classes))
    ax.set_xticks(ticks, classes, rotation=45, ha="right")
    ax.set_yticks(ticks, classes)
    ax.set(xlabel="predicted class", ylabel="true class", title=title)
    fig.colorbar(shown, ax=ax, fraction=0.046, pad=0.04, label="mistakes (images)")
    off_diagonal = mistakes[~np.isnan(mistakes)]
    threshold = off_diagonal.max() / 2 if off_diagonal.size else 0
    for i in range(len(classes)):
        for j in range(len(classes)):
            dark = i != j and matrix[i, j] > threshold
            ax.text(j, i, int(matrix[i, j]), ha="center", va="center", fontsize=8.5,
                    fontweight="bold" if i == j else "normal", color="white" if dark else "black")  # fmt: skip
    fig.tight_layout()
    return fig
