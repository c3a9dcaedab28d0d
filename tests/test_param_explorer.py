"""The parameter-count explorer: chapter 4's numbers, the figure, and the widget following its controls."""

import matplotlib.pyplot as plt
import pytest
from matplotlib.text import Text

import ainotes.param_explorer
from ainotes.param_counts import cnn_counts, fc_counts, total_parameters
from ainotes.param_explorer import (
    HIDDEN_WIDTHS,
    IMAGE_SIZES,
    ParameterExplorer,
    memory_text,
    parameter_comparison,
    parameter_figure,
)
from ainotes.widgets import ParameterExplorer as ExportedExplorer

DEFAULT_CAPTION = (
    "<p>The fully connected network needs <b>3,738,506</b> parameters (15.0 MB as float32); its first layer alone "
    "holds 3,146,752 of them (84%). The CNN needs <b>18,354</b> (73.4 kB): 204 times fewer. The CNN's convolutions "
    "have 1,608 parameters at any image size: only its first linear layer (16,416 here) grows with the image.</p>"
)


# ---------------------------------------------------------------- the numbers
def test_default_is_chapter_4s_two_networks():
    c = parameter_comparison()
    assert c["settings"] == dict(image_size=32, channels=3, hidden=1024, kernel_size=3, conv_layers=2, classes=10)
    assert c["fc_hidden"] == (1024, 512, 128) and c["conv_channels"] == (16, 8)
    assert c["fc_total"] == 3_738_506 and c["cnn_total"] == 18_354
    assert c["ratio"] == pytest.approx(3_738_506 / 18_354) and round(c["ratio"]) == 204
    assert c["fc_bytes"] == 4 * 3_738_506 and c["cnn_bytes"] == 4 * 18_354
    assert c["fc_first_layer"] == 3072 * 1024 + 1024 and c["fc_first_share"] == pytest.approx(3_146_752 / 3_738_506)
    assert c["cnn_first_linear"] == 512 * 32 + 32 and c["cnn_conv_total"] == 448 + 1160
    assert [layer.total for layer in c["fc_layers"]] == [3_146_752, 524_800, 65_664, 1290]
    assert c["fc_layers"] == fc_counts(32, 3, (1024, 512, 128)) and c["cnn_layers"] == cnn_counts(32, 3, (16, 8))


def test_a_1024_by_1024_colour_photo_needs_billions_of_parameters():
    c = parameter_comparison(image_size=1024)
    assert c["fc_first_layer"] == 3 * 1024 * 1024 * 1024 + 1024 == 3_221_226_496
    assert c["fc_total"] == 3_221_818_250  # (the first layer and one to the classes alone: 3,221,236,746)
    assert total_parameters(fc_counts(1024, 3, hidden=(1024,))) == 3_221_236_746
    assert memory_text(c["fc_bytes"]) == "12.9 GB"
    assert c["cnn_conv_total"] == parameter_comparison()["cnn_conv_total"]  # the convolutions do not grow
    assert c["cnn_first_linear"] == 8 * 256 * 256 * 32 + 32  # the first linear layer does


def test_widths_follow_hidden_and_conv_layers():
    c = parameter_comparison(8, 1, hidden=8, kernel_size=1, conv_layers=3)
    assert c["fc_hidden"] == (8, 4, 1) and c["conv_channels"] == (16, 8, 8)
    assert c["cnn_layers"][-2].layer == "Linear 8→32"  # 8×8 pooled three times: 1×1×8
    assert parameter_comparison(conv_layers=5)["conv_channels"] == (16, 8, 8, 8, 8)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"hidden": 4}, ValueError, r"hidden=4 is too small: .*hidden // 8, so hidden must be at least 8"),
        ({"hidden": 1024.0}, TypeError, r"hidden must be a whole number, got 1024\.0: e\.g\. hidden=1024"),
        ({"hidden": True}, TypeError, r"hidden must be a whole number, got True"),
        ({"conv_layers": 0}, ValueError, r"conv_layers=0 is impossible: the CNN needs at least one convolution"),
        ({"conv_layers": "2"}, TypeError, r"conv_layers must be a whole number, got '2'"),
        ({"image_size": 8, "conv_layers": 4}, ValueError, r"8×8 image cannot be pooled 4 times.*at least 16 pixels"),
        ({"kernel_size": 4}, ValueError, r"kernel_size=4 is even.*Choose an odd kernel size"),
        ({"channels": 0}, ValueError, r"channels=0 is too small: give at least 1"),
        ({"image_size": "32"}, TypeError, r"image_size must be a whole number, got '32'"),
    ],
)
def test_comparison_and_figure_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        parameter_comparison(**kwargs)
    with pytest.raises(error, match=match):
        parameter_figure(**kwargs)


