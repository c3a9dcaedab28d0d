"""Interactive front-ends for the chapters (ipywidgets), each a thin layer over pure functions.

The logic lives in :mod:`ainotes.conv` and :mod:`ainotes.exercises`, which tests call directly;
the widgets only read controls and show results. Each widget draws its default state when it is
created, so a page built from the executed notebook shows a real figure, not an empty box.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import ipywidgets as w
import matplotlib.pyplot as plt
import torch
from IPython.display import display
from torch import nn

from ainotes.conv import PRESET_KERNELS, apply_kernel, output_size_formula
from ainotes.exercises import Feedback, check_output_shape
from ainotes.plot import draw_map

__all__ = ["ConvolutionExplorer", "ShapeQuiz"]


class ConvolutionExplorer(w.VBox):
    """Pick an image and a 3×3 kernel (a preset, or type the nine weights), stride, padding and
    dilation; see the feature map, its size, and the output-size formula with the numbers in.

    Parameters
    ----------
    images : mapping of name to image tensor (H, W) or (C, H, W)
    kernels : mapping of name to 3×3 kernel, default :data:`ainotes.conv.PRESET_KERNELS`
    """

    PADDINGS = (0, 1, 2, "valid", "same", "full")

    def __init__(self, images: Mapping[str, torch.Tensor], kernels: Mapping[str, Sequence] = PRESET_KERNELS) -> None:
        if not images:
            raise ValueError("Give at least one image to explore.")
        for name, kernel in kernels.items():
            if torch.as_tensor(kernel).shape != (3, 3):
                raise ValueError(f"Kernel {name!r} must be 3×3 (the explorer edits nine weights).")
        self.images, self.kernels = (
            dict(images),
            {k: torch.as_tensor(v, dtype=torch.float32) for k, v in kernels.items()},
        )
        style = {"description_width": "70px"}
        self.image = w.Dropdown(options=list(self.images), description="image", style=style)
        self.preset = w.Dropdown(options=[*self.kernels, "custom"], description="kernel", style=style)
        self.weights = [w.FloatText(layout=w.Layout(width="64px")) for _ in range(9)]
        self.stride = w.IntSlider(1, min=1, max=3, description="stride", style=style)
        self.padding = w.Dropdown(options=self.PADDINGS, value=0, description="padding", style=style)
        self.dilation = w.IntSlider(1, min=1, max=3, description="dilation", style=style)
        self.formula = w.HTML()
        self.figure = w.Output()
        self._filling = False
        self._fill_weights()
        grid = w.GridBox(self.weights, layout=w.Layout(grid_template_columns="repeat(3, 68px)"))
        weights = w.VBox([w.HTML("<small>or type the 3×3 weights:</small>"), grid])
        settings = w.VBox([self.stride, self.padding, self.dilation])
        super().__init__([w.HBox([self.image, self.preset]), w.HBox([weights, settings]), self.figure, self.formula])
        self.preset.observe(lambda _: self._on_preset(), "value")
        for box in self.weights:
            box.observe(lambda _: self._on_weight(), "value")
        for control in (self.image, self.stride, self.padding, self.dilation):
            control.observe(lambda _: self.update(), "value")
        self.update()

    # -- reading the controls
    def kernel(self) -> torch.Tensor:
        """The 3×3 kernel currently in the nine boxes."""
        return torch.tensor([b.value for b in self.weights], dtype=torch.float32).view(3, 3)

    def settings(self) -> dict:
        return dict(stride=self.stride.value, padding=self.padding.value, dilation=self.dilation.value)

    def _fill_weights(self) -> None:
        self._filling = True
        for box, value in zip(self.weights, self.kernels[self.preset.value].flatten().tolist()):
            box.value = round(value, 3)
        self._filling = False

    def _on_preset(self) -> None:
        if self.preset.value != "custom":
            self._fill_weights()
            self.update()

    def _on_weight(self) -> None:
        if self._filling:
            return
        if self.preset.value != "custom" and not torch.allclose(
            self.kernel(), self.kernels[self.preset.value], atol=1e-3
        ):
            self._filling = True
            self.preset.value = "custom"
            self._filling = False
        self.update()

    # -- the result
    def result(self) -> tuple[torch.Tensor | None, str]:
        """(feature map, explanation) for the current controls; (None, message) if impossible."""
        image = torch.as_tensor(self.images[self.image.value], dtype=torch.float32)
        height = image.shape[-2]
        try:
            feature_map = apply_kernel(image, self.kernel(), **self.settings())
            formula = output_size_formula(height, 3, **self.settings())
        except ValueError as exc:
            return None, str(exc)
        return feature_map, formula

    def update(self) -> None:
        """Recompute and redraw (called whenever a control changes)."""
        feature_map, text = self.result()
        image = torch.as_tensor(self.images[self.image.value], dtype=torch.float32)
        grey = image.mean(0) if image.ndim == 3 else image
        if feature_map is None:
            self.formula.value = f'<p style="color:#cf222e"><b>Impossible settings:</b> {text}</p>'
            return
        h, w_ = feature_map.shape
        self.formula.value = (f"<p>Output size: <b>{h}×{w_}</b> from {grey.shape[0]}×{grey.shape[1]}. "
                              f"Height: <code>{text}</code></p>")  # fmt: skip
        with self.figure:
            self.figure.clear_output(wait=True)
            fig, axes = plt.subplots(1, 3, figsize=(8.4, 3.0), dpi=80, gridspec_kw={"width_ratios": [1, 0.8, 1]})
            draw_map(axes[0], grey, title=f"input {grey.shape[0]}×{grey.shape[1]}", symmetric=False, colorbar=False)
            draw_map(axes[1], self.kernel(), title=f"kernel ({self.preset.value})", annotate=True, colorbar=False,
                     fontsize=11)  # fmt: skip
            draw_map(axes[2], feature_map, title=f"feature map {h}×{w_}")
            fig.tight_layout()
            display(fig)
            plt.close(fig)


class ShapeQuiz(w.VBox):
    """ "Predict the output shape": one question at a time, a Check button and feedback.

    Parameters
    ----------
    questions : sequence of (input shape, layer)
        For each, the reader predicts ``layer(torch.zeros(input_shape)).shape``.
    """

    def __init__(self, questions: Sequence[tuple[Sequence[int], nn.Module]]) -> None:
        if not questions:
            raise ValueError("Give at least one (input shape, layer) question.")
        self.questions = [(tuple(shape), layer) for shape, layer in questions]
        self.index, self.right = 0, set()
        self.prompt = w.HTML()
        self.answer = w.Text(placeholder="e.g. 1, 16, 30, 30", description="shape:", continuous_update=False)
        self.check_button = w.Button(description="Check", button_style="primary", icon="check")
        self.next_button = w.Button(description="Next question", icon="arrow-right")
        self.feedback = w.HTML()
        self.score = w.HTML()
        self.check_button.on_click(lambda _: self.check())
        self.next_button.on_click(lambda _: self.next())
        super().__init__([self.prompt, w.HBox([self.answer, self.check_button, self.next_button]), self.feedback,
                          self.score])  # fmt: skip
        self._show()

    def _show(self) -> None:
        shape, layer = self.questions[self.index]
        self.prompt.value = (f"<b>Question {self.index + 1} of {len(self.questions)}.</b> What shape does "
                             f"<code>{layer}</code> give for an input of shape <code>{list(shape)}</code>?")  # fmt: skip
        self.answer.value = ""
        self.feedback.value = "<i>Type the shape (batch, channels, height, width) and press Check.</i>"
        self.score.value = f"<small>{len(self.right)} of {len(self.questions)} right so far.</small>"

    def check(self) -> Feedback:
        """Check the typed answer against the current question; shows and returns the verdict."""
        shape, layer = self.questions[self.index]
        verdict = check_output_shape(self.answer.value.strip() or None, shape, layer)
        if verdict.correct:
            self.right.add(self.index)
        self.feedback.value = verdict._repr_html_()
        self.score.value = f"<small>{len(self.right)} of {len(self.questions)} right so far.</small>"
        return verdict

    def next(self) -> None:
        """Go to the next question (after the last, back to the first)."""
        self.index = (self.index + 1) % len(self.questions)
        self._show()
