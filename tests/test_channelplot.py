import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from ainotes.channelplot import CHANNEL_COLOURS, GREY, channel_figure, plot_channel_histograms, show_channels

MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)


def lines(ax, kind):
    """{channel name: x position} of the vertical lines drawn for ``kind`` ("mean", "mean-std", "mean+std")."""
    return {line.get_gid().split(" ", 1)[1]: line.get_xdata()[0] for line in ax.lines
            if line.get_gid() and line.get_gid().split(" ", 1)[0] == kind}  # fmt: skip


def histogram(ax, name):
    """(shares per bin, bin edges) of the channel ``name``'s step histogram."""
    (patch,) = [p for p in ax.patches if p.get_gid() == f"hist {name}"]
    values, edges, _ = patch.get_data()
    return values, edges


# ---------------------------------------------------------------- show_channels
def test_show_channels_grey_and_tinted():
    image = torch.rand(3, 6, 5)
    fig = show_channels(image, title="a random image")
    assert len(fig.axes) == 4 and fig.get_suptitle() == "a random image"
    assert [ax.get_title() for ax in fig.axes] == ["colour image", "red channel", "green channel", "blue channel"]
    assert all(not ax.axison for ax in fig.axes)
    shown = fig.axes[2].images[0]
    assert shown.get_cmap().name == "gray" and shown.get_clim() == (0, 1)
    assert np.allclose(shown.get_array(), image[1].numpy())
    tinted = show_channels(image, tinted=True, names=("R", "G", "B")).axes[3].images[0].get_array()
    assert tinted.shape == (6, 5, 3) and np.allclose(tinted[..., 2], image[2].numpy()) and not tinted[..., :2].any()
    assert "own colour" in plt.gcf().get_suptitle() and plt.gcf().axes[1].get_title() == "R channel"


@pytest.mark.parametrize(
    ("image", "error", "match"),
    [
        (torch.rand(32, 32, 3), ValueError, r"channels-last \[H, W, 3\].*image\.permute\(2, 0, 1\)"),
        (torch.rand(2, 3, 8, 8), ValueError, r"a batch\. Give one colour image \[3, H, W\], e\.g\. image\[0\]"),
        (torch.rand(1, 8, 8), ValueError, r"shape \(1, 8, 8\): give a colour image \[3, H, W\]"),
        (torch.rand(3, 8, 8) * 4 - 2, ValueError, r"values from .* give pixel values in \[0, 1\].*unnormalize"),
        (np.zeros((8, 8, 3)), TypeError, r"tensor, got an ndarray.*torch\.from_numpy\(array\)\.permute\(2, 0, 1\)"),
        (torch.ones(3, 8, 8, dtype=torch.int32), TypeError, r"torch\.int32"),
    ],
)
def test_show_channels_errors(image, error, match):
    with pytest.raises(error, match=match):
        show_channels(image)


def test_show_channels_checks_names():
    with pytest.raises(ValueError, match=r"`names` is 'rgb': give 3 channel name\(s\)"):
        show_channels(torch.rand(3, 4, 4), names="rgb")


# ---------------------------------------------------------------- histograms
def test_constant_red_puts_all_red_mass_in_one_bin():
    image = torch.zeros(3, 8, 8)
    image[0] = 0.8
    image[1] = torch.linspace(0, 1, 64).view(8, 8)
    ax = plot_channel_histograms(image, bins=20).axes[0]
    red, edges = histogram(ax, "red")
    assert (edges[0], edges[-1]) == (0, 1) and len(red) == 20  # values in [0, 1]: the bins cover [0, 1]
    assert red.sum() == pytest.approx(1) and red.max() == pytest.approx(1)
    (bin_,) = np.flatnonzero(red)
    assert edges[bin_] <= 0.8 < edges[bin_ + 1]
    green, green_edges = histogram(ax, "green")
    assert green.sum() == pytest.approx(1) and np.count_nonzero(green) == len(green)  # spread: a share in every bin
    assert np.allclose(green * 64, np.round(green * 64))  # 64 equally spaced levels: whole levels per bin
    assert ax.get_ylabel() == "share of pixels per bin" and ax.get_xlabel() == "pixel value"
    assert ax.get_title() == "Pixel values per channel"


def test_stats_lines_sit_at_the_computed_mean_and_std():
    images = torch.rand(4, 3, 8, 8) * torch.tensor([1.0, 0.5, 0.2]).view(1, 3, 1, 1)
    fig, (left, right) = plt.subplots(1, 2)
    assert plot_channel_histograms(images, ax=right, title="raw", xlabel="value") is fig
    assert not left.lines and right.get_title() == "raw" and right.get_xlabel() == "value"
    values = images.transpose(0, 1).reshape(3, -1).double()
    mean, std = values.mean(1), values.std(1)
    means, lows, highs = lines(right, "mean"), lines(right, "mean-std"), lines(right, "mean+std")
    for c, name in enumerate(("red", "green", "blue")):
        assert means[name] == pytest.approx(mean[c].item()) and lows[name] == pytest.approx((mean - std)[c].item())
        assert highs[name] == pytest.approx((mean + std)[c].item())
    colours = {line.get_gid(): line.get_color() for line in right.lines}
    assert [colours[f"mean {n}"] for n in ("red", "green", "blue")] == list(CHANNEL_COLOURS)
    assert {line.get_linestyle() for line in right.lines if "std" in line.get_gid()} == {":"}
    texts = [t.get_text() for t in right.get_legend().get_texts()]
    assert texts[0] == f"red: mean {mean[0]:.2f}, std {std[0]:.2f}" and texts[-2:] == ["mean", "mean ± std"]


