"""The transfer-learning explorer: the figure and caption from chapter 7's results, and the widget that only redraws."""

import copy

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

import ainotes.transfer_explorer
from ainotes.transfer_explorer import METHOD_COLOURS, TransferExplorer, transfer_caption, transfer_figure
from ainotes.widgets import TransferExplorer as ReExported

METHODS = ["CNN from scratch", "ResNet from scratch", "feature extraction", "fine-tuning"]
EPOCHS = {50: 30, 500: 8, 4500: 2}
TESTS = {  # test accuracy per method and N
    "CNN from scratch": {50: 0.608, 500: 0.74, 4500: 0.86},
    "ResNet from scratch": {50: 0.55, 500: 0.72, 4500: 0.88},
    "feature extraction": {50: 0.70, 500: 0.78, 4500: 0.81},
    "fine-tuning": {50: 0.767, 500: 0.88, 4500: 0.95},
}


def make_results():
    """Chapter 7's shape: a rising curve per method and N (30, 8 and 2 epochs), ending near the test accuracy."""
    return {
        m: {n: {"curve": list(np.linspace(0.2, TESTS[m][n], EPOCHS[n])), "test": TESTS[m][n]} for n in EPOCHS}
        for m in METHODS
    }


@pytest.fixture
def results():
    return make_results()


def left_right(fig):
    left, right = fig.axes
    return left, right


def method_lines(ax):
    return [line for line in ax.get_lines() if line.get_linestyle() != "--"]


def dashed(ax):
    return [line for line in ax.get_lines() if line.get_linestyle() == "--"]


# ---------------------------------------------------------------- the figure
def test_figure_titles_and_labels(results):
    fig = transfer_figure(results)
    left, right = left_right(fig)
    assert fig.get_figwidth() == pytest.approx(9.6)
    assert left.get_title() == "Validation accuracy while training, 50 images per class"
    assert (left.get_xlabel(), left.get_ylabel()) == ("epoch", "validation accuracy (%)")
    assert right.get_title() == "Test accuracy against training-set size"
    assert (right.get_xlabel(), right.get_ylabel()) == ("images per class (log scale)", "test accuracy (%)")


def test_left_panel_has_one_curve_per_method_in_percent(results):
    left, _ = left_right(transfer_figure(results))
    lines = left.get_lines()
    assert [line.get_label() for line in lines] == METHODS
    for line, method in zip(lines, METHODS):
        np.testing.assert_array_equal(line.get_xdata(), np.arange(1, 31))
        np.testing.assert_allclose(line.get_ydata(), 100 * np.asarray(results[method][50]["curve"]))


def test_left_panel_follows_n_and_its_epochs(results):
    left, _ = left_right(transfer_figure(results, n=4500))
    assert left.get_title() == "Validation accuracy while training, 4,500 images per class"
    assert all(list(line.get_xdata()) == [1, 2] for line in left.get_lines())
    assert left.get_xlim() == (0.5, 2.5)
    ticks = [t for t in left.get_xticks() if 0.5 <= t <= 2.5]
    assert ticks == [1, 2]  # whole epochs only


def test_left_ticks_are_whole_epochs(results):
    left, _ = left_right(transfer_figure(results, n=500))
    fig = left.figure
    fig.canvas.draw()
    assert all(float(t).is_integer() for t in left.get_xticks())


def test_different_epochs_per_method(results):
    results["feature extraction"][500]["curve"] = [0.5, 0.6, 0.7]
    left, _ = left_right(transfer_figure(results, n=500))
    lengths = [len(line.get_xdata()) for line in left.get_lines()]
    assert lengths == [8, 8, 3, 8] and left.get_xlim() == (0.5, 8.5)


def test_right_panel_log_scale_with_every_n(results):
    _, right = left_right(transfer_figure(results))
    assert right.get_xscale() == "log"
    lines = method_lines(right)
    assert [line.get_label() for line in lines] == METHODS
    for line, method in zip(lines, METHODS):
        assert list(line.get_xdata()) == [50, 500, 4500] and line.get_marker() == "o"
        np.testing.assert_allclose(line.get_ydata(), [100 * TESTS[method][n] for n in (50, 500, 4500)])
    assert list(right.get_xticks()) == [50, 500, 4500]
    right.figure.canvas.draw()
    assert [t.get_text() for t in right.get_xticklabels()] == ["50", "500", "4,500"]
    assert right.get_xticks(minor=True).size == 0  # no unlabelled log ticks in between


