import re

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from ainotes.conv import (
    PRESET_KERNELS,
    apply_kernel,
    conv_output_size,
    geometry_table,
    padding_amount,
    pool_output_size,
    preset_kernel,
    receptive_field,
    resize_kernel,
)

FAST = settings(max_examples=60, deadline=None)


# ---------------------------------------------------------------- the formula equals torch
@FAST
@given(size=st.integers(1, 40), kernel=st.integers(1, 7), stride=st.integers(1, 4),
       padding=st.integers(0, 4), dilation=st.integers(1, 3))  # fmt: skip
def test_conv_output_size_equals_torch(size, kernel, stride, padding, dilation):
    conv = nn.Conv2d(1, 1, kernel, stride=stride, padding=padding, dilation=dilation)
    x = torch.zeros(1, 1, size, size)
    if dilation * (kernel - 1) + 1 > size + 2 * padding:
        with pytest.raises(ValueError, match="larger than the padded input"):
            conv_output_size(size, kernel, stride, padding, dilation)
        with pytest.raises(RuntimeError):
            conv(x)
    else:
        assert conv_output_size(size, kernel, stride, padding, dilation) == conv(x).shape[-1]


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
@FAST
@given(size=st.integers(1, 40), kernel=st.integers(1, 7), dilation=st.integers(1, 3),
       kind=st.sampled_from(["valid", "same"]))  # fmt: skip
def test_padding_kinds_equal_torch(size, kernel, dilation, kind):
    conv = nn.Conv2d(1, 1, kernel, padding=kind, dilation=dilation)
    x = torch.zeros(1, 1, size, size)
    try:
        expected = conv(x).shape[-1]
    except RuntimeError:
        with pytest.raises(ValueError):
            conv_output_size(size, kernel, padding=kind, dilation=dilation)
        return
    assert conv_output_size(size, kernel, padding=kind, dilation=dilation) == expected


@FAST
@given(size=st.integers(1, 30), kernel=st.integers(1, 5))
def test_full_padding_grows_by_kernel_minus_one(size, kernel):
    assert conv_output_size(size, kernel, padding="full") == size + kernel - 1
    assert conv_output_size(size, kernel, padding=padding_amount("full", kernel)) == size + kernel - 1


@FAST
@given(size=st.integers(1, 40), kernel=st.integers(1, 5), stride=st.integers(1, 4),
       padding=st.integers(0, 2), ceil_mode=st.booleans(), kind=st.sampled_from([nn.MaxPool2d, nn.AvgPool2d]))  # fmt: skip
def test_pool_output_size_equals_torch(size, kernel, stride, padding, ceil_mode, kind):
    x = torch.zeros(1, 1, size, size)
    try:
        expected = kind(kernel, stride, padding, ceil_mode=ceil_mode)(x).shape[-1]
    except RuntimeError:
        with pytest.raises(ValueError):
            pool_output_size(size, kernel, stride, padding, ceil_mode=ceil_mode)
        return
    assert pool_output_size(size, kernel, stride, padding, ceil_mode=ceil_mode) == expected


def test_the_articles_stride_two_stack():
    sizes = [28]
    for _ in range(5):
        sizes.append(conv_output_size(sizes[-1], 3, stride=2, padding=1))
    assert sizes == [28, 14, 7, 4, 2, 1]


# ---------------------------------------------------------------- impossible settings
@pytest.mark.parametrize("kwargs, error, message", [
    (dict(size=2, kernel_size=5), ValueError, "kernel_size=5 is larger than the padded input"),
    (dict(size=4, kernel_size=3, dilation=3), ValueError, "spanning 7"),
    (dict(size=8, kernel_size=3, stride=0), ValueError, "stride=0 is too small: give at least 1"),
    (dict(size=8, kernel_size=3, padding=-1), ValueError, "padding=-1 is too small: give at least 0"),
    (dict(size=8, kernel_size=2.5), TypeError, "kernel_size must be a whole number"),
    (dict(size=8.0, kernel_size=3), TypeError, "size must be a whole number"),
    (dict(size=8, kernel_size=0), ValueError, "kernel_size=0 is too small"),
    (dict(size=8, kernel_size=3, padding="half"), ValueError, "padding='half' is not known: use one of 'valid'"),
    (dict(size=8, kernel_size=3, stride=2, padding="same"), ValueError, "needs stride=1"),
    (dict(size=8, kernel_size=True), TypeError, "whole number"),
])  # fmt: skip
def test_impossible_settings_say_which_value_and_why(kwargs, error, message):
    with pytest.raises(error, match=message):
        conv_output_size(**kwargs)