def test_histograms_of_one_grey_channel_and_without_stats():
    ax = plot_channel_histograms(torch.rand(2, 1, 5, 5) * 4 - 2, show_stats=False, bins=7).axes[0]
    grey, edges = histogram(ax, "grey")
    assert len(grey) == 7 and edges[0] < -1 and edges[-1] > 1  # normalised values: the bins follow the data
    assert not ax.lines and [t.get_text() for t in ax.get_legend().get_texts()] == ["grey"]
    assert ax.patches[0].get_edgecolor()[:3] == pytest.approx(plt.matplotlib.colors.to_rgb(GREY))


@pytest.mark.parametrize(
    ("images", "kwargs", "error", "match"),
    [
        (torch.rand(8, 8), {}, ValueError, r"shape \(8, 8\): give one image \[C, H, W\] or a batch \[N, C, H, W\]"),
        (torch.rand(4, 8, 8, 3), {}, ValueError, r"channels-last.*permute\(0, 3, 1, 2\)"),
        (torch.rand(3, 8, 8), {"bins": 0}, ValueError, r"bins=0 is too small: give at least 1"),
        (torch.rand(3, 8, 8), {"ax": "left"}, TypeError, r"`ax` must be a matplotlib Axes, got a str"),
        (torch.rand(3, 8, 8), {"names": ("a", "b")}, ValueError, r"`names` is \('a', 'b'\): give 3"),
        (torch.rand(3, 8, 8), {"value_range": (1, 0)}, ValueError, r"`value_range` is \(1, 0\)"),
        ([[0.5]], {}, TypeError, r"`images` must be a tensor, got a list"),
    ],
)
def test_histogram_errors(images, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_channel_histograms(images, **kwargs)


# ---------------------------------------------------------------- the explorer's figure
def test_channel_figure_layout_and_normalised_panel():
    image = torch.rand(3, 32, 32)
    fig = channel_figure(image, MEAN, STD, title="image 79: automobile")
    assert fig.get_size_inches()[0] <= 9.6 and fig.get_suptitle() == "image 79: automobile"
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["colour image", "red channel", "green channel", "blue channel", "raw pixel values",
                      "normalised: (value − mean) / std"]  # fmt: skip
    tinted = fig.axes[1].images[0].get_array()
    assert np.allclose(tinted[..., 0], image[0].numpy()) and not tinted[..., 1:].any()
    raw, normalised = fig.axes[4], fig.axes[5]
    assert raw.get_xlabel() == "pixel value" and normalised.get_xlabel() == "normalised value"
    assert all(ax.get_ylabel() == "share of pixels per bin" for ax in (raw, normalised))
    expected = ((image[0].double().mean() - MEAN[0]) / STD[0]).item()
    assert lines(normalised, "mean")["red"] == pytest.approx(expected, abs=1e-6)
    assert lines(raw, "mean")["red"] == pytest.approx(image[0].double().mean().item(), abs=1e-6)
    _, edges = histogram(normalised, "blue")
    assert edges[0] == pytest.approx(min((0 - m) / s for m, s in zip(MEAN, STD)), abs=1e-6)
    assert edges[-1] == pytest.approx(max((1 - m) / s for m, s in zip(MEAN, STD)), abs=1e-6)


def test_channel_figure_errors():
    with pytest.raises(ValueError, match=r"`mean` has 1 value, "):
        channel_figure(torch.rand(3, 8, 8), (0.5,), STD)
    with pytest.raises(ValueError, match=r"`std` is .*positive"):
        channel_figure(torch.rand(3, 8, 8), MEAN, (0.2, 0.0, 0.2))
    with pytest.raises(ValueError, match=r"channels-last"):
        channel_figure(torch.rand(8, 8, 3), MEAN, STD)


def test_byte_valued_pixels_get_whole_levels_per_bin_and_no_comb():
    # Every byte value once per channel: a flat histogram. Bins of 50 over [0, 1] would hold 5 or 6
    # levels in turn (a comb that is not in the data); aligned bins hold the same number of levels.
    levels = torch.arange(256, dtype=torch.uint8).view(1, 16, 16).expand(3, 16, 16)
    for images, value_range in ((levels, None), ((levels.float() / 255 - 0.48) / 0.25, None)):
        ax = plot_channel_histograms(images, bins=50, value_range=value_range).axes[0]
        red, edges = histogram(ax, "red")
        full = red[1:-1]  # the end bins may hold fewer levels
        assert np.allclose(full, full[0]) and 40 <= len(red) <= 60, red
        plt.close(ax.figure)
