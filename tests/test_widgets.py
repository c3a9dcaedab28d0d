import torch
import torch.nn.functional as F
from torch import nn

from ainotes.conv import PRESET_KERNELS
from ainotes.plot import animate_convolution
from ainotes.widgets import ConvolutionExplorer, ShapeQuiz


def digit():
    image = torch.zeros(28, 28)
    image[4:24, 12:16] = 1.0  # a "1"
    return image


def test_explorer_shows_the_default_and_follows_the_controls():
    explorer = ConvolutionExplorer({"one": digit(), "colour": torch.rand(3, 32, 32)})
    assert "26×26" in explorer.formula.value and "(28 + 2×0 − 1×(3 − 1) − 1) // 1 + 1 = 26" in explorer.formula.value
    explorer.padding.value = "same"
    assert "28×28" in explorer.formula.value
    explorer.padding.value, explorer.stride.value = 1, 2
    feature_map, _ = explorer.result()
    expected = F.conv2d(
        digit()[None, None],
        torch.tensor(PRESET_KERNELS["top edge"], dtype=torch.float32)[None, None],
        stride=2,
        padding=1,
    )
    assert torch.allclose(feature_map, expected[0, 0]) and "14×14" in explorer.formula.value
    explorer.image.value = "colour"
    assert "16×16" in explorer.formula.value  # 32 -> (32 + 2 - 2 - 1) // 2 + 1


def test_explorer_presets_custom_weights_and_impossible_settings():
    explorer = ConvolutionExplorer({"one": digit()})
    explorer.preset.value = "left edge"
    assert explorer.kernel().tolist() == PRESET_KERNELS["left edge"]
    explorer.weights[4].value = 7.0
    assert explorer.preset.value == "custom" and explorer.kernel()[1, 1] == 7
    explorer.stride.value, explorer.padding.value = 2, "same"
    assert "Impossible settings" in explorer.formula.value and "needs stride=1" in explorer.formula.value


def test_quiz_checks_scores_and_moves_on():
    quiz = ShapeQuiz([((1, 3, 32, 32), nn.Conv2d(3, 16, 3)), ((1, 3, 32, 32), nn.Conv2d(3, 16, 3, padding=1))])
    assert "Question 1 of 2" in quiz.prompt.value and "Press Check" in quiz.feedback.value.replace("press", "Press")
    quiz.answer.value = "1, 16, 32, 32"
    quiz.check_button.click()
    assert "Not quite" in quiz.feedback.value and "0 of 2" in quiz.score.value
    quiz.answer.value = "1, 16, 30, 30"
    quiz.check_button.click()
    assert "Right" in quiz.feedback.value and "1 of 2" in quiz.score.value
    quiz.next_button.click()
    assert "Question 2 of 2" in quiz.prompt.value and quiz.answer.value == ""
    quiz.next_button.click()
    assert "Question 1 of 2" in quiz.prompt.value


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