def test_pool_padding_limit():
    with pytest.raises(ValueError, match="at most half the kernel"):
        pool_output_size(10, 2, padding=2)


# ---------------------------------------------------------------- receptive fields
def random_stack(draw_settings):
    layers = []
    for kind, kernel, stride, dilation in draw_settings:
        if kind == "conv":
            layers += [nn.Conv2d(1, 1, kernel, stride=stride, dilation=dilation, bias=False), nn.ReLU()]
        else:
            layers.append(nn.AvgPool2d(kernel, stride=stride))
    return nn.Sequential(*layers)


layer_settings = st.tuples(st.sampled_from(["conv", "pool"]), st.integers(1, 4), st.integers(1, 2), st.integers(1, 2))


@settings(max_examples=40, deadline=None)
@given(stack=st.lists(layer_settings, min_size=1, max_size=4))
def test_receptive_field_matches_the_gradient_of_one_output(stack):
    """The input pixels that influence one output pixel span exactly the receptive field."""
    stack = [(k, kern, s, d if k == "conv" else 1) for k, kern, s, d in stack]
    model = random_stack(stack)
    for layer in model:
        if isinstance(layer, nn.Conv2d):
            nn.init.constant_(layer.weight, 1.0)  # positive weights: no cancellation in the gradient
    geometry = receptive_field(model)
    field = geometry[-1].receptive_field
    size = field + 2 * geometry[-1].jump + 8
    x = torch.ones(1, 1, size, size, requires_grad=True)
    out = model(x)
    out[0, 0, 0, 0].backward()
    rows = x.grad[0, 0].abs().sum(1).nonzero().flatten()
    assert rows.max() - rows.min() + 1 == field


def test_receptive_field_of_the_stride_two_stack():
    stack = nn.Sequential(*[nn.Conv2d(1, 1, 3, stride=2, padding=1) for _ in range(5)])
    geometry = receptive_field(stack, input_size=28)
    assert [g.output_size for g in geometry] == [14, 7, 4, 2, 1]
    assert [g.receptive_field for g in geometry] == [3, 7, 15, 31, 63]
    assert [g.jump for g in geometry] == [2, 4, 8, 16, 32]


def test_receptive_field_from_dicts_and_table():
    geometry = receptive_field([{"kernel_size": 3}, {"kernel_size": 2, "pool": True}, {"kernel_size": 3, "name": "c2"}],
                               input_size=28)  # fmt: skip
    assert [(g.name, g.receptive_field, g.output_size) for g in geometry] == [("conv 1", 3, 26), ("pool 2", 4, 13),
                                                                              ("c2", 8, 11)]  # fmt: skip
    table = geometry_table(geometry)
    assert table.splitlines()[0].split() == ["layer", "kernel", "stride", "field", "jump", "output"]
    assert table.splitlines()[3].split() == ["c2", "3", "1", "8", "2", "11"]


def test_nested_blocks_are_read_in_order():
    block = nn.Sequential(nn.Conv2d(1, 1, 3, stride=2, padding=1), nn.ReLU())
    model = nn.Sequential(block, nn.Sequential(block, nn.MaxPool2d(2)), nn.Flatten())
    assert [(g.name, g.receptive_field) for g in receptive_field(model)] == [
        ("conv 1", 3),
        ("conv 2", 7),
        ("pool 3", 11),
    ]


def test_receptive_field_stops_at_flatten_and_checks_its_input():
    model = nn.Sequential(nn.Conv2d(1, 4, 5), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(10, 2))
    assert len(receptive_field(model)) == 1
    with pytest.raises(ValueError, match="No convolution"):
        receptive_field(nn.Sequential(nn.Linear(3, 3)))
    with pytest.raises(ValueError, match="differs between height and width"):
        receptive_field(nn.Sequential(nn.Conv2d(1, 1, (3, 5))))
    with pytest.raises(ValueError, match="expected a dict with kernel_size"):
        receptive_field([{"size": 3}])
    with pytest.raises(ValueError, match="stride=0 is too small"):
        receptive_field([{"kernel_size": 3, "stride": 0}])
    with pytest.raises(TypeError, match="cannot read the geometry"):
        receptive_field([3])


