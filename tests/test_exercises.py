import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from ainotes.exercises import (
    Feedback,
    check_batch_count,
    check_conv2d,
    check_flatten_size,
    check_last_batch,
    check_output_shape,
    check_output_size,
    check_parameter_count,
    check_receptive_field,
    output_shape,
    parse_shape,
    reset_attempts,
)
from ainotes.feedback import NO_ANSWER, TRY_AGAIN

FEATURES = nn.Sequential(nn.Conv2d(1, 16, 3), nn.Conv2d(16, 16, 3), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 5), nn.Conv2d(32, 32, 5), nn.MaxPool2d(2))  # fmt: skip  # 32×2×2 on 28×28
FIELD_STACK = nn.Sequential(nn.Conv2d(1, 8, 5), nn.MaxPool2d(2), nn.Conv2d(8, 8, 3), nn.MaxPool2d(2),
                            nn.Conv2d(8, 8, 3))  # fmt: skip  # field 5 → 6 → 10 → 12 → 20


def mentions(message: str, answer: int | str) -> bool:
    """Whether ``message`` gives ``answer`` (a number, or a shape like "[1, 16, 30, 30]"), past "You said ..."."""
    body = re.sub(r"^You said .*?(\. |, but )", "", message)
    if isinstance(answer, str):
        return answer in body
    return any(re.search(rf"(?<![\d,]){re.escape(text)}(?![\d,])", body) for text in {str(answer), f"{answer:,}"})


# Each question: (check, its arguments after the answer, right answer, a wrong answer with no known mistake, the
# answer as the worked answer writes it).
QUESTIONS = {
    "output size": (check_output_size, dict(size=32, kernel_size=5, stride=2, padding=2), 16, 20, 16),
    "parameters": (check_parameter_count, dict(layer=nn.Conv2d(16, 32, kernel_size=5)), 12_832, 5_000, 12_832),
    "receptive field": (check_receptive_field, dict(layers=FIELD_STACK), 20, 17, 20),
    "flatten": (check_flatten_size, dict(features=FEATURES, input_shape=(1, 28, 28)), 128, 130, 128),
    "shape": (check_output_shape, dict(input_shape=(1, 3, 32, 32), layer=nn.Conv2d(3, 16, 3)), "1, 16, 30, 30",
              "1, 16, 29, 29", "[1, 16, 30, 30]"),
    "batches": (check_batch_count, dict(n_images=1000, batch_size=64), 16, 20, 16),
    "last batch": (check_last_batch, dict(n_images=1000, batch_size=64), 40, 33, 40),
}  # fmt: skip


# ---------------------------------------------------------------- the attempts policy, for every check
@pytest.mark.parametrize("name", list(QUESTIONS))
def test_no_answer_gets_the_reminder(name):
    check, kwargs, *_ = QUESTIONS[name]
    feedback = check(None, **kwargs)
    assert feedback.correct is None and feedback.message == NO_ANSWER
    assert NO_ANSWER == "Not answered yet: replace `None` with your answer and run the cell again."
    assert not feedback and "<code>None</code>" in feedback._repr_html_()


@pytest.mark.parametrize("name", list(QUESTIONS))
def test_first_wrong_answer_gets_a_hint_second_gets_the_worked_answer(name):
    check, kwargs, right, wrong, answer = QUESTIONS[name]
    expected = check(right, **kwargs)
    assert expected.correct is True and mentions(expected.message, answer)  # right answers show the working
    first = check(wrong, **kwargs)
    assert first.correct is False and first.message.endswith(TRY_AGAIN)
    assert not mentions(first.message, answer), first.message  # a hint, never the answer
    second = check(wrong, **kwargs)
    assert second.correct is False and ", but " in second.message and mentions(second.message, answer)
    assert TRY_AGAIN not in second.message
    assert check(wrong, **kwargs).message == second.message  # and so on
    assert check(right, **kwargs).message == expected.message


@pytest.mark.parametrize("name", list(QUESTIONS))
def test_show_answer_gives_the_worked_answer_at_once(name):
    check, kwargs, right, wrong, answer = QUESTIONS[name]
    shown = check(wrong, **kwargs, show_answer=True)
    assert shown.correct is False and mentions(shown.message, answer) and TRY_AGAIN not in shown.message
    unanswered = check(None, **kwargs, show_answer=True)
    assert unanswered.correct is None and unanswered.message.startswith("The worked answer: ")
    assert mentions(unanswered.message, answer)
    assert check(right, **kwargs, show_answer=True).correct