def test_line_counts_per_panel(results):
    left, right = left_right(transfer_figure(results, methods=["fine-tuning", "CNN from scratch"]))
    assert len(left.get_lines()) == 2 and len(right.get_lines()) == 3  # the methods, and the dashed line
    assert len(method_lines(right)) == 2 and len(dashed(right)) == 1


@pytest.mark.parametrize("n", [50, 500, 4500])
def test_the_chosen_n_marker_moves(results, n):
    _, right = left_right(transfer_figure(results, n=n))
    (line,) = dashed(right)
    assert list(line.get_xdata()) == [n, n]
    assert line.get_label() == f"{n:,} per class (left panel)"


def test_n_defaults_to_the_smallest_whatever_the_dict_order(results):
    reordered = {m: dict(reversed(list(runs.items()))) for m, runs in results.items()}
    _, right = left_right(transfer_figure(reordered))
    assert list(dashed(right)[0].get_xdata()) == [50, 50]
    assert list(method_lines(right)[0].get_xdata()) == [50, 500, 4500]  # drawn in increasing N


def test_colours_are_consistent_between_panels_and_fixed_per_method(results):
    full = left_right(transfer_figure(results))
    some = left_right(transfer_figure(results, methods=["fine-tuning", "ResNet from scratch"]))
    expected = dict(zip(METHODS, METHOD_COLOURS))
    for left, right in (full, some):
        left_colours = {line.get_label(): to_hex(line.get_color()) for line in left.get_lines()}
        right_colours = {line.get_label(): to_hex(line.get_color()) for line in method_lines(right)}
        assert left_colours == right_colours == {m: expected[m] for m in left_colours}
    assert len(set(METHOD_COLOURS[:4])) == 4


def test_methods_are_drawn_in_the_results_order(results):
    left, _ = left_right(transfer_figure(results, methods=["fine-tuning", "CNN from scratch"]))
    assert [line.get_label() for line in left.get_lines()] == ["CNN from scratch", "fine-tuning"]


def test_more_methods_than_colours_still_differ():
    results = {f"method {i}": {10: {"curve": [0.5], "test": 0.5}} for i in range(8)}
    left, _ = left_right(transfer_figure(results))
    assert len({to_hex(line.get_color()) for line in left.get_lines()}) == 8


def test_one_shared_legend(results):
    fig = transfer_figure(results, n=500)
    assert len(fig.legends) == 1 and all(ax.get_legend() is None for ax in fig.axes)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [*METHODS, "500 per class (left panel)"]


def test_figure_accepts_numpy_values(results):
    results["fine-tuning"][50] = {"curve": np.array([0.5, 0.6], dtype=np.float32), "test": np.float64(0.7)}
    results["fine-tuning"] = {np.int64(n): run for n, run in results["fine-tuning"].items()}
    left, _ = left_right(transfer_figure(results))
    np.testing.assert_allclose(left.get_lines()[3].get_ydata(), [50, 60], rtol=1e-6)


def test_figure_leaves_the_results_unchanged(results):
    before = copy.deepcopy(results)
    transfer_figure(results, n=500)
    transfer_caption(results, 500)
    assert results == before


def test_figures_are_closed_by_the_caller(results):
    plt.close("all")
    fig = transfer_figure(results)
    assert plt.get_fignums() == [fig.number]
    plt.close(fig)
    assert plt.get_fignums() == []


# ---------------------------------------------------------------- the caption
def test_caption_names_the_best_and_the_worst(results):
    assert transfer_caption(results, 50) == (
        "With 50 images per class, fine-tuning is best: 76.7% on the test images, 21.7 points above ResNet from "
        "scratch."
    )
    assert transfer_caption(results, 4500) == (
        "With 4,500 images per class, fine-tuning is best: 95.0% on the test images, 14.0 points above feature "
        "extraction."
    )


def test_caption_follows_the_methods(results):
    assert transfer_caption(results, 50, methods=["CNN from scratch", "fine-tuning"]) == (
        "With 50 images per class, fine-tuning is best: 76.7% on the test images, 15.9 points above CNN from scratch."
    )
    assert transfer_caption(results, 500, methods=["feature extraction", "ResNet from scratch"]) == (
        "With 500 images per class, feature extraction is best: 78.0% on the test images, 6.0 points above ResNet "
        "from scratch."
    )


