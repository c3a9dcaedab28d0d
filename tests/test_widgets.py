import html
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import ainotes.explorer
from ainotes.conv import PRESET_KERNELS, conv_output_size, output_size_formula, preset_kernel
from ainotes.explorer_tasks import (
    ExplorerState,
    TaskProgress,
    bottom_edge_problem,
    gives_five_by_five_field,
    halving_setting,
    size_keeping_way,
)
from ainotes.plot import animate_convolution
from ainotes.widgets import ChannelExplorer, ConvolutionExplorer, ShapeQuiz


def digit():
    image = torch.zeros(28, 28)
    image[4:24, 12:16] = 1.0  # a "1"
    return image


@pytest.fixture
def shown(monkeypatch):
    """What the explorers' figure areas receive: ("display", title of the map) or ("clear", wait)."""
    events = []

    def display(fig):
        events.append(("display", fig.axes[2].get_title()))

    def clear_output(self, wait=False):
        events.append(("clear", wait))

    monkeypatch.setattr(ainotes.explorer, "show_figure", display)
    monkeypatch.setattr(ainotes.explorer.w.Output, "clear_output", clear_output)
    return events


# ---------------------------------------------------------------- the explorer follows its controls
def test_explorer_shows_the_default_and_follows_the_controls(shown):
    explorer = ConvolutionExplorer({"one": digit(), "colour": torch.rand(3, 32, 32)})
    assert shown[-1] == ("display", "feature map 26×26")  # drawn at creation
    assert "26×26" in explorer.formula.value and "(28 + 2×0 − 1×(3 − 1) − 1) // 1 + 1 = 26" in explorer.formula.value
    explorer.padding.value = "same"
    assert "28×28" in explorer.formula.value
    explorer.padding.value, explorer.stride.value = 1, 2
    feature_map, _ = explorer.result()
    expected = F.conv2d(digit()[None, None], torch.tensor(PRESET_KERNELS["top edge"])[None, None], stride=2, padding=1)
    assert torch.allclose(feature_map, expected[0, 0]) and "14×14" in explorer.formula.value
    explorer.image.value = "colour"
    assert "16×16" in explorer.formula.value  # 32 -> (32 + 2 - 2 - 1) // 2 + 1
    assert "(grey: mean of R, G, B)" in explorer.formula.value


def test_explorer_presets_sizes_custom_weights_and_impossible_settings(shown):
    explorer = ConvolutionExplorer({"one": digit()})
    explorer.preset.value = "left edge"
    assert explorer.kernel().tolist() == PRESET_KERNELS["left edge"]
    explorer.size.value = 7
    assert torch.equal(explorer.kernel(), preset_kernel("left edge", 7)) and len(explorer.grid.children) == 49
    assert "(28 + 2×0 − 1×(7 − 1) − 1) // 1 + 1 = 22" in explorer.formula.value  # the real kernel size
    explorer.size.value = 3
    explorer.weights[4].value = 7.0
    assert explorer.preset.value == "custom" and explorer.kernel()[1, 1] == 7
    custom = explorer.kernel()
    explorer.size.value = 5  # a custom kernel is centred in zeros ...
    assert torch.equal(explorer.kernel()[1:4, 1:4], custom) and explorer.kernel().abs().sum() == custom.abs().sum()
    explorer.size.value = 3  # ... and centre-cropped back
    assert torch.equal(explorer.kernel(), custom) and explorer.preset.value == "custom"
    explorer.stride.value, explorer.padding.value = 2, "same"
    assert "Impossible settings" in explorer.formula.value and "needs stride=1" in explorer.formula.value
    assert explorer.drawn is None and shown[-1] == ("clear", False)  # no stale figure


def test_explorer_reflect_padding_and_its_limit(shown):
    explorer = ConvolutionExplorer({"small": torch.rand(3, 5, 6)})
    explorer.padding_mode.value, explorer.padding.value = "reflect", 3
    assert "5×6 (grey: mean of R, G, B)" in explorer.formula.value and explorer.drawn["output_size"] == (9, 10)
    explorer.size.value = 7  # 'same' with a 7×7 kernel would need 3 per side: fine; 'full' needs 6: not on a side of 5
    explorer.padding.value = "full"
    assert "Impossible settings" in explorer.formula.value and "smaller than the image side" in explorer.formula.value
    assert explorer.drawn is None
    explorer.padding_mode.value = "zeros"
    assert explorer.drawn["output_size"] == (11, 12) and "11×12" in explorer.formula.value


