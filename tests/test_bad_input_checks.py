"""Bad input to the self-checks, their hints, the shape quiz and the explorer's tasks (issue 14).

Two kinds of bad input. The arguments that set up a question (a layer, a shape, counts, flags) get a
clear TypeError or ValueError that names the argument, raised before PyTorch runs. A reader's answer
of the wrong kind gets a verdict (a Feedback) that says what kind of answer is expected, never an
exception, and never counts as right by accident.
"""

from __future__ import annotations

import math
import random
import re
import string

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from ainotes.classifier_checks import (
    check_fc_parameters,
    check_softmax,
    fc_parameters_hint,
    generic_softmax_hint,
    softmax,
    softmax_hint,
)
from ainotes.code_checks import check_conv2d
from ainotes.conv import receptive_field
from ainotes.exercises import (
    check_batch_count,
    check_flatten_size,
    check_last_batch,
    check_output_shape,
    check_output_size,
    check_parameter_count,
    check_receptive_field,
    output_shape,
)
from ainotes.explorer_tasks import ExplorerState, TaskProgress, bottom_edge_problem, halving_setting
from ainotes.feedback import (
    Feedback,
    answer_shown,
    judge,
    not_answered,
    parse_numbers,
    parse_shape,
    read_answer,
    reset_attempts,
    staged,
)
from ainotes.hints import (
    batch_count_hint,
    flatten_hint,
    generic_parameter_hint,
    last_batch_hint,
    output_size_hint,
    parameter_hint,
    receptive_field_hint,
    shape_hint,
)
from ainotes.image_checks import (
    check_mean_std,
    check_memory,
    check_normalized_pixel,
    check_permute_shape,
    check_unnormalize,
)
from ainotes.image_hints import mean_std_hint, memory_hint, normalized_pixel_hint, permute_hint, unnormalize_hint
from ainotes.norm_checks import check_batchnorm_counts, check_batchnorm_output, check_running_mean
from ainotes.quiz import ShapeQuiz
from ainotes.training_checks import (
    check_hook_count,
    check_one_cycle_lr,
    generic_one_cycle_hint,
    hook_count_hint,
    one_cycle_lr_hint,
)
from ainotes.transfer_checks import check_bn_buffers_changed, check_head_parameters, check_trainable_parameters

CONV = nn.Conv2d(3, 16, 3)
IMAGE = (1, 3, 32, 32)
TINY = torch.rand(2, 1, 2, 2, generator=torch.Generator().manual_seed(0))
SHORT = dict(max_lr=0.01, total_steps=20)
KERNEL = torch.zeros(3, 3)


def by_hand(image, kernel, stride=1, padding=0):
    return F.conv2d(image[None, None], kernel[None, None], stride=stride, padding=padding)[0, 0]


@pytest.fixture(autouse=True)
def _fresh_attempts():
    reset_attempts()
    yield
    reset_attempts()