def test_caption_of_one_method(results):
    assert transfer_caption(results, 500, methods=["CNN from scratch"]) == (
        "With 500 images per class, CNN from scratch gets 74.0% on the test images."
    )


def test_caption_tie_for_best(results):
    results["feature extraction"][50]["test"] = 0.767
    assert transfer_caption(results, 50) == (
        "With 50 images per class, feature extraction and fine-tuning tie for best: 76.7% on the test images, "
        "21.7 points above ResNet from scratch."
    )


def test_caption_tie_for_worst(results):
    results["CNN from scratch"][50]["test"] = 0.55
    assert transfer_caption(results, 50).endswith("21.7 points above CNN from scratch and ResNet from scratch.")


def test_caption_ties_at_the_shown_precision(results):
    results["fine-tuning"][50]["test"] = 0.76704
    results["feature extraction"][50]["test"] = 0.76696  # both 76.7%: a tie, not "0.0 points above"
    assert "feature extraction and fine-tuning tie for best: 76.7%" in transfer_caption(results, 50)


def test_caption_when_every_method_ties():
    results = {m: {10: {"curve": [0.5], "test": 0.8}} for m in ("a", "b", "c")}
    assert transfer_caption(results, 10) == "With 10 images per class, a, b and c tie: 80.0% each on the test images."
    results = {"a": {1: {"curve": [0.5], "test": 0.8}}, "b": {1: {"curve": [0.5], "test": 0.8}}}
    assert transfer_caption(results, 1) == "With 1 image per class, a and b tie: 80.0% each on the test images."


def test_caption_points_match_the_shown_percentages():
    results = {"a": {10: {"curve": [0.5], "test": 0.70049}}, "b": {10: {"curve": [0.5], "test": 0.60051}}}
    assert transfer_caption(results, 10) == (
        "With 10 images per class, a is best: 70.0% on the test images, 9.9 points above b."
    )


# ---------------------------------------------------------------- bad input
def bad(results, path, value):
    """A copy of results with the value at path (keys) replaced, or deleted when value is DELETE."""
    results = copy.deepcopy(results)
    target = results
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return results


DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "match"),
    [
        (("fine-tuning",), {}, r"results\['fine-tuning'\] must be a non-empty dict \{images per class: "),
        (("fine-tuning",), [0.5, 0.6], r"results\['fine-tuning'\] must be a non-empty dict .*got list"),
        (("fine-tuning", 4500), DELETE, r"results\['fine-tuning'\] has images per class 50, 500 but "
         r"results\['CNN from scratch'\] has 50, 500, 4500: every method needs results for the same N"),
        (("fine-tuning", "50"), {"curve": [0.5], "test": 0.5},
         r"results\['fine-tuning'\]: the key '50' must be a number of images per class"),
        (("fine-tuning", 50), [0.5, 0.6], r"results\['fine-tuning'\]\[50\] must be a dict \{'curve': "),
        (("fine-tuning", 50, "test"), DELETE, r"results\['fine-tuning'\]\[50\] must be a dict \{'curve'"),
        (("fine-tuning", 50, "curve"), [], r"results\['fine-tuning'\]\[50\]\['curve'\] must be a non-empty list of "
         r"validation accuracies, one per epoch"),
        (("fine-tuning", 50, "curve"), 0.5, r"\['curve'\] must be a non-empty list .*got float 0\.5"),
        (("fine-tuning", 50, "curve"), "0.5", r"\['curve'\] must be a non-empty list"),
        (("fine-tuning", 500, "curve"), [0.5, "0.6"], r"results\['fine-tuning'\]\[500\]\['curve'\]\[1\] must be a "
         r"number, the validation accuracy as a fraction from 0 to 1, got str '0\.6'"),
        (("fine-tuning", 500, "curve"), [0.5, 61.0], r"\['curve'\]\[1\] = 61 is not a fraction from 0 to 1 "
         r"\(validation accuracy\): give fractions \(0\.61, not 61\)"),
        (("fine-tuning", 500, "curve"), [-0.1], r"\['curve'\]\[0\] = -0\.1 is not a fraction from 0 to 1"),
        (("fine-tuning", 500, "curve"), [float("nan")], r"\['curve'\]\[0\] = nan is not a fraction"),
        (("fine-tuning", 500, "curve"), [True], r"\['curve'\]\[0\] must be a number"),
        (("ResNet from scratch", 4500, "test"), 88.0, r"results\['ResNet from scratch'\]\[4500\]\['test'\] = 88 is "
         r"not a fraction from 0 to 1 \(test accuracy\): give fractions \(0\.88, not 88\)"),
        (("ResNet from scratch", 4500, "test"), None, r"\['test'\] must be a number, the test accuracy"),
    ],
)  # fmt: skip
def test_bad_results_name_the_method_and_n(results, path, value, match):
    broken = bad(results, path, value)
    calls = (lambda: transfer_figure(broken), lambda: transfer_caption(broken, 50), lambda: TransferExplorer(broken))
    for call in calls:
        with pytest.raises(ValueError, match=match):
            call()


