"""The convolution explorer: an image, a kernel, and every setting of a convolution, live.

A thin widget layer over :func:`ainotes.kernels.apply_kernel` and
:func:`ainotes.conv.output_size_formula`; the optional guided tasks are checked by the pure
functions of :mod:`ainotes.explorer_tasks`. It uses only ipywidgets APIs common to versions 7.7
(Google Colab) and 8.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import torch

from ainotes._signatures import init_signature
from ainotes.arguments import _kind, flag
from ainotes.conv import output_size_formula
from ainotes.explorer_tasks import ExplorerState, TaskProgress
from ainotes.kernels import KERNEL_SIZES, PRESET_KERNELS, apply_kernel, preset_kernel, resize_kernel
from ainotes.notebook import show_figure
from ainotes.plot import draw_map

__all__ = ["ConvolutionExplorer"]

GREY_NOTE = "grey: mean of R, G, B"


def _grey(image: torch.Tensor) -> torch.Tensor:
    return image.mean(0) if image.ndim == 3 else image


def _as_map(value: Any, name: str, what: str, example: str) -> torch.Tensor:
    """``value`` (a tensor, NumPy array or nested list of numbers) as a float32 tensor of finite values."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (torch.Tensor, np.ndarray, list, tuple)):
        raise TypeError(f"{name} must be a tensor (or a NumPy array or nested list of numbers), got "
                        f"{type(value).__name__}: e.g. {example}.")  # fmt: skip
    try:
        tensor = torch.as_tensor(value, dtype=torch.float32)
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(f"{name} must hold numbers in rows of equal length, got {value!r:.60}: e.g. "
                        f"{example}.") from None  # fmt: skip
    if tensor.numel() == 0:
        raise ValueError(f"{name} has shape {tuple(tensor.shape)}: the {what} is empty.")
    if not bool(torch.isfinite(tensor).all()):
        raise ValueError(f"{name} holds NaN or infinite values: give finite numbers, e.g. {example}.")
    return tensor


def _shape_hint(image: torch.Tensor, name: Any) -> str:
    if image.ndim == 3 and image.shape[-1] in (1, 3):
        return f"; it looks channels-last: use images[{name!r}].permute(2, 0, 1)"
    if image.ndim == 4 and image.shape[0] == 1:
        return f"; for one image of a batch use images[{name!r}][0]"
    return ""