def test_explorer_refuses_bad_images_and_kernels():
    with pytest.raises(ValueError, match="at least one image"):
        ConvolutionExplorer({})
    with pytest.raises(ValueError, match=r"has shape \(2, 5, 5\): give \(H, W\), \(1, H, W\) or \(3, H, W\)"):
        ConvolutionExplorer({"bad": torch.zeros(2, 5, 5)})
    with pytest.raises(ValueError, match=r"Kernel 'k' has shape \(4, 4\): give a square kernel of size 3, 5, 7"):
        ConvolutionExplorer({"one": torch.zeros(8, 8)}, kernels={"k": torch.ones(4, 4)})


def reference(image, kernel, settings):
    """The feature map PyTorch's own nn.Conv2d gives, or None where PyTorch refuses the settings."""
    k = kernel.shape[0]
    padding = settings["dilation"] * (k - 1) if settings["padding"] == "full" else settings["padding"]
    grey = image.mean(0) if image.ndim == 3 else image
    try:
        conv = nn.Conv2d(1, 1, k, settings["stride"], padding, settings["dilation"], bias=False,
                         padding_mode=settings["padding_mode"])  # fmt: skip
        conv.weight.data = kernel[None, None]
        with torch.no_grad():
            return conv(grey[None, None])[0, 0]
    except (RuntimeError, ValueError):
        return None


def assert_consistent(explorer, shown, since, changed=True):
    """The formula, the figure and the kernel show exactly the current settings (redrawn if ``changed``)."""
    image = explorer.images[explorer.image.value]
    height, width = image.shape[-2:]
    k = explorer.size.value
    kernel = explorer.kernel()
    assert kernel.shape == (k, k) and len(explorer.grid.children) == k * k
    assert f"the {k}×{k} weights" in explorer.grid_label.value
    if explorer.preset.value != "custom":
        assert torch.allclose(kernel, preset_kernel(explorer.preset.value, k), atol=1e-3)
    settings = explorer.settings()
    expected = reference(image, kernel, settings)
    events = shown[since:]
    if expected is None:
        assert explorer.formula.value.startswith('<p style="color:#cf222e"><b>Impossible settings:</b> ')
        assert explorer.drawn is None and (events[-1:] == [("clear", False)] or not changed)
        assert "Output size" not in explorer.formula.value
        return
    sizes = {key: settings[key] for key in ("stride", "padding", "dilation")}
    h, w = conv_output_size(height, k, **sizes), conv_output_size(width, k, **sizes)
    assert expected.shape == (h, w)
    assert f"Output size: <b>{h}×{w}</b> from {height}×{width}" in explorer.formula.value
    assert f"Height: <code>{output_size_formula(height, k, **sizes)}</code>" in explorer.formula.value
    assert ("grey: mean of R, G, B" in explorer.formula.value) == (image.ndim == 3 and image.shape[0] == 3)
    assert explorer.drawn == dict(image=explorer.image.value, kernel_size=k, output_size=(h, w), **settings)
    assert events[-1:] == [("display", f"feature map {h}×{w}")] or not changed
    feature_map, formula = explorer.result()
    assert torch.allclose(feature_map, expected, atol=1e-4) and formula == output_size_formula(height, k, **sizes)