# ---------------------------------------------------------------- the arguments that set up a question
QUESTIONS = [
    # ainotes.exercises: output_shape and the layer it runs
    ("output_shape layer class", lambda: output_shape(nn.Conv2d, IMAGE), TypeError,
     r"layer must be a torch.nn.Module, got the class Conv2d: create one"),
    ("output_shape layer name", lambda: output_shape("nn.Conv2d(3, 16, 3)", IMAGE), TypeError,
     r"layer must be a torch.nn.Module, got 'nn.Conv2d\(3, 16, 3\)' \(str\)"),
    ("output_shape shape int", lambda: output_shape(CONV, 32), TypeError,
     r"input_shape must be a sequence of whole numbers, like \(1, 3, 32, 32\); got 32"),
    ("output_shape shape string", lambda: output_shape(CONV, "1, 3, 32, 32"), TypeError,
     r"input_shape must be a sequence .* got the string '1, 3, 32, 32'"),
    ("output_shape shape tensor", lambda: output_shape(CONV, torch.zeros(1, 3, 8, 8)), TypeError,
     r"input_shape .* got a tensor of shape \(1, 3, 8, 8\) \(for its shape write x.shape\)"),
    ("output_shape shape float", lambda: output_shape(CONV, (1, 3, 8.0, 8)), TypeError,
     r"input_shape=\(1, 3, 8.0, 8\) must hold whole numbers only"),
    ("output_shape 2-D into conv", lambda: output_shape(CONV, (32, 32)), ValueError,
     r"Conv2d needs 4 dimensions \(batch, channels, height, width\), or 3 without the batch, not 2"),
    ("output_shape channels", lambda: output_shape(CONV, (1, 1, 32, 32)), ValueError,
     r"shape \[1, 1, 32, 32\]: Conv2d takes 3 input channels \(in_channels=3\) but gets 1"),
    ("output_shape linear on image", lambda: output_shape(nn.Linear(3072, 10), IMAGE), ValueError,
     r"last dimension, which is 32, but in_features=3072: flatten first \(nn.Flatten\(\)\)"),
    ("output_shape linear inside", lambda: output_shape(
        nn.Sequential(nn.Conv2d(3, 6, 3), nn.Flatten(), nn.Linear(100, 10)), (1, 3, 8, 8)), ValueError,
     r"layer 2, Linear\(in_features=100.*gets shape \[1, 216\] and nn.Linear works on the last dimension"),
    ("output_shape batch norm", lambda: output_shape(nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(16)),
                                                     (1, 3, 8, 8)), ValueError, r"num_features=16.*use nn\.BatchNorm2d\(8\)"),
    ("check_output_shape arguments swapped", lambda: check_output_shape("1, 16, 30, 30", CONV, IMAGE), TypeError,
     r"check_output_shape takes \(answer, input_shape, layer\)"),
    ("check_output_shape bad layer, no answer yet", lambda: check_output_shape(None, IMAGE, "conv"), TypeError,
     r"layer must be a torch.nn.Module"),
    ("check_output_shape label", lambda: check_output_shape(None, IMAGE, CONV, label=3), TypeError,
     r"label must be a string"),
    ("check_output_shape show_answer", lambda: check_output_shape(None, IMAGE, CONV, show_answer="True"),
     TypeError, r"show_answer must be True or False, got 'True' \(str\)"),
    ("check_output_size show_answer", lambda: check_output_size(None, 28, 3, show_answer="False"), TypeError,
     r"show_answer must be True or False"),
    ("check_parameter_count layer class", lambda: check_parameter_count(5, nn.Conv2d), TypeError,
     r"layer must be a torch.nn.Module, got the class Conv2d"),
    ("check_parameter_count layer name, no answer yet", lambda: check_parameter_count(None, "conv"), TypeError,
     r"layer must be a torch.nn.Module, got 'conv'"),
    ("check_receptive_field string", lambda: check_receptive_field(5, "conv"), TypeError, r"layers must be"),
    ("check_receptive_field number", lambda: check_receptive_field(5, 3), TypeError, r"layers must be"),
    ("check_receptive_field empty", lambda: check_receptive_field(5, []), ValueError, r"layers is empty"),
    ("check_receptive_field class in list", lambda: check_receptive_field(5, [nn.Conv2d]), TypeError,
     r"layers\[0\] must be a torch.nn.Module, got the class Conv2d"),
    ("check_flatten_size shape int", lambda: check_flatten_size(5, nn.Conv2d(1, 4, 3), 18), TypeError,
     r"input_shape must be a sequence of whole numbers"),
    ("check_flatten_size 2-D shape", lambda: check_flatten_size(5, nn.Conv2d(1, 4, 3), (18, 18)), ValueError,
     r"input_shape=\(18, 18\) has 2 dimensions: give \(channels, height, width\)"),
    ("check_flatten_size 5-D shape", lambda: check_flatten_size(5, nn.Conv2d(1, 4, 3), (2, 1, 1, 18, 18)),
     ValueError, r"input_shape=\(2, 1, 1, 18, 18\) has 5 dimensions"),
    ("check_flatten_size features class", lambda: check_flatten_size(5, nn.Conv2d, (1, 18, 18)), TypeError,
     r"features must be a torch.nn.Module, got the class Conv2d"),
    ("check_flatten_size channels", lambda: check_flatten_size(5, nn.Conv2d(1, 4, 3), (3, 18, 18)), ValueError,
     r"in_channels=1\) but gets 3"),
    ("check_batch_count zero batch", lambda: check_batch_count(5, 100, 0), ValueError,
     r"batch_size=0 is too small: give at least 1"),
    ("check_batch_count drop_last string", lambda: check_batch_count(5, 100, 30, drop_last="False"), TypeError,
     r"drop_last must be True or False, got 'False' \(str\)"),
    ("check_batch_count show_answer", lambda: check_batch_count(None, 100, 10, show_answer="yes"), TypeError,
     r"show_answer must be True or False"),
    ("check_last_batch show_answer", lambda: check_last_batch(None, 100, 10, show_answer="False"), TypeError,
     r"show_answer must be True or False, got 'False'"),
    # ainotes.code_checks
    ("check_conv2d name in quotes", lambda: check_conv2d("conv2d_by_hand"), TypeError,
     r"check_conv2d needs your function itself, not its name: write check_conv2d\(conv2d_by_hand\)"),
    ("check_conv2d float stride", lambda: check_conv2d(by_hand, stride=2.0), TypeError,
     r"stride must be a whole number, got 2.0"),
    ("check_conv2d negative padding", lambda: check_conv2d(by_hand, padding=-1), ValueError,
     r"padding=-1 is too small: give at least 0"),
    # ainotes.image_checks
    ("check_permute_shape show_answer", lambda: check_permute_shape(None, IMAGE, (0, 2, 3, 1), show_answer="yes"),
     TypeError, r"show_answer must be True or False"),
    ("check_permute_shape shape string", lambda: check_permute_shape(None, "64, 3, 32, 32", (0, 2, 3, 1)),
     TypeError, r"shape must be a sequence of whole numbers, like \(64, 3, 32, 32\); got the string"),
    ("check_normalized_pixel 0-255 pixel", lambda: check_normalized_pixel(None, 128, 0.5, 0.5), ValueError,
     r"pixel=128 is not in \[0, 1\].*for a 0-255 value give 128 / 255 = 0.502"),
    ("check_normalized_pixel show_answer", lambda: check_normalized_pixel(None, 0.5, 0.5, 0.5, show_answer=1),
     TypeError, r"show_answer must be True or False"),
    ("check_memory unit list", lambda: check_memory(1, (3,), unit=["MB"]), TypeError,
     r"unit must be one of 'B', 'kB'.*got \['MB'\] \(list\)"),
    ("check_memory unit case", lambda: check_memory(1, (3,), unit="mib"), ValueError,
     r"unit='mib' is not one of .* \(did you mean 'MiB'\?\)"),
    ("check_memory dtype name", lambda: check_memory(1, (3,), dtype="float16"), TypeError,
     r"dtype must be a torch dtype.*got 'float16' \(write torch.float16\)"),
    ("check_memory show_answer", lambda: check_memory(None, (3,), show_answer="no"), TypeError,
     r"show_answer must be True or False"),
    ("check_mean_std float decimals", lambda: check_mean_std(None, TINY, decimals=4.0), TypeError,
     r"decimals must be a whole number, got 4.0"),
    ("check_mean_std decimals too large", lambda: check_mean_std(None, TINY, decimals=9), ValueError,
     r"decimals=9 is too large: give at most 8"),
    ("check_unnormalize show_answer", lambda: check_unnormalize(lambda x, m, s: x, show_answer="no"), TypeError,
     r"show_answer must be True or False"),
    # ainotes.classifier_checks, training_checks, norm_checks, transfer_checks: show_answer and models
    ("check_softmax show_answer", lambda: check_softmax(None, [2, 1], show_answer="True"), TypeError,
     r"show_answer must be True or False"),
    ("check_fc_parameters show_answer", lambda: check_fc_parameters(None, 32, show_answer=1), TypeError,
     r"show_answer must be True or False, got 1 \(int\)"),
    ("check_one_cycle_lr show_answer", lambda: check_one_cycle_lr(None, 3, **SHORT, show_answer="yes"), TypeError,
     r"show_answer must be True or False"),
    ("check_hook_count model class", lambda: check_hook_count(0, nn.Sequential), TypeError,
     r"model must be a torch.nn.Module, got the class Sequential: create one"),
    ("check_batchnorm_counts show_answer", lambda: check_batchnorm_counts(None, 64, show_answer="yes"), TypeError,
     r"show_answer must be True or False"),
    ("check_running_mean show_answer", lambda: check_running_mean(None, [2, 4], show_answer="yes"), TypeError,
     r"show_answer must be True or False"),
    ("check_batchnorm_output show_answer", lambda: check_batchnorm_output(None, [1, 2], show_answer="yes"),
     TypeError, r"show_answer must be True or False"),
    ("check_head_parameters show_answer", lambda: check_head_parameters(None, show_answer="yes"), TypeError,
     r"show_answer must be True or False"),
    ("check_trainable_parameters show_answer", lambda: check_trainable_parameters(None, ("fc",), show_answer="y"),
     TypeError, r"show_answer must be True or False"),
    ("check_bn_buffers_changed show_answer", lambda: check_bn_buffers_changed(None, show_answer="no"), TypeError,
     r"show_answer must be True or False"),
]  # fmt: skip


