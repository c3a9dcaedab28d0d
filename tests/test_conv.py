import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from ainotes.conv import conv_output_size, geometry_table, padding_amount, pool_output_size, receptive_field

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
@pytest.mark.parametrize("kwargs, message", [
    (dict(size=2, kernel_size=5), "kernel_size=5 is larger than the padded input"),
    (dict(size=4, kernel_size=3, dilation=3), "spanning 7"),
    (dict(size=8, kernel_size=3, stride=0), "stride=0 is impossible"),
    (dict(size=8, kernel_size=3, padding=-1), "padding=-1 is impossible: padding cannot be negative"),
    (dict(size=8, kernel_size=2.5), "kernel_size must be a whole number"),
    (dict(size=8.0, kernel_size=3), "size must be a whole number"),
    (dict(size=8, kernel_size=0), "kernel_size=0 is impossible"),
    (dict(size=8, kernel_size=3, padding="half"), "not a padding kind"),
    (dict(size=8, kernel_size=3, stride=2, padding="same"), "needs stride=1"),
    (dict(size=8, kernel_size=True), "whole number"),
])  # fmt: skip
def test_impossible_settings_say_which_value_and_why(kwargs, message):
    with pytest.raises(ValueError, match=message):
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
    with pytest.raises(ValueError, match="stride=0 is impossible"):
        receptive_field([{"kernel_size": 3, "stride": 0}])
    with pytest.raises(TypeError, match="cannot read the geometry"):
        receptive_field([3])