def sweep(explorer, shown, type_weights=True):
    """Every value of every control, one control at a time, checking the display after each change."""
    steps = 0

    def change(control, value):
        nonlocal steps
        since, changed = len(shown), control.value != value
        control.value = value
        assert_consistent(explorer, shown, since, changed)
        steps += 1

    for control in (explorer.image, explorer.preset, explorer.size, explorer.padding, explorer.padding_mode):
        for option in control.options:
            change(control, option)
    for slider in (explorer.stride, explorer.dilation):
        for value in range(slider.min, slider.max + 1):
            change(slider, value)
    if type_weights:
        k = explorer.size.value
        for index in sorted({0, k * k // 2, k * k - 1}):
            change(explorer.weights[index], float(index) - 1.5)
        assert explorer.preset.value == "custom"
        for size in explorer.size.options:  # a custom kernel at every size
            change(explorer.size, size)
    return steps


def test_every_control_through_every_value_never_leaves_a_stale_state(shown):
    explorer = ConvolutionExplorer({"digit": digit(), "colour": torch.rand(3, 6, 7)}, tasks=True)
    assert_consistent(explorer, shown, 0)
    steps = sweep(explorer, shown)
    # a second pass from a cramped state: most combinations are impossible here
    explorer.image.value, explorer.size.value, explorer.dilation.value = "colour", 7, 3
    explorer.padding_mode.value = "reflect"
    steps += sweep(explorer, shown, type_weights=False)
    assert steps > 60


# ---------------------------------------------------------------- guided tasks
def state(image=(28, 28), kernel=3, stride=1, padding=0, dilation=1, out=None):
    kernel = torch.zeros(kernel, kernel) if isinstance(kernel, int) else kernel
    if out is None:
        sizes = [conv_output_size(n, kernel.shape[0], stride, padding, dilation) for n in image]
        out = tuple(sizes)
    return ExplorerState(image, kernel, stride, padding, dilation, "zeros", out)


def test_halving_task_needs_two_distinct_settings_on_a_28_by_28_image():
    assert halving_setting(state(stride=2, padding=1)) == (3, 2, 1, 1)
    assert halving_setting(state(image=(32, 32), stride=2, padding=1)) is None  # 16×16, and not the digit
    assert halving_setting(state(image=(28, 28), kernel=5, padding=2)) is None  # 28×28
    progress = TaskProgress()
    progress.update(state(stride=2, padding=1))
    progress.update(state(stride=2, padding=1))
    assert not progress.done["halve"] and progress.note("halve") == "1 of 2 found"
    progress.update(state(kernel=2, stride=2))
    assert progress.done["halve"]


@pytest.mark.parametrize("kernel, problem", [
    ([[1, 1, 1], [0, 0, 0], [-1, -1, -1]], ""),
    ([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], ""),
    ([[0, 1, 0], [0, -1, 0], [0, 0, 0]], ""),
    (-preset_kernel("top edge", 7), ""),
    (preset_kernel("top edge"), "no clear positive response where it is bright above"),
    ([[1, 1, 1], [0, 0, 0], [0, 0, 0]], "responds to flat patches: its weights add up to 3"),
    ([[-1, -1, -1], [2, 2, 2], [-1, -1, -1]], "no clear positive response"),
    ([[1, 1, 0], [1, 0, -1], [0, -1, -1]], "also responds to vertical edges"),
    ([[0, 0, 0], [0, 0, 0], [0, 0, 0]], "all its weights are 0"),
])  # fmt: skip
def test_bottom_edge_task_tries_the_kernel_on_step_images(kernel, problem):
    kernel = torch.as_tensor(kernel, dtype=torch.float32)
    assert (problem in bottom_edge_problem(kernel)) if problem else bottom_edge_problem(kernel) == ""
    if not problem:  # positive on bright-above edges, negative on the reverse, 0 on flat patches
        step = (torch.arange(12) < 6).float()[:, None].expand(12, 12)
        responses = F.conv2d(step[None, None], kernel[None, None])[0, 0]
        reverse = F.conv2d((1 - step)[None, None], kernel[None, None])[0, 0]
        assert responses.max() > 0 and responses.min() >= 0 and reverse.min() < 0
        assert F.conv2d(torch.ones(1, 1, 9, 9), kernel[None, None]).abs().max() < 1e-6


def test_no_preset_is_a_bottom_edge_detector():
    for name in PRESET_KERNELS:
        for size in (3, 5, 7):
            assert bottom_edge_problem(preset_kernel(name, size)), (name, size)


def test_dilation_and_size_keeping_tasks():
    assert gives_five_by_five_field(state(dilation=2))
    assert not gives_five_by_five_field(state(dilation=3)) and not gives_five_by_five_field(state(kernel=5))
    assert size_keeping_way(state(kernel=5, padding=2)) == "a number"
    assert size_keeping_way(state(kernel=5, padding="same")) == "a padding kind"
    assert size_keeping_way(state(kernel=5, padding="same", dilation=2)) == "a padding kind"
    assert size_keeping_way(state(kernel=3, padding=1)) is None  # not 5×5
    assert size_keeping_way(state(image=(32, 32), kernel=5, padding=2)) is None
    progress = TaskProgress()
    progress.update(state(kernel=5, padding=2))
    assert not progress.done["keep size"] and "now the other way" in progress.note("keep size")
    progress.update(state(kernel=5, padding="same"))
    assert progress.done["keep size"]


def test_explorer_tasks_are_ticked_live(shown):
    explorer = ConvolutionExplorer({"digit": digit()}, tasks=True)
    assert explorer.task_list in explorer.children and explorer.task_list.value.count("○") == 4
    explorer.dilation.value = 2  # a 3×3 kernel with dilation 2
    assert explorer.task_list.value.count("✓") == 1
    explorer.dilation.value = 1
    assert explorer.task_list.value.count("✓") == 1  # a ticked task stays ticked
    explorer.preset.value = "custom"
    for box, value in zip(explorer.weights, [1, 1, 1, 0, 0, 0, -1, -1, -1]):
        box.value = value
    assert explorer.progress.done["bottom edge"]
    explorer.stride.value, explorer.padding.value = 2, 1
    explorer.size.value, explorer.padding.value = 5, 2
    assert explorer.progress.done["halve"]
    explorer.stride.value = 1
    explorer.padding.value = "same"
    assert explorer.task_list.value.count("✓") == 4
    assert ConvolutionExplorer({"digit": digit()}).task_list not in ConvolutionExplorer({"digit": digit()}).children


# ---------------------------------------------------------------- the shape quiz
QUESTIONS = [((1, 3, 32, 32), nn.Conv2d(3, 16, 3)), ((1, 3, 32, 32), nn.Conv2d(3, 16, 3, padding=1), "a padded conv")]


def test_quiz_hint_first_then_the_worked_answer_then_show_answer_and_score():
    quiz = ShapeQuiz(QUESTIONS)
    assert "Question 1 of 2" in quiz.prompt.value and "press Check" in quiz.feedback.value
    quiz.answer.value = "1, 16, 29, 29"
    quiz.check_button.click()
    assert "Not quite" in quiz.feedback.value and "forget the <code>+ 1</code>" in quiz.feedback.value
    assert "30" not in quiz.feedback.value and "Show answer" in quiz.feedback.value
    quiz.check_button.click()
    assert "[1, 16, 30, 30]" in quiz.feedback.value and "0 of 2" in quiz.score.value
    quiz.answer.value = "1, 16, 30, 30"
    quiz.check_button.click()
    assert "Right" in quiz.feedback.value and "1 of 2" in quiz.score.value
    quiz.next_button.click()
    assert "Question 2 of 2" in quiz.prompt.value and quiz.answer.value == ""
    assert "What shape does a padded conv give" in quiz.prompt.value and "Conv2d" not in quiz.prompt.value
    quiz.show_button.click()
    assert "The worked answer: a padded conv gives [1, 16, 32, 32]." in quiz.feedback.value
    quiz.answer.value = "1, 16, 32, 32"
    quiz.check_button.click()
    assert "Right" in quiz.feedback.value and "1 of 2" in quiz.score.value  # shown first: not counted
    quiz.next_button.click()
    assert "Question 1 of 2" in quiz.prompt.value


def test_quiz_empty_and_unreadable_answers():
    quiz = ShapeQuiz(QUESTIONS[:1])
    assert quiz.check().correct is None
    quiz.answer.value = "thirty"
    assert "Could not read a shape" in quiz.check().message
    quiz.answer.value = "1, 16, 29, 29"
    assert "Try again" in quiz.check().message  # unreadable answers were not counted


def test_quiz_walks_through_a_model_layer_by_layer():
    model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 13 * 13, 10))
    quiz = ShapeQuiz.walk(model, (1, 1, 28, 28))
    assert [q.expected for q in quiz._questions] == [(1, 8, 26, 26), (1, 8, 13, 13), (1, 1352), (1, 10)]
    assert len(quiz.questions) == 4  # ReLU is skipped
    quiz.next_button.click()
    prompt = html.unescape(quiz.prompt.value)
    assert "Question 2 of 4" in prompt and "After layer 2, <code>MaxPool2d(kernel_size=2" in prompt
    assert "The whole model gets an input of shape <code>[1, 1, 28, 28]</code>" in prompt
    quiz.answer.value = "1, 8, 12, 12"
    first = quiz.check()
    assert "Batch and channels are right" in first.message and "13" not in first.message
    second = quiz.check()
    assert "the shape is [1, 8, 13, 13]" in second.message and "MaxPool2d → [1, 8, 13, 13]" in second.message
    quiz.answer.value = "1, 8, 13, 13"
    assert quiz.check().message.startswith("After layer 2, `MaxPool2d(")


