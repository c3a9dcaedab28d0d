import matplotlib.pyplot as plt
import pytest
import torch

from ainotes.plot import plot_class_accuracy, plot_confusion, plot_history, plot_lr_schedule, set_theme, show_images
from ainotes.train import History


def history():
    return History(train_loss=[1.0, 0.5], train_acc=[0.6, 0.8], valid_loss=[0.9, 0.6], valid_acc=[0.65, 0.78],
                   epoch_seconds=[1, 1], lr=[0.1, 0.2, 0.1], momentum=[0.95, 0.85, 0.95])  # fmt: skip


def test_image_grid_titles_show_truth_and_predictions():
    images = torch.rand(6, 1, 8, 8)
    fig = show_images(images, [0, 1, 2, 0, 1, 2], predictions=[0, 2, 2, 0, 1, 1],
                      classes=["cat", "dog", "owl"], indices=[0, 1, 5], ncols=3)  # fmt: skip
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["cat", "owl\n(true: dog)", "dog\n(true: owl)"]
    colours = [ax.title.get_color() for ax in fig.axes[:2]]
    assert colours[0] != colours[1]


def test_image_grid_accepts_colour_and_hwc_images():
    show_images(torch.rand(2, 3, 8, 8) * 4 - 2, labels=[1, 0])  # normalised colour: rescaled
    show_images([torch.randint(0, 255, (8, 8, 3), dtype=torch.uint8).numpy()])


def test_image_grid_errors():
    with pytest.raises(ValueError, match="one per image"):
        show_images(torch.rand(3, 8, 8), labels=[0, 1])
    with pytest.raises(ValueError, match="Cannot show"):
        show_images(torch.rand(2, 2, 2, 2, 2))
    with pytest.raises(ValueError, match="No images"):
        show_images(torch.rand(2, 8, 8), indices=[])


def test_history_curves_have_titles_labels_and_both_splits():
    fig = plot_history(history())
    loss, acc = fig.axes
    assert loss.get_ylabel() == "cross-entropy loss" and acc.get_ylabel() == "accuracy (%)"
    assert len(loss.lines) == 2 and acc.lines[1].get_ydata()[-1] == pytest.approx(78)
    with pytest.raises(ValueError, match="empty"):
        plot_history(History())
    with pytest.raises(TypeError, match="History"):
        plot_history({"loss": [1]})


def test_lr_schedule_plots_lr_and_momentum():
    fig = plot_lr_schedule(history())
    assert len(fig.axes) == 2 and list(fig.axes[0].lines[0].get_ydata()) == [0.1, 0.2, 0.1]


def test_class_accuracy_and_confusion():
    fig = plot_class_accuracy(torch.tensor([0.9, 0.5]), ["a", "b"])
    assert fig.axes[0].get_title() == "Accuracy per class"
    with pytest.raises(ValueError, match="one per class"):
        plot_class_accuracy([0.9], ["a", "b"])
    fig = plot_confusion(torch.tensor([[3, 1], [0, 4]]), ["a", "b"])
    assert fig.axes[0].get_xlabel() == "predicted class"
    with pytest.raises(ValueError, match="2×2"):
        plot_confusion(torch.zeros(3, 3), ["a", "b"])


def test_set_theme_changes_style_only_when_called():
    before = plt.rcParams["axes.facecolor"]
    import ainotes.plot  # noqa: F401  (importing again changes nothing)

    assert plt.rcParams["axes.facecolor"] == before
    set_theme(dpi=72)
    assert plt.rcParams["figure.dpi"] == 72


def test_kernels_are_annotated_with_symmetric_colour_bars():
    from ainotes.plot import show_kernels

    kernel = torch.tensor([[-1.0, 0, 2], [0, 0, 0], [1, 1, 1]])
    fig = show_kernels([kernel, -kernel], ["a", "b"])
    image_ax, bar_ax = fig.axes[0], fig.axes[-2]
    assert image_ax.get_title() == "a" and len(fig.axes) == 4  # two kernels, two colour bars
    assert image_ax.images[0].get_clim() == (-2.0, 2.0)
    assert sorted(t.get_text() for t in image_ax.texts)[:2] == ["0", "0"]
    assert "−1" in [t.get_text() for t in image_ax.texts]  # a real minus sign
    assert bar_ax is not image_ax


def test_feature_maps_and_their_errors():
    from ainotes.plot import show_feature_maps

    fig = show_feature_maps(torch.rand(3, 5, 5), ["x", "y", "z"], symmetric=False, title="maps")
    assert fig._suptitle.get_text() == "maps" and fig.axes[0].images[0].get_cmap().name == "gray"
    with pytest.raises(ValueError, match="must be 2-D"):
        show_feature_maps(torch.rand(2, 1, 5, 5))
    with pytest.raises(ValueError, match="one per feature map"):
        show_feature_maps(torch.rand(2, 5, 5), ["only one"])
    with pytest.raises(ValueError, match="No kernels"):
        from ainotes.plot import show_kernels

        show_kernels([])


