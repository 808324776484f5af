"""`write_scorecard` replaces the target only with a complete PDF, never leaves a temp file."""

from __future__ import annotations

import os

import pytest
from weasyprint.document import Document

from scorecard_sample import build_sample
from scorer.report import pdf as pdf_module
from scorer.report.pdf import write_scorecard

OLD = b"%PDF-1.7 an older scorecard that must survive\n"


@pytest.fixture(scope="module")
def sample():
    return build_sample(vetoed=False)


def _failing_write(message, exc=RuntimeError):
    def write_pdf(self, target=None, *args, **kwargs):
        # A partial PDF reaches the target before rendering fails.
        target.write(b"%PDF-1.7\n% half a document")
        raise exc(message)

    return write_pdf


@pytest.mark.parametrize("exc", [RuntimeError, KeyboardInterrupt])
def test_failure_keeps_the_old_file_and_leaves_no_temp(sample, tmp_path, monkeypatch, exc):
    target = tmp_path / "card.pdf"
    target.write_bytes(OLD)
    monkeypatch.setattr(Document, "write_pdf", _failing_write("layout exploded", exc))
    with pytest.raises(exc, match="layout exploded"):
        write_scorecard(sample, target)
    assert target.read_bytes() == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["card.pdf"]


def test_failure_before_writing_leaves_nothing(sample, tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise ValueError("template broke")

    monkeypatch.setattr(pdf_module.ScorecardRenderer, "html", boom)
    with pytest.raises(ValueError, match="template broke"):
        write_scorecard(sample, tmp_path / "new.pdf")
    assert list(tmp_path.iterdir()) == []


def test_success_replaces_the_old_file(sample, tmp_path):
    target = tmp_path / "sub" / "card.pdf"
    target.parent.mkdir()
    target.write_bytes(OLD)
    os.chmod(target, 0o640)
    assert write_scorecard(sample, target) == target
    data = target.read_bytes()
    assert data.startswith(b"%PDF-") and data != OLD
    assert sorted(p.name for p in target.parent.iterdir()) == ["card.pdf"]
    assert target.stat().st_mode & 0o777 == 0o640  # the replaced file's mode is kept