def test_receptive_field_marks_pooling_layers():
    model = nn.Sequential(nn.Conv2d(1, 1, 3), nn.MaxPool2d(2), nn.Conv2d(1, 1, 3))
    assert [g.pool for g in receptive_field(model)] == [False, True, False]


# ---------------------------------------------------------------- apply_kernel
def torch_reference(image, kernel, stride, padding, dilation, mode):
    """nn.Conv2d with the same settings, or None where PyTorch refuses them."""
    k = kernel.shape[0]
    numeric = dilation * (k - 1) if padding == "full" else padding
    try:
        conv = nn.Conv2d(1, 1, k, stride, numeric, dilation, bias=False, padding_mode=mode)
        conv.weight.data = kernel[None, None]
        with torch.no_grad():
            return conv(image[None, None])[0, 0]
    except (RuntimeError, ValueError):
        return None


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
@settings(max_examples=150, deadline=None)
@given(height=st.integers(1, 12), width=st.integers(1, 12), kernel=st.integers(1, 6), stride=st.integers(1, 3),
       padding=st.sampled_from([0, 1, 2, 3, "valid", "same", "full"]), dilation=st.integers(1, 3),
       mode=st.sampled_from(["zeros", "reflect", "replicate"]), seed=st.integers(0, 1000))  # fmt: skip
def test_apply_kernel_equals_torch_for_every_padding_and_mode(height, width, kernel, stride, padding, dilation, mode,
                                                              seed):  # fmt: skip
    generator = torch.Generator().manual_seed(seed)
    image, weight = torch.rand(height, width, generator=generator), torch.randn(kernel, kernel, generator=generator)
    expected = torch_reference(image, weight, stride, padding, dilation, mode)
    if expected is None:
        with pytest.raises(ValueError):
            apply_kernel(image, weight, stride, padding, dilation, mode)
    else:
        assert torch.allclose(apply_kernel(image, weight, stride, padding, dilation, mode), expected, atol=1e-5)


def test_full_padding_no_longer_crashes():
    out = apply_kernel(torch.ones(4, 4), torch.ones(3, 3), padding="full")
    expected = F.conv2d(torch.ones(1, 1, 4, 4), torch.ones(1, 1, 3, 3), padding=2)[0, 0]
    assert out.shape == (6, 6) and torch.equal(out, expected)
    assert apply_kernel(torch.ones(4, 4), torch.ones(3, 3), padding="full", dilation=2).shape == (8, 8)


def test_same_padding_with_an_even_span_is_asymmetric_like_torch():
    image, kernel = torch.arange(25.0).view(5, 5), torch.arange(4.0).view(2, 2)
    expected = F.conv2d(image[None, None], kernel[None, None], padding="same")[0, 0]
    assert torch.equal(apply_kernel(image, kernel, padding="same"), expected)
    # reflect: one more mirrored row and column after, none before
    padded = F.pad(image[None, None], (0, 1, 0, 1), mode="reflect")
    expected = F.conv2d(padded, kernel[None, None])[0, 0]
    assert torch.equal(apply_kernel(image, kernel, padding="same", padding_mode="reflect"), expected)


def test_reflect_mirrors_the_border():
    image = torch.tensor([[1.0, 2.0, 3.0]] * 3)
    out = apply_kernel(image, torch.tensor([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]), padding=1,
                       padding_mode="reflect")  # fmt: skip
    assert out[0].tolist() == [2.0, 1.0, 2.0]  # the pixel left of column 0 mirrors column 1