@pytest.mark.parametrize("call, error, match", [q[1:] for q in QUESTIONS], ids=[q[0] for q in QUESTIONS])
def test_bad_questions_raise_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_question_arguments_of_other_kinds_that_mean_the_same_are_accepted():
    assert output_shape(CONV, np.array([1, 3, 8, 8])) == output_shape(CONV, torch.Size([1, 3, 8, 8])) == (1, 16, 6, 6)
    assert check_batch_count(4, np.int64(100), np.int64(30)).correct
    assert check_receptive_field(3, nn.Conv2d(1, 1, 3)).correct  # a single layer
    assert check_conv2d(by_hand, stride=np.int64(2), padding=np.int64(1)).correct
    assert check_permute_shape("64, 32, 32, 3", np.array([64, 3, 32, 32]), (0, 2, 3, 1)).correct


# ---------------------------------------------------------------- answers of the wrong kind get a verdict
ANSWERS = [
    # (id, call, correct, a fragment of the message)
    ("shape as one number", lambda: check_output_shape(30, IMAGE, CONV), False,
     'a shape has one whole number per dimension, like (1, 16, 30, 30) or "1, 16, 30, 30", not a single number'),
    ("shape with a fraction", lambda: check_output_shape((1, 16, 30.5, 30), IMAGE, CONV), False,
     "30.5 is not a whole number"),
    ("shape with True", lambda: check_output_shape((True, 16, 30, 30), IMAGE, CONV), False,
     "True is not a whole number"),
    ("shape as a 0-d tensor", lambda: check_output_shape(torch.tensor(3), IMAGE, CONV), False, "not a single number"),
    ("shape nested", lambda: check_output_shape([[1, 16], [30, 30]], IMAGE, CONV), False,
     "[1, 16] is not a whole number"),
    ("shape of words", lambda: check_output_shape(["a", "b"], IMAGE, CONV), False, "'a' is not a whole number"),
    ("shape in words", lambda: check_output_shape("32 by 32", IMAGE, CONV), False,
     "Could not read a shape from '32 by 32'"),
    ("shape as a dict", lambda: check_output_shape({"h": 30}, IMAGE, CONV), False, "Could not read a shape"),
    ("shape as an array", lambda: check_output_shape(np.array([1, 16, 30, 30]), IMAGE, CONV), True, "turns"),
    ("shape as a float tensor", lambda: check_output_shape(torch.tensor([1.0, 16, 30, 30]), IMAGE, CONV), True,
     "turns"),
    ("permuted shape with a fraction", lambda: check_permute_shape((64, 32.5, 32, 3), (64, 3, 32, 32),
                                                                   (0, 2, 3, 1)), False, "32.5 is not a whole"),
    ("size as a whole-float string", lambda: check_output_size("26.0", 28, 3), True, "= 26"),
    ("size as a 0-d tensor", lambda: check_output_size(torch.tensor(26.0), 28, 3), True, "= 26"),
    ("size as a NumPy int", lambda: check_output_size(np.int64(26), 28, 3), True, "= 26"),
    ("size in words", lambda: check_output_size("twenty-six", 28, 3), False, "An output size is a whole number"),
    ("size as a list", lambda: check_output_size([26], 28, 3), False, "An output size is a whole number"),
    ("count as a whole float", lambda: check_parameter_count(448.0, CONV), True, "= 448"),
    ("count with a fraction", lambda: check_parameter_count(448.5, CONV), False,
     "A parameter count is a whole number; you gave 448.5"),
    ("memory as a string", lambda: check_memory("614.4", (50_000, 3, 32, 32)), True, "614.4 MB"),
    ("memory with its unit", lambda: check_memory("614.4 MB", (50_000, 3, 32, 32)), True, "614.4 MB"),
    ("memory in another unit", lambda: check_memory("585.9 MiB", (50_000, 3, 32, 32)), False,
     "The question asks for the size in MB; you gave '585.9 MiB'"),
    ("bytes with separators", lambda: check_memory("614,400,000", (50_000, 3, 32, 32), unit="B"), True,
     "614,400,000 bytes"),
    ("memory as a 0-d tensor", lambda: check_memory(torch.tensor(614.4), (50_000, 3, 32, 32)), True, "614.4 MB"),
    ("memory nan", lambda: check_memory(float("nan"), (50_000, 3, 32, 32)), False,
     "A memory size in MB is one number"),
    ("memory True", lambda: check_memory(True, (50_000, 3, 32, 32)), False, "A memory size in MB is one number"),
]  # fmt: skip