def test_every_quiz_control_through_every_question():
    model = nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, padding=1), nn.BatchNorm2d(4), nn.AvgPool2d(2), nn.Flatten())
    quizzes = [ShapeQuiz(QUESTIONS), ShapeQuiz.walk(model, (2, 3, 16, 16))]
    for quiz in quizzes:
        n = len(quiz._questions)
        for i in range(n):
            q = quiz._questions[quiz.index]
            right = ", ".join(map(str, q.expected))
            wrong = ", ".join(map(str, (*q.expected[:-1], q.expected[-1] + 3)))
            assert f"Question {i + 1} of {n}." in quiz.prompt.value and quiz.answer.value == ""
            quiz.answer.value = wrong
            quiz.check_button.click()
            assert "Try again" in quiz.feedback.value and f"[{right}]" not in quiz.feedback.value
            quiz.check_button.click()
            assert f"[{right}]" in quiz.feedback.value and "Try again" not in quiz.feedback.value
            quiz.show_button.click()
            assert f"[{right}]" in quiz.feedback.value and "The worked answer" in quiz.feedback.value
            quiz.answer.value = right
            quiz.check_button.click()
            assert "✓ Right." in quiz.feedback.value and f"0 of {n} right so far" in quiz.score.value
            quiz.next_button.click()
        assert quiz.index == 0