@pytest.mark.parametrize(
    ("n_bytes", "text"),
    [(0, "0 B"), (999, "999 B"), (1000, "1.00 kB"), (73_416, "73.4 kB"), (999_999, "1.00 MB"),
     (14_954_024, "15.0 MB"), (12_884_946_984, "12.9 GB"), (2.5e13, "25.0 TB")],
)  # fmt: skip
def test_memory_in_decimal_units(n_bytes, text):
    assert memory_text(n_bytes) == text


# ---------------------------------------------------------------- the figure
def texts(ax):
    return [t.get_text() for t in ax.texts]


def test_figure_shows_totals_and_memory_on_log_scales():
    fig = parameter_figure()
    params, memory, shares = fig.axes
    assert (params.get_yscale(), memory.get_yscale(), shares.get_xscale()) == ("log", "log", "linear")
    assert params.get_title() == "Parameters (log scale)" and params.get_ylabel() == "parameters"
    assert memory.get_title().startswith("Memory as float32") and "1,000,000 bytes" in memory.get_ylabel()
    assert shares.get_title().startswith("Where the parameters are") and "share" in shares.get_xlabel()
    assert [t.get_text() for t in params.get_xticklabels()] == ["fully connected", "convolutional"]
    assert texts(params) == ["3,738,506", "18,354"] and texts(memory) == ["15.0 MB", "73.4 kB"]
    heights = [bar.get_y() + bar.get_height() for bar in params.patches]
    assert heights == pytest.approx([3_738_506, 18_354]) and params.get_ylim()[0] < 18_354
    assert fig.get_suptitle().startswith("32×32×3 images: fully connected (hidden 1,024, 512, 128) vs CNN (16, 8")
    assert "The CNN needs 204 times fewer parameters" in fig.get_suptitle()
    assert "Linear 3,072→1,024\n3,146,752 (84%)" in texts(shares) and "Linear 512→32\n16,416 (89%)" in texts(shares)
    assert fig.get_figwidth() == pytest.approx(9.6)
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text() and t.get_visible()]
    assert min(sizes) >= 8


def test_figure_from_8_by_8_grey_to_1024_by_1024_colour():
    big = parameter_figure(1024, 3)
    assert texts(big.axes[0])[0] == "3,221,818,250" and texts(big.axes[1])[0] == "12.9 GB"
    assert big.axes[0].get_ylim()[1] > 3_221_818_250
    small = parameter_figure(8, 1, hidden=16, kernel_size=1, conv_layers=1)  # here the CNN is the larger one
    assert small.get_suptitle().startswith("8×8×1 images") and "CNN needs 7.0 times more parameters" in (
        small.get_suptitle()
    )
    assert all(bar.get_height() > 0 for ax in small.axes for bar in ax.patches)


# ---------------------------------------------------------------- the widget
@pytest.fixture
def shown(monkeypatch):
    """What the explorer's figure area receives: ("display", figure title) or ("clear", wait)."""
    events = []
    monkeypatch.setattr(
        ainotes.param_explorer, "show_figure", lambda fig: events.append(("display", fig.get_suptitle()))
    )
    monkeypatch.setattr(ainotes.param_explorer.w.Output, "clear_output",
                        lambda self, wait=False: events.append(("clear", wait)))  # fmt: skip
    return events


def displayed(events):
    return [title for kind, title in events if kind == "display"]


def test_explorer_shows_chapter_4_at_creation(shown):
    explorer = ParameterExplorer()
    assert ExportedExplorer is ParameterExplorer
    assert len(displayed(shown)) == 1 and displayed(shown)[0].startswith("32×32×3 images")
    assert explorer.drawn == dict(image_size=32, channels=3, hidden=1024, kernel_size=3, conv_layers=2,
                                  fc_total=3_738_506, cnn_total=18_354, ratio=pytest.approx(203.69, abs=0.01),
                                  title=displayed(shown)[0])  # fmt: skip
    assert explorer.caption.value == DEFAULT_CAPTION
    assert explorer.image_size._options_values == IMAGE_SIZES and explorer.image_size.label == "32×32"
    assert explorer.hidden._options_values == HIDDEN_WIDTHS and explorer.hidden.label == "1,024"
    assert explorer.channels._options_labels == ("1 grey", "3 colour") and explorer.kernel_size.label == "3×3"
    assert (explorer.conv_layers.min, explorer.conv_layers.max) == (1, 5)
    assert explorer.channels.value == 3 and explorer.kernel_size.value == 3 and explorer.conv_layers.value == 2
    assert explorer.children[0].layout.flex_flow == "row wrap"
    assert plt.get_fignums() == []  # each figure is closed once shown