@pytest.mark.parametrize("call, correct, fragment", [a[1:] for a in ANSWERS], ids=[a[0] for a in ANSWERS])
def test_answers_of_the_wrong_kind_get_a_verdict(call, correct, fragment):
    verdict = call()
    assert isinstance(verdict, Feedback) and verdict.correct is correct
    assert fragment in verdict.message


def test_unreadable_answers_do_not_count_as_attempts():
    check_output_shape(30, IMAGE, CONV)
    check_memory("585.9 MiB", (50_000, 3, 32, 32))
    assert "Try again" in check_output_shape("1, 16, 32, 32", IMAGE, CONV).message  # still the first wrong answer
    assert "Try again" in check_memory(600, (50_000, 3, 32, 32)).message


# ---------------------------------------------------------------- ainotes.feedback
FEEDBACK = [
    ("Feedback verdict string", lambda: Feedback("yes", "x"), TypeError,
     r"correct must be True, False or None \(no answer yet\), got 'yes'"),
    ("Feedback message number", lambda: Feedback(True, 3), TypeError, r"message must be a string, got int"),
    ("parse_shape number", lambda: parse_shape(30), ValueError, r"Could not read a shape from 30: .*single number"),
    ("parse_shape None", lambda: parse_shape(None), ValueError, r"Could not read a shape from None"),
    ("parse_shape fraction", lambda: parse_shape((1, 16, 30.5, 30)), ValueError, r"30.5 is not a whole number"),
    ("parse_shape True", lambda: parse_shape((True, 16, 30, 30)), ValueError, r"True is not a whole number"),
    ("parse_shape 2-D array", lambda: parse_shape(np.ones((2, 2), dtype=int)), ValueError,
     r"Could not read a shape from an array of shape \(2, 2\): give the whole numbers of the shape"),
    ("parse_numbers dict", lambda: parse_numbers({"a": 1}), ValueError,
     r"Could not read numbers from \{'a': 1\}: give a number or a flat list"),
    ("parse_numbers words", lambda: parse_numbers("big, small"), ValueError,
     r"Could not read numbers from 'big, small': write numbers separated by commas"),
    ("parse_numbers table", lambda: parse_numbers(torch.zeros(2, 2)), ValueError,
     r"Could not read numbers from an array of shape \(2, 2\): give a flat list"),
    ("parse_numbers inf", lambda: parse_numbers([1.0, float("inf")]), ValueError, r"give finite numbers"),
    ("read_answer show_answer", lambda: read_answer(None, "A count", "False"), TypeError,
     r"show_answer must be True or False, got 'False'"),
]  # fmt: skip


@pytest.mark.parametrize("call, error, match", [f[1:] for f in FEEDBACK], ids=[f[0] for f in FEEDBACK])
def test_feedback_helpers_refuse_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_parse_shape_reads_whole_floats_and_arrays():
    assert parse_shape([1, 16, 30.0, np.int64(30)]) == parse_shape(torch.tensor([1, 16, 30, 30])) == (1, 16, 30, 30)


# ---------------------------------------------------------------- ainotes.hints, ainotes.image_hints
HINTS = [
    ("output_size_hint answer string", lambda: output_size_hint("15", 32, 5), TypeError,
     r"value must be a whole number, got '15'"),
    ("batch_count_hint zero batch", lambda: batch_count_hint(3, 100, 0), ValueError, r"batch_size=0 is too small"),
    ("batch_count_hint drop_last string", lambda: batch_count_hint(3, 100, 10, "True"), TypeError,
     r"drop_last must be True or False"),
    ("last_batch_hint zero batch", lambda: last_batch_hint(3, 100, 0), ValueError, r"batch_size=0 is too small"),
    ("parameter_hint layer name", lambda: parameter_hint(3, "conv"), TypeError, r"layer must be a torch.nn.Module"),
    ("generic_parameter_hint layer class", lambda: generic_parameter_hint(nn.Conv2d), TypeError,
     r"layer must be a torch.nn.Module, got the class Conv2d.*e\.g\. nn\.Conv2d\(\.\.\.\)"),
    ("shape_hint layer name", lambda: shape_hint((1, 2), (1, 3), (1, 3), "conv"), TypeError,
     r"layer must be a torch.nn.Module"),
    ("flatten_hint answer string", lambda: flatten_hint("3", 1, 2, 2), TypeError, r"value must be a whole number"),
    ("flatten_hint zero channels", lambda: flatten_hint(3, 0, 2, 2), ValueError, r"channels=0 is too small"),
    ("receptive_field_hint empty", lambda: receptive_field_hint(3, []), ValueError, r"geometry is empty"),
    ("memory_hint unit", lambda: memory_hint(1.0, (3,), torch.float32, "mb"), ValueError,
     r"unit='mb' is not known: use one of 'B', 'kB', 'MB'"),
    ("memory_hint dtype name", lambda: memory_hint(1.0, (3,), "float32", "MB"), TypeError,
     r"dtype must be a torch dtype"),
]  # fmt: skip


