import builtins
import sys

from ainotes.notebook import glue, in_colab


def test_in_colab(monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert not in_colab()
    monkeypatch.setitem(sys.modules, "google.colab", object())
    assert in_colab()


def test_glue_uses_myst_nb_when_installed(monkeypatch):
    calls = []
    import myst_nb

    monkeypatch.setattr(myst_nb, "glue", lambda *a, **k: calls.append((a, k)))
    glue("n", 3)
    assert calls == [(("n", 3), {"display": False})]


def test_glue_without_myst_nb_shows_only_when_asked(monkeypatch):
    real_import = builtins.__import__

    def no_myst(name, *args, **kwargs):
        if name == "myst_nb":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    shown = []
    monkeypatch.setattr(builtins, "__import__", no_myst)
    monkeypatch.setattr("IPython.display.display", lambda v: shown.append(v))
    glue("n", 3)
    glue("m", 4, display=True)
    assert shown == [4]


def test_glue_stores_numpy_scalars_as_python_numbers(monkeypatch):
    # myst-nb formats the text/plain repr: np.float64(99.4) would reach the page as such.
    import myst_nb
    import numpy as np

    calls = []
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, **k: calls.append(value))
    glue("share", np.float64(99.4))
    glue("count", np.int64(3))
    glue("array", np.arange(2))
    assert calls[0] == 99.4 and type(calls[0]) is float and type(calls[1]) is int
    assert isinstance(calls[2], np.ndarray)  # arrays are left alone


def test_show_figure_gives_the_png_an_alt_text_from_the_titles(monkeypatch):
    import matplotlib.pyplot as plt

    from ainotes.notebook import figure_alt, show_figure

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda v: shown.append(v))
    fig, axes = plt.subplots(1, 2)
    fig.suptitle("The explorer")
    axes[0].set_title("input")
    show_figure(fig)
    assert shown[0].metadata == {"alt": "The explorer. Panels: input."} and shown[0].data.startswith(b"\x89PNG")
    axes[0].set_title("")
    fig.suptitle("")
    assert figure_alt(fig) == "A figure (its panels have no titles)."
    plt.close(fig)