def test_attempts_are_counted_per_question_and_can_be_reset():
    assert "Try again" in check_output_size(15, 32, 5, stride=2, padding=2).message
    assert "Try again" in check_output_size(15, 32, 5, stride=1, padding=2).message  # another question
    assert "= 16" in check_output_size(14, 32, 5, stride=2, padding=2).message  # same question, 2nd wrong answer
    assert "= 16" in check_output_size(15, size=32, kernel_size=5, stride=2, padding=2).message  # keywords alike
    # the same layer, built again, is the same question
    assert "Try again" in check_parameter_count(1, nn.Linear(2, 2)).message
    assert "= 6" in check_parameter_count(1, nn.Linear(2, 2)).message
    reset_attempts()
    assert "Try again" in check_output_size(15, 32, 5, stride=2, padding=2).message


def test_answers_that_are_not_numbers_do_not_count_as_attempts():
    assert check_output_size(13.5, 28, 3, stride=2).message.startswith("An output size is a whole number")
    assert "Could not read a shape" in check_output_shape("sixteen", (1, 3, 32, 32), nn.Conv2d(3, 16, 3)).message
    assert "Try again" in check_output_size(12, 28, 3, stride=2).message
    assert check_output_size(26.0, 28, 3).correct


def test_right_answers_keep_their_messages():
    """The notebooks' outputs show these texts."""
    assert repr(check_output_size(16, size=32, kernel_size=5, stride=2, padding=2)) == (
        "✓ Right. (32 + 2×2 − 1×(5 − 1) − 1) // 2 + 1 = 16"
    )
    assert repr(check_parameter_count(12_832, nn.Conv2d(16, 32, kernel_size=5))) == (
        "✓ Right. 12,800 (weight) + 32 (bias) = 12,832."
    )
    assert repr(check_flatten_size(128, FEATURES, input_shape=(1, 28, 28))) == (
        "✓ Right. The feature maps are 32×2×2, so 128 values per image."
    )
    assert repr(check_receptive_field(20, FIELD_STACK)) == (
        "✓ Right. Layer by layer the field grows 5 → 6 → 10 → 12 → 20: one output pixel sees 20×20 input pixels."
    )
    assert repr(check_output_shape("1, 16, 30, 30", (1, 3, 32, 32), nn.Conv2d(3, 16, 3))) == (
        "✓ Right. `Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1))` turns [1, 3, 32, 32] into [1, 16, 30, 30]."
    )
    assert check_output_shape([1, 16, 30, 30], (1, 3, 32, 32), nn.Conv2d(3, 16, 3)).correct  # fmt: skip


def test_the_documented_example_texts():
    first = check_output_size(15, size=32, kernel_size=5, stride=2, padding=2)
    second = check_output_size(15, size=32, kernel_size=5, stride=2, padding=2)
    assert repr(first) == ("✗ Not quite. You said 15. Did you forget the `+ 1`? It counts the kernel's first "
                           "position. Try again: a second wrong answer shows the worked answer (or pass "
                           "`show_answer=True`).")  # fmt: skip
    assert repr(second) == ("✗ Not quite. You said 15, but (32 + 2×2 − 1×(5 − 1) − 1) // 2 + 1 = 16. Did you forget "
                            "the `+ 1`? It counts the kernel's first position.")  # fmt: skip


