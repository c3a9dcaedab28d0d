"""Hints for wrong self-check answers, recognised by value: which common mistake gives that number?

Each ``..._hint`` function recomputes the question the way a typical mistake would (forgetting
the ``+ 1``, the padding, the stride, the biases, ...) and returns the hint for the first mistake
that gives the reader's number, or ``""`` when none does. A hint never contains the right answer.
Each ``GENERIC_...`` text points to the method for answers no known mistake explains.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from torch import nn

from ainotes._questions import answer_sizes, parameter_counts, question_shape
from ainotes.arguments import flag, module, nonempty, whole
from ainotes.conv import LayerGeometry, conv_output_size, padding_amount

__all__ = [
    "GENERIC_BATCHES",
    "GENERIC_FLATTEN",
    "GENERIC_LAST_BATCH",
    "GENERIC_OUTPUT_SIZE",
    "GENERIC_RECEPTIVE_FIELD",
    "batch_count_hint",
    "flatten_hint",
    "generic_parameter_hint",
    "last_batch_hint",
    "output_size_hint",
    "parameter_hint",
    "receptive_field_hint",
    "shape_hint",
]

FORMULA = "(size + 2·padding − dilation·(kernel − 1) − 1) // stride + 1"
#: Hint for a wrong output size that matches no common mistake.
GENERIC_OUTPUT_SIZE = f"Work it out term by term with {FORMULA}; `//` rounds down."
#: Hint for a wrong receptive field that matches no common mistake.
GENERIC_RECEPTIVE_FIELD = ("Go layer by layer: start with field 1 and jump 1; each layer adds (kernel − 1) × jump "
                           "to the field, then multiplies the jump by its stride.")  # fmt: skip
#: Hint for a wrong flatten size that matches no common mistake.
GENERIC_FLATTEN = ("Multiply channels × height × width of the maps that reach the flatten; follow the height "
                   "through every layer (each convolution and pooling changes it).")  # fmt: skip
#: Hint for a wrong number of batches that matches no common mistake.
GENERIC_BATCHES = ("Divide the number of images by the batch size: a DataLoader rounds up (the last batch may be "
                   "smaller), or down with `drop_last=True`.")  # fmt: skip
#: Hint for a wrong size of the last batch that matches no common mistake.
GENERIC_LAST_BATCH = ("Take away all the full batches: what is left over (the remainder of the division) is the last "
                      "batch; nothing left over means the last batch is a full one.")  # fmt: skip


def _matching(value: int, expected: int, candidates: list[tuple[int | None, str]]) -> str:
    """The hint of the first wrong answer in ``candidates`` that ``value`` equals; "" if none."""
    for guess, hint in candidates:
        if guess is not None and guess != expected and value == guess:
            return hint
    return ""


def _size_or_none(*args: int | str) -> int | None:
    try:
        return conv_output_size(*args)
    except ValueError:
        return None


def output_size_hint(value: int, size: int, kernel_size: int, stride: int = 1, padding: int | str = 0,
                     dilation: int = 1, pool: bool = False) -> str:  # fmt: skip
    """The hint for a wrong output size ``value``, or "" if no common mistake gives it.

    Examples
    --------
    >>> from ainotes.hints import output_size_hint
    >>> output_size_hint(15, size=32, kernel_size=5, stride=2, padding=2)
    "Did you forget the `+ 1`? It counts the kernel's first position."
    >>> output_size_hint(
    ...     16, size=32, kernel_size=5, stride=2, padding=2
    ... )  # the right answer
    ''
    """
    value, expected = whole(value, "value"), conv_output_size(size, kernel_size, stride, padding, dilation)
    span = dilation * (kernel_size - 1)
    total = span if padding == "same" else 2 * padding_amount(padding, kernel_size, dilation)
    kind = f"`padding={padding!r}` adds" if isinstance(padding, str) else "Padding adds"
    stride_hint = ("Pooling's stride is its kernel size unless you give another: " if pool
                   else "With a stride, the kernel jumps several pixels at a time: ")  # fmt: skip
    candidates = [
        (expected - 1, "Did you forget the `+ 1`? It counts the kernel's first position."),
        (_size_or_none(size, kernel_size, 1, padding, dilation) if stride > 1 else None,
         f"Did you use stride 1? {stride_hint}divide by the stride (`//` rounds down) before adding 1."),
        (_size_or_none(size, kernel_size, stride, 0, dilation) if total else None,
         f"Did you leave out the padding? {kind} pixels on both sides before the kernel slides."),
        (_size_or_none(size, kernel_size, stride, padding, 1) if dilation > 1 else None,
         "Did you forget the dilation? A dilated kernel spans dilation × (kernel − 1) + 1 pixels."),
        (size, "Without enough padding, a kernel cannot centre on the border pixels, so the output shrinks."
         if expected < size else "This padding adds more pixels than the kernel's span takes away: the output grows."),
    ]  # fmt: skip
    n_minus_k = "Size − kernel is not quite it: count the positions where the whole kernel fits, the first included, "
    for guess in (size - kernel_size, size + total - kernel_size, size - span, size + total - span,
                  (size + total - kernel_size) // stride, (size + total - span - 1) // stride):  # fmt: skip
        candidates.append((guess, n_minus_k + f"with {FORMULA}."))
    return _matching(value, expected, candidates)


def receptive_field_hint(value: int, geometry: Sequence[LayerGeometry]) -> str:
    """The hint for a wrong receptive field, from :func:`ainotes.conv.receptive_field`'s result.

    Examples
    --------
    >>> from ainotes.conv import receptive_field
    >>> from ainotes.hints import receptive_field_hint
    >>> layers = [{"kernel_size": 5}, {"kernel_size": 2, "pool": True}, {"kernel_size": 3}]
    >>> receptive_field_hint(8, receptive_field(layers))[:52]
    'You added up the kernels but left out the jump: afte'
    """
    value, geometry = whole(value, "value"), nonempty(geometry, "geometry", example="receptive_field(layers)")
    for i, g in enumerate(geometry):
        if not isinstance(g, LayerGeometry):
            raise TypeError(f"geometry[{i}] must be a LayerGeometry, as ainotes.conv.receptive_field(layers) gives; "
                            f"got {g!r} ({type(g).__name__}).")  # fmt: skip
    expected = geometry[-1].receptive_field
    field, jump = 1, 1
    for g in geometry:
        if not g.pool:
            field += g.dilation * (g.kernel_size - 1) * jump
            jump *= g.stride
    no_jump = ("You added up the kernels but left out the jump: after a layer with stride s, neighbouring pixels "
               "are s input pixels apart, so each later layer adds (kernel − 1) × (product of the earlier strides).")  # fmt: skip
    candidates = [
        (field if any(g.pool for g in geometry) else None, "Did you skip the pooling layers? A pooling window widens "
         "the field like a kernel, and its stride multiplies the jump of every layer after it."),
        (1 + sum(g.dilation * (g.kernel_size - 1) for g in geometry), no_jump),
        (sum(g.kernel_size for g in geometry), "Adding the kernel sizes counts the pixels where neighbouring "
         "windows overlap twice, and leaves out the jump: start at 1 and let each layer add (kernel − 1) × jump."),
    ]  # fmt: skip
    return _matching(value, expected, candidates)


def flatten_hint(value: int, channels: int, height: int, width: int) -> str:
    """The hint for a wrong flatten size, given the shape of the maps that reach the flatten.

    Examples
    --------
    >>> from ainotes.hints import flatten_hint
    >>> flatten_hint(800, channels=32, height=2, width=2)
    '32 channels is right, but the maps are not 5×5: follow the height through every layer.'
    """
    value, channels = whole(value, "value"), whole(channels, "channels", least=1)
    height, width = whole(height, "height", least=1), whole(width, "width", least=1)
    expected = channels * height * width
    if value == expected or value <= 0:
        return ""
    if value == height * width and channels > 1:
        return ("That is one feature map (height × width): flattening keeps every channel, so multiply by the "
                "number of channels.")  # fmt: skip
    if channels > 1 and value % channels == 0:
        per_map = value // channels
        side = math.isqrt(per_map)
        shape = f"{side}×{side}" if side * side == per_map and height == width else f"{per_map} values each"
        which = f"{channels} channels" if channels != expected else "The number of channels"
        return f"{which} is right, but the maps are not {shape}: follow the height through every layer."
    return ""


def _out_features(layer: nn.Module) -> int | None:
    return getattr(layer, "out_channels", getattr(layer, "out_features", None))


def parameter_hint(value: int, layer: nn.Module) -> str:
    """The hint for a wrong parameter count of ``layer``.

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes.hints import parameter_hint
    >>> parameter_hint(800, nn.Conv2d(16, 32, kernel_size=5))
    'Each filter spans all the input channels: it has in_channels × kH × kW weights, not kH × kW.'
    """
    layer = module(layer, "layer", example="nn.Conv2d(16, 32, kernel_size=5)")
    value, expected = whole(value, "value"), sum(parameter_counts(layer).values())
    unit = "output channel" if isinstance(layer, nn.modules.conv._ConvNd) else "output feature"
    bias = getattr(layer, "bias", None)
    biases = bias.numel() if isinstance(bias, nn.Parameter) else 0
    out = _out_features(layer)
    candidates = [(expected - biases if biases else None, f"You forgot the biases: one per {unit}.")]
    if not biases and out is not None:
        candidates.append((expected + out, "This layer was made with `bias=False`: it has weights only."))
    if isinstance(layer, nn.modules.conv._ConvNd) and layer.in_channels // layer.groups > 1:
        one_channel = layer.weight.numel() // (layer.in_channels // layer.groups)
        spans = "Each filter spans all the input channels: it has in_channels × kH × kW weights, not kH × kW."
        candidates += [(one_channel + biases, spans), (one_channel, spans)]
    if isinstance(layer, nn.Linear):
        candidates.append((layer.weight.numel() + layer.in_features,
                           "A Linear layer has one bias per output feature, not per input feature."))  # fmt: skip
    return _matching(value, expected, candidates)


def generic_parameter_hint(layer: nn.Module) -> str:
    """How to count the parameters of ``layer``, without the number.

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes.hints import generic_parameter_hint
    >>> generic_parameter_hint(nn.Linear(4, 2))
    'Count the weights, out_features × in_features, then add one bias per output feature.'
    """
    example = f"nn.{layer.__name__}(...)" if isinstance(layer, type) else "nn.Linear(4, 2)"
    layer = module(layer, "layer", example=example)
    has_bias = isinstance(getattr(layer, "bias", None), nn.Parameter)
    if isinstance(layer, nn.modules.conv._ConvNd):
        weights, unit = "out_channels × in_channels × kH × kW", "output channel"
    elif isinstance(layer, nn.Linear):
        weights, unit = "out_features × in_features", "output feature"
    elif not any(True for _ in layer.parameters()):
        return "Ask what the layer computes: does it have a weight or a bias that training changes?"
    else:
        return "Add up the sizes of every weight and bias tensor of the layer."
    return f"Count the weights, {weights}, then " + (f"add one bias per {unit}." if has_bias
                                                     else "remember this layer has no biases (`bias=False`).")  # fmt: skip


def _int_setting(value: int | tuple | str) -> int | str | None:
    if isinstance(value, tuple):
        return value[0] if len(set(value)) == 1 else None
    return value


def shape_hint(given: Sequence[int], expected: Sequence[int], input_shape: Sequence[int], layer: nn.Module) -> str:
    """The hint for a wrong output shape of ``layer`` on ``input_shape`` (always a hint: never "").

    Examples
    --------
    >>> from torch import nn
    >>> from ainotes.hints import shape_hint
    >>> shape_hint((1, 3, 30, 30), (1, 16, 30, 30), (1, 3, 32, 32), nn.Conv2d(3, 16, 3))
    "The number of channels out is the layer's `out_channels`, whatever comes in."
    """
    layer = module(layer, "layer", example="nn.Conv2d(3, 16, 3)")
    given, expected = answer_sizes(given, "given"), answer_sizes(expected, "expected")
    input_shape = question_shape(input_shape, "input_shape")
    names = {4: "batch, channels, height, width", 3: "channels, height, width", 2: "batch, features"}
    if len(given) != len(expected):
        return f"The output has {len(expected)} dimensions" + (f": {names[len(expected)]}." if len(expected) in names
                                                                else ".")  # fmt: skip
    if given[0] != expected[0] and len(expected) in (2, 4):
        return "A layer never changes the batch size."
    if len(expected) == 2:
        if isinstance(layer, nn.Linear):
            return "A Linear layer gives `out_features` values per image, whatever its input size."
        return "Flatten multiplies channels × height × width into one number per image."
    if len(expected) != 4:
        return "Follow each dimension through the layer."
    pool = isinstance(layer, (nn.MaxPool2d, nn.AvgPool2d))
    if given[1] != expected[1]:
        if pool:
            return "Pooling keeps the number of channels: it works on each channel separately."
        return "The number of channels out is the layer's `out_channels`, whatever comes in."
    settings = None
    if isinstance(layer, nn.Conv2d):
        settings = [_int_setting(layer.kernel_size), _int_setting(layer.stride),
                    layer.padding if isinstance(layer.padding, str) else _int_setting(layer.padding),
                    _int_setting(layer.dilation)]  # fmt: skip
    elif pool and not layer.ceil_mode:
        stride = layer.stride if layer.stride is not None else layer.kernel_size
        settings = [_int_setting(layer.kernel_size), _int_setting(stride), _int_setting(layer.padding),
                    _int_setting(getattr(layer, "dilation", 1))]  # fmt: skip
    if given[2] == expected[2]:
        return "The height is right; the width follows the same rule."
    hint = ""
    if settings is not None and None not in settings and len(input_shape) > 2:
        hint = output_size_hint(given[2], input_shape[2], *settings, pool=pool)
    hint = hint or GENERIC_OUTPUT_SIZE
    return "Batch and channels are right; for the height: " + hint[0].lower() + hint[1:]


def batch_count_hint(value: int, n_images: int, batch_size: int, drop_last: bool = False) -> str:
    """The hint for a wrong number of batches.

    Examples
    --------
    >>> from ainotes.hints import batch_count_hint
    >>> batch_count_hint(15, n_images=1000, batch_size=64)[:40]
    'The leftover images make one more, small'
    """
    n_images, batch_size = whole(n_images, "n_images", least=1), whole(batch_size, "batch_size", least=1)
    value, drop_last = whole(value, "value"), flag(drop_last, "drop_last")
    expected = n_images // batch_size if drop_last else -(-n_images // batch_size)
    candidates = [
        (-(-n_images // batch_size) if drop_last else n_images // batch_size,
         "`drop_last=True` drops the leftover images, so round down." if drop_last else
         "The leftover images make one more, smaller batch: a DataLoader keeps them unless `drop_last=True`. "
         "Round up."),
        (batch_size, "That is the batch size; the question is how many batches it takes to go through all the "
         "images once."),
    ]  # fmt: skip
    return _matching(value, expected, candidates)


def last_batch_hint(value: int, n_images: int, batch_size: int) -> str:
    """The hint for a wrong size of the last batch.

    Examples
    --------
    >>> from ainotes.hints import last_batch_hint
    >>> last_batch_hint(0, n_images=1000, batch_size=100)[:48]
    'No images are left over, but that does not make '
    """
    n_images, batch_size = whole(n_images, "n_images", least=1), whole(batch_size, "batch_size", least=1)
    value, remainder = whole(value, "value"), n_images % batch_size
    expected = remainder or batch_size
    if value == 0 and remainder == 0:
        return ("No images are left over, but that does not make an empty batch: the last batch is a full one "
                "(a DataLoader never makes an empty batch).")  # fmt: skip
    candidates = [
        (batch_size, "The last batch holds only the images left over after the full batches."),
        (n_images // batch_size, "That counts the full batches; the question is how many images the last batch "
         "holds."),
    ]  # fmt: skip
    return _matching(value, expected, candidates)
