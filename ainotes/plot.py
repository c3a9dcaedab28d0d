"""Every figure of the book: image grids, training curves, per-class accuracy, schedules.

Each function draws on new axes (or the ``ax`` given), titles and labels them, and returns the
matplotlib ``Figure``. Nothing changes matplotlib's style on import: call :func:`set_theme`.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from ainotes.train import History

__all__ = [
    "animate_convolution",
    "draw_map",
    "plot_class_accuracy",
    "plot_confusion",
    "plot_history",
    "plot_lr_schedule",
    "set_theme",
    "show_feature_maps",
    "show_images",
    "show_kernels",
]

_RIGHT, _WRONG = "#1a7f37", "#cf222e"


def set_theme(dpi: int = 80) -> None:
    """Apply the book's plotting style (seaborn's ``whitegrid``), with a modest figure ``dpi``."""
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams.update({"figure.dpi": dpi, "savefig.dpi": dpi, "image.cmap": "gray"})


def _image_to_numpy(image: torch.Tensor | np.ndarray) -> np.ndarray:
    """(C, H, W) or (H, W) tensor, or (H, W, C) array → something ``imshow`` shows."""
    array = image.detach().cpu().numpy() if isinstance(image, torch.Tensor) else np.asarray(image)
    if array.ndim == 3 and array.shape[0] in (1, 3) and array.shape[-1] not in (1, 3):
        array = array.transpose(1, 2, 0)  # CHW → HWC
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3):
        raise ValueError(f"Cannot show an image of shape {image.shape}: expected (H, W), (C, H, W) or (H, W, C).")
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
) -> Figure:
    """A grid of images, each titled with its true label and, if given, the prediction.

    Correct predictions are green, wrong ones red with the true class underneath.

    Parameters
    ----------
    images : tensor (N, C, H, W) or (N, H, W), or a sequence of images
    labels, predictions : class indices, one per image (or per entry of ``indices``)
    classes : class names, indexed by label
    indices : which images to show (fixed indices keep figures identical run to run)
    """
    chosen = list(range(len(images))) if indices is None else list(indices)
    if not chosen:
        raise ValueError("No images to show.")
    for name, values in (("labels", labels), ("predictions", predictions)):
        if values is not None and len(values) != len(images):
            raise ValueError(f"{len(values)} {name} for {len(images)} images: give one per image.")

    def name_of(label: int) -> str:
        label = int(label)
        return classes[label] if classes is not None else str(label)

    ncols = min(ncols, len(chosen))
    nrows = -(-len(chosen) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, nrows * size * 1.25), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, chosen):
        ax.imshow(_image_to_numpy(images[i]), cmap="gray")
        if predictions is not None:
            right = labels is not None and int(predictions[i]) == int(labels[i])
            text = (
                name_of(predictions[i])
                if right or labels is None
                else f"{name_of(predictions[i])}\n(true: {name_of(labels[i])})"
            )
            ax.set_title(text, fontsize=8, color=_RIGHT if right else _WRONG)
        elif labels is not None:
            ax.set_title(name_of(labels[i]), fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_history(history: History, title: str = "Training history") -> Figure:
    """Loss and accuracy per epoch, training and validation side by side."""
    if not isinstance(history, History):
        raise TypeError(f"Expected the History returned by fit(), got {type(history).__name__}.")
    if history.epochs == 0:
        raise ValueError("The history is empty: train for at least one epoch first.")
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
    """The learning rate (and momentum, where the optimiser has one) at every training step."""
    if not history.lr:
        raise ValueError("The history has no steps recorded.")
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
    """Horizontal bars of per-class accuracy (fractions in [0, 1]), weakest class highlighted."""
    values = np.asarray(torch.as_tensor(accuracy, dtype=torch.float64)) * 100
    if len(values) != len(classes):
        raise ValueError(f"{len(values)} accuracies for {len(classes)} classes: give one per class.")
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(classes) + 1))
    colours = [_WRONG if v == np.nanmin(values) else "C0" for v in values]
    ax.barh(list(classes), values, color=colours)
    ax.invert_yaxis()
    ax.set(xlabel="accuracy on the test set (%)", xlim=(max(0, np.nanmin(values) - 10), 100), title=title)
    for y, v in enumerate(values):
        ax.text(v, y, f" {v:.1f}", va="center", fontsize=8)
    fig.tight_layout()
    return fig


def plot_confusion(cm: torch.Tensor, classes: Sequence[str], title: str = "Confusion matrix") -> Figure:
    """Heat map of a confusion matrix (rows: true class, columns: predicted class)."""
    matrix = np.asarray(torch.as_tensor(cm))
    if matrix.shape != (len(classes), len(classes)):
        raise ValueError(f"Expected a {len(classes)}×{len(classes)} matrix, got {matrix.shape}.")
    fig, ax = plt.subplots(figsize=(7, 6))
    ax.imshow(matrix, cmap="Blues")
    ax.grid(False)
    ticks = np.arange(len(classes))
    ax.set_xticks(ticks, classes, rotation=45, ha="right")
    ax.set_yticks(ticks, classes)
    ax.set(xlabel="predicted class", ylabel="true class", title=title)
    threshold = matrix.max() / 2
    for i in range(len(classes)):
        for j in range(len(classes)):
            ax.text(j, i, int(matrix[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if matrix[i, j] > threshold else "black")  # fmt: skip
    fig.tight_layout()
    return fig


def draw_map(
    ax,
    values: torch.Tensor | np.ndarray,
    *,
    title: str | None = None,
    symmetric: bool = True,
    annotate: bool = False,
    colorbar: bool = True,
    fontsize: int = 8,
):
    """Draw one 2-D map (a kernel, a feature map, an image) on ``ax``.

    ``symmetric=True`` centres a red/blue scale on zero, so the sign of each value shows;
    otherwise grey levels from the minimum to the maximum. ``annotate`` writes every value in
    its cell, in white on dark cells. Returns the image artist.
    """
    a = np.asarray(torch.as_tensor(values, dtype=torch.float32).detach().cpu())
    if a.ndim != 2:
        raise ValueError(f"A map must be 2-D (height, width), got shape {a.shape}; pick one channel first.")
    limit = float(np.abs(a).max()) or 1.0
    vmin, vmax = (-limit, limit) if symmetric else (float(a.min()), float(a.max()))
    shown = ax.imshow(a, cmap="RdBu_r" if symmetric else "gray", vmin=vmin, vmax=vmax)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    if title is not None:
        ax.set_title(title, fontsize=9)
    if annotate:
        for (r, c), v in np.ndenumerate(a):
            colour = "white" if abs(v) > limit / 2 else "black"
            ax.text(c, r, f"{v:.3g}", ha="center", va="center", fontsize=fontsize, color=colour)
    if colorbar:
        ax.figure.colorbar(shown, ax=ax, fraction=0.046, pad=0.04)
    return shown


def _grid_of_maps(
    maps: torch.Tensor | Sequence,
    titles: Sequence[str] | None,
    *,
    ncols: int,
    size: float,
    symmetric: bool,
    annotate: bool,
    title: str | None,
    what: str,
) -> Figure:
    arrays = [np.asarray(torch.as_tensor(m, dtype=torch.float32).detach().cpu()) for m in maps]
    if not arrays:
        raise ValueError(f"No {what}s to show.")
    for a in arrays:
        if a.ndim != 2:
            raise ValueError(f"Each {what} must be 2-D (height, width), got shape {a.shape}; pick one channel first.")
    if titles is not None and len(titles) != len(arrays):
        raise ValueError(f"{len(titles)} titles for {len(arrays)} {what}s: give one per {what}.")
    ncols = min(ncols, len(arrays))
    nrows = -(-len(arrays) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size * 1.25, nrows * size), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for i, (ax, a) in enumerate(zip(axes.flat, arrays)):
        draw_map(ax, a, title=None if titles is None else titles[i], symmetric=symmetric, annotate=annotate)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_kernels(
    kernels: torch.Tensor | Sequence,
    titles: Sequence[str] | None = None,
    *,
    ncols: int = 4,
    size: float = 2.0,
    annotate: bool = True,
    title: str | None = None,
) -> Figure:
    """Kernels (filters) as small heat maps with their values written in, and colour bars.

    Negative weights are blue, positive red, zero white, on a scale symmetric around zero.
    ``kernels`` is a tensor (N, kH, kW) or a sequence of 2-D kernels.

    Examples
    --------
    >>> import torch
    >>> from ainotes.plot import show_kernels
    >>> fig = show_kernels(torch.tensor([[[-1., -1, -1], [0, 0, 0], [1, 1, 1]]]), ["top edge"])
    >>> fig.axes[0].get_title()
    'top edge'
    """
    return _grid_of_maps(kernels, titles, ncols=ncols, size=size, symmetric=True, annotate=annotate,
                         title=title, what="kernel")  # fmt: skip


def show_feature_maps(
    maps: torch.Tensor | Sequence,
    titles: Sequence[str] | None = None,
    *,
    ncols: int = 4,
    size: float = 2.4,
    symmetric: bool = True,
    title: str | None = None,
) -> Figure:
    """Feature maps (outputs of a convolution) with colour bars: where each filter responds.

    With ``symmetric=True`` (the default) zero is white, strong positive responses red and strong
    negative ones blue, so the sign of a response is visible; use ``symmetric=False`` for
    non-negative maps (after ReLU or pooling), shown in grey levels.
    """
    return _grid_of_maps(maps, titles, ncols=ncols, size=size, symmetric=symmetric, annotate=False,
                         title=title, what="feature map")  # fmt: skip


def animate_convolution(
    image: torch.Tensor,
    kernel: torch.Tensor | Sequence[Sequence[float]],
    stride: int = 1,
    padding: int = 0,
    interval: int = 700,
):
    """Animation of a kernel sliding over a small grey image, filling in the output cell by cell.

    Each frame highlights the window under the kernel, writes its multiply-and-add sum, and adds
    that value to the output grid. Show it with ``IPython.display.HTML(anim.to_jshtml())``: the
    HTML plays in any browser, with no Python kernel behind it.

    Returns a ``matplotlib.animation.FuncAnimation`` with one frame per output value; its
    ``output`` attribute holds the finished output (equal to ``torch.nn.functional.conv2d``).
    """
    from matplotlib.animation import FuncAnimation
    from matplotlib.patches import Rectangle

    from ainotes.conv import apply_kernel

    image = torch.as_tensor(image, dtype=torch.float32)
    weight = torch.as_tensor(kernel, dtype=torch.float32)
    if image.ndim != 2 or max(image.shape) > 12:
        raise ValueError(f"Animate a small grey image (H, W) of at most 12×12 pixels, got shape {tuple(image.shape)}.")
    output = apply_kernel(image, weight, stride=stride, padding=padding)
    padded = torch.nn.functional.pad(image, (padding,) * 4)
    k = weight.shape[0]
    out_h, out_w = output.shape
    fig, (ax_in, ax_out) = plt.subplots(1, 2, figsize=(7.5, 3.6), dpi=72)
    limit = float(output.abs().max()) or 1.0
    ax_in.imshow(padded.numpy(), cmap="gray", vmin=0, vmax=max(float(padded.max()), 1e-6))
    for (r, c), v in np.ndenumerate(padded.numpy()):
        ax_in.text(c, r, f"{v:g}", ha="center", va="center", fontsize=7, color="tab:orange")
    ax_in.set_title(
        f"input {image.shape[0]}×{image.shape[1]}" + (f", padding {padding}" if padding else ""), fontsize=9
    )
    shown = np.full((out_h, out_w), np.nan)
    out_image = ax_out.imshow(shown, cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax_out.set_title(f"output {out_h}×{out_w}", fontsize=9)
    for ax, (h, w_) in ((ax_in, padded.shape), (ax_out, (out_h, out_w))):
        ax.set_xticks(np.arange(-0.5, w_, 1), minor=True)
        ax.set_yticks(np.arange(-0.5, h, 1), minor=True)
        ax.grid(which="minor", color="0.75", linewidth=0.5)
        ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
        ax.grid(which="major", visible=False)
    window = Rectangle((-0.5, -0.5), k, k, fill=False, edgecolor="tab:red", linewidth=2.5)
    ax_in.add_patch(window)
    cell = Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor="tab:red", linewidth=2.5)
    ax_out.add_patch(cell)
    texts = []
    caption = fig.text(0.5, 0.02, "", ha="center", fontsize=9)
    fig.tight_layout(rect=(0, 0.06, 1, 1))

    def draw(frame: int):
        r, c = divmod(frame, out_w)
        if frame == 0:
            shown[:] = np.nan
            for t in texts:
                t.remove()
            texts.clear()
        window.set_xy((c * stride - 0.5, r * stride - 0.5))
        cell.set_xy((c - 0.5, r - 0.5))
        value = float(output[r, c])
        shown[r, c] = value
        out_image.set_data(shown)
        colour = "white" if abs(value) > limit / 2 else "black"
        texts.append(ax_out.text(c, r, f"{value:g}", ha="center", va="center", fontsize=9, color=colour))
        caption.set_text(f"output[{r}, {c}] = sum(window × kernel) = {value:g}")
        return window, cell, out_image, caption

    anim = FuncAnimation(fig, draw, frames=out_h * out_w, interval=interval, blit=False, repeat=True)
    anim.output = output
    plt.close(fig)
    return anim
