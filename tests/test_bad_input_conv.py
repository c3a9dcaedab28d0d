"""Bad input to the convolution helpers: a clear TypeError / ValueError naming the argument, before any deep call.

Covers ainotes.conv (sizes, padding kinds, receptive fields of whole models), ainotes.kernels,
ainotes.param_counts, ainotes.architecture, ainotes.convmatrix, ainotes.convplot, ainotes.convanim and
ainotes.diagrams. Where arithmetic on a model is checked, the sizes are compared with what torch produces.
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from ainotes.architecture import architecture_blocks, describe, draw_architecture
from ainotes.conv import (
    apply_kernel,
    conv_output_size,
    geometry_table,
    output_size_formula,
    padding_amount,
    pool_output_size,
    preset_kernel,
    receptive_field,
    resize_kernel,
)
from ainotes.convanim import animate_convolution, animation_html
from ainotes.convmatrix import plot_conv_matrix, row_inputs
from ainotes.convplot import draw_map, show_feature_maps, show_kernels
from ainotes.diagrams import draw_multichannel_conv, draw_padding_kinds, draw_residual_block
from ainotes.param_counts import cnn_counts, fc_counts, total_parameters


class Residual(nn.Module):
    """A residual block: its children do not say the order (or the addition) of its forward."""

    def __init__(self):
        super().__init__()
        self.conv, self.relu = nn.Conv2d(1, 1, 3, padding=1), nn.ReLU()

    def forward(self, x):
        return x + self.relu(self.conv(x))


class ResidualSequential(nn.Sequential):
    """An nn.Sequential with its own forward: its listed order is not all it computes."""

    def forward(self, x):
        return x + super().forward(x)


class Swish(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(x)


@pytest.fixture(scope="module")
def resnet18():
    torchvision = pytest.importorskip("torchvision")
    with torch.device("meta"):
        return torchvision.models.resnet18(weights=None)


def conv_matrix(kernel, size=6):
    k = kernel.shape[0]
    out = size - k + 1
    return F.conv2d(torch.eye(size * size).view(-1, 1, size, size), kernel.view(1, 1, k, k)).view(-1, out * out).T


KERNEL = torch.arange(1.0, 10.0).view(3, 3)


# ---------------------------------------------------------------- conv: output sizes and padding kinds
@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: conv_output_size(28, 3, padding="smae"), ValueError, r"padding='smae' is not known.*did you mean 'same'"),
    (lambda: conv_output_size(28, 3, padding="Same"), ValueError, r"padding='Same'.*did you mean 'same'"),
    (lambda: conv_output_size(28, 3, padding=1.0), TypeError, r"padding must be a whole number, got 1\.0"),
    (lambda: conv_output_size(28, 3, padding=True), TypeError, r"padding must be a whole number, got True"),
    (lambda: conv_output_size(28, 3, padding=(1, 1)), TypeError, r"padding must be a whole number, got \(1, 1\)"),
    (lambda: conv_output_size(28, 3, padding=-1), ValueError, r"padding=-1 is too small"),
    (lambda: conv_output_size(28, 3, stride=0), ValueError, r"stride=0 is too small: give at least 1"),
    (lambda: conv_output_size(28, 3, stride=1.5), TypeError, r"stride must be a whole number"),
    (lambda: conv_output_size("28", 3), TypeError, r"size must be a whole number, got '28'"),
    (lambda: conv_output_size(28, 3.0), TypeError, r"kernel_size must be a whole number, got 3\.0"),
    (lambda: conv_output_size(28, 3, dilation=0), ValueError, r"dilation=0 is too small"),
    (lambda: conv_output_size(28, (3, 3)), TypeError, r"kernel_size must be a whole number"),
    (lambda: padding_amount("vaild", 3), ValueError, r"padding='vaild'.*did you mean 'valid'"),
    (lambda: padding_amount(None, 3), TypeError, r"padding must be a whole number, got None"),
    (lambda: output_size_formula(28, 5, padding="ful"), ValueError, r"padding='ful'.*did you mean 'full'"),
    (lambda: pool_output_size(11, 2, ceil_mode="False"), TypeError, r"ceil_mode must be True or False"),
    (lambda: pool_output_size(11, 2, padding=1.0), TypeError, r"padding must be a whole number"),
    (lambda: pool_output_size(11, 2, padding="same"), TypeError, r"padding must be a whole number, got 'same'"),
    (lambda: pool_output_size(11, 0), ValueError, r"kernel_size=0 is too small"),
    (lambda: pool_output_size(11, 2.0), TypeError, r"kernel_size must be a whole number"),
    (lambda: pool_output_size(11, 2, stride=0), ValueError, r"stride=0 is too small"),
    (lambda: pool_output_size(11, 2, stride=0, ceil_mode=True), ValueError, r"stride=0 is too small"),
], ids=[
    "padding-typo", "padding-capital", "padding-float", "padding-bool", "padding-tuple", "padding-negative",
    "stride-0", "stride-float", "size-str", "kernel-float", "dilation-0", "kernel-tuple", "amount-typo",
    "amount-none", "formula-typo", "pool-ceil-str", "pool-padding-float", "pool-padding-str", "pool-kernel-0",
    "pool-kernel-float", "pool-stride-0", "pool-ceil-stride-0",
])  # fmt: skip
def test_sizes_refuse_bad_settings(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_numpy_whole_numbers_are_sizes():
    assert conv_output_size(np.int64(28), np.int64(3), stride=np.int32(1)) == 26


# ---------------------------------------------------------------- conv: receptive fields of whole models
def grid_part(model, n):
    """The output width of the first ``n`` layers of ``model`` on a 1-channel 29×29 input, as torch computes it."""
    return model[:n](torch.zeros(1, 1, 29, 29)).shape[-1]


@pytest.mark.parametrize(("model", "grid_layers"), [
    (nn.Sequential(nn.Conv2d(1, 2, 3), nn.MaxPool2d(2, ceil_mode=True)), 2),
    (nn.Sequential(nn.Conv2d(1, 2, 3), nn.AvgPool2d(3, 2, padding=1, ceil_mode=True)), 2),
    (nn.Sequential(nn.MaxPool2d(3, 2, padding=1, dilation=2), nn.Conv2d(1, 2, 3, padding="same")), 2),
    (nn.Sequential(nn.Conv2d(1, 4, 5, stride=2, padding=2, padding_mode="reflect"), nn.Conv2d(4, 4, 3, groups=4,
                                                                                            padding_mode="circular",
                                                                                            padding=1)), 2),
    (nn.Sequential(nn.Sequential(nn.Conv2d(1, 2, 3, stride=2), nn.BatchNorm2d(2), nn.ReLU()),
                   nn.Sequential(nn.Dropout2d(), nn.Sequential(nn.Conv2d(2, 2, 3)), nn.GELU(), nn.Softmax(1))), 2),
    (nn.Sequential(nn.Conv2d(1, 2, (3, 3), stride=(2, 2)), nn.Identity(), nn.LeakyReLU(), nn.GroupNorm(1, 2),
                   nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2, 3)), 4),
], ids=["max-ceil", "avg-pad-ceil", "pool-dilation-same", "padding-modes-groups", "nested", "adaptive-stop"])  # fmt: skip
def test_receptive_field_sizes_equal_torch(model, grid_layers):
    geometry = receptive_field(model, input_size=29)
    assert geometry[-1].output_size == grid_part(model, grid_layers)


def test_receptive_field_reads_nn_sequential_subclasses_without_their_own_forward():
    block = type("Block", (nn.Sequential,), {})(nn.Conv2d(1, 1, 3), nn.ReLU())
    model = nn.Sequential(block, nn.MaxPool2d(2))
    assert [g.output_size for g in receptive_field(model, input_size=29)] == [27, grid_part(model, 2)]


@pytest.mark.parametrize(("layers", "error", "match"), [
    ("conv", TypeError, r"layers must be an nn.Sequential or a list of layers or dicts, got 'conv'"),
    (3, TypeError, r"layers must be an nn.Sequential.*got 3"),
    (None, TypeError, r"layers must be an nn.Sequential.*got None"),
    ({"kernel_size": 3}, TypeError, r"layers is one dict: put it in a list"),
    (nn.Sequential, TypeError, r"layers must be a torch.nn.Module, got the class Sequential"),
    ([nn.Conv2d], TypeError, r"Layer '0' of layers must be a torch.nn.Module, got the class Conv2d.*nn.Conv2d\("),
    ([nn.Conv2d(1, 1, 3), nn.ReLU], TypeError, r"got the class ReLU: create one, e.g. nn.ReLU\(\)"),
    ([{"kernel_size": 2, "pool": "False"}], TypeError, r"pool must be True or False, got 'False'"),
    ([{"kernel_size": 3.0}], TypeError, r"kernel_size must be a whole number"),
    (nn.Sequential(nn.Conv2d(1, 1, 3), Residual()), TypeError, r"Layer '1' \(Residual\) has layers inside"),
    (Residual(), TypeError, r"layers is a Residual, whose forward may not run its layers in the order"),
    (nn.Sequential(nn.Conv2d(1, 1, 3), ResidualSequential(nn.Conv2d(1, 1, 3, padding=1))), TypeError,
     r"Layer '1' \(ResidualSequential\)"),
    (ResidualSequential(nn.Conv2d(1, 1, 3)), TypeError, r"layers is a ResidualSequential"),
    (nn.Sequential(nn.Conv2d(1, 1, 3), Swish()), TypeError, r"Layer '1' \(Swish\(\)\) may change the height.*leave it"),
    (nn.Sequential(nn.Conv2d(1, 1, 3), nn.ConvTranspose2d(1, 1, 3)), TypeError,
     r"Layer '1' \(ConvTranspose2d.*enlarges the grid"),
    (nn.Sequential(nn.Conv2d(1, 1, 3), nn.Sequential(nn.Upsample(scale_factor=2))), TypeError,
     r"Layer '1.0' \(Upsample.*enlarges the grid"),
    (nn.Sequential(nn.ZeroPad2d(2), nn.Conv2d(1, 1, 3)), TypeError, r"Layer '0' \(ZeroPad2d"),
    (nn.Sequential(nn.Conv2d(1, 2, 3), nn.GLU(dim=-1)), TypeError, r"Layer '1' \(GLU"),
    (nn.Sequential(nn.Conv2d(1, 1, 3), nn.AdaptiveAvgPool2d(4), nn.Conv2d(1, 1, 3)), ValueError,
     r"Layer '2' \(Conv2d\) comes after the AdaptiveAvgPool2d at layer '1'"),
    (nn.Sequential(nn.Conv2d(1, 1, 3), nn.Flatten(), nn.Unflatten(1, (1, 26, 26)), nn.MaxPool2d(2)), ValueError,
     r"Layer '3' \(MaxPool2d\) comes after the Flatten"),
    (nn.Sequential(nn.Conv2d(1, 1, 3, stride=(2, 1))), ValueError, r"stride=\(2, 1\) differs between height and width"),
], ids=[
    "str", "int", "none", "one-dict", "sequential-class", "layer-class", "activation-class", "dict-pool-str",
    "dict-kernel-float", "residual-module", "residual-model", "sequential-with-forward", "sequential-with-forward-top",
    "custom-leaf", "conv-transpose", "upsample-nested", "zero-pad", "glu", "conv-after-adaptive", "pool-after-flatten",
    "asymmetric-stride",
])  # fmt: skip
def test_receptive_field_refuses_what_it_cannot_follow(layers, error, match):
    with pytest.raises(error, match=match):
        receptive_field(layers, input_size=28)


def test_receptive_field_refuses_a_torchvision_resnet(resnet18):
    with pytest.raises(TypeError, match=r"layers is a ResNet"):
        receptive_field(resnet18)
    with pytest.raises(TypeError, match=r"Layer '4.0' \(BasicBlock\) has layers inside"):
        receptive_field(nn.Sequential(*resnet18.children()))


@pytest.mark.parametrize(("input_size", "error", "match"), [
    ((1, 1, 28, 28), TypeError, r"input_size must be the image side in pixels, a whole number, got \(1, 1, 28, 28\): e.g. input_size=28"),
    (28.0, TypeError, r"input_size must be a whole number"),
    (0, ValueError, r"input_size=0 is too small"),
], ids=["shape", "float", "zero"])  # fmt: skip
def test_receptive_field_checks_its_input_size(input_size, error, match):
    with pytest.raises(error, match=match):
        receptive_field(nn.Sequential(nn.Conv2d(1, 1, 3)), input_size=input_size)


@pytest.mark.parametrize(("geometry", "error", "match"), [
    (nn.Sequential(nn.Conv2d(1, 1, 3)), TypeError, r"geometry must be what receptive_field returns, not a Sequential"),
    ([nn.Conv2d(1, 1, 3)], TypeError, r"geometry must be the list receptive_field returns, but it holds a Conv2d"),
    ([], ValueError, r"geometry is empty"),
    ("conv 1", TypeError, r"geometry must be a list"),
], ids=["model", "layers", "empty", "str"])  # fmt: skip
def test_geometry_table_wants_what_receptive_field_returns(geometry, error, match):
    with pytest.raises(error, match=match):
        geometry_table(geometry)


# ---------------------------------------------------------------- kernels
IMAGE = torch.rand(6, 6)


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    (dict(image="image.png"), TypeError, r"image must be a tensor or a nested list of numbers, got 'image.png'"),
    (dict(image=[[1.0, 2.0], [3.0]]), TypeError, r"image must be a tensor or a nested list of numbers"),
    (dict(image=torch.rand(1, 1, 6, 6)), ValueError, r"image has shape \(1, 1, 6, 6\), a batch of one.*image\[0\]"),
    (dict(image=torch.rand(6, 6, 3)), ValueError, r"image has shape \(6, 6, 3\), channels last.*permute\(2, 0, 1\)"),
    (dict(image=torch.rand(0, 6)), ValueError, r"image has shape \(0, 6\): it is empty"),
    (dict(kernel="top edge"), TypeError, r"kernel must be a tensor.*preset_kernel\('top edge'\)"),
    (dict(kernel=torch.ones(1, 1, 3, 3)), ValueError, r"2-D kernel.*conv.weight\[0, 0\]"),
    (dict(kernel=torch.ones(0, 0)), ValueError, r"kernel has shape \(0, 0\): it is empty"),
    (dict(padding_mode="reflet"), ValueError, r"padding_mode='reflet' is not known.*did you mean 'reflect'"),
    (dict(padding_mode=None), TypeError, r"padding_mode must be one of 'zeros'"),
    (dict(padding="smae"), ValueError, r"padding='smae'.*did you mean 'same'"),
    (dict(stride=0), ValueError, r"stride=0 is too small"),
    (dict(dilation=1.0), TypeError, r"dilation must be a whole number"),
], ids=[
    "image-str", "image-ragged", "image-batch", "image-channels-last", "image-empty", "kernel-name", "kernel-4d",
    "kernel-empty", "mode-typo", "mode-none", "padding-typo", "stride-0", "dilation-float",
])  # fmt: skip
def test_apply_kernel_refuses_bad_input(kwargs, error, match):
    arguments = dict(image=IMAGE, kernel=preset_kernel("top edge")) | kwargs
    with pytest.raises(error, match=match):
        apply_kernel(**arguments)


def test_apply_kernel_reads_lists_arrays_and_uint8_as_their_values():
    kernel = preset_kernel("blur")
    expected = apply_kernel(IMAGE, kernel)
    assert torch.equal(apply_kernel(IMAGE.tolist(), kernel.tolist()), expected)
    assert torch.equal(apply_kernel(IMAGE.numpy(), kernel.numpy()), expected)
    pixels = (IMAGE * 255).to(torch.uint8)
    assert torch.equal(apply_kernel(pixels, kernel), apply_kernel(pixels.float(), kernel))


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: preset_kernel("top egde"), ValueError, r"name='top egde' is not known.*did you mean 'top edge'"),
    (lambda: preset_kernel("Blur"), ValueError, r"did you mean 'blur'"),
    (lambda: preset_kernel(None), TypeError, r"name must be one of 'top edge'"),
    (lambda: preset_kernel("blur", 3.0), TypeError, r"size must be a whole number, got 3\.0"),
    (lambda: preset_kernel("blur", "5"), TypeError, r"size must be a whole number, got '5'"),
    (lambda: resize_kernel("cross", 5), TypeError, r"kernel must be a tensor or a nested list.*preset_kernel\(name\)"),
    (lambda: resize_kernel(KERNEL, 4), ValueError, r"size=4 is not available"),
    (lambda: resize_kernel(KERNEL, True), TypeError, r"size must be a whole number, got True"),
    (lambda: resize_kernel(torch.ones(0, 0), 3), ValueError, r"kernel has shape \(0, 0\): it is empty"),
], ids=["name-typo", "name-capital", "name-none", "size-float", "size-str", "resize-str", "resize-even",
        "resize-bool", "resize-empty"])  # fmt: skip
def test_preset_and_resize_refuse_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ---------------------------------------------------------------- param_counts
@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: total_parameters(nn.Sequential(nn.Linear(2, 2))), TypeError, r"layers must be what fc_counts.*count_param"),
    (lambda: total_parameters([]), ValueError, r"layers is empty"),
    (lambda: total_parameters([100, 20]), TypeError, r"layers must be the list fc_counts or cnn_counts returns.*int"),
    (lambda: total_parameters(5), TypeError, r"layers must be a list"),
    (lambda: cnn_counts(conv_channels=[]), ValueError, r"conv_channels is empty"),
    (lambda: cnn_counts(kernel_size="3"), TypeError, r"kernel_size must be a whole number"),
    (lambda: fc_counts(hidden=[128.0]), TypeError, r"each of hidden must be a whole number"),
], ids=["model", "empty", "numbers", "int", "no-conv", "kernel-str", "hidden-float"])  # fmt: skip
def test_param_counts_refuse_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ---------------------------------------------------------------- architecture
CNN = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 13 * 13, 10))


@pytest.mark.parametrize(("model", "input_size", "error", "match"), [
    (nn.Sequential, (1, 1, 28, 28), TypeError, r"model must be a torch.nn.Module, got the class Sequential"),
    ("cnn", (1, 1, 28, 28), TypeError, r"model must be a torch.nn.Module, got 'cnn'"),
    (Residual(), (1, 1, 28, 28), TypeError, r"Expected an nn.Sequential model, got Residual"),
    (ResidualSequential(nn.Conv2d(1, 1, 3, padding=1)), (1, 1, 8, 8), TypeError, r"got ResidualSequential"),
    (CNN, (1, 28, 28), ValueError, r"input_size=\(1, 28, 28\) has no batch dimension.*\(1, 1, 28, 28\)"),
    (nn.Sequential(nn.Dropout(), nn.MaxPool2d(2)), (1, 8, 8), ValueError, r"no batch dimension: layer 1 \(MaxPool2d"),
    (CNN, torch.zeros(1, 1, 28, 28), TypeError, r"input_size must be a shape, not a tensor.*\(1, 1, 28, 28\)"),
    (CNN, (1, 1, 28.0, 28), TypeError, r"each of input_size must be a whole number, got 28\.0"),
    (nn.Sequential(nn.Conv2d(1, 1, 3), nn.ModuleList([nn.ReLU()])), (1, 1, 8, 8), TypeError, r"Layer 1 .*ModuleList"),
    (nn.Sequential(nn.Conv2d(1, 1, 3), nn.Softmax(dim=5)), (1, 1, 8, 8), ValueError, r"layer 1 \(Softmax\)"),
], ids=["class", "str", "custom", "sequential-with-forward", "no-batch", "no-batch-pool", "tensor", "float",
        "module-list", "index-error"])  # fmt: skip
def test_architecture_refuses_bad_input(model, input_size, error, match):
    with pytest.raises(error, match=match):
        architecture_blocks(model, input_size)


def test_architecture_refuses_a_torchvision_resnet(resnet18):
    with pytest.raises(TypeError, match=r"Expected an nn.Sequential model, got ResNet"):
        architecture_blocks(resnet18, (1, 3, 224, 224))


def test_architecture_runs_a_block_with_its_own_forward_whole():
    model = nn.Sequential(ResidualSequential(nn.Conv2d(1, 1, 3, padding=1)), nn.Conv2d(1, 2, 3))
    _, blocks = architecture_blocks(model, (1, 1, 8, 8))
    assert blocks[0].layers == ["ResidualSequential"]
    assert blocks[-1].shape == tuple(model(torch.zeros(1, 1, 8, 8))[0].shape)


def test_architecture_shapes_equal_torch_for_layers_the_arithmetic_does_not_model():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.MaxPool2d(2, ceil_mode=True), nn.ConvTranspose2d(2, 2, 3, stride=2),
                          nn.Upsample(scale_factor=2), nn.AdaptiveAvgPool2d((3, 5)))  # fmt: skip
    _, blocks = architecture_blocks(model, (1, 1, 9, 9))
    assert blocks[-1].shape == tuple(model(torch.zeros(1, 1, 9, 9))[0].shape)


@pytest.mark.parametrize(("layer", "match"), [
    (nn.ReLU, r"layer must be a torch.nn.Module, got the class ReLU: create one, e.g. nn.ReLU\(\)"),
    ("relu", r"layer must be a torch.nn.Module, got 'relu'"),
], ids=["class", "str"])  # fmt: skip
def test_describe_refuses_what_is_not_a_layer(layer, match):
    with pytest.raises(TypeError, match=match):
        describe(layer)


def test_describe_names_every_pooling_setting():
    assert describe(nn.MaxPool2d(3, 2, padding=1, dilation=2, ceil_mode=True)) == (
        "MaxPool2d 3×3, stride 2, padding 1, dilation 2, ceil_mode"
    )


def test_draw_architecture_checks_its_title():
    with pytest.raises(TypeError, match=r"title must be a str, got 3"):
        draw_architecture(CNN, (1, 1, 28, 28), title=3)


# ---------------------------------------------------------------- convmatrix
@pytest.mark.parametrize(("matrix", "kwargs", "error", "match"), [
    (conv_matrix(KERNEL), {"input_size": 6.0}, TypeError, r"`input_size` must be \(height, width\).*got 6\.0"),
    (conv_matrix(KERNEL), {"input_size": "6"}, TypeError, r"`input_size` must be \(height, width\).*got '6'"),
    (conv_matrix(KERNEL), {"input_size": (6, -6)}, ValueError, r"`input_size`.*at least 1"),
    (conv_matrix(KERNEL), {"output_size": (4, 4.0)}, TypeError, r"`output_size` must be \(height, width\)"),
    (torch.zeros(0, 0), {"input_size": 1}, ValueError, r"`matrix` has shape \(0, 0\): it is empty"),
    (conv_matrix(KERNEL), {"row": 1.0}, TypeError, r"`row` is 1\.0, not a whole number"),
    (conv_matrix(KERNEL), {"row": "5"}, TypeError, r"`row` is '5', not a whole number"),
    (conv_matrix(KERNEL), {"title": 3}, TypeError, r"`title` must be a str or None, got 3"),
    (conv_matrix(KERNEL), {"figsize": 5}, TypeError, r"`figsize` must be \(width, height\) in inches, got 5"),
    (conv_matrix(KERNEL), {"figsize": (0, 5)}, ValueError, r"each of figsize=0 is impossible"),
], ids=["size-float", "size-str", "size-negative", "output-float", "empty", "row-float", "row-str", "title",
        "figsize-number", "figsize-zero"])  # fmt: skip
def test_plot_conv_matrix_refuses_bad_input(matrix, kwargs, error, match):
    kwargs = {"input_size": 6} | kwargs
    with pytest.raises(error, match=match):
        plot_conv_matrix(matrix, **kwargs)


def test_row_inputs_refuses_a_row_that_is_not_a_whole_number():
    with pytest.raises(TypeError, match=r"`row` is 0\.0, not a whole number"):
        row_inputs(torch.eye(2), 0.0)


# ---------------------------------------------------------------- convplot
@pytest.mark.parametrize(("ax", "values", "kwargs", "error", "match"), [
    ("figure", torch.ones(2, 2), {}, TypeError, r"ax must be a matplotlib Axes.*got Figure"),
    (None, "kernel", {}, TypeError, r"values must be a tensor or an array of numbers, got 'kernel'"),
    (None, torch.ones(0, 3), {}, ValueError, r"values has shape \(0, 3\): it is empty"),
    (None, torch.tensor([[1.0, float("nan")]]), {}, ValueError, r"values holds NaN or infinite values"),
    (None, torch.ones(2, 2), {"annotate": True, "fmt": "2x"}, ValueError, r"fmt='2x' is not a format for numbers"),
    (None, torch.ones(2, 2), {"fmt": 2}, TypeError, r"fmt must be a format string"),
    (None, torch.ones(2, 2), {"symmetric": "no"}, TypeError, r"symmetric must be True or False"),
    (None, torch.ones(2, 2), {"fontsize": 0}, ValueError, r"fontsize=0 is impossible"),
    (None, torch.ones(2, 2), {"title": 3}, TypeError, r"title must be a str or None, got 3"),
], ids=["figure", "values-str", "values-empty", "values-nan", "fmt-bad", "fmt-int", "symmetric-str", "fontsize-0",
        "title-int"])  # fmt: skip
def test_draw_map_refuses_bad_input(ax, values, kwargs, error, match):
    fig, axes = plt.subplots()
    with pytest.raises(error, match=match):
        draw_map(fig if ax == "figure" else axes, values, **kwargs)


KERNELS = torch.randn(2, 3, 3)


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: show_kernels(torch.ones(3, 3)), ValueError, r"kernels has shape \(3, 3\).*give \[kernels\]"),
    (lambda: show_kernels("top edge"), TypeError, r"kernels must be a tensor \(N, H, W\) or a list"),
    (lambda: show_kernels(KERNELS, ncols=0), ValueError, r"ncols=0 is too small"),
    (lambda: show_kernels(KERNELS, ncols=2.0), TypeError, r"ncols must be a whole number"),
    (lambda: show_kernels(KERNELS, titles="ab"), TypeError, r"titles must be a list of str"),
    (lambda: show_kernels(KERNELS, size=0), ValueError, r"size=0 is impossible"),
    (lambda: show_kernels(KERNELS, shared="yes"), TypeError, r"shared must be True or False"),
    (lambda: show_kernels(KERNELS, annotate=1), TypeError, r"annotate must be True or False"),
    (lambda: show_kernels([]), ValueError, r"No kernels to show: kernels is empty"),
    (lambda: show_feature_maps(torch.rand(2, 1, 5, 5)), ValueError, r"maps has shape \(2, 1, 5, 5\).*maps\[:, 0\]"),
    (lambda: show_feature_maps([torch.rand(3, 3), "x"]), TypeError, r"each of maps must be a tensor"),
    (lambda: show_feature_maps([torch.full((3, 3), float("inf"))]), ValueError, r"each of maps holds NaN"),
    (lambda: show_feature_maps(torch.rand(2, 3, 3), title=["a"]), TypeError, r"title must be a str or None"),
], ids=["one-kernel", "str", "ncols-0", "ncols-float", "titles-str", "size-0", "shared-str", "annotate-int",
        "empty", "maps-4d", "maps-str-item", "maps-inf", "title-list"])  # fmt: skip
def test_show_kernels_and_maps_refuse_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ---------------------------------------------------------------- convanim
@pytest.mark.parametrize(("kwargs", "error", "match"), [
    (dict(image="digit"), TypeError, r"image must be a tensor or a nested list of numbers, got 'digit'"),
    (dict(image=torch.zeros(0, 0)), ValueError, r"image has shape \(0, 0\): it is empty"),
    (dict(kernel="blur"), TypeError, r"kernel must be a tensor.*preset_kernel\('blur'\)"),
    (dict(padding=-1), ValueError, r"padding=-1 is too small"),
    (dict(padding=1.0), TypeError, r"padding must be a whole number, got 1\.0"),
    (dict(stride=0), ValueError, r"stride=0 is too small"),
    (dict(interval=0), ValueError, r"interval=0 is too small"),
    (dict(interval=0.5), TypeError, r"interval must be a whole number"),
    (dict(title=None), TypeError, r"title must be a str, got None"),
], ids=["image-str", "image-empty", "kernel-name", "padding-negative", "padding-float", "stride-0", "interval-0",
        "interval-float", "title-none"])  # fmt: skip
def test_animate_convolution_refuses_bad_input(kwargs, error, match):
    arguments = dict(image=torch.eye(4), kernel=[[1.0, 0.0], [0.0, 1.0]]) | kwargs
    with pytest.raises(error, match=match):
        animate_convolution(**arguments)


def test_animation_html_refuses_what_is_not_an_animation():
    fig, _ = plt.subplots()
    with pytest.raises(TypeError, match=r"animation must be a matplotlib animation.*got Figure"):
        animation_html(fig)
    with pytest.raises(ValueError, match=r"default_mode='loops' is not known.*did you mean 'loop'"):
        animation_html(animate_convolution(torch.eye(3), [[1.0]]), default_mode="loops")


# ---------------------------------------------------------------- diagrams
@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: draw_padding_kinds(size=5.0), TypeError, r"size must be a whole number, got 5\.0"),
    (lambda: draw_padding_kinds(size=13), ValueError, r"size=13 is too large: give at most 12"),
    (lambda: draw_padding_kinds(kernel_size=0), ValueError, r"kernel_size=0 is too small"),
    (lambda: draw_padding_kinds(title=3), TypeError, r"title must be a str or None, got 3"),
    (lambda: draw_residual_block("yes"), TypeError, r"downsample must be True or False, got 'yes' \(str\)"),
    (lambda: draw_residual_block(1), TypeError, r"downsample must be True or False, got 1"),
    (lambda: draw_multichannel_conv(torch.rand(8, 8, 3), torch.rand(3, 3, 3), 0.1), ValueError,
     r"image must be a colour image of shape \(3, H, W\), got \(8, 8, 3\), channels last: use image.permute"),
    (lambda: draw_multichannel_conv(torch.rand(3, 8, 8), torch.rand(3, 0, 0), 0.1), ValueError,
     r"weight has shape \(3, 0, 0\): its kernels are empty"),
    (lambda: draw_multichannel_conv(torch.rand(3, 8, 8), torch.rand(3, 3, 3), float("nan")), ValueError,
     r"bias=nan is not a finite number"),
    (lambda: draw_multichannel_conv(torch.rand(3, 8, 8), torch.rand(3, 3, 3), 0.1, title=None), TypeError,
     r"title must be a str, got None"),
], ids=["size-float", "size-13", "kernel-0", "title-int", "downsample-str", "downsample-int", "channels-last",
        "empty-kernels", "bias-nan", "title-none"])  # fmt: skip
def test_diagrams_refuse_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