@pytest.mark.parametrize(
    ("results", "match"),
    [
        ({}, r"results must be a non-empty dict method -> \{images per class \(int\) -> \{'curve'"),
        ([], r"results must be a non-empty dict .*got list"),
        (None, r"results must be a non-empty dict .*got NoneType None"),
        ({"": {50: {"curve": [0.5], "test": 0.5}}}, r"the method name '' must be a non-empty string"),
        ({"a": {0: {"curve": [0.5], "test": 0.5}}}, r"results\['a'\]: the key 0 must be a number of images per class"),
        ({"a": {True: {"curve": [0.5], "test": 0.5}}}, r"the key True must be"),
        ({"a": {50: {"curve": np.zeros((2, 2)), "test": 0.5}}}, r"\['curve'\] must be a non-empty list"),
    ],
)
def test_bad_results_shapes(results, match):
    with pytest.raises(ValueError, match=match):
        transfer_figure(results)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n": 100}, ValueError, r"n=100 is not in the results: give one of 50, 500, 4500 \(images per class\)"),
        ({"n": 50.0}, TypeError, r"n must be a whole number, got 50\.0: e\.g\. n=50"),
        ({"n": "50"}, TypeError, r"n must be a whole number"),
        ({"methods": ["fine tuning"]}, ValueError, r"methods: 'fine tuning' not in the results; available: "
         r"'CNN from scratch', 'ResNet from scratch', 'feature extraction', 'fine-tuning'"),
        ({"methods": ["fine-tuning", "x", "y"]}, ValueError, r"methods: 'x', 'y' not in the results"),
        ({"methods": []}, ValueError, r"methods is empty: give at least one of 'CNN from scratch', .* or None for all"),
        ({"methods": "fine-tuning"}, TypeError, r"methods must be a list of method names, got str 'fine-tuning': "
         r"e\.g\. \['CNN from scratch'\]"),
        ({"methods": 3}, TypeError, r"methods must be a list of method names, got int 3"),
    ],
)  # fmt: skip
def test_bad_n_and_methods(results, kwargs, error, match):
    for call in (transfer_figure, TransferExplorer):
        with pytest.raises(error, match=match):
            call(results, **kwargs)
    with pytest.raises(error, match=match):
        transfer_caption(results, kwargs.get("n", 50), kwargs.get("methods"))


# ---------------------------------------------------------------- the widget
@pytest.fixture
def shown(monkeypatch):
    """What the explorer's figure area receives: ("display", figure) or ("clear", wait)."""
    events = []
    monkeypatch.setattr(ainotes.transfer_explorer, "show_figure", lambda fig: events.append(("display", fig)))
    monkeypatch.setattr(ainotes.transfer_explorer.w.Output, "clear_output",
                        lambda self, wait=False: events.append(("clear", wait)))  # fmt: skip
    return events


def figures(events):
    return [fig for kind, fig in events if kind == "display"]


def state(fig):
    """The left panel's title and methods, and where the right panel's dashed line is."""
    left, right = fig.axes
    return left.get_title(), [line.get_label() for line in left.get_lines()], dashed(right)[0].get_xdata()[0]


def test_widgets_re_exports_the_explorer():
    assert ReExported is TransferExplorer


