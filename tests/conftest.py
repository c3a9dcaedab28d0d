"""Shared test set-up: a headless plotting backend and a private data cache per test session."""

import os

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture(scope="session")
def cache_root(tmp_path_factory):
    """A fresh cache folder, so tests prove data can be prepared from scratch."""
    return tmp_path_factory.mktemp("ainotes-data")


@pytest.fixture
def fresh_cache(cache_root, monkeypatch):
    monkeypatch.setenv("AINOTES_DATA", str(cache_root))
    return cache_root


@pytest.fixture
def no_network(monkeypatch):
    """Downloads fail as they do on a machine without internet, without sending anything."""
    from ainotes.data import sources

    def refuse(host, timeout):
        raise OSError(f"Name or service not known: {host}")

    monkeypatch.setattr(sources, "_resolve", refuse)


@pytest.fixture(autouse=True)
def _fresh_attempts():
    """Every test starts with no wrong answers counted by the self-checks."""
    from ainotes.feedback import reset_attempts

    reset_attempts()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def pytest_report_header(config):
    return f"AINOTES_MIRROR={os.environ.get('AINOTES_MIRROR', '(unset)')}"