# ---------------------------------------------------------------- every hint, recognised by value
HINTS = [
    # (check, arguments, the hint, the right answer)
    (check_output_size, (15, 32, 5, 2, 2), "forget the `+ 1`", 16),
    (check_output_size, (28, 28, 3, 2, 1), "Did you use stride 1?", 14),
    (check_output_size, (26, 28, 3, 2, 0), "Did you use stride 1?", 13),
    (check_output_size, (12, 28, 3, 2), "forget the `+ 1`", 13),
    (check_output_size, (14, 32, 5, 2, 2), "leave out the padding", 16),
    (check_output_size, (26, 28, 3, 1, "full"), "leave out the padding? `padding='full'` adds", 30),
    (check_output_size, (26, 28, 3, 1, 0, 2), "forget the dilation", 24),
    (check_output_size, (28, 28, 3), "cannot centre on the border pixels", 26),
    (check_output_size, (28, 28, 3, 1, "full"), "the output grows", 30),
    (check_output_size, (25, 28, 3, 1, 1), "Size − kernel is not quite it", 28),
    (check_output_size, (10, 28, 3), "Work it out term by term", 26),
    (check_receptive_field, (11, FIELD_STACK), "left out the jump", 20),
    (check_receptive_field, (15, FIELD_STACK), "Adding the kernel sizes", 20),
    (check_receptive_field, (9, FIELD_STACK), "skip the pooling layers", 20),
    (check_receptive_field, (17, FIELD_STACK), "Go layer by layer", 20),
    (check_flatten_size, (800, FEATURES, (1, 28, 28)), "32 channels is right, but the maps are not 5×5: follow the "
                                                       "height through every layer.", 128),
    (check_flatten_size, (96, FEATURES, (1, 28, 28)), "32 channels is right, but the maps are not 3 values each", 128),
    (check_flatten_size, (4, FEATURES, (1, 28, 28)), "That is one feature map (height × width)", 128),
    (check_flatten_size, (130, FEATURES, (1, 28, 28)), "Multiply channels × height × width", 128),
    (check_parameter_count, (12_800, nn.Conv2d(16, 32, 5)), "You forgot the biases: one per output channel.", 12_832),
    (check_parameter_count, (832, nn.Conv2d(16, 32, 5)), "Each filter spans all the input channels", 12_832),
    (check_parameter_count, (800, nn.Conv2d(16, 32, 5)), "Each filter spans all the input channels", 12_832),
    (check_parameter_count, (40, nn.Linear(10, 4)), "You forgot the biases: one per output feature.", 44),
    (check_parameter_count, (50, nn.Linear(10, 4)), "one bias per output feature, not per input feature", 44),
    (check_parameter_count, (44, nn.Linear(10, 4, bias=False)), "made with `bias=False`", 40),
    (check_parameter_count, (7, nn.Linear(10, 4)), "Count the weights, out_features × in_features, then add one bias",
     44),
    (check_parameter_count, (7, nn.Conv2d(3, 4, 3, bias=False)), "this layer has no biases", 108),
    (check_output_shape, ("16, 30, 30", (1, 3, 32, 32), nn.Conv2d(3, 16, 3)), "4 dimensions: batch, channels",
     "[1, 16, 30, 30]"),
    (check_output_shape, ("1, 3, 30, 30", (1, 3, 32, 32), nn.Conv2d(3, 16, 3)), "`out_channels`", "[1, 16, 30, 30]"),
    (check_output_shape, ("2, 16, 30, 30", (1, 3, 32, 32), nn.Conv2d(3, 16, 3)), "never changes the batch size",
     "[1, 16, 30, 30]"),
    (check_output_shape, ("1, 16, 29, 29", (1, 3, 32, 32), nn.Conv2d(3, 16, 3)), "forget the `+ 1`",
     "[1, 16, 30, 30]"),
    (check_output_shape, ("1, 16, 32, 32", (1, 3, 32, 32), nn.Conv2d(3, 16, 3, stride=2, padding=1)),
     "for the height: did you use stride 1?", "[1, 16, 16, 16]"),
    (check_output_shape, ("1, 16, 30, 31", (1, 3, 32, 32), nn.Conv2d(3, 16, 3)), "The height is right",
     "[1, 16, 30, 30]"),
    (check_output_shape, ("1, 8, 16, 16", (1, 16, 32, 32), nn.MaxPool2d(2)), "Pooling keeps the number of channels",
     "[1, 16, 16, 16]"),
    (check_output_shape, ("1, 16, 31, 31", (1, 16, 32, 32), nn.MaxPool2d(2)), "Pooling's stride is its kernel size",
     "[1, 16, 16, 16]"),
    (check_output_shape, ("1, 16", (1, 4, 4, 4), nn.Flatten()), "Flatten multiplies channels × height × width",
     "[1, 64]"),
    (check_output_shape, ("1, 64", (1, 64), nn.Linear(64, 10)), "gives `out_features` values per image", "[1, 10]"),
    (check_output_shape, ("1, 10, 1", (1, 64), nn.Linear(64, 10)), "2 dimensions: batch, features", "[1, 10]"),
    (check_batch_count, (15, 1000, 64), "The leftover images make one more, smaller batch", 16),
    (check_batch_count, (16, 1000, 64, True), "`drop_last=True` drops the leftover images, so round down.", 15),
    (check_batch_count, (64, 1000, 64), "That is the batch size", 16),
    (check_batch_count, (20, 1000, 64), "Divide the number of images by the batch size", 16),
    (check_last_batch, (0, 1000, 100), "the last batch is a full one", 100),
    (check_last_batch, (64, 1000, 64), "only the images left over", 40),
    (check_last_batch, (15, 1000, 64), "That counts the full batches", 40),
    (check_last_batch, (33, 1000, 64), "Take away all the full batches", 40),
]  # fmt: skip