@pytest.mark.parametrize("call, error, match", [h[1:] for h in HINTS], ids=[h[0] for h in HINTS])
def test_hints_refuse_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ---------------------------------------------------------------- ainotes.quiz.ShapeQuiz
QUIZZES = [
    ("empty", lambda: ShapeQuiz([]), ValueError, r"questions is empty: give at least one item"),
    ("None", lambda: ShapeQuiz(None), TypeError, r"questions must be a list, got None"),
    ("string", lambda: ShapeQuiz("conv"), TypeError, r"questions must be a list, got 'conv' \(str\)"),
    ("one question not in a list", lambda: ShapeQuiz((IMAGE, CONV)), TypeError,
     r"questions must be a list of questions; for a single one write \[\(input_shape, layer\)\]"),
    ("layer first", lambda: ShapeQuiz([(CONV, IMAGE)]), TypeError,
     r"Question 1: give \(input_shape, layer\) in that order"),
    ("layer class", lambda: ShapeQuiz([(IMAGE, nn.Conv2d)]), TypeError,
     r"Question 1: layer must be a torch.nn.Module, got the class Conv2d"),
    ("shape int", lambda: ShapeQuiz([(32, CONV)]), TypeError, r"Question 1: input_shape must be a sequence"),
    ("shape string", lambda: ShapeQuiz([("1, 3, 32, 32", CONV)]), TypeError,
     r"Question 1: input_shape must be a sequence .* got the string"),
    ("channels", lambda: ShapeQuiz([((1, 1, 32, 32), CONV)]), ValueError,
     r"Question 1: Conv2d.* takes 3 input channels \(in_channels=3\) but gets 1"),
    ("second question bad", lambda: ShapeQuiz([(IMAGE, CONV), (IMAGE, "pool")]), TypeError, r"Question 2: layer"),
    ("walk model class", lambda: ShapeQuiz.walk(nn.Sequential, IMAGE), TypeError,
     r"needs an nn.Sequential model, got the class Sequential: create the model"),
    ("walk shape int", lambda: ShapeQuiz.walk(nn.Sequential(CONV), 32), TypeError,
     r"input_shape must be a sequence of whole numbers"),
    ("walk shape string", lambda: ShapeQuiz.walk(nn.Sequential(CONV), "1, 3, 32, 32"), TypeError,
     r"input_shape must be a sequence .* got the string"),
    ("walk channels", lambda: ShapeQuiz.walk(nn.Sequential(CONV, nn.Conv2d(8, 4, 3)), IMAGE), ValueError,
     r"Layer 1 of the model: Conv2d\(8, 4.* takes 8 input channels \(in_channels=8\) but gets 16"),
]  # fmt: skip


@pytest.mark.parametrize("call, error, match", [q[1:] for q in QUIZZES], ids=[q[0] for q in QUIZZES])
def test_quiz_refuses_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


GARBAGE = ["abc", "32 by 32", "-1, 16, 30, 30", "1.5, 16, 30, 30", "1e3", "()", "[]", "torch.Size([])", ",,,",
           "None", "<script>alert(1)</script>", "1, 16, 30, 30.", "9" * 40, "1; 16; 30; 30", "١٦"]  # fmt: skip


def _quizzes() -> list[ShapeQuiz]:
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 13 * 13, 10))
    return [ShapeQuiz.walk(model, (1, 1, 28, 28)), ShapeQuiz([((3, 8, 8), nn.Conv2d(3, 4, 3))])]


@pytest.mark.parametrize("text", GARBAGE)
def test_quiz_answers_friendly_feedback_to_garbage(text):
    for quiz in _quizzes():
        for index in range(len(quiz._questions)):
            quiz.index = index
            quiz.answer.value = text
            verdict = quiz.check()
            assert isinstance(verdict, Feedback) and verdict.correct is not True
            assert quiz.feedback.value == verdict._repr_html_() and "<script>" not in quiz.feedback.value


def test_quiz_survives_random_typing():
    rng = random.Random(0)
    texts = ["".join(rng.choice(string.printable) for _ in range(rng.randint(1, 10))) for _ in range(150)]
    texts += ["".join(rng.choice("0123456789, x×()[]") for _ in range(rng.randint(1, 14))) for _ in range(150)]
    for quiz in _quizzes():
        for index in range(len(quiz._questions)):
            quiz.index = index
            for text in texts:
                quiz.answer.value = text
                assert isinstance(quiz.check(), Feedback)


def test_quiz_does_not_count_unreadable_answers():
    quiz = _quizzes()[1]
    quiz.answer.value = "thirty"
    assert quiz.check().message.startswith("Could not read a shape") and quiz.wrong_answers[0] == 0


# ---------------------------------------------------------------- ainotes.explorer_tasks
EXPLORER = [
    ("state image_size int", lambda: ExplorerState(28, KERNEL), TypeError, r"image_size must be a pair"),
    ("state image_size zero", lambda: ExplorerState((28, 0), KERNEL), ValueError, r"image_size\[1\]=0 is too small"),
    ("state kernel list", lambda: ExplorerState((28, 28), [[1, 0], [0, 1]]), TypeError,
     r"kernel must be a torch.Tensor, got list"),
    ("state kernel not square", lambda: ExplorerState((28, 28), torch.zeros(3, 2)), ValueError,
     r"kernel has shape \(3, 2\): the explorer's kernels are square"),
    ("state stride zero", lambda: ExplorerState((28, 28), KERNEL, stride=0), ValueError, r"stride=0 is too small"),
    ("state padding typo", lambda: ExplorerState((28, 28), KERNEL, padding="smae"), ValueError,
     r"padding='smae' is not known.*did you mean 'same'"),
    ("state padding negative", lambda: ExplorerState((28, 28), KERNEL, padding=-1), ValueError,
     r"padding=-1 is too small"),
    ("state padding_mode typo", lambda: ExplorerState((28, 28), KERNEL, padding_mode="zero"), ValueError,
     r"padding_mode='zero' is not known"),
    ("state output_size int", lambda: ExplorerState((28, 28), KERNEL, output_size=14), TypeError,
     r"output_size must be a pair"),
    ("bottom_edge_problem 1-D kernel", lambda: bottom_edge_problem(torch.ones(3)), ValueError,
     r"kernel must be 2-D \(rows, columns\).*got shape \(3,\)"),
    ("bottom_edge_problem name", lambda: bottom_edge_problem("sobel"), TypeError,
     r"kernel must be a 2-D tensor of weights.*got 'sobel'"),
    ("halving_setting not a state", lambda: halving_setting(None), TypeError,
     r"state must be an ExplorerState .*got None\."),
    ("TaskProgress.update not a state", lambda: TaskProgress().update("state"), TypeError,
     r"state must be an ExplorerState"),
    ("TaskProgress.note unknown task", lambda: TaskProgress().note("halving"), ValueError,
     r"key='halving' is not known.*did you mean 'halve'"),
]  # fmt: skip