def test_explorer_draws_the_default_at_creation(results, shown):
    explorer = TransferExplorer(results)
    assert len(figures(shown)) == 1
    assert state(figures(shown)[0]) == ("Validation accuracy while training, 50 images per class", METHODS, 50)
    assert explorer.drawn == dict(n=50, methods=METHODS, caption=transfer_caption(results, 50),
                                  title="Validation accuracy while training, 50 images per class")  # fmt: skip
    assert explorer.caption.value == f"<p>{transfer_caption(results, 50)}</p>"
    assert explorer.n.value == 50 and explorer.n.label == "50 per class"
    assert [label for label, _ in explorer.n.options] == ["50 per class", "500 per class", "4,500 per class"]
    assert list(explorer.checkboxes) == METHODS and all(box.value for box in explorer.checkboxes.values())
    assert [box.description for box in explorer.checkboxes.values()] == METHODS
    assert plt.get_fignums() == []  # the figure is closed once shown


def test_explorer_takes_n_and_methods(results, shown):
    explorer = TransferExplorer(results, n=500, methods=["fine-tuning"])
    assert explorer.settings() == dict(n=500, methods=["fine-tuning"])
    assert state(figures(shown)[-1]) == ("Validation accuracy while training, 500 images per class", ["fine-tuning"],
                                         500)  # fmt: skip
    assert [box.value for box in explorer.checkboxes.values()] == [False, False, False, True]


def test_explorer_redraws_when_n_changes(results, shown):
    explorer = TransferExplorer(results)
    explorer.n.value = 4500
    assert len(figures(shown)) == 2 and state(figures(shown)[-1])[0].endswith("4,500 images per class")
    assert state(figures(shown)[-1])[2] == 4500  # the dashed line moved
    assert explorer.drawn["n"] == 4500 and explorer.drawn["caption"] == transfer_caption(results, 4500)
    assert "With 4,500 images per class" in explorer.caption.value
    assert shown[-2] == ("clear", True) and plt.get_fignums() == []


def test_explorer_redraws_when_methods_change(results, shown):
    explorer = TransferExplorer(results, n=500)
    explorer.checkboxes["fine-tuning"].value = False
    assert state(figures(shown)[-1])[1] == METHODS[:3] and explorer.drawn["methods"] == METHODS[:3]
    assert "feature extraction is best: 78.0%" in explorer.caption.value
    explorer.checkboxes["fine-tuning"].value = True
    explorer.checkboxes["CNN from scratch"].value = False
    assert state(figures(shown)[-1])[1] == METHODS[1:] and len(figures(shown)) == 4


def test_unchecking_every_method_shows_a_message(results, shown):
    explorer = TransferExplorer(results, methods=["fine-tuning", "feature extraction"])
    explorer.checkboxes["fine-tuning"].value = False
    explorer.checkboxes["feature extraction"].value = False
    assert shown[-1] == ("clear", False) and len(figures(shown)) == 2
    assert "Tick at least one method" in explorer.caption.value and "caption" not in explorer.drawn
    assert explorer.drawn == dict(n=50, methods=[], message=explorer.drawn["message"], title=None)
    explorer.n.value = 500  # still a message, not an error
    assert len(figures(shown)) == 2 and explorer.drawn["n"] == 500 and "Tick" in explorer.caption.value
    explorer.checkboxes["feature extraction"].value = True  # one method again: drawn again
    assert state(figures(shown)[-1])[1] == ["feature extraction"] and "message" not in explorer.drawn


def test_show_false_draws_at_the_first_change(results, shown):
    explorer = TransferExplorer(results, show=False)
    assert figures(shown) == [] and explorer.drawn["title"] is None and "fine-tuning is best" in explorer.caption.value
    explorer.update()
    assert len(figures(shown)) == 1 and explorer.drawn["title"] == state(figures(shown)[0])[0]


def test_explorer_keeps_its_own_copy(results, shown):
    explorer = TransferExplorer(results)
    results["fine-tuning"][50]["test"] = 0.1  # the notebook's dict changes: the explorer keeps what it was given
    explorer.n.value = 500
    explorer.n.value = 50
    assert "fine-tuning is best: 76.7%" in explorer.caption.value


def test_explorer_never_trains(results, shown, monkeypatch):
    """The callbacks only redraw from the stored results: nothing but the pure figure and caption runs."""
    calls = []
    draw = ainotes.transfer_explorer._draw
    monkeypatch.setattr(ainotes.transfer_explorer, "_draw", lambda *a: calls.append(a[1:]) or draw(*a))
    explorer = TransferExplorer(results)
    explorer.n.value = 500
    explorer.checkboxes["ResNet from scratch"].value = False
    assert calls == [(50, METHODS), (500, METHODS), (500, [METHODS[0], *METHODS[2:]])]