def test_draw_map_scales_annotates_and_checks_shape():
    from ainotes.plot import draw_map

    fig, (left, right) = plt.subplots(1, 2)
    shown = draw_map(left, torch.tensor([[0.0, 1 / 9], [-2.0, 0.5]]), title="k", annotate=True, colorbar=False)
    assert shown.get_clim() == (-2.0, 2.0) and left.get_title() == "k"
    assert [t.get_text() for t in left.texts] == ["0", "0.111", "−2", "0.5"]
    assert [t.get_color() for t in left.texts][2] == "white"  # dark cell, light text
    grey = draw_map(right, torch.tensor([[1.0, 3.0]]), symmetric=False)
    assert grey.get_clim() == (1.0, 3.0) and grey.get_cmap().name == "gray" and len(fig.axes) == 3  # + colour bar
    with pytest.raises(ValueError, match="must be 2-D"):
        draw_map(left, torch.zeros(2, 2, 2))


def test_image_grid_leaves_room_for_two_line_titles():
    """Long two-line titles (Fashion-MNIST's class names) overlap neither each other nor the row above."""
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    labels = torch.tensor([0, 9, 2, 0, 9, 2, 0, 9] * 2)
    predictions = torch.tensor([9, 0, 0, 2, 2, 9, 9, 0] * 2)  # all wrong: every title has two lines
    fig = show_images(torch.rand(16, 1, 28, 28), labels, predictions=predictions, classes=classes,
                      indices=range(16), title="16 mistakes: prediction (true class)")  # fmt: skip
    assert fig.get_figwidth() <= 9.6 + 1e-9  # within a book page at dpi 80
    assert fig.axes[0].get_title() == "Ankle boot\n(true: T-shirt/top)"
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [ax.title.get_window_extent(renderer) for ax in fig.axes]
    images = [ax.get_window_extent(renderer) for ax in fig.axes]
    for a in range(16):
        for b in range(a + 1, 16):
            assert not boxes[a].overlaps(boxes[b]), (fig.axes[a].get_title(), fig.axes[b].get_title())
        for b in range(16):
            if b != a:
                assert not boxes[a].overlaps(images[b]), f"title {a} runs into image {b}"
    top_row_bottom = min(img.y0 for img in images[:8])
    assert all(box.y1 < top_row_bottom for box in boxes[8:])


def test_image_grid_predictions_without_labels_are_not_marked_wrong():
    fig = show_images(torch.rand(2, 8, 8), predictions=[1, 0], classes=["cat", "dog"])
    assert [ax.get_title() for ax in fig.axes] == ["dog", "cat"]
    assert {ax.title.get_color() for ax in fig.axes} == {"black"}


def test_shared_colour_scale_gives_one_colour_bar_and_one_scale():
    import torch

    from ainotes.plot import show_feature_maps, show_kernels

    kernels = torch.stack([torch.ones(3, 3), -2 * torch.ones(3, 3), 0.5 * torch.ones(3, 3)])
    fig = show_kernels(kernels, ["a", "b", "c"], shared=True, annotate=False)
    assert len(fig.axes) == 3 + 1  # three kernels, one colour bar
    assert {im.get_clim() for ax in fig.axes[:3] for im in ax.images} == {(-2.0, 2.0)}
    fig = show_feature_maps(torch.stack([torch.zeros(4, 4), torch.full((4, 4), 3.0)]), shared=True, symmetric=False)
    assert {im.get_clim() for ax in fig.axes[:2] for im in ax.images} == {(0.0, 3.0)}


def test_confusion_shades_the_mistakes_and_bolds_the_diagonal(recwarn):
    import torch

    from ainotes.plot import plot_confusion

    fig = plot_confusion(torch.tensor([[5, 1], [3, 7]]), ["a", "b"])
    texts = {t.get_text(): t for t in fig.axes[0].texts}
    assert texts["5"].get_fontweight() == "bold" and texts["3"].get_fontweight() == "normal"
    assert fig.axes[0].images[0].get_clim() == (0.0, 3.0)  # the scale of the mistakes only
    plot_confusion(torch.tensor([[4, 0], [0, 6]]), ["a", "b"])  # no mistakes at all: no warning
    assert not [w for w in recwarn if "NaN" in str(w.message)]


def test_channel_figures_are_reexported_from_plot():
    import ainotes.channelplot as channelplot
    import ainotes.plot as plot

    assert plot.plot_channel_histograms is channelplot.plot_channel_histograms
    assert plot.show_channels is channelplot.show_channels