@pytest.mark.parametrize("call, error, match", [e[1:] for e in EXPLORER], ids=[e[0] for e in EXPLORER])
def test_explorer_tasks_refuse_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_a_kernel_that_is_not_finite_is_not_a_bottom_edge_detector():
    assert bottom_edge_problem(torch.full((3, 3), float("nan"))) == (
        "some of its weights are not finite numbers (inf or nan)."
    )
    assert bottom_edge_problem([[1.0, 1, 1], [0, 0, 0], [-1, -1, -1]]) == ""  # a nested list still works
    state = ExplorerState((28, 28), KERNEL, 2, "same", 1, output_size=(14, 14))
    assert halving_setting(state) == (3, 2, "same", 1)


# ---------------------------------------------------------------- round 2: nan answers, odd layers, public hints
NAN, INF = float("nan"), float("inf")
M3, S3 = torch.zeros(3, 1, 1), torch.ones(3, 1, 1)
X3 = torch.zeros(3, 2, 2)


def _filled(value):
    def conv(image, kernel):
        out = by_hand(image, kernel)
        out[0, 0] = value
        return out

    return conv


def _all_nan(image, kernel):
    return torch.full((image.shape[0] - kernel.shape[0] + 1, image.shape[1] - kernel.shape[1] + 1), NAN)


NOT_FINITE = [
    ("conv2d all nan", lambda: check_conv2d(_all_nan), r"holds nan at output\[0, 0\] \(15 of 15 values are nan or inf\)"),
    ("conv2d one nan", lambda: check_conv2d(_filled(NAN)), r"holds nan at output\[0, 0\] \(1 of 15 values"),
    ("conv2d inf", lambda: check_conv2d(_filled(INF)), r"holds inf at output\[0, 0\].*division by zero"),
    ("unnormalize nan", lambda: check_unnormalize(lambda x, mean, std: x * NAN), r"holds nan or inf values"),
]  # fmt: skip


@pytest.mark.parametrize("call, match", [n[1:] for n in NOT_FINITE], ids=[n[0] for n in NOT_FINITE])
def test_nan_or_inf_in_written_code_is_a_wrong_answer_that_says_so(call, match):
    verdict = call()
    assert verdict.correct is False and re.search(match, verdict.message), verdict.message


def test_a_layer_without_parameters_gets_an_explanation():
    assert repr(check_parameter_count(0, nn.ReLU())) == "✓ Right. ReLU has no parameters: it learns nothing, so 0."
    assert "does it have a weight or a bias" in check_parameter_count(3, nn.ReLU()).message
    assert repr(check_parameter_count(3, nn.MaxPool2d(2), show_answer=True)).endswith(
        "You said 3, but MaxPool2d has no parameters: it learns nothing, so 0."
    )
    assert repr(check_parameter_count(12_832, nn.Conv2d(16, 32, 5))) == "✓ Right. 12,800 (weight) + 32 (bias) = 12,832."


def test_a_tiny_std_gets_a_verdict_not_a_division_by_zero():
    verdict = check_normalized_pixel(1.5, pixel=0.8, mean=0.5, std=1e-300)
    assert verdict.correct is False and "Work channel by channel" in verdict.message


def test_answers_in_bytes_or_a_2d_tensor_get_a_clear_verdict():
    verdict = check_output_shape(b"1, 16, 30, 30", IMAGE, CONV)
    assert verdict.correct is False and "from the bytes b'1, 16, 30, 30'" in verdict.message
    out = nn.BatchNorm1d(1)(torch.tensor([[1.0], [2.0], [3.0], [6.0]]))
    verdict = check_batchnorm_output(out, values=[1, 2, 3, 6])
    assert verdict.correct is False and "Could not read a tensor of shape (4, 1): give 4 numbers" in verdict.message
    assert "`.flatten()`" in verdict.message and "grad_fn" not in verdict.message
    assert check_batchnorm_output(out.flatten(), values=[1, 2, 3, 6]).correct


def test_softmax_of_valid_logits_is_unchanged():
    def before(logits):  # softmax as it was before its argument was checked
        exps = [math.exp(v - max(logits)) for v in logits]
        return [e / sum(exps) for e in exps]

    for logits in ([2.0, 1.0, 0.1], [3, -1, 0.5, 120], (0.0, 1e-3)):
        assert softmax(logits) == before(logits)
    assert softmax([5]) == [1.0] and softmax(torch.tensor([0.0, 0.0])) == [0.5, 0.5]


def test_hints_that_meet_odd_values_still_give_a_hint():
    assert unnormalize_hint(torch.full((3, 2, 2), NAN), X3, M3, S3).startswith("Your result holds nan or inf")
    assert normalized_pixel_hint([1.0], 0.8, [0.5], [1e-300]) == ""
    assert shape_hint((1, 2, 3, 3), (1, 2, 4, 4), (1, 2), nn.Conv2d(2, 2, 1)).startswith("Batch and channels are right")


