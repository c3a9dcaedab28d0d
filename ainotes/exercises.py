"""Self-checks for classroom exercises: right or wrong, and why.

Each ``check_...`` function compares a reader's answer with what PyTorch (or the formula) gives
and returns a :class:`~ainotes.feedback.Feedback`, which a notebook shows as a coloured box. An
answer left as ``None`` gets a reminder instead of a verdict, so a notebook runs top to bottom
before anyone has answered.

The checks make readers think before they see the answer: a right answer always shows the
working; the first wrong answer to a question gets a hint only (:mod:`ainotes.hints` recognises
the common mistakes by their value); the second gets the worked answer; ``show_answer=True`` gives
it at once. :func:`~ainotes.feedback.reset_attempts` forgets the wrong answers counted so far. The check of a
hand-written convolution, :func:`~ainotes.code_checks.check_conv2d`, lives in :mod:`ainotes.code_checks`.

Answers may come in any kind that means the same: a count as an int, a whole float (``26.0`` or
``"26.0"``), a NumPy integer, a one-element tensor or ``"1,234"``; a shape as a tuple, a list, a
``torch.Size``, a 1-D tensor or ``"1, 16, 30, 30"``. An answer of another kind gets a verdict that
says what is expected (it does not count as a wrong answer), never an exception; the arguments that
set up a question (layers, shapes, counts, ``show_answer``) get a TypeError or ValueError instead.

The checks of chapter 3, images as tensors, live in :mod:`ainotes.image_checks`:

- :func:`~ainotes.image_checks.check_permute_shape`: the shape after ``x.permute(*dims)``;
- :func:`~ainotes.image_checks.check_normalized_pixel`: a pixel's values after ``transforms.Normalize(mean, std)``;
- :func:`~ainotes.image_checks.check_memory`: the memory of a dense tensor, in B, kB, MB, GB, KiB, MiB or GiB;
- :func:`~ainotes.image_checks.check_unnormalize`: a function the reader writes that undoes ``Normalize``;
- :func:`~ainotes.image_checks.check_mean_std`: the per-channel mean and std of a data set's pixels.

The checks of chapter 4, fully connected vs convolutional, live in :mod:`ainotes.classifier_checks`:

- :func:`~ainotes.classifier_checks.check_softmax`: the softmax probabilities of a few logits, worked out by hand;
- :func:`~ainotes.classifier_checks.check_fc_parameters`: the parameter count of a fully connected network on colour or grey images.

The checks of chapter 5, training stability, live in :mod:`ainotes.training_checks`:

- :func:`~ainotes.training_checks.check_one_cycle_lr`: the learning rate a one-cycle schedule uses at a given step;
- :func:`~ainotes.training_checks.check_hook_count`: the number of forward hooks left on a model.

The checks of chapter 6, batch normalisation, live in :mod:`ainotes.norm_checks`:

- :func:`~ainotes.norm_checks.check_batchnorm_counts`: the learnable parameters and buffer values of a ``BatchNorm2d``;
- :func:`~ainotes.norm_checks.check_running_mean`: a running mean after some batches in training mode;
- :func:`~ainotes.norm_checks.check_batchnorm_output`: what batch norm outputs for a tiny batch in training mode.

The checks of chapter 7, transfer learning, live in :mod:`ainotes.transfer_checks`:

- :func:`~ainotes.transfer_checks.check_head_parameters`: the learnable parameters of a new head, ``nn.Linear(in_features, classes)``;
- :func:`~ainotes.transfer_checks.check_trainable_parameters`: the trainable parameters of a frozen SmallResNet with some parts unfrozen;
- :func:`~ainotes.transfer_checks.check_bn_buffers_changed`: the ``state_dict`` tensors one training-mode batch changes in a frozen model.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from torch import nn

from ainotes._questions import parameter_counts, question_shape, receptive_layers, shape_on_zeros
from ainotes.arguments import flag, module, whole
from ainotes.classifier_checks import check_fc_parameters, check_softmax
from ainotes.code_checks import check_conv2d
from ainotes.conv import conv_output_size, output_size_formula, receptive_field
from ainotes.feedback import (
    NO_ANSWER,
    Feedback,
    answer_shown,
    judge,
    parse_shape,
    question_key,
    read_answer,
    reset_attempts,
)
from ainotes.hints import (
    GENERIC_BATCHES,
    GENERIC_FLATTEN,
    GENERIC_LAST_BATCH,
    GENERIC_OUTPUT_SIZE,
    GENERIC_RECEPTIVE_FIELD,
    batch_count_hint,
    flatten_hint,
    generic_parameter_hint,
    last_batch_hint,
    output_size_hint,
    parameter_hint,
    receptive_field_hint,
    shape_hint,
)
from ainotes.image_checks import (
    check_mean_std,
    check_memory,
    check_normalized_pixel,
    check_permute_shape,
    check_unnormalize,
)
from ainotes.norm_checks import check_batchnorm_counts, check_batchnorm_output, check_running_mean
from ainotes.training_checks import check_hook_count, check_one_cycle_lr
from ainotes.transfer_checks import check_bn_buffers_changed, check_head_parameters, check_trainable_parameters

__all__ = [
    "Feedback",
    "check_batch_count",
    "check_batchnorm_counts",
    "check_batchnorm_output",
    "check_bn_buffers_changed",
    "check_conv2d",
    "check_fc_parameters",
    "check_flatten_size",
    "check_head_parameters",
    "check_hook_count",
    "check_last_batch",
    "check_mean_std",
    "check_memory",
    "check_normalized_pixel",
    "check_one_cycle_lr",
    "check_output_shape",
    "check_output_size",
    "check_parameter_count",
    "check_permute_shape",
    "check_receptive_field",
    "check_running_mean",
    "check_softmax",
    "check_trainable_parameters",
    "check_unnormalize",
    "output_shape",
    "parse_shape",
    "reset_attempts",
]


def check_output_size(answer: int | None, size: int, kernel_size: int, stride: int = 1, padding: int | str = 0,
                      dilation: int = 1, *, show_answer: bool = False) -> Feedback:  # fmt: skip
    """Check an answer for the output height (or width) of a convolution.

    Examples
    --------
    >>> from ainotes.exercises import check_output_size, reset_attempts
    >>> check_output_size(26, size=28, kernel_size=3)
    ✓ Right. (28 + 2×0 − 1×(3 − 1) − 1) // 1 + 1 = 26
    >>> reset_attempts()
    >>> check_output_size(15, size=32, kernel_size=5, stride=2, padding=2)
    ✗ Not quite. You said 15. Did you forget the `+ 1`? It counts the kernel's first position. Try again: a second wrong answer shows the worked answer (or pass `show_answer=True`).
    >>> check_output_size(15, size=32, kernel_size=5, stride=2, padding=2)
    ✗ Not quite. You said 15, but (32 + 2×2 − 1×(5 − 1) − 1) // 2 + 1 = 16. Did you forget the `+ 1`? It counts the kernel's first position.
    """
    question = (size, kernel_size, stride, padding, dilation)
    expected = conv_output_size(*question)
    formula = output_size_formula(*question)
    value = read_answer(answer, "An output size", show_answer)
    if isinstance(value, Feedback):
        return value
    if value is None:
        return answer_shown(f"{formula}.")
    hint = output_size_hint(value, *question) if value != expected else ""
    return judge("check_output_size", question_key(*question), correct=value == expected, given=str(value),
                 right=formula, worked=f"{formula}.", hint=hint, generic_hint=GENERIC_OUTPUT_SIZE,
                 show_answer=show_answer)  # fmt: skip


def output_shape(layer: nn.Module, input_shape: Sequence[int]) -> tuple[int, ...]:
    """The shape ``layer`` gives for zeros of ``input_shape``; a clear ValueError if it cannot run on it.

    A layer (or a layer inside a model) that cannot take the shape that reaches it, such as a
    convolution given the wrong number of channels or an ``nn.Linear`` given an image, is
    explained before PyTorch runs it.

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes.exercises import output_shape
    >>> output_shape(nn.Conv2d(3, 16, 3), (1, 3, 32, 32))
    (1, 16, 30, 30)
    >>> output_shape(nn.Linear(3072, 10), (1, 3, 32, 32))
    Traceback (most recent call last):
    ...
    ValueError: Linear(in_features=3072, out_features=10, bias=True) cannot run on an input of shape [1, 3, 32, 32]: nn.Linear works on the last dimension, which is 32, but in_features=3072: flatten first (nn.Flatten()), which gives 3072 features.
    """
    layer = module(layer, "layer", example="nn.Conv2d(3, 16, 3)")
    return shape_on_zeros(layer, question_shape(input_shape, "input_shape"))


def check_output_shape(answer: str | Sequence[int] | None, input_shape: Sequence[int], layer: nn.Module, *,
                       label: str | None = None, show_answer: bool = False) -> Feedback:  # fmt: skip
    """Check a predicted output shape by running ``layer`` on zeros of ``input_shape``.

    ``label`` names the layer in the feedback instead of its repr.

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes.exercises import check_output_shape
    >>> check_output_shape("1, 16, 30, 30", (1, 3, 32, 32), nn.Conv2d(3, 16, 3)).correct
    True
    """
    if isinstance(input_shape, nn.Module) and not isinstance(layer, nn.Module):
        raise TypeError("check_output_shape takes (answer, input_shape, layer): give the input shape before the layer.")
    expected, show_answer = output_shape(layer, input_shape), flag(show_answer, "show_answer")
    if label is not None and not isinstance(label, str):
        raise TypeError(f"label must be a string that names the layer, got {label!r} ({type(label).__name__}).")
    if answer is None and not show_answer:
        return Feedback(None, NO_ANSWER)
    shown, name = f"[{', '.join(map(str, expected))}]", label or f"`{layer}`"
    if answer is None:
        return answer_shown(f"{name} gives {shown}.")
    try:
        given = parse_shape(answer)
    except ValueError as exc:
        return Feedback(False, str(exc))
    input_shape = question_shape(input_shape, "input_shape")
    hint = shape_hint(given, expected, input_shape, layer) if given != expected else ""
    return judge("check_output_shape", question_key(input_shape, layer), correct=given == expected,
                 given=f"[{', '.join(map(str, given))}]", right=f"{name} turns {list(input_shape)} into {shown}.",
                 worked=f"{name} gives {shown}.", hint=hint, generic_hint=hint, show_answer=show_answer)  # fmt: skip


def check_parameter_count(answer: int | None, layer: nn.Module, *, show_answer: bool = False) -> Feedback:
    """Check an answer for the number of parameters (weights and biases) of ``layer``.

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes.exercises import check_parameter_count
    >>> check_parameter_count(12_832, nn.Conv2d(16, 32, kernel_size=5))
    ✓ Right. 12,800 (weight) + 32 (bias) = 12,832.
    """
    layer = module(layer, "layer", example="nn.Conv2d(16, 32, kernel_size=5)")
    counts = parameter_counts(layer)  # a lazy layer is refused: its sizes are not known yet
    value = read_answer(answer, "A parameter count", show_answer)
    if isinstance(value, Feedback):
        return value
    expected = sum(counts.values())
    working = f"{' + '.join(f'{n:,} ({name})' for name, n in counts.items())} = {expected:,}."
    if not counts:
        working = f"{type(layer).__name__} has no parameters: it learns nothing, so 0."
    if value is None:
        return answer_shown(working)
    hint = parameter_hint(value, layer) if value != expected else ""
    return judge("check_parameter_count", question_key(layer), correct=value == expected, given=f"{value:,}",
                 right=working, worked=working, hint=hint, generic_hint=generic_parameter_hint(layer),
                 show_answer=show_answer)  # fmt: skip


def check_receptive_field(answer: int | None, layers: nn.Sequential | Iterable[Any], *,
                          show_answer: bool = False) -> Feedback:  # fmt: skip
    """Check an answer for the receptive field of the last grid layer of ``layers``.

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes.exercises import check_receptive_field
    >>> check_receptive_field(5, nn.Sequential(nn.Conv2d(1, 1, 3), nn.Conv2d(1, 1, 3)))
    ✓ Right. Layer by layer the field grows 3 → 5: one output pixel sees 5×5 input pixels.
    """
    geometry = receptive_field(receptive_layers(layers))
    value = read_answer(answer, "A receptive field", show_answer)
    if isinstance(value, Feedback):
        return value
    path = " → ".join(str(g.receptive_field) for g in geometry)
    expected = geometry[-1].receptive_field
    worked = (f"layer by layer the field grows {path}. Each layer adds (kernel size − 1) × (product of the "
              "strides before it).")  # fmt: skip
    if value is None:
        return answer_shown(worked)
    hint = receptive_field_hint(value, geometry) if value != expected else ""
    right = f"Layer by layer the field grows {path}: one output pixel sees {expected}×{expected} input pixels."
    return judge("check_receptive_field", question_key(layers), correct=value == expected, given=str(value),
                 right=right, worked=worked, hint=hint, generic_hint=GENERIC_RECEPTIVE_FIELD,
                 show_answer=show_answer)  # fmt: skip


def check_flatten_size(answer: int | None, features: nn.Module, input_shape: Sequence[int], *,
                       show_answer: bool = False) -> Feedback:  # fmt: skip
    """Check the number of features that reach the first ``nn.Linear`` after flattening.

    ``features`` is the part of the model before the flatten (convolutions and pooling).

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes.exercises import check_flatten_size
    >>> check_flatten_size(
    ...     256, nn.Sequential(nn.Conv2d(1, 4, 3), nn.MaxPool2d(2)), (1, 18, 18)
    ... )
    ✓ Right. The feature maps are 4×8×8, so 256 values per image.
    """
    image = question_shape(input_shape, "input_shape", example="(1, 28, 28)")
    if len(image) not in (3, 4):
        raise ValueError(f"input_shape={image} has {len(image)} dimensions: give (channels, height, width) of one "
                         "image, e.g. (1, 28, 28).")  # fmt: skip
    features = module(features, "features", example="nn.Sequential(nn.Conv2d(1, 4, 3), nn.MaxPool2d(2))")
    shape = output_shape(features, (1, *image[-3:]))[1:]
    if len(shape) != 3:
        raise ValueError(
            f"`features` should stop before the flatten, where the maps are still (channels, height, "
            f"width); it gives {list(shape)}. Pass the layers up to, not including, nn.Flatten."
        )
    value = read_answer(answer, "A flatten size", show_answer)
    if isinstance(value, Feedback):
        return value
    channels, height, width = shape
    expected = channels * height * width
    maps = f"the feature maps that reach the flatten are {channels}×{height}×{width} = {expected:,} values per image."
    if value is None:
        return answer_shown(maps)
    hint = flatten_hint(value, channels, height, width) if value != expected else ""
    worked = maps if hint else f"{maps} Follow the height through every layer."
    return judge("check_flatten_size", question_key(features, input_shape), correct=value == expected,
                 given=f"{value:,}", right=f"The feature maps are {channels}×{height}×{width}, so {expected:,} "
                 "values per image.", worked=worked, hint=hint, generic_hint=GENERIC_FLATTEN,
                 show_answer=show_answer)  # fmt: skip


def _counts(n_images: int, batch_size: int) -> tuple[int, int, int, int]:
    """(n_images, batch_size, full batches, images left over), the counts checked."""
    n_images = whole(n_images, "n_images", least=1, example="n_images=60_000")
    batch_size = whole(batch_size, "batch_size", least=1, example="batch_size=128")
    return (n_images, batch_size, *divmod(n_images, batch_size))


def check_batch_count(answer: int | None, n_images: int, batch_size: int, drop_last: bool = False, *,
                      show_answer: bool = False) -> Feedback:  # fmt: skip
    """Check the number of batches a ``DataLoader`` makes from ``n_images`` (one epoch).

    Examples
    --------
    >>> from ainotes.exercises import check_batch_count
    >>> check_batch_count(16, n_images=1000, batch_size=64)
    ✓ Right. 1,000 images in batches of 64: 15 full batches and one of 40, 16 in all.
    """
    n_images, batch_size, full, rest = _counts(n_images, batch_size)
    drop_last = flag(drop_last, "drop_last")
    value = read_answer(answer, "A number of batches", show_answer)
    if isinstance(value, Feedback):
        return value
    expected = full + (bool(rest) and not drop_last)
    working = f"{n_images:,} images in batches of {batch_size}: {full} full batch{'es' * (full != 1)}"
    if not rest:
        working += f", {expected} in all."
    elif drop_last:
        working += f"; `drop_last=True` leaves out the last {rest} images, so {expected} in all."
    else:
        working += f" and one of {rest}, {expected} in all."
    if value is None:
        return answer_shown(working)
    hint = batch_count_hint(value, n_images, batch_size, drop_last) if value != expected else ""
    return judge("check_batch_count", question_key(n_images, batch_size, bool(drop_last)), correct=value == expected,
                 given=str(value), right=working, worked=working, hint=hint, generic_hint=GENERIC_BATCHES,
                 show_answer=show_answer)  # fmt: skip


def check_last_batch(answer: int | None, n_images: int, batch_size: int, *, show_answer: bool = False) -> Feedback:
    """Check the size of the last batch a ``DataLoader`` makes from ``n_images`` (``drop_last=False``).

    Examples
    --------
    >>> from ainotes.exercises import check_last_batch
    >>> check_last_batch(40, n_images=1000, batch_size=64)
    ✓ Right. 1,000 = 15 × 64 + 40: the last batch holds 40 images.
    """
    n_images, batch_size, full, rest = _counts(n_images, batch_size)
    value = read_answer(answer, "A batch size", show_answer)
    if isinstance(value, Feedback):
        return value
    expected = rest or batch_size
    if not full:
        working = f"{n_images:,} images make a single batch, smaller than {batch_size}: it holds {expected} images."
    elif rest:
        working = f"{n_images:,} = {full} × {batch_size} + {rest}: the last batch holds {rest} images."
    else:
        working = f"{n_images:,} = {full} × {batch_size}: nothing is left over, so the last batch is a full one of {batch_size}."
    if value is None:
        return answer_shown(working)
    hint = last_batch_hint(value, n_images, batch_size) if value != expected else ""
    return judge("check_last_batch", question_key(n_images, batch_size), correct=value == expected, given=str(value),
                 right=working, worked=working, hint=hint, generic_hint=GENERIC_LAST_BATCH,
                 show_answer=show_answer)  # fmt: skip