@pytest.mark.parametrize("questions, error, message", [
    ([], ValueError, "questions is empty"),
    ([((1, 3, 8, 8), nn.Conv2d(1, 4, 3))], ValueError, "Question 1: Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1)) "
                                                       "cannot run on an input of shape [1, 3, 8, 8]"),
    ([((1, 3, 8, 8), "conv")], TypeError, "Question 1: layer must be a torch.nn.Module, got 'conv' (str)"),
    ([((1, 3, 8, 8),)], ValueError, "Question 1: expected (input_shape, layer) or (input_shape, layer, label)"),
    ([((1, 1, 8, 8), nn.Conv2d(1, 4, 3), 3)], TypeError, "Question 1: the label must be a string, got int."),
])  # fmt: skip
def test_quiz_refuses_bad_questions_at_construction(questions, error, message):
    with pytest.raises(error, match=re.escape(message)):
        ShapeQuiz(questions)


def test_quiz_walk_refuses_bad_models():
    with pytest.raises(ValueError, match=r"Layer 1 of the model: Linear\(.*cannot run on an input of shape \[1, 8"):
        ShapeQuiz.walk(nn.Sequential(nn.Conv2d(1, 8, 3), nn.Linear(5, 3)), (1, 1, 28, 28))
    with pytest.raises(TypeError, match="needs an nn.Sequential model, got Conv2d"):
        ShapeQuiz.walk(nn.Conv2d(1, 8, 3), (1, 1, 28, 28))
    with pytest.raises(ValueError, match="no layer that changes the shape"):
        ShapeQuiz.walk(nn.Sequential(nn.ReLU()), (1, 1, 28, 28))


# ---------------------------------------------------------------- the animation
def test_animation_has_one_frame_per_output_and_the_right_values():
    image = digit()[8:14, 10:16]
    anim = animate_convolution(image, PRESET_KERNELS["vertical line"], stride=1, padding=1)
    expected = F.conv2d(
        image[None, None], torch.tensor(PRESET_KERNELS["vertical line"], dtype=torch.float32)[None, None], padding=1
    )[0, 0]
    assert torch.allclose(anim.output, expected)
    assert len(list(anim.new_frame_seq())) == 36  # one frame per output value (6x6 with padding 1)
    html = anim.to_jshtml()
    assert html.count("data:image/png;base64") == 36


def test_animation_refuses_large_images():
    import pytest

    with pytest.raises(ValueError, match="at most 12×12"):
        animate_convolution(torch.zeros(28, 28), PRESET_KERNELS["blur"])


# ---------------------------------------------------------------- the channel explorer
class TinyColour:
    """30 random colour images in three classes, torchvision-style (as CIFAR-10's data, targets, classes)."""

    classes = ["plane", "car", "bird"]

    def __init__(self):
        self.data = np.random.default_rng(0).integers(0, 256, (30, 6, 6, 3), dtype=np.uint8)
        self.targets = [i % 3 for i in range(30)]


@pytest.fixture
def channel_shown(monkeypatch):
    """What the channel explorer's figure area receives: the figure title of each display."""
    import ainotes.channel_explorer

    titles = []
    monkeypatch.setattr(ainotes.channel_explorer, "show_figure", lambda fig: titles.append(fig.get_suptitle()))
    return titles


CIFAR_MEAN, CIFAR_STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)