ROUND2 = [
    # ainotes.feedback
    ("parse_shape bytes", lambda: parse_shape(b"1,2"), ValueError, r"Could not read a shape from the bytes b'1,2'"),
    ("parse_numbers bytes", lambda: parse_numbers(b"0.5"), ValueError, r"Could not read numbers from the bytes"),
    ("staged wrong_answers str", lambda: staged("5", "w", "h", "one"), TypeError,
     r"wrong_answers must be a whole number, got 'one'"),
    ("staged wrong_answers 0", lambda: staged("5", "w", "h", 0), ValueError, r"wrong_answers=0 is too small"),
    ("staged given int", lambda: staged(5, "w", "h", 1), TypeError, r"given must be a string, got 5 \(int\)"),
    ("staged hint None", lambda: staged("5", "w", None, 1), TypeError, r"hint must be a string, got None"),
    ("staged show_answer str", lambda: staged("5", "w", "h", 1, show_answer="no"), TypeError,
     r"show_answer must be True or False"),
    ("judge correct str", lambda: judge("c", "q", correct="no", given="1", right="r", worked="w", hint="",
                                        generic_hint="g"), TypeError, r"correct must be True or False, got 'no'"),
    ("judge check int", lambda: judge(1, "q", correct=False, given="1", right="r", worked="w", hint="",
                                      generic_hint="g"), TypeError, r"check must be a string, got 1"),
    ("answer_shown None", lambda: answer_shown(None), TypeError, r"worked must be a string, got None"),
    ("not_answered show_answer str", lambda: not_answered("yes", "w"), TypeError, r"show_answer must be True or False"),
    # ainotes.exercises, ainotes.quiz: layers that return a tuple, lazy layers
    ("output_shape LSTM", lambda: output_shape(nn.LSTM(3, 3), (1, 1, 3)), ValueError,
     r"layer LSTM\(3, 3\) returns a tuple, not one tensor: these checks ask about layers that return one tensor"),
    ("check_output_shape LSTM", lambda: check_output_shape([1, 8, 3], (1, 8, 8), nn.LSTM(8, 3, batch_first=True)),
     ValueError, r"layer LSTM\(8, 3, batch_first=True\) returns a tuple"),
    ("ShapeQuiz LSTM", lambda: ShapeQuiz([((1, 8), nn.LSTM(8, 3))]), ValueError,
     r"Question 1: layer LSTM\(8, 3\) returns a tuple"),
    ("ShapeQuiz.walk LSTM", lambda: ShapeQuiz.walk(nn.Sequential(nn.LSTM(8, 3)), (1, 8)), ValueError,
     r"Layer 0 of the model: layer LSTM\(8, 3\) returns a tuple"),
    ("check_parameter_count lazy", lambda: check_parameter_count(10, nn.LazyLinear(3)), ValueError,
     r"layer=LazyLinear\(in_features=0, out_features=3, bias=True\) is a lazy layer: .* first forward pass.*"
     r"nn\.Linear\(in_features, 3\) instead of nn\.LazyLinear\(3\)"),
    ("check_parameter_count lazy, no answer yet", lambda: check_parameter_count(None, nn.LazyConv2d(4, 3)),
     ValueError, r"is a lazy layer.*nn\.Conv2d\(in_channels, 4, 3\) instead of nn\.LazyConv2d\(4, 3\)"),
    # ainotes.hints
    ("parameter_hint lazy", lambda: parameter_hint(3, nn.LazyLinear(2)), ValueError, r"layer=LazyLinear.*lazy layer"),
    ("parameter_hint value str", lambda: parameter_hint("x", nn.Linear(2, 2)), TypeError,
     r"value must be a whole number, got 'x'"),
    ("receptive_field_hint numbers", lambda: receptive_field_hint(5, [1, 2]), TypeError,
     r"geometry\[0\] must be a LayerGeometry, as ainotes.conv.receptive_field\(layers\) gives; got 1 \(int\)"),
    ("receptive_field_hint value str", lambda: receptive_field_hint("x", receptive_field([{"kernel_size": 3}])),
     TypeError, r"value must be a whole number, got 'x'"),
    ("shape_hint empty shapes", lambda: shape_hint([], [], [], nn.ReLU()), ValueError,
     r"input_shape=\(\) is not a shape"),
    ("shape_hint given None", lambda: shape_hint(None, (1, 2), (1, 2), nn.Linear(2, 2)), TypeError,
     r"given must be a sequence of whole numbers.*got None"),
    ("shape_hint expected None", lambda: shape_hint((1, 2), None, (1, 2), nn.Linear(2, 2)), TypeError,
     r"expected must be a sequence of whole numbers"),
    ("batch_count_hint value str", lambda: batch_count_hint("x", 10, 3), TypeError, r"value must be a whole number"),
    ("last_batch_hint value None", lambda: last_batch_hint(None, 10, 3), TypeError, r"value must be a whole number"),
    # ainotes.image_checks, ainotes.image_hints
    ("check_normalized_pixel std too small", lambda: check_normalized_pixel(1.5, pixel=0.8, mean=0.5, std=1e-320),
     ValueError, r"std=\(1e-320,\) is too small: \(pixel − mean\) / std is not a finite number"),
    ("normalized_pixel_hint std 0", lambda: normalized_pixel_hint([1], 0.5, [0.5], [0]), ValueError,
     r"std=\[0\.0\] must be positive: Normalize divides by it"),
    ("normalized_pixel_hint pixel str", lambda: normalized_pixel_hint([1], "x", [0.5], [0.2]), TypeError,
     r"pixel must be a number, got 'x'"),
    ("normalized_pixel_hint mean float", lambda: normalized_pixel_hint([1], 0.5, 0.5, 0.2), TypeError,
     r"mean must be a list of numbers, got 0\.5 \(float\)"),
    ("normalized_pixel_hint lengths", lambda: normalized_pixel_hint([1], 0.5, [0.5], [0.2, 0.3]), ValueError,
     r"mean has 1 value but std has 2"),
    ("memory_hint value str", lambda: memory_hint("x", (2, 2), torch.float32, "B"), TypeError,
     r"value must be a number, got 'x'"),
    ("memory_hint shape negative", lambda: memory_hint(1.0, (2, -1), torch.float32, "B"), ValueError,
     r"shape=\(2, -1\) is not a shape"),
    ("memory_hint shape int", lambda: memory_hint(1.0, 2, torch.float32, "B"), TypeError,
     r"shape must be a sequence of whole numbers"),
    ("unnormalize_hint output None", lambda: unnormalize_hint(None, X3, M3, S3), TypeError,
     r"output must be a torch.Tensor, got None"),
    ("unnormalize_hint mean shape [3]", lambda: unnormalize_hint(X3, X3, torch.zeros(3), torch.ones(3)), ValueError,
     r"mean of shape \(3,\) and std of shape \(3,\) do not line up with x of shape \(3, 2, 2\)"),
    ("unnormalize_hint output shape", lambda: unnormalize_hint(torch.zeros(3, 2, 3), X3, M3, S3), ValueError,
     r"output has shape \(3, 2, 3\) but x has shape \(3, 2, 2\)"),
    ("mean_std_hint mean str", lambda: mean_std_hint("a", [0.3], [0.1], [0.3], 1e-4, lambda: [0.3]), TypeError,
     r"mean must be a list of numbers, got 'a'"),
    ("mean_std_hint tolerance str", lambda: mean_std_hint([0.1], [0.3], [0.1], [0.3], "x", lambda: [0.3]),
     TypeError, r"tolerance must be a number, got 'x'"),
    ("mean_std_hint per_image_std", lambda: mean_std_hint([0.1], [0.5], [0.1], [0.3], 1e-4, 3), TypeError,
     r"per_image_std must be callable"),
    ("mean_std_hint expected empty", lambda: mean_std_hint([], [], [], [], 1e-4, lambda: []), ValueError,
     r"expected_mean is empty"),
    ("permute_hint dims not a permutation", lambda: permute_hint((1, 2), (1, 2), (5, 6)), ValueError,
     r"dims=\(5, 6\) is not a reordering of the 2 dimensions of \[1, 2\]"),
    ("permute_hint given None", lambda: permute_hint(None, (1, 2), (0, 1)), TypeError,
     r"given must be a sequence of whole numbers"),
    # ainotes.classifier_checks
    ("softmax empty", lambda: softmax([]), ValueError, r"logits=\[\] is empty: give at least 1 number"),
    ("softmax None", lambda: softmax(None), TypeError, r"logits must be a 1-D sequence of numbers.*got None"),
    ("softmax str", lambda: softmax("abc"), TypeError, r"logits must be a 1-D sequence of numbers.*got 'abc'"),
    ("softmax nested", lambda: softmax([[1, 2]]), TypeError, r"logits=\[\[1, 2\]\] must hold numbers only"),
    ("softmax 2-D tensor", lambda: softmax(torch.zeros(2, 2)), ValueError, r"logits must be 1-D.*got shape \(2, 2\)"),
    ("softmax inf", lambda: softmax([INF, 0]), ValueError, r"logits=\[inf, 0\] must be finite numbers"),
    ("softmax_hint given str", lambda: softmax_hint("ab", [1, 2]), TypeError, r"given must be a 1-D sequence"),
    ("softmax_hint decimals str", lambda: softmax_hint([0.5, 0.5], [1, 2], decimals="2"), TypeError,
     r"decimals must be a whole number, got '2'"),
    ("generic_softmax_hint decimals 0", lambda: generic_softmax_hint(0), ValueError, r"decimals=0 is too small"),
    ("fc_parameters_hint value str", lambda: fc_parameters_hint("x", 32), TypeError, r"value must be a whole number"),
    # ainotes.training_checks
    ("one_cycle_lr_hint step past the end", lambda: one_cycle_lr_hint(0.1, 50, max_lr=0.01, total_steps=10),
     ValueError, r"step=50 is not a step of this schedule: give 0 \(the first batch\) to total_steps − 1 = 9"),
    ("one_cycle_lr_hint step negative", lambda: one_cycle_lr_hint(0.1, -1, max_lr=0.01, total_steps=10),
     ValueError, r"step=-1 is not a step of this schedule"),
    ("one_cycle_lr_hint value str", lambda: one_cycle_lr_hint("x", 5, max_lr=0.01, total_steps=10), TypeError,
     r"value must be a number, got 'x'"),
    ("hook_count_hint model None", lambda: hook_count_hint(3, None), TypeError,
     r"model must be a torch.nn.Module, got None"),
    ("hook_count_hint model class", lambda: hook_count_hint(1, nn.ReLU), TypeError,
     r"model must be a torch.nn.Module, got the class ReLU"),
    ("generic_one_cycle_hint typo", lambda: generic_one_cycle_hint("cosine"), ValueError,
     r"anneal_strategy='cosine' is not known.*did you mean 'cos'"),
    # ainotes.explorer_tasks
    ("ExplorerState circular", lambda: ExplorerState((6, 6), KERNEL, padding_mode="circular"), ValueError,
     r"padding_mode='circular' is not known: use one of 'zeros', 'reflect', 'replicate'"),
]  # fmt: skip


@pytest.mark.parametrize("call, error, match", [r[1:] for r in ROUND2], ids=[r[0] for r in ROUND2])
def test_round2_bad_input_raises_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_a_question_too_large_to_run_is_refused_before_building_it() -> None:
    """The shape check runs the layer on zeros: a shape of 150 million values is refused, not allocated."""
    with pytest.raises(
        ValueError, match=r"input_shape=\(1000, 3, 224, 224\) holds 150,528,000 values.*\(1, 3, 224, 224\)"
    ):
        output_shape(nn.Conv2d(3, 8, 3), (1000, 3, 224, 224))
    assert output_shape(nn.Conv2d(3, 8, 3), (64, 3, 224, 224)) == (64, 8, 222, 222)