def test_colour_images_are_turned_grey_by_the_channel_mean():
    colour = torch.rand(3, 6, 7)
    kernel = torch.randn(3, 3)
    assert torch.allclose(apply_kernel(colour, kernel), apply_kernel(colour.mean(0), kernel))
    assert torch.allclose(apply_kernel(colour[:1], kernel), apply_kernel(colour[0], kernel))


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(padding_mode="circular"), ValueError, "padding_mode='circular' is not known: use one of 'zeros', "
                                                "'reflect', 'replicate'"),
    (dict(padding=4, padding_mode="reflect"), ValueError, "padding must be smaller than the image side: 4 pixels on "
                                                          "a side of 4"),
    (dict(padding="full", dilation=2, padding_mode="reflect"), ValueError, "4 pixels on a side of 4"),
    (dict(padding="same", stride=2), ValueError, "needs stride=1"),
    (dict(padding="half"), ValueError, "padding='half' is not known"),
    (dict(kernel=torch.ones(2, 3)), ValueError, "Expected a square kernel, got 2×3"),
    (dict(kernel=torch.ones(3)), ValueError, "Expected a 2-D kernel"),
    (dict(image=torch.ones(2, 4, 4)), ValueError, "Expected a grey image"),
    (dict(kernel=torch.ones(5, 5)), ValueError, "kernel_size=5 is larger than the padded input"),
])  # fmt: skip
def test_apply_kernel_refuses_bad_settings_clearly(kwargs, error, message):
    arguments = dict(image=torch.ones(4, 4), kernel=torch.ones(3, 3)) | kwargs
    with pytest.raises(error, match=re.escape(message)):
        apply_kernel(**arguments)


# ---------------------------------------------------------------- preset kernels
@pytest.mark.parametrize("name", list(PRESET_KERNELS))
def test_the_written_out_presets_equal_the_formulas(name):
    assert torch.equal(torch.tensor(PRESET_KERNELS[name], dtype=torch.float32), preset_kernel(name, 3))


def test_left_edge_is_consistent_with_top_edge():
    assert PRESET_KERNELS["left edge"] == [[-1.0, 0.0, 1.0]] * 3
    for size in (3, 5, 7):
        assert torch.equal(preset_kernel("left edge", size), preset_kernel("top edge", size).T)


@pytest.mark.parametrize("size", [3, 5, 7])
def test_preset_formulas_at_every_size(size):
    c = size // 2
    row, col = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    sign = lambda t: torch.sign(t).float()  # noqa: E731
    assert torch.equal(preset_kernel("top edge", size), sign(row - c))
    assert torch.equal(preset_kernel("left edge", size), sign(col - c))
    assert torch.equal(preset_kernel("diagonal edge ↗", size), sign(col - row))
    assert torch.equal(preset_kernel("diagonal edge ↖", size), sign(size - 1 - row - col))
    line = preset_kernel("vertical line", size)
    assert line[:, c].eq(size - 1).all() and line.sum(1).eq(0).all() and line.eq(-1).sum() == size * (size - 1)
    assert torch.allclose(preset_kernel("blur", size), torch.full((size, size), 1 / size**2))
    for name in ("sharpen", "identity"):
        kernel = preset_kernel(name, size)
        assert torch.equal(kernel[c - 1 : c + 2, c - 1 : c + 2], preset_kernel(name, 3))
        assert kernel.abs().sum() == preset_kernel(name, 3).abs().sum()  # zeros around the centre
    for name in PRESET_KERNELS:
        assert preset_kernel(name, size).shape == (size, size) and preset_kernel(name, size).dtype == torch.float32


def test_there_is_no_bottom_edge_preset_on_purpose():
    assert "bottom edge" not in PRESET_KERNELS
    with pytest.raises(ValueError, match="name='bottom edge' is not known: use one of 'top edge'"):
        preset_kernel("bottom edge")


@pytest.mark.parametrize("size", [4, 9, 1])
def test_preset_sizes_are_odd_and_in_range(size):
    with pytest.raises(ValueError, match=r"is not available: kernels come in the odd sizes 3, 5, 7"):
        preset_kernel("blur", size)


@pytest.mark.parametrize("size", ["3", True, 3.0])
def test_preset_sizes_are_whole_numbers(size):
    with pytest.raises(TypeError, match=r"size must be a whole number"):
        preset_kernel("blur", size)


def test_resize_kernel_centres_and_crops():
    kernel = torch.arange(9.0).view(3, 3)
    grown = resize_kernel(kernel, 7)
    assert grown.shape == (7, 7) and torch.equal(grown[2:5, 2:5], kernel) and grown.abs().sum() == kernel.sum()
    assert torch.equal(resize_kernel(grown, 3), kernel)
    assert torch.equal(resize_kernel(preset_kernel("top edge", 7), 5), preset_kernel("top edge", 7)[1:6, 1:6])
    with pytest.raises(ValueError, match="square kernel of odd size"):
        resize_kernel(torch.ones(2, 2), 3)
    with pytest.raises(ValueError, match="size=6 is not available"):
        resize_kernel(kernel, 6)
