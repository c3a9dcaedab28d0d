"""Explanatory figures: the convolution animation, the architecture diagram, multi-channel
convolution and padding kinds. Checked by their properties: titles, computed numbers, errors."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from ainotes.architecture import architecture_blocks, describe, draw_architecture
from ainotes.conv import PRESET_KERNELS
from ainotes.diagrams import draw_multichannel_conv, draw_padding_kinds
from ainotes.plot import animate_convolution


def chapter1_model():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10),
    )  # fmt: skip


def stride2_model():
    def block(i, o, act=True):
        conv = nn.Conv2d(i, o, kernel_size=3, stride=2, padding=1)
        return nn.Sequential(conv, nn.ReLU()) if act else conv

    return nn.Sequential(block(1, 4), block(4, 8), block(8, 16), block(16, 32), block(32, 2, act=False), nn.Flatten())


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [t.get_text() for t in fig.texts]


# ---------------------------------------------------------------- animation
CROP = torch.tensor([[0.0, 0, 0, 0, 0.6, 1], [0, 0, 0, 0.1, 1, 1], [0, 0, 0.1, 0.8, 1, 1],
                     [0, 0, 0.4, 1, 1, 0.7], [0, 0.3, 0.9, 1, 0.8, 0.1], [0.1, 1, 1, 1, 0.6, 0]])  # fmt: skip


def test_animation_frames_show_the_products_and_their_sum():
    kernel = torch.tensor(PRESET_KERNELS["vertical line"])
    anim = animate_convolution(CROP, kernel, interval=700)
    fig = anim._fig
    assert len(list(anim.new_frame_seq())) == 16 and fig._suptitle.get_text()
    assert [ax.get_title() for ax in fig.axes] == ["input 6×6", "kernel 3×3", "window × kernel", "output 4×4"]
    anim._func(5)  # window at row 1, column 1
    window = CROP[1:4, 1:4]
    assert torch.allclose(anim.products[5], window * kernel)
    cells = [t.get_text() for t in fig.axes[2].texts]
    assert cells[1] == "0×2\n= 0" and cells[5] == "0.8×(−1)\n= −0.8" and cells[7] == "0.4×2\n= 0.8"
    value = float(F.conv2d(CROP[None, None], kernel[None, None])[0, 0, 1, 1])
    assert float((window * kernel).sum()) == pytest.approx(value)
    caption = next(t for t in fig.texts if t.get_text().startswith("output[1, 1] = "))
    terms, total = caption.get_text().removeprefix("output[1, 1] = ").rsplit(" = ", 1)
    assert float(total.replace("−", "-")) == pytest.approx(value, abs=0.05)
    assert terms.count("+") + terms.count("−") == 8  # nine products, eight signs between them
    assert fig.get_figwidth() * fig.dpi <= 800


def test_animation_of_a_larger_kernel_lists_only_the_sum():
    anim = animate_convolution(torch.rand(7, 7), torch.randn(5, 5), stride=2, padding=1)
    assert anim.products.shape == (9, 5, 5)
    expected = F.conv2d(F.pad(torch.zeros(1, 1, 7, 7), (1,) * 4), torch.zeros(1, 1, 5, 5), stride=2).shape[-2:]
    assert tuple(anim.output.shape) == tuple(expected)
    assert any("sum of the 25 products" in t.get_text() for t in anim._fig.texts)


def test_animation_errors():
    with pytest.raises(ValueError, match="at most 12×12"):
        animate_convolution(torch.zeros(28, 28), PRESET_KERNELS["blur"])
    with pytest.raises(TypeError, match="number of pixels"):
        animate_convolution(CROP, PRESET_KERNELS["blur"], padding="same")
    with pytest.raises(ValueError, match="at most 5×5"):
        animate_convolution(torch.zeros(12, 12), torch.ones(7, 7))
    with pytest.raises(ValueError, match="square"):
        animate_convolution(CROP, torch.ones(2, 3))


# ---------------------------------------------------------------- architecture
def test_architecture_blocks_of_chapter_1():
    shape, blocks = architecture_blocks(chapter1_model(), (1, 1, 28, 28))
    assert shape == (1, 28, 28)
    assert [b.kind for b in blocks] == ["conv", "conv", "flatten", "linear", "linear"]
    assert [b.shape for b in blocks] == [(32, 13, 13), (64, 5, 5), (1600,), (128,), (10,)]
    assert [b.params for b in blocks] == [320, 18_496, 0, 204_928, 1_290]
    assert blocks[0].layers == ["Conv2d 1→32, 3×3", "ReLU", "MaxPool2d 2×2"]
    assert blocks[3].layers == ["Linear 1600→128", "ReLU"]


def test_architecture_diagram_shows_computed_shapes_parameters_and_total():
    model = chapter1_model()
    fig = draw_architecture(model, (1, 1, 28, 28), title="Chapter 1's CNN")
    shown = texts(fig)
    assert fig._suptitle.get_text() == "Chapter 1's CNN"
    for expected in ("[1, 28, 28]", "[32, 13, 13]", "[64, 5, 5]", "1600", "128", "10",
                     "320", "18,496", "0", "204,928", "1,290", "225,034", "Flatten", "MaxPool2d 2×2"):  # fmt: skip
        assert expected in shown, expected
    assert sum(p.numel() for p in model.parameters()) == 225_034
    assert len(fig.axes[0].patches) == 6  # input + five blocks
    assert model.training  # the diagram ran the model in eval mode and restored it


def test_architecture_of_nested_stride_2_blocks():
    model = stride2_model()
    model[0].eval()  # mixed training flags are restored one by one
    shape, blocks = architecture_blocks(model, (1, 1, 28, 28))
    assert [b.shape for b in blocks] == [(4, 14, 14), (8, 7, 7), (16, 4, 4), (32, 2, 2), (2, 1, 1), (2,)]
    assert blocks[0].layers == ["Conv2d 1→4, 3×3, stride 2, padding 1", "ReLU"]
    assert sum(b.params for b in blocks) == sum(p.numel() for p in model.parameters()) == 6_722
    assert not model[0].training and model[1].training
    fig = draw_architecture(model, (1, 1, 28, 28))
    assert "6,722" in texts(fig) and "[2, 1, 1]" in texts(fig) and fig._suptitle.get_text()


def test_architecture_layers_described_and_blocks_for_other_layers():
    assert describe(nn.Conv2d(3, 8, (3, 5), padding="same")) == "Conv2d 3→8, 3×5, padding same"
    assert describe(nn.MaxPool2d(3, stride=1)) == "MaxPool2d 3×3, stride 1"
    assert describe(nn.Dropout(0.25)) == "Dropout p=0.25" and describe(nn.BatchNorm2d(8)) == "BatchNorm2d 8"
    model = nn.Sequential(nn.Dropout(0.1), nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                          nn.Flatten(), nn.Dropout(0.5), nn.Linear(2, 3))  # fmt: skip
    _, blocks = architecture_blocks(model, (2, 1, 8, 8))
    assert [b.kind for b in blocks] == ["other", "conv", "flatten", "linear"]
    assert blocks[1].layers == ["Conv2d 1→2, 3×3", "BatchNorm2d 2", "ReLU", "AdaptiveAvgPool2d → 1"]
    assert blocks[1].params == 20 + 4 and blocks[2].layers == ["Flatten", "Dropout p=0.5"]


def test_architecture_errors():
    with pytest.raises(ValueError, match=r"cannot process an input of size \(1, 3, 28, 28\): layer 0 \(Conv2d 1→32"):
        draw_architecture(chapter1_model(), (1, 3, 28, 28))
    with pytest.raises(ValueError, match=r"layer 7 \(Linear 1600→128\) got a tensor of shape \[1, 2304\]"):
        draw_architecture(chapter1_model(), (1, 1, 32, 32))
    with pytest.raises(TypeError, match="nn.Sequential"):
        draw_architecture(nn.Linear(2, 2), (1, 2))
    with pytest.raises(TypeError, match="input_size"):
        draw_architecture(chapter1_model(), "1x28x28")
    with pytest.raises(ValueError, match="impossible"):
        draw_architecture(chapter1_model(), (1, 1, 0, 28))
    with pytest.raises(ValueError, match="no layers"):
        draw_architecture(nn.Sequential(), (1, 1))


# ---------------------------------------------------------------- multi-channel convolution
def test_multichannel_output_is_the_convolution():
    torch.manual_seed(0)
    image, conv = torch.rand(3, 32, 32), nn.Conv2d(3, 4, 3)
    weight, bias = conv.weight[1].detach(), conv.bias[1].detach()
    fig = draw_multichannel_conv(image, weight, bias, title="How one output channel is made")
    assert fig._suptitle.get_text() == "How one output channel is made"
    by_title = {ax.get_title(): ax for ax in fig.axes}
    output_ax = by_title["output 30×30"]
    drawn = torch.from_numpy(np.asarray(output_ax.images[0].get_array(), dtype=np.float32))
    expected = F.conv2d(image[None], weight[None], bias[None])[0, 0]
    assert torch.allclose(drawn, expected, atol=1e-5)
    assert torch.allclose(drawn, conv(image[None])[0, 1].detach(), atol=1e-5)
    for c, letter in enumerate("RGB"):
        assert f"{letter} channel" in by_title and f"{letter} ∗ kernel" in by_title
        kernel_texts = [t.get_text() for t in by_title[f"kernel for {letter}"].texts]
        assert kernel_texts == [f"{float(v):.2f}".replace("-", "−").replace("−0.00", "0") for v in weight[c].flatten()]
        channel_map = np.asarray(by_title[f"{letter} ∗ kernel"].images[0].get_array())
        assert np.allclose(channel_map, F.conv2d(image[c][None, None], weight[c][None, None])[0, 0], atol=1e-5)
    assert f"{float(bias):.3g}".replace("-", "−") in output_ax.get_xlabel()


def test_multichannel_errors():
    with pytest.raises(ValueError, match=r"\(3, H, W\)"):
        draw_multichannel_conv(torch.rand(1, 8, 8), torch.rand(3, 3, 3), 0.0)
    with pytest.raises(ValueError, match=r"\(3, k, k\)"):
        draw_multichannel_conv(torch.rand(3, 8, 8), torch.rand(8, 3, 3, 3), 0.0)
    with pytest.raises(ValueError, match="does not fit"):
        draw_multichannel_conv(torch.rand(3, 4, 4), torch.rand(3, 5, 5), 0.0)
    with pytest.raises(TypeError, match="bias"):
        draw_multichannel_conv(torch.rand(3, 8, 8), torch.rand(3, 3, 3), torch.zeros(2))
    with pytest.raises(TypeError, match="image"):
        draw_multichannel_conv("car.png", torch.rand(3, 3, 3), 0.0)


# ---------------------------------------------------------------- padding kinds
def test_padding_kinds_titles_and_cells():
    fig = draw_padding_kinds()
    assert fig._suptitle.get_text() and len(fig.axes) == 3
    assert [ax.get_title() for ax in fig.axes] == ["valid: 5 → 3", "same: 5 → 5", "full: 5 → 7"]
    assert [ax.get_xlabel().splitlines()[0] for ax in fig.axes] == ["no padding", "1 zero on each side",
                                                                    "2 zeros on each side"]  # fmt: skip
    # cells drawn (padded grid) + the window; zeros written in the padding only
    assert [len(ax.patches) - 1 for ax in fig.axes] == [25, 49, 81]
    assert [sum(t.get_text() == "0" for t in ax.texts) for ax in fig.axes] == [0, 49 - 25, 81 - 25]
    even = draw_padding_kinds(size=4, kernel_size=2)
    assert [ax.get_title() for ax in even.axes] == ["valid: 4 → 3", "same: 4 → 4", "full: 4 → 5"]
    assert even.axes[1].get_xlabel().startswith("0 zeros before, 1 after")


def test_padding_kinds_errors():
    with pytest.raises(ValueError, match="kernel_size=6"):
        draw_padding_kinds(size=5, kernel_size=6)
    with pytest.raises(ValueError, match="size=20"):
        draw_padding_kinds(size=20)
    with pytest.raises(TypeError, match="whole number"):
        draw_padding_kinds(size=5.0)
    with pytest.raises(TypeError, match="whole number"):
        draw_padding_kinds(kernel_size=True)
