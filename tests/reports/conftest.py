"""The reports' tests: a fake document writer, and what a request queues run as on commit."""

import pytest

from reports import services


@pytest.fixture
def fake_writer(monkeypatch):
    """The document itself is tested with its own module: here a writer that reports progress."""
    calls = []

    def write(export, handle, progress):
        calls.append(export.pk)
        progress(1, 2)
        handle.write(b"%PDF-1.7 contenu")
        progress(2, 2)

    monkeypatch.setattr(services, "_write", write)
    return calls


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what a request queues on commit, as the worker (or the inline fallback) would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
