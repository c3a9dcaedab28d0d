"""The self-checks of chapter 3 (images as tensors): verdicts, the attempts policy, hints and bad calls."""

import re

import numpy as np
import pytest
import torch

from ainotes.exercises import (
    check_mean_std,
    check_memory,
    check_normalized_pixel,
    check_permute_shape,
    check_unnormalize,
    parse_shape,
)
from ainotes.feedback import TRY_AGAIN

CIFAR_MEAN, CIFAR_STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)
BLACK = dict(pixel=0.0, mean=CIFAR_MEAN, std=CIFAR_STD)  # becomes (-1.99, -1.98, -1.71)
TINY = torch.tensor([0.0, 0.5, 1.0, 0.5, 0.2, 0.2, 0.2, 0.2]).view(2, 1, 2, 2)  # mean 0.35, std 0.3117


def _two_channels() -> torch.Tensor:
    """Images whose per-image std (about 0.1) is far from the std over all their pixels (about 0.3)."""
    generator = torch.Generator().manual_seed(1)
    levels = torch.rand(40, 2, 1, 1, generator=generator) * 0.8
    return (levels + 0.1 * torch.randn(40, 2, 6, 6, generator=generator)).clamp(0, 1)


# Each question: (check, its arguments after the answer, right answer, a wrong answer no known mistake explains,
# the answer as the worked answer writes it).
QUESTIONS = {
    "permute": (check_permute_shape, dict(shape=(64, 3, 32, 32), dims=(0, 2, 3, 1)), "64, 32, 32, 3",
                "32, 64, 32, 3", "[64, 32, 32, 3]"),
    "normalized": (check_normalized_pixel, BLACK, (-1.99, -1.98, -1.71), (-1.0, -1.0, -1.0), "(-1.99, -1.98, -1.71)"),
    "memory": (check_memory, dict(shape=(50_000, 3, 32, 32)), 614.4, 999, "614.4 MB"),
    "mean std": (check_mean_std, dict(data=TINY), (0.35, 0.3117), (0.4, 0.2), "(0.3500, 0.3117)"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(QUESTIONS))
def test_the_attempts_policy(name, attempts_policy):
    attempts_policy(*QUESTIONS[name])


def test_right_answers_show_the_working():
    """The notebooks' outputs show these texts."""
    assert repr(check_permute_shape([64, 32, 32, 3], (64, 3, 32, 32), (0, 2, 3, 1))) == (
        "✓ Right. `.permute(0, 2, 3, 1)` turns [64, 3, 32, 32] into [64, 32, 32, 3]: position 0 gets old dim 0 (64), "
        "position 1 gets old dim 2 (32), position 2 gets old dim 3 (32), position 3 gets old dim 1 (3)."
    )
    assert check_permute_shape(torch.Size([64, 3, 32, 32]), (64, 32, 32, 3), (0, -1, 1, 2)).correct
    assert repr(check_normalized_pixel("(-1.99, -1.98, -1.71)", **BLACK)) == (
        "✓ Right. Per channel (pixel − mean) / std: red (0 − 0.4914) / 0.247 = -1.99, green (0 − 0.4822) / 0.2435 = "
        "-1.98, blue (0 − 0.4465) / 0.2616 = -1.71."
    )
    assert check_normalized_pixel(-0.42, 0.0, 0.1307, 0.3081).correct  # a bare number for one channel
    assert check_normalized_pixel(np.array([-1.98, -1.99, -1.70]), **BLACK).correct  # within 0.01
    assert not check_normalized_pixel((-1.97, -1.98, -1.71), **BLACK).correct
    assert repr(check_memory(614.4, (50_000, 3, 32, 32))) == (
        "✓ Right. 50,000 × 3 × 32 × 32 = 153,600,000 values × 4 bytes (float32) = 614,400,000 bytes = 614.4 MB."
    )
    assert check_memory(610, (50_000, 3, 32, 32)).correct and not check_memory(605, (50_000, 3, 32, 32)).correct
    assert check_memory(585.9, (50_000, 3, 32, 32), unit="MiB").message.endswith(
        "= 614,400,000 bytes ≈ 585.9 MiB (1 MiB = 1,048,576 bytes)."
    )
    assert check_memory(47_040_000, (60_000, 1, 28, 28), torch.uint8, "B").message == (
        "60,000 × 1 × 28 × 28 = 47,040,000 values × 1 byte (uint8) = 47,040,000 bytes."
    )
    assert repr(check_mean_std((0.35, 0.3117), TINY)) == (
        "✓ Right. Over all 2 images, the pixels of each channel have mean 0.3500 and std 0.3117, to 4 decimals."
    )


PERMUTE, MNIST_BLACK = ((64, 3, 32, 32), (0, 2, 3, 1)), dict(pixel=0.0, mean=0.1307, std=0.3081)
CIFAR_MB, MEMORY = "614.4 MB", ((50_000, 3, 32, 32),)
BLACK_ANSWER, TINY_ANSWER = "(-1.99, -1.98, -1.71)", "(0.3500, 0.3117)"


@pytest.mark.parametrize("check, args, kwargs, hint, answer", [
    (check_permute_shape, ("64, 3, 32, 32", *PERMUTE), {}, "That is the shape before the permute", "[64, 32, 32, 3]"),
    (check_permute_shape, ("64, 32, 3, 32", *PERMUTE), {}, "You read `dims` as where each old dimension goes",
     "[64, 32, 32, 3]"),
    (check_permute_shape, ("64, 32, 32", *PERMUTE), {}, "The tensor has 4 dimensions", "[64, 32, 32, 3]"),
    (check_permute_shape, ("64, 32, 32, 4", *PERMUTE), {}, "only reorders the sizes", "[64, 32, 32, 3]"),
    (check_normalized_pixel, ((-0.49, -0.48, -0.45),), BLACK, "Did you forget to divide by the std?", BLACK_ANSWER),
    (check_normalized_pixel, ((-8.05, -8.13, -6.52),), BLACK, "You divided by the variance", BLACK_ANSWER),
    (check_normalized_pixel, ((514.2, 521.6, 485.7),), dict(BLACK, pixel=0.5), "That puts the pixel on the 0–255",
     "(0.03, 0.07, 0.20)"),
    (check_normalized_pixel, ((515, 520, 485),), dict(BLACK, pixel=0.5), "That puts the pixel on the 0–255",
     "(0.03, 0.07, 0.20)"),
    (check_normalized_pixel, ((1.99, 1.98, 1.71),), BLACK, "The sign is flipped", BLACK_ANSWER),
    (check_normalized_pixel, ((-0.12, -0.12, -0.12),), BLACK, "You multiplied by the std", BLACK_ANSWER),
    (check_normalized_pixel, ((-0.99, -0.98, -0.71),), dict(BLACK, pixel=1.0), "Mind the brackets",
     "(2.06, 2.13, 2.12)"),
    (check_normalized_pixel, ((-1.99, -1.98),), BLACK, "Give one value per channel", BLACK_ANSWER),
    (check_normalized_pixel, (-1.99,), BLACK, "Give one value per channel", BLACK_ANSWER),
    (check_normalized_pixel, ((-0.42, 0.1),), MNIST_BLACK, "The image has one channel: give one value", "-0.42"),
    (check_memory, (153.6, *MEMORY), {}, "That counts values, not bytes", CIFAR_MB),
    (check_memory, (585.94, *MEMORY), {}, "That is in MiB, not MB", CIFAR_MB),
    (check_memory, (614.4, *MEMORY), dict(unit="MiB"), "That is in MB, not MiB", "585.9 MiB"),
    (check_memory, (4915.2, *MEMORY), {}, "That is bits", CIFAR_MB),
    (check_memory, (0.6144, *MEMORY), {}, "Off by a factor 1,000", CIFAR_MB),
    (check_memory, (614_400, *MEMORY), {}, "Off by a factor 1,000", CIFAR_MB),
    (check_memory, (204.8, *MEMORY), {}, "Did you leave out the channels (dimension 1, size 3)?", CIFAR_MB),
    (check_mean_std, ((89.25, 79.48), TINY), {}, "on the 0–255 scale: divide by 255", TINY_ANSWER),
    (check_mean_std, ((0.3117, 0.35), TINY), {}, "Mean and std are swapped", TINY_ANSWER),
    (check_mean_std, ((0.35, 0.0971), TINY), {}, "That std is the variance", TINY_ANSWER),
    (check_mean_std, ((0.5, (0.3, 0.3)), _two_channels()), {}, "The images have 2 channels: give one mean and one std",
     "((0.4248, 0.4212), (0.2520, 0.2169))"),
    (check_mean_std, (((0.4248, 0.4212), (0.0949, 0.1017)), _two_channels()), {}, "average of each image's std",
     "((0.4248, 0.4212), (0.2520, 0.2169))"),
])  # fmt: skip
def test_hints_point_to_the_mistake_without_the_answer(check, args, kwargs, hint, answer, attempts_policy):
    first = check(*args, **kwargs)
    assert first.correct is False and hint in first.message and first.message.endswith(TRY_AGAIN), first.message
    assert answer not in attempts_policy.after_said(first.message), first.message
    second = check(*args, **kwargs)
    assert answer in second.message and hint in second.message, second.message


def test_mean_of_per_image_stds_is_recognised():
    data = _two_channels()
    mean = tuple(data.mean(dim=(0, 2, 3)).tolist())
    per_image = tuple(data.std(dim=(2, 3)).mean(0).tolist())
    assert check_mean_std((mean, tuple(data.std(dim=(0, 2, 3)).tolist())), data).correct
    first = check_mean_std((mean, per_image), data)
    assert first.correct is False and "average of each image's std" in first.message
    assert f"{data.std(dim=(0, 2, 3))[0]:.4f}" not in first.message


def test_answers_that_cannot_be_read_do_not_count_as_attempts():
    for answer in ("abc", [[1, 2, 3]], [1, "x", 3]):
        message = check_normalized_pixel(answer, **BLACK).message
        assert message.startswith("Could not read") and "give one number per channel (3 numbers), e.g." in message
    lots = check_memory("lots", (10, 10)).message
    assert lots == "A memory size in MB is one number, like 614.4 or \"614.4\"; you gave 'lots'."
    assert check_memory("0.4 MiB", (10, 10)).message.startswith("The question asks for the size in MB")
    assert "Could not read a shape from 64" in check_permute_shape(64, (64, 3), (1, 0)).message
    assert "give (mean, std), each one number per channel (1 number), e.g. (0.12, 0.21)" in (
        check_mean_std(0.13, TINY).message
    )
    assert check_normalized_pixel((-1.0, -1.0, -1.0), **BLACK).message.endswith(TRY_AGAIN)  # still the first


# ---------------------------------------------------------------- check_unnormalize
def _tensor(values):
    return torch.tensor(values).view(3, 1, 1)


def right_answer(x, mean, std):
    return x * _tensor(std) + _tensor(mean)


def unnormalize(x, mean, std):
    """The stub in the notebook."""
    ...


def test_check_unnormalize_accepts_right_answers():
    verdict = check_unnormalize(right_answer)
    assert repr(verdict) == (
        "✓ Right. `right_answer` undoes Normalize on 3 random images (3×4×5, 3×6×7, 3×5×2), each with its own mean "
        "and std, and leaves its input unchanged."
    )
    assert check_unnormalize(lambda x, m, s: right_answer(x, m, s).numpy()).correct
    assert check_unnormalize(lambda x, m, s: x * torch.tensor(s)[:, None, None] + torch.tensor(m)[:, None, None])
    assert check_unnormalize(lambda x, m, s: right_answer(x, m, s).double().requires_grad_()).correct


def test_check_unnormalize_the_stub_is_not_answered_yet():
    verdict = check_unnormalize(unnormalize)
    assert verdict.correct is None and verdict.message == (
        "Not answered yet: write the body of `unnormalize` so that it returns the image as it was before Normalize, "
        "and run the cell again."
    )
    shown = check_unnormalize(unnormalize, show_answer=True)
    assert shown.correct is None and "`return x * torch.tensor(std).view(3, 1, 1)" in shown.message


def in_place(x, mean, std):
    return x.mul_(_tensor(std)).add_(_tensor(mean))


@pytest.mark.parametrize("fn, parts", [
    (lambda x, m, s: x * _tensor(m) + _tensor(s), ["On a 3×4×5 image with mean", "for pixel [0, 0, 0] instead of",
                                                   "Mean and std look swapped"]),
    (lambda x, m, s: (x + _tensor(m)) * _tensor(s), ["Right operations, wrong order"]),
    (lambda x, m, s: x * _tensor(s) - _tensor(m), ["That subtracts the mean: to undo a subtraction, add."]),
    (lambda x, m, s: (x - _tensor(m)) / _tensor(s), ["That normalises x again"]),
    (lambda x, m, s: x * torch.tensor(s) + torch.tensor(m), [
        "On a 3×4×5 image, `<lambda>` raised RuntimeError: The size of tensor a (5) must match the size of tensor b "
        "(3) at non-singleton dimension 2. Mean and std have shape [3]", "Reshape them to [3, 1, 1]"]),
    (lambda x, m, s: x * np.array(s) + np.array(m), ["raised ValueError", "Reshape them to [3, 1, 1]"]),
    (lambda x, m, s: x * s + m, ["raised TypeError", "make tensors of them first"]),
    (in_place, ["`in_place` changed its input x. Return a new tensor", "`x.mul_(...)`"]),
    (lambda x, m, s: right_answer(x, m, s).tolist(), ["returned a list. Return a tensor (a NumPy array also works)"]),
    (lambda x, m, s: right_answer(x, m, s)[None], ["returned shape [1, 3, 4, 5]. The result has the shape of x"]),
    (lambda x: x, ["takes 1 positional argument but 3 were given", "with three arguments"]),
    (lambda x, m, s: undefined_name, ["raised NameError", "A name is used before it is defined"]),  # noqa: F821
    (lambda x, m, s: x * 2, ["instead of", "undo its two steps in reverse order"]),
])  # fmt: skip
def test_check_unnormalize_recognises_the_mistakes(fn, parts):
    first = check_unnormalize(fn)
    assert first.correct is False and first.message.endswith(TRY_AGAIN), first.message
    assert "torch.tensor(std).view" not in first.message and "Traceback" not in first.message
    for part in parts:
        assert part in first.message, first.message
    second = check_unnormalize(fn)
    assert second.correct is False and ", but undoing Normalize" in second.message
    assert "`return x * torch.tensor(std).view(3, 1, 1) + torch.tensor(mean).view(3, 1, 1)`" in second.message


def test_check_unnormalize_show_answer_and_right_after_wrong():
    swapped = check_unnormalize(lambda x, m, s: x * _tensor(m) + _tensor(s), show_answer=True)
    assert "torch.tensor(std).view(3, 1, 1)" in swapped.message and "Mean and std look swapped" in swapped.message
    assert check_unnormalize(right_answer).correct


# ---------------------------------------------------------------- bad calls by the chapter author
@pytest.mark.parametrize("call, error, message", [
    (lambda: check_permute_shape(None, "64, 3", (1, 0)), TypeError, "shape must be a sequence of whole numbers"),
    (lambda: check_permute_shape(None, (64, 3.5), (1, 0)), TypeError, "must hold whole numbers only"),
    (lambda: check_permute_shape(None, (64, 0), (1, 0)), ValueError, "is not a shape"),
    (lambda: check_permute_shape(None, (64, 3), 1), TypeError, "dims must be a sequence of whole numbers"),
    (lambda: check_permute_shape(None, (64, 3), (0, 0)), ValueError, "is not a reordering of the 2 dimensions"),
    (lambda: check_permute_shape(None, (64, 3), (0, 1, 2)), ValueError, "give each of 0 … 1 once"),
    (lambda: check_normalized_pixel(None, "0", 0.5, 0.2), TypeError, "pixel must be a number in [0, 1]"),
    (lambda: check_normalized_pixel(None, 255, 0.5, 0.2), ValueError, "pixel=255 is not in [0, 1]"),
    (lambda: check_normalized_pixel(None, 0, "0.5", 0.2), TypeError, "mean must be a number or one number per"),
    (lambda: check_normalized_pixel(None, 0, (0.5, 0.4), 0.2), ValueError, "mean has 2 values but std has 1"),
    (lambda: check_normalized_pixel(None, 0, 0.5, 0.0), ValueError, "must be positive"),
    (lambda: check_memory(None, (10, 10), "float32"), TypeError, "dtype must be a torch dtype"),
    (lambda: check_memory(None, (10, 10), unit="mb"), ValueError, "unit='mb' is not one of 'B', 'kB', 'MB'"),
    (lambda: check_memory(None, 100), TypeError, "shape must be a sequence of whole numbers"),
    (lambda: check_unnormalize(None), TypeError, "check_unnormalize needs your function itself"),
    (lambda: check_mean_std(None, TINY, decimals=0), ValueError, "decimals=0 is too small"),
    (lambda: check_mean_std(None, TINY * 255), ValueError, "should hold pixels in [0, 1]"),
    (lambda: check_mean_std(None, (TINY * 255).byte()), TypeError, "give float pixels in [0, 1]"),
    (lambda: check_mean_std(None, TINY[0]), ValueError, "data has shape (1, 2, 2): a single image [C, H, W]. "
     "Statistics need a batch: pass a batch [N, C, H, W], e.g. image.unsqueeze(0)."),
    (lambda: check_mean_std(None, torch.rand(2, 4, 4, 3)), ValueError, "data has shape (2, 4, 4, 3): it looks "
     "channels-last [N, H, W, C]"),
    (lambda: check_mean_std(None, [1, 2]), TypeError, "data must be a torchvision-style data set with `data` and "
     "`targets` arrays (such as ainotes.data.mnist()) or a float tensor [N, C, H, W] in [0, 1]; got a list."),
])  # fmt: skip
def test_bad_questions_get_clear_errors(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


def test_parse_shape_is_still_exported_by_exercises():
    assert parse_shape("[64, 32, 32, 3]") == (64, 32, 32, 3)


# ---------------------------------------------------------------- MNIST, when the data is there
@pytest.fixture(scope="module")
def mnist_train(tmp_path_factory):
    from ainotes.data import DataUnavailableError, mnist

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AINOTES_DATA", str(tmp_path_factory.mktemp("mnist-cache")))
        try:
            return mnist()
        except DataUnavailableError as error:
            pytest.skip(f"MNIST is not available: {error}")


def test_check_mean_std_on_mnist(mnist_train):
    right = check_mean_std((0.1307, 0.3081), mnist_train)
    assert right.correct is True and "mean 0.1307 and std 0.3081" in right.message
    per_image = check_mean_std((0.1307, 0.3015), mnist_train)
    assert per_image.correct is False and "average of each image's std" in per_image.message
    assert "0.3081" not in per_image.message
    assert "0.3081" in check_mean_std((0.1307, 0.3015), mnist_train).message
    assert "0–255 scale" in check_mean_std((33.32, 78.57), mnist_train).message
