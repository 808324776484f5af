"""`check_pdf_environment` names the Debian package to install when the CJK font or
HarfBuzz subsetting is missing, probes once per process, and guards `write_scorecard`."""

from __future__ import annotations

import pytest

from scorecard_sample import build_sample
from scorer.errors import CivscoreError, EnvironmentProblem
from scorer.report import environment
from scorer.report.environment import check_pdf_environment
from scorer.report.pdf import write_scorecard

NOTO = {"Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "DejaVu Sans"}


@pytest.fixture(autouse=True)
def fresh_cache():
    environment._problems.cache_clear()
    yield
    environment._problems.cache_clear()


def _probes(monkeypatch, fonts, harfbuzz):
    calls = {"fonts": 0, "harfbuzz": 0}

    def fake_fonts():
        calls["fonts"] += 1
        return fonts

    def fake_harfbuzz():
        calls["harfbuzz"] += 1
        return harfbuzz

    monkeypatch.setattr(environment, "cjk_font_families", fake_fonts)
    monkeypatch.setattr(environment, "harfbuzz_subset_available", fake_harfbuzz)
    return calls


def test_this_machine_is_ready():
    check_pdf_environment()
    assert environment.harfbuzz_subset_available()
    assert "Noto Sans CJK SC" in environment.cjk_font_families()


def test_missing_cjk_font_names_the_package(monkeypatch):
    _probes(monkeypatch, {"DejaVu Sans"}, True)
    with pytest.raises(EnvironmentProblem) as err:
        check_pdf_environment()
    msg = str(err.value)
    assert "fonts-noto-cjk" in msg and "libharfbuzz" not in msg
    assert "\n" not in msg
    assert isinstance(err.value, CivscoreError)


def test_missing_fc_list_names_the_packages(monkeypatch):
    _probes(monkeypatch, None, True)
    with pytest.raises(EnvironmentProblem, match="fontconfig.*fonts-noto-cjk"):
        check_pdf_environment()


def test_missing_harfbuzz_subset_names_the_package(monkeypatch):
    _probes(monkeypatch, NOTO, False)
    with pytest.raises(EnvironmentProblem) as err:
        check_pdf_environment()
    msg = str(err.value)
    assert "libharfbuzz-subset0" in msg and "fonts-noto-cjk" not in msg
    assert "10-15 s" in msg


def test_both_missing_in_one_line(monkeypatch):
    _probes(monkeypatch, set(), False)
    with pytest.raises(EnvironmentProblem) as err:
        check_pdf_environment()
    msg = str(err.value)
    assert "fonts-noto-cjk" in msg and "libharfbuzz-subset0" in msg and "\n" not in msg


def test_probes_run_once_until_refreshed(monkeypatch):
    calls = _probes(monkeypatch, NOTO, True)
    for _ in range(3):
        check_pdf_environment()
    assert calls == {"fonts": 1, "harfbuzz": 1}
    check_pdf_environment(refresh=True)
    assert calls == {"fonts": 2, "harfbuzz": 2}


def test_write_scorecard_refuses_before_rendering(monkeypatch, tmp_path):
    _probes(monkeypatch, NOTO, False)
    with pytest.raises(EnvironmentProblem, match="libharfbuzz-subset0"):
        write_scorecard(build_sample(vetoed=False), tmp_path / "x.pdf")
    assert list(tmp_path.iterdir()) == []


def test_harfbuzz_probe_reports_a_missing_library(monkeypatch):
    monkeypatch.setattr(environment.ctypes.util, "find_library", lambda name: None)
    monkeypatch.setattr(environment, "_HARFBUZZ_NAMES", ("libdoes-not-exist-civscore.so.0",))
    assert environment.harfbuzz_subset_available() is False


def test_font_probe_without_fc_list(monkeypatch):
    monkeypatch.setattr(environment.shutil, "which", lambda name: None)
    assert environment.cjk_font_families() is None