def test_channel_explorer_starts_at_its_image_and_follows_the_controls(channel_shown):
    data = TinyColour()
    explorer = ChannelExplorer(data, CIFAR_MEAN, CIFAR_STD, start=13, per_class=5)
    assert channel_shown == ["image 13: car"]  # drawn at creation, once
    assert explorer.category.value == 1 and explorer.number.value == 4 and explorer.number.max == 4  # 1, 4, 7, 10, 13
    assert explorer.drawn["index"] == 13 and explorer.drawn["label"] == "car" and explorer.drawn["position"] == 4
    image = torch.from_numpy(data.data[13]).permute(2, 0, 1).double() / 255
    assert np.allclose(explorer.drawn["raw"][0], image.mean((1, 2)).tolist())
    normalised_mean = (image.mean((1, 2)) - torch.tensor(CIFAR_MEAN)) / torch.tensor(CIFAR_STD)
    assert np.allclose(explorer.drawn["normalised"][0], normalised_mean.tolist(), atol=1e-6)
    assert (
        "Image 13 of the data set (car number 4 on the slider)" in explorer.stats.value
        and f"red mean {explorer.drawn['raw'][0][0]:.2f}" in explorer.stats.value
    )
    before = dict(explorer.drawn)
    explorer.category.value = 2
    assert explorer.drawn != before and explorer.drawn["index"] == 2 and explorer.drawn["label"] == "bird"
    assert channel_shown[1:] == ["image 2: bird"]  # one redraw for the new class, not one per changed control
    explorer.number.value = 3
    assert (
        explorer.drawn["index"] == 11
        and channel_shown[-1] == "image 11: bird"
        and "Image 11 of the data set (bird number 3 on the slider)" in explorer.stats.value
    )


def test_channel_explorer_default_is_cifar_training_image_79(channel_shown):
    from ainotes.data import DataUnavailableError, cifar10

    try:
        train = cifar10()
    except DataUnavailableError as exc:
        pytest.skip(f"CIFAR-10 is not available here: {exc}")
    explorer = ChannelExplorer(train, CIFAR_MEAN, CIFAR_STD)
    assert explorer.drawn["index"] == 79 and explorer.drawn["label"] == "automobile"
    assert explorer.category.value == 1 and explorer.number.value == 11 and explorer.number.max == 99
    assert channel_shown == ["image 79: automobile"] and explorer.category.options[0] == ("airplane", 0)


class NoClasses:
    data, targets = np.zeros((2, 4, 4, 3), np.uint8), [0, 1]


class Grey:
    data, targets, classes = np.zeros((2, 4, 4), np.uint8), [0, 1], ["a", "b"]


@pytest.mark.parametrize(
    ("dataset", "kwargs", "error", "match"),
    [
        (NoClasses(), {}, TypeError, r"NoClasses has no `classes`: give a torchvision-style colour dataset"),
        ([1, 2], {}, TypeError, r"list has no `data` or `targets` or `classes`"),
        (Grey(), {}, ValueError, r"shape \(2, 4, 4\): the explorer needs colour images with 3 channels"),
        (TinyColour(), {}, ValueError, r"`start` is 79, but the dataset has 30 images: give 0 to 29"),
        (TinyColour(), {"start": -1}, ValueError, r"`start` is -1"),
        (TinyColour(), {"start": 2.0}, TypeError, r"start must be a whole number, got 2\.0"),
        (TinyColour(), {"start": 13, "per_class": 4}, ValueError, r"Image 13 is number 4 of class 'car'.*per_class=5"),
        (TinyColour(), {"start": 0, "per_class": 0}, ValueError, r"per_class=0 is too small: give at least 1"),
        (TinyColour(), {"start": 0, "mean": (0.5,)}, ValueError, r"`mean` has 1 value, .*3 channels"),
        (TinyColour(), {"start": 0, "std": (0.2, 0, 0.2)}, ValueError, r"`std` is .*positive"),
    ],
)
def test_channel_explorer_errors(channel_shown, dataset, kwargs, error, match):
    mean, std = kwargs.pop("mean", CIFAR_MEAN), kwargs.pop("std", CIFAR_STD)
    with pytest.raises(error, match=match):
        ChannelExplorer(dataset, mean, std, **kwargs)
    assert channel_shown == []  # refused before anything is drawn


def test_channel_explorer_needs_targets_for_every_image():
    data = TinyColour()
    data.targets = data.targets[:-1]
    with pytest.raises(ValueError, match="30 images but 29 targets"):
        ChannelExplorer(data, CIFAR_MEAN, CIFAR_STD, start=0)
