import pytest
from torch import nn

from ainotes.exercises import (
    Feedback,
    check_flatten_size,
    check_output_shape,
    check_output_size,
    check_parameter_count,
    check_receptive_field,
    parse_shape,
)


def test_no_answer_gets_a_reminder_not_a_verdict():
    for feedback in (check_output_size(None, 28, 3), check_output_shape(None, (1, 1, 4, 4), nn.Identity()),
                     check_parameter_count(None, nn.Linear(2, 2))):  # fmt: skip
        assert feedback.correct is None and "replace `None`" in feedback.message
        assert not feedback and "<code>None</code>" in feedback._repr_html_()


def test_output_size_right_wrong_and_hints():
    right = check_output_size(14, 28, 3, stride=2, padding=1)
    assert right.correct and repr(right).startswith("✓ Right.") and "= 14" in right.message
    wrong = check_output_size(28, 28, 3)
    assert wrong.correct is False and "= 26" in wrong.message and "border" in wrong.message
    assert "forget the `+ 1`" in check_output_size(12, 28, 3, stride=2).message  # 13 is right
    assert "forget" not in check_output_size(11, 28, 3, stride=2).message
    assert check_output_size(31, 28, 3, padding="full").message.startswith("You said 31, but padding='full'")
    assert check_output_size(13.5, 28, 3, stride=2).message.startswith("An output size is a whole number")
    assert check_output_size(26.0, 28, 3).correct


def test_output_shape_checks_against_torch():
    conv = nn.Conv2d(3, 16, 3)
    assert check_output_shape("1, 16, 30, 30", (1, 3, 32, 32), conv).correct
    assert check_output_shape([1, 16, 30, 30], (1, 3, 32, 32), conv).correct
    assert "out_channels" in check_output_shape("1, 3, 30, 30", (1, 3, 32, 32), conv).message
    assert "batch size" in check_output_shape("2, 16, 30, 30", (1, 3, 32, 32), conv).message
    assert "4 dimensions" in check_output_shape("16, 30, 30", (1, 3, 32, 32), conv).message
    assert "Could not read a shape" in check_output_shape("sixteen", (1, 3, 32, 32), conv).message


def test_parse_shape():
    assert parse_shape("torch.Size([4, 1, 3, 3])") == (4, 1, 3, 3)
    assert parse_shape("(64, 4, 26, 26)") == parse_shape("64 x 4 x 26 x 26") == (64, 4, 26, 26)
    with pytest.raises(ValueError):
        parse_shape("")


def test_parameter_count_with_the_forgotten_bias_hint():
    conv = nn.Conv2d(3, 16, 3)
    assert check_parameter_count(448, conv).correct
    assert "forgot the biases" in check_parameter_count(432, conv).message


def test_receptive_field_and_flatten_size():
    stack = nn.Sequential(*[nn.Conv2d(1, 1, 3, stride=2, padding=1) for _ in range(3)])
    assert check_receptive_field(15, stack).correct
    assert "3 → 7 → 15" in check_receptive_field(9, stack).message
    features = nn.Sequential(nn.Conv2d(1, 16, 3), nn.Conv2d(16, 16, 3), nn.MaxPool2d(2),
                             nn.Conv2d(16, 32, 5), nn.Conv2d(32, 32, 5), nn.MaxPool2d(2))  # fmt: skip
    assert check_flatten_size(128, features, (1, 28, 28)).correct
    wrong = check_flatten_size(800, features, (1, 28, 28))
    assert wrong.correct is False and "32×2×2" in wrong.message


def test_feedback_is_falsy_unless_right():
    assert Feedback(True, "x") and not Feedback(False, "x") and not Feedback(None, "x")
