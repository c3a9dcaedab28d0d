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