@pytest.mark.parametrize("check, args, hint, answer", HINTS, ids=[f"{c.__name__}-{a[0]}" for c, a, *_ in HINTS])
def test_hints_point_to_the_mistake_without_the_answer(check, args, hint, answer):
    first = check(*args)
    assert first.correct is False and hint in first.message, first.message
    assert not mentions(first.message, answer), first.message
    second = check(*args)
    assert ", but " in second.message and mentions(second.message, answer)


def test_second_wrong_answer_keeps_the_known_hint():
    check_flatten_size(800, FEATURES, (1, 28, 28))
    assert repr(check_flatten_size(800, FEATURES, (1, 28, 28))) == (
        "✗ Not quite. You said 800, but the feature maps that reach the flatten are 32×2×2 = 128 values per image. "
        "32 channels is right, but the maps are not 5×5: follow the height through every layer."
    )
    check_parameter_count(432, nn.Conv2d(3, 16, 3))
    assert "= 448. You forgot the biases" in check_parameter_count(432, nn.Conv2d(3, 16, 3)).message


def test_a_hint_never_gives_the_channel_count_when_it_is_the_answer():
    features = nn.Sequential(nn.Conv2d(1, 8, 3), nn.AdaptiveAvgPool2d(1))  # 8×1×1 = 8
    message = check_flatten_size(16, features, (1, 10, 10)).message
    assert "The number of channels is right" in message and "8" not in message.replace("You said 16", "")


def test_batch_counts_worked_answers():
    assert check_batch_count(10, 1000, 100).message == "1,000 images in batches of 100: 10 full batches, 10 in all."
    assert check_batch_count(15, 1000, 64, drop_last=True).message == (
        "1,000 images in batches of 64: 15 full batches; `drop_last=True` leaves out the last 40 images, so 15 in all."
    )
    assert check_batch_count(0, 5, 64, drop_last=True).correct and check_batch_count(1, 5, 64).correct
    assert check_last_batch(5, 5, 64).message == "5 images make a single batch, smaller than 64: it holds 5 images."
    assert check_last_batch(100, 1000, 100).message == (
        "1,000 = 10 × 100: nothing is left over, so the last batch is a full one of 100."
    )