def test_every_control_redraws_and_updates_the_caption(shown):
    explorer = ParameterExplorer()
    explorer.image_size.value = 1024
    assert explorer.drawn["fc_total"] == 3_221_818_250 and displayed(shown)[-1].startswith("1024×1024×3 images")
    assert "<b>3,221,818,250</b> parameters (12.9 GB as float32)" in explorer.caption.value
    explorer.channels.value = 1
    assert explorer.drawn["channels"] == 1 and displayed(shown)[-1].startswith("1024×1024×1 images")
    assert explorer.drawn["fc_total"] == total_parameters(fc_counts(1024, 1, (1024, 512, 128)))
    explorer.hidden.value = 16
    assert explorer.drawn["hidden"] == 16 and "(hidden 16, 8, 2)" in displayed(shown)[-1]
    explorer.kernel_size.value = 7
    assert explorer.drawn["cnn_total"] == total_parameters(cnn_counts(1024, 1, (16, 8), 7))
    assert "7×7 kernels" in displayed(shown)[-1]
    explorer.conv_layers.value = 5
    assert explorer.drawn["cnn_total"] == total_parameters(cnn_counts(1024, 1, (16, 8, 8, 8, 8), 7))
    assert f"The CNN needs <b>{explorer.drawn['cnn_total']:,}</b>" in explorer.caption.value
    assert len(displayed(shown)) == 6 and all(event == ("clear", True) for event in shown[::2])


def test_impossible_settings_show_the_error_instead_of_a_figure(shown):
    explorer = ParameterExplorer(image_size=8, channels=1, hidden=16, kernel_size=1, conv_layers=1)
    assert "7.0 times more: on images this small, the fully connected network is the smaller one" in (
        explorer.caption.value
    )
    explorer.conv_layers.value = 4  # 8×8 halved four times: impossible
    assert shown[-1] == ("clear", False) and len(displayed(shown)) == 1
    assert explorer.caption.value.startswith('<p style="color:#cf222e"><b>Impossible settings:</b> A 8×8 image')
    assert "cannot be pooled 4 times" in explorer.caption.value and "Use fewer convolution layers" in (
        explorer.caption.value
    )
    assert explorer.drawn["conv_layers"] == 4 and "cannot be pooled" in explorer.drawn["error"]
    assert "fc_total" not in explorer.drawn
    explorer.image_size.value = 16  # possible again: drawn again
    assert "error" not in explorer.drawn and explorer.drawn["image_size"] == 16 and len(displayed(shown)) == 2
    assert "Impossible" not in explorer.caption.value


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"image_size": 30}, ValueError, r"image_size=30 is not one of the explorer's choices: give one of 8, 16, 28"),
        ({"image_size": 32.0}, TypeError, r"image_size must be a whole number, got 32\.0"),
        ({"channels": 2}, ValueError, r"channels=2 .* give 1 \(grey\) or 3 \(colour\)"),
        ({"hidden": 1000}, ValueError, r"hidden=1000 .* give a power of two from 16 to 4096"),
        ({"hidden": 8}, ValueError, r"hidden=8 .* power of two from 16"),
        ({"kernel_size": 4}, ValueError, r"kernel_size=4 .* give 1, 3, 5 or 7"),
        ({"conv_layers": 6}, ValueError, r"conv_layers=6 .* give 1 to 5"),
        ({"conv_layers": None}, TypeError, r"conv_layers must be a whole number, got None"),
        ({"image_size": 8, "conv_layers": 4}, ValueError, r"8×8 image cannot be pooled 4 times"),
    ],
)
def test_explorer_refuses_bad_arguments(shown, kwargs, error, match):
    with pytest.raises(error, match=match):
        ParameterExplorer(**kwargs)
    assert shown == []  # refused before anything is drawn