@init_signature
class ConvolutionExplorer(w.VBox):
    """Pick an image and a kernel (a preset, or type the weights), its size (3, 5, 7), stride,
    padding, padding mode and dilation; see the feature map, its size, and the output-size formula
    with the numbers in. Impossible settings get an explanation, and the figure is cleared.

    A colour image (3, H, W) is shown and used grey: the mean of R, G and B.

    Parameters
    ----------
    images : mapping of name to image tensor (H, W), (1, H, W) or (3, H, W)
    kernels : mapping of name to square kernel, optional
        Default: the presets of :func:`ainotes.kernels.preset_kernel`, built at each size. Kernels
        given here (odd sizes 3, 5 or 7) are centred in zeros or centre-cropped to the chosen size.
    tasks : bool, default False
        Show guided tasks under the explorer, each ticked (✓) as soon as it is done.

    Attributes
    ----------
    drawn : dict or None
        The settings the figure shows; None when it is cleared (impossible settings).

    Examples
    --------
    In a notebook, the last line of a cell shows it; outside one, the figures go to stdout as text.

    >>> import contextlib, io, torch
    >>> from ainotes.explorer import ConvolutionExplorer
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     explorer = ConvolutionExplorer({"square": torch.ones(8, 8)}, tasks=True)
    ...     explorer.size.value = 5
    >>> explorer.kernel().shape, explorer.drawn["output_size"]
    (torch.Size([5, 5]), (4, 4))
    """

    PADDINGS = (0, 1, 2, 3, "valid", "same", "full")
    PADDING_MODES = ("zeros", "reflect")

    def __init__(self, images: Mapping[str, torch.Tensor], kernels: Mapping[str, Sequence] | None = None,
                 tasks: bool = False) -> None:  # fmt: skip
        if not isinstance(images, Mapping):
            raise TypeError(f"images must be a dict {{'name': image tensor}}, got {_kind(images)}: e.g. "
                            "ConvolutionExplorer({'square': torch.ones(8, 8)}).")  # fmt: skip
        if not images:
            raise ValueError("images is empty: give at least one image to explore, as a dict: {'name': image tensor}.")
        self.images = {}
        for name, image in images.items():
            image = _as_map(image, f"images[{name!r}]", "image", "torch.ones(8, 8)")
            if not (image.ndim == 2 or (image.ndim == 3 and image.shape[0] in (1, 3))):
                raise ValueError(f"images[{name!r}] has shape {tuple(image.shape)}: give (H, W), (1, H, W) or (3, H, W)"
                                 f"{_shape_hint(image, name)}.")  # fmt: skip
            self.images[name] = image
        self._given = None
        if kernels is not None:
            if not isinstance(kernels, Mapping):
                raise TypeError(f"kernels must be a dict {{'name': square kernel}} or None (the presets), got "
                                f"{type(kernels).__name__}: e.g. kernels={{'edge': [[-1, 0, 1]] * 3}}.")  # fmt: skip
            self._given = {}
            for name, kernel in kernels.items():
                if name == "custom":  # the kernel menu's own entry for typed weights
                    raise ValueError("kernels has a kernel named 'custom', the name the kernel menu keeps for the "
                                     "weights you type: give it another name, e.g. 'my kernel'.")  # fmt: skip
                kernel = _as_map(kernel, f"kernels[{name!r}]", "kernel", "torch.ones(3, 3)")
                if kernel.ndim != 2 or kernel.shape[0] != kernel.shape[1] or kernel.shape[0] not in KERNEL_SIZES:
                    raise ValueError(f"Kernel {name!r} has shape {tuple(kernel.shape)}: give a square kernel of "
                                     f"size {', '.join(map(str, KERNEL_SIZES))}.")  # fmt: skip
                self._given[name] = kernel
            if not self._given:
                raise ValueError("Give at least one kernel, or leave kernels out to use the presets.")
        tasks = flag(tasks, "tasks")
        names = list(self._given or PRESET_KERNELS)
        style = {"description_width": "100px"}
        self.image = w.Dropdown(options=list(self.images), description="image", style=style)
        self.preset = w.Dropdown(options=[*names, "custom"], description="kernel", style=style)
        self.size = w.Dropdown(options=list(KERNEL_SIZES), value=KERNEL_SIZES[0], description="kernel size",
                               style=style)  # fmt: skip
        self.stride = w.IntSlider(1, min=1, max=3, description="stride", style=style)
        self.padding = w.Dropdown(options=self.PADDINGS, value=0, description="padding", style=style)
        self.padding_mode = w.Dropdown(options=self.PADDING_MODES, value="zeros", description="padding mode",
                                       style=style)  # fmt: skip
        self.dilation = w.IntSlider(1, min=1, max=3, description="dilation", style=style)
        self.formula, self.figure, self.task_list = w.HTML(), w.Output(), w.HTML()
        self.weights: list[w.FloatText] = []
        self.grid = w.GridBox([])
        self.grid_label = w.HTML()
        self.progress = TaskProgress() if tasks else None
        self.drawn: dict | None = None
        self._filling = False
        self._set_weights(self._named(self.preset.value, self.size.value))
        weights = w.VBox([self.grid_label, self.grid])
        settings = w.VBox([self.size, self.stride, self.padding, self.padding_mode, self.dilation])
        wrap = w.Layout(flex_flow="row wrap")  # on a phone the controls wrap instead of being cut off
        children = [w.HBox([self.image, self.preset], layout=wrap), w.HBox([weights, settings], layout=wrap),
                    self.figure, self.formula]  # fmt: skip
        super().__init__(children + ([self.task_list] if tasks else []))
        self.preset.observe(lambda _: self._on_preset(), "value")
        self.size.observe(lambda _: self._on_size(), "value")
        for control in (self.image, self.stride, self.padding, self.padding_mode, self.dilation):
            control.observe(lambda _: self.update(), "value")
        self.update()

    # -- the kernel in the boxes
    def _named(self, name: str, size: int) -> torch.Tensor:
        if self._given is not None:
            return resize_kernel(self._given[name], size)
        return preset_kernel(name, size)

    def kernel(self) -> torch.Tensor:
        """The kernel currently in the weight boxes, (k, k)."""
        k = math.isqrt(len(self.weights))
        return torch.tensor([b.value for b in self.weights], dtype=torch.float32).view(k, k)

    def _set_weights(self, kernel: torch.Tensor) -> None:
        """Fill the boxes with ``kernel``, making a new k×k grid of boxes if the size changed."""
        k = kernel.shape[0]
        self._filling = True
        if len(self.weights) != k * k:
            width = {3: 64, 5: 56, 7: 50}.get(k, 50)
            for box in self.weights:
                box.close()
            self.weights = [w.FloatText(layout=w.Layout(width=f"{width}px")) for _ in range(k * k)]
            for box in self.weights:
                box.observe(lambda _: self._on_weight(), "value")
            self.grid.layout.grid_template_columns = f"repeat({k}, {width + 4}px)"
            self.grid.children = tuple(self.weights)
            self.grid_label.value = f"<small>or type the {k}×{k} weights:</small>"
        for box, value in zip(self.weights, kernel.flatten().tolist()):
            box.value = round(value, 3)
        self._filling = False

    def _on_preset(self) -> None:
        if self._filling:  # switched to "custom" by typing a weight, which updates by itself
            return
        if self.preset.value != "custom":  # "custom" keeps the weights, and redraws for the new title
            self._set_weights(self._named(self.preset.value, self.size.value))
        self.update()

    def _on_size(self) -> None:
        if self.preset.value == "custom":
            self._set_weights(resize_kernel(self.kernel(), self.size.value))
        else:
            self._set_weights(self._named(self.preset.value, self.size.value))
        self.update()

    def _on_weight(self) -> None:
        if self._filling:
            return
        if self.preset.value != "custom" and not torch.allclose(
            self.kernel(), self._named(self.preset.value, self.size.value), atol=1e-3
        ):
            self._filling = True
            self.preset.value = "custom"
            self._filling = False
        self.update()

    # -- the result
    def settings(self) -> dict:
        """The convolution settings of the controls, as keyword arguments of :func:`~ainotes.kernels.apply_kernel`."""
        return dict(stride=self.stride.value, padding=self.padding.value, dilation=self.dilation.value,
                    padding_mode=self.padding_mode.value)  # fmt: skip

    def result(self) -> tuple[torch.Tensor | None, str]:
        """(feature map, output-size formula for the height) for the controls; (None, why) if impossible."""
        image = self.images[self.image.value]
        sizes = {k: v for k, v in self.settings().items() if k != "padding_mode"}
        try:
            feature_map = apply_kernel(image, self.kernel(), **self.settings())
            formula = output_size_formula(image.shape[-2], self.size.value, **sizes)
        except ValueError as exc:  # our own checks of the settings: nothing else is expected here
            return None, str(exc)
        return feature_map, formula

    def state(self, feature_map: torch.Tensor | None = None) -> ExplorerState:
        """What the explorer shows now, for the guided tasks."""
        image = self.images[self.image.value]
        return ExplorerState((int(image.shape[-2]), int(image.shape[-1])), self.kernel(),
                             output_size=None if feature_map is None else tuple(feature_map.shape),
                             **self.settings())  # fmt: skip

    def update(self) -> None:
        """Recompute and redraw (called whenever a control changes)."""
        feature_map, text = self.result()
        image = self.images[self.image.value]
        height, width = image.shape[-2:]
        if feature_map is None:
            self.formula.value = (f'<p style="color:#cf222e"><b>Impossible settings:</b> '
                                  f"{html.escape(text, quote=False)}</p>")  # fmt: skip
            self.figure.clear_output()
            self.drawn = None
        else:
            h, w_ = feature_map.shape
            grey = f" ({GREY_NOTE})" if image.ndim == 3 and image.shape[0] == 3 else ""
            line = f"Output size: <b>{h}×{w_}</b> from {height}×{width}{grey}. Height: <code>{text}</code>"
            if width != height:
                sizes = {k: v for k, v in self.settings().items() if k != "padding_mode"}
                line += f"; width: <code>{output_size_formula(width, self.size.value, **sizes)}</code>"
            if self.padding_mode.value != "zeros" and self.padding.value not in (0, "valid"):
                line += f". Padding mode {self.padding_mode.value}: the border is filled with mirrored pixels"
            self.formula.value = f"<p>{line}</p>"
            self._draw(_grey(image), feature_map, grey)
        if self.progress is not None:
            self.progress.update(self.state(feature_map))
            self.task_list.value = self.progress.html()

    def _draw(self, grey: torch.Tensor, feature_map: torch.Tensor, note: str) -> None:
        kernel, k = self.kernel(), self.size.value
        self.drawn = dict(image=self.image.value, kernel_size=k, output_size=tuple(feature_map.shape),
                          **self.settings())  # fmt: skip
        with self.figure:
            self.figure.clear_output(wait=True)
            fig, axes = plt.subplots(1, 3, figsize=(8.4, 3.0), dpi=80, gridspec_kw={"width_ratios": [1, 0.8, 1]})
            title = f"input {grey.shape[0]}×{grey.shape[1]}" + (f",\n{GREY_NOTE}" if note else "")
            draw_map(axes[0], grey, title=title, symmetric=False, colorbar=False)
            draw_map(axes[1], kernel, title=f"kernel {k}×{k} ({self.preset.value})", annotate=True, colorbar=False,
                     fontsize={3: 11, 5: 8}.get(k, 6))  # fmt: skip
            draw_map(axes[2], feature_map, title=f"feature map {feature_map.shape[0]}×{feature_map.shape[1]}")
            fig.tight_layout()
            show_figure(fig)
            plt.close(fig)