@pytest.mark.parametrize("call, error, message", [
    (lambda: check_batch_count(1, 0, 64), ValueError, "n_images=0 is too small: give at least 1"),
    (lambda: check_batch_count(1, 100, -2), ValueError, "batch_size=-2 is too small"),
    (lambda: check_last_batch(1, 100, 2.5), TypeError, "batch_size must be a whole number, got 2.5"),
    (lambda: check_last_batch(None, "100", 10), TypeError, "n_images must be a whole number"),
    (lambda: output_shape("conv", (1, 3, 8, 8)), TypeError, "layer must be a torch.nn.Module, got 'conv' (str)"),
    (lambda: output_shape(nn.Conv2d(3, 4, 3), (1, 0, 8)), ValueError, "is not a shape: give positive whole numbers"),
    (lambda: check_output_shape("1, 4, 6, 6", (1, 1, 8, 8), nn.Conv2d(3, 4, 3)), ValueError,
     "cannot run on an input of shape [1, 1, 8, 8]"),
])  # fmt: skip
def test_bad_questions_get_clear_errors(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


def test_parse_shape():
    assert parse_shape("torch.Size([4, 1, 3, 3])") == (4, 1, 3, 3)
    assert parse_shape("(64, 4, 26, 26)") == parse_shape("64 x 4 x 26 x 26") == (64, 4, 26, 26)
    with pytest.raises(ValueError):
        parse_shape("")


def test_feedback_is_falsy_unless_right():
    assert Feedback(True, "x") and not Feedback(False, "x") and not Feedback(None, "x")


# ---------------------------------------------------------------- check_conv2d: a convolution by hand
def by_hand(image, kernel):
    kh, kw = kernel.shape
    out = torch.zeros(image.shape[0] - kh + 1, image.shape[1] - kw + 1)
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = (image[r : r + kh, c : c + kw] * kernel).sum()
    return out


def loops_stop_early(image, kernel):  # range(H − kH): one row and one column short
    kh, kw = kernel.shape
    h, w = image.shape
    return [[float((image[r : r + kh, c : c + kw] * kernel).sum()) for c in range(w - kw)] for r in range(h - kh)]


def last_column_never_filled(image, kernel):
    kh, kw = kernel.shape
    out = torch.zeros(image.shape[0] - kh + 1, image.shape[1] - kw + 1)
    for r in range(out.shape[0]):
        for c in range(out.shape[1] - 1):
            out[r, c] = (image[r : r + kh, c : c + kw] * kernel).sum()
    return out


def flipped_kernel(image, kernel):  # a true convolution
    return by_hand(image, kernel.flip(0, 1))


def short_patch(image, kernel):
    kh, kw = kernel.shape
    out = torch.zeros(image.shape[0] - kh + 1, image.shape[1] - kw + 1)
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = (image[r : r + kh - 1, c : c + kw] * kernel).sum()
    return out


def rows_and_columns_swapped(image, kernel):
    kh, kw = kernel.shape
    out = torch.zeros(image.shape[1] - kw + 1, image.shape[0] - kh + 1)
    for r in range(out.shape[1]):
        for c in range(out.shape[0]):
            out[c, r] = (image[r : r + kh, c : c + kw] * kernel).sum()
    return out


def transposed_patch(image, kernel):  # the patch indexed [c, r]: square inputs pass, others do not
    kh, kw = kernel.shape
    out = torch.zeros(image.shape[0] - kh + 1, image.shape[1] - kw + 1)
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = (image[c : c + kh, r : r + kw] * kernel).sum()
    return out


def index_error(image, kernel):  # four loops, one too many positions
    kh, kw = kernel.shape
    out = torch.zeros(image.shape[0] - kh + 2, image.shape[1] - kw + 2)
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            for i in range(kh):
                for j in range(kw):
                    out[r, c] += image[r + i, c + j] * kernel[i, j]
    return out


def conv2d_by_hand(image, kernel):
    # your code here
    pass


def test_check_conv2d_accepts_a_loop_solution_and_other_result_types():
    verdict = check_conv2d(by_hand)
    assert (
        verdict.correct is True
        and "same feature maps as F.conv2d" in verdict.message
        and "5×7 with 3×3" in (verdict.message)
    )
    assert check_conv2d(lambda i, k: by_hand(i, k).tolist()).correct
    assert check_conv2d(lambda i, k: by_hand(i, k).numpy()).correct
    assert check_conv2d(lambda i, k: by_hand(i, k).double().requires_grad_()).correct
    assert check_conv2d(lambda i, k: F.conv2d(i[None, None], k[None, None])[0, 0]).correct


def test_check_conv2d_the_stub_is_not_answered_yet():
    verdict = check_conv2d(conv2d_by_hand)
    assert verdict.correct is None and verdict.message.startswith("Not answered yet: write the body of "
                                                                  "`conv2d_by_hand`")  # fmt: skip


@pytest.mark.parametrize("fn, parts", [
    (loops_stop_early, ["returned 2×4, but the feature map is 3×5", "H − kH + 1 = 5 − 3 + 1 = 3",
                        "use range(H − kH + 1)"]),
    (last_column_never_filled, ["output[0, 4] should be", "image[0:3, 4:7]", "does a loop stop one position early?"]),
    (flipped_kernel, ["output[0, 0] should be", "image[0:3, 0:3] × kernel", "a true convolution, with the kernel "
                      "flipped"]),
    (short_patch, ["raised RuntimeError", "take image[r:r+kH, c:c+kW]"]),
    (rows_and_columns_swapped, ["returned 5×3, but the feature map is 3×5", "Rows and columns are swapped"]),
    (transposed_patch, ["raised RuntimeError", "image[r:r+kH, c:c+kW]"]),
    (index_error, ["raised IndexError", "check the ranges of your loops"]),
    (lambda i, k: torch.zeros(3, 5), ["output[0, 0] should be", "but your function gives 0"]),
    (lambda i, k: 42, ["returned a single number, but the feature map is 3×5"]),
    (lambda i, k: "map", ["Could not read your function's result"]),
    (lambda i, k: undefined_name, ["raised NameError", "a name is used before it is defined"]),  # noqa: F821
])  # fmt: skip
def test_check_conv2d_rejects_typical_bugs_and_says_where(fn, parts):
    verdict = check_conv2d(fn)
    assert verdict.correct is False
    for part in parts:
        assert part in verdict.message, verdict.message


def test_check_conv2d_names_the_first_wrong_pixel_with_its_values():
    def one_wrong_pixel(image, kernel):
        out = by_hand(image, kernel)
        out[1, 2] += 1
        return out

    message = check_conv2d(one_wrong_pixel).message
    image = torch.randint(0, 10, (5, 7), generator=torch.Generator().manual_seed(0)).float()
    assert "output[1, 2] should be" in message and "image[1:4, 2:5]" in message
    expected, got = re.search(r"should be (-?\d+) but your function gives (-?\d+)", message).groups()
    assert int(got) == int(expected) + 1 and image.shape == (5, 7)


def test_check_conv2d_stretch_with_stride_and_padding():
    def with_stride(image, kernel, stride=1, padding=0):
        image = F.pad(image, (padding,) * 4)
        kh, kw = kernel.shape
        out = torch.zeros((image.shape[0] - kh) // stride + 1, (image.shape[1] - kw) // stride + 1)
        for r in range(out.shape[0]):
            for c in range(out.shape[1]):
                out[r, c] = (image[r * stride : r * stride + kh, c * stride : c * stride + kw] * kernel).sum()
        return out

    assert check_conv2d(with_stride, stride=2, padding=1).correct
    assert check_conv2d(with_stride).correct
    no_padding = check_conv2d(lambda i, k, stride=1, padding=0: with_stride(i, k, stride), stride=1, padding=1)
    assert no_padding.correct is False and "(5 + 2×1 − 3) // 1 + 1 = 5" in no_padding.message
    wrong = check_conv2d(lambda i, k, stride=1, padding=0: np.asarray(with_stride(i, k, 1, padding))[::stride, ::stride]
                         + 1, stride=2, padding=1)  # fmt: skip
    assert wrong.correct is False and "padded[0:3, 0:3]" in wrong.message and "1 zeros added" in wrong.message
    old = check_conv2d(by_hand, stride=2)
    assert old.correct is False and "give your function the parameters stride=1 and padding=0" in old.message


@pytest.mark.parametrize("call, error, message", [
    (lambda: check_conv2d(None), TypeError, "check_conv2d needs your function itself, not its result"),
    (lambda: check_conv2d(by_hand(torch.ones(3, 3), torch.ones(2, 2))), TypeError, "(got a Tensor)"),
    (lambda: check_conv2d(by_hand, stride=0), ValueError, "stride=0 is too small: give at least 1"),
    (lambda: check_conv2d(by_hand, padding=-1), ValueError, "padding=-1 is too small"),
    (lambda: check_conv2d(by_hand, stride=1.5), TypeError, "stride must be a whole number, got 1.5"),
])  # fmt: skip
def test_check_conv2d_bad_calls(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


def test_check_flatten_size_refuses_features_that_include_the_flatten():
    from torch import nn

    from ainotes.exercises import check_flatten_size

    features = nn.Sequential(nn.Conv2d(1, 4, 3), nn.MaxPool2d(2), nn.Flatten())
    with pytest.raises(ValueError, match="up to, not including, nn.Flatten"):
        check_flatten_size(256, features, (1, 18, 18))


def test_count_answers_may_be_written_with_thousands_separators():
    layer = nn.Linear(3072, 2048)
    for answer in ("6,293,504", "6 293 504", "6_293_504", np.int64(6_293_504), torch.tensor(6_293_504)):
        assert check_parameter_count(answer, layer).correct, answer
    wrong = check_parameter_count("6,293.504", layer)
    assert wrong.correct is False and 'like 1234567 or "1,234,567"' in wrong.message
