"""Interactive front-ends for the chapters (ipywidgets), each a thin layer over pure functions.

The logic lives in :mod:`ainotes.conv`, :mod:`ainotes.kernels`, :mod:`ainotes.exercises`,
:mod:`ainotes.explorer_tasks`, :mod:`ainotes.channelplot` and the pure functions of
:mod:`ainotes.param_explorer`, :mod:`ainotes.schedule_explorer` and :mod:`ainotes.transfer_explorer`,
which tests call directly; the widgets only read controls and show results. Each widget draws its default state when it is created, so a page built from the executed
notebook shows a real figure, not an empty box. All work with ipywidgets 7.7 (Google Colab) and 8.

- :class:`~ainotes.explorer.ConvolutionExplorer`: an image, a kernel and the settings of a
  convolution, live, with optional guided tasks;
- :class:`~ainotes.channel_explorer.ChannelExplorer`: a CIFAR-10 image chosen by class, its colour
  channels, and its pixel values per channel raw and normalised (figure from
  :func:`ainotes.channelplot.channel_figure`);
- :class:`~ainotes.param_explorer.ParameterExplorer`: the parameters and memory of a fully connected
  network and a CNN on the same images, for image sizes from 8×8 to 1024×1024 (figure from
  :func:`ainotes.param_explorer.parameter_figure`);
- :class:`~ainotes.schedule_explorer.OneCycleExplorer`: the learning rate and momentum of a
  one-cycle schedule, step by step, read from ``OneCycleLR`` itself (figure from
  :func:`ainotes.schedule_explorer.schedule_figure`);
- :class:`~ainotes.bn_explorer.BatchNormExplorer`: one channel of a trained model's BatchNorm2d
  layer, its input and its output in train and eval mode, and how much an image's prediction in
  train mode depends on the other images of its batch (figure from
  :func:`ainotes.bn_explorer.batchnorm_figure`);
- :class:`~ainotes.transfer_explorer.TransferExplorer`: chapter 7's results, computed beforehand: the
  validation accuracy per epoch of each way to train (from scratch, feature extraction, fine-tuning)
  for a chosen number of images per class, and the test accuracy against that number (figure from
  :func:`ainotes.transfer_explorer.transfer_figure`, the best method in words below it);
- :class:`~ainotes.quiz.ShapeQuiz`: predict output shapes, question by question, or layer by layer
  through a model (:meth:`ShapeQuiz.walk <ainotes.quiz.ShapeQuiz.walk>`).
"""

from __future__ import annotations

from ainotes.bn_explorer import BatchNormExplorer
from ainotes.channel_explorer import ChannelExplorer
from ainotes.explorer import ConvolutionExplorer
from ainotes.param_explorer import ParameterExplorer
from ainotes.quiz import ShapeQuiz
from ainotes.schedule_explorer import OneCycleExplorer
from ainotes.transfer_explorer import TransferExplorer

__all__ = [
    "BatchNormExplorer",
    "ChannelExplorer",
    "ConvolutionExplorer",
    "OneCycleExplorer",
    "ParameterExplorer",
    "ShapeQuiz",
    "TransferExplorer",
]
