"""Start-up caches (issue 19): jieba's dictionary as a cached trie, the parsed rubric cached
by its hash. Each is checked against what it replaces, and for staleness and corruption."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = sorted((ROOT / "seeds").glob("*.txt"))[0]


def _run(cache: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, CIVSCORE_CACHE=cache)
    return subprocess.run([sys.executable, "-m", "scorer", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_the_trie_holds_jiebas_own_frequencies():
    code = (
        "import jieba, json, random\n"
        "jieba.setLogLevel(60); jieba.initialize()\n"
        "words = random.Random(7).sample(sorted(jieba.dt.FREQ), 3000)\n"
        "print(json.dumps([jieba.dt.total, {w: jieba.dt.FREQ[w] for w in words}]))\n"
    )
    total, sample = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                              check=True, timeout=300).stdout)
    # in a fresh process, as a user meets it
    ours = (
        "import json, sys\n"
        "from scorer.match.lexicon import jieba\n"
        "from scorer.match.wordfreq import install\n"
        "install()\n"
        "words = json.loads(sys.stdin.read())\n"
        "print(json.dumps([jieba.dt.total, {w: jieba.dt.FREQ.get(w) for w in words},\n"
        "                  jieba.dt.FREQ.get('政党建设党建不是一个词'), '政党建设党建不是一个词' in jieba.dt.FREQ]))\n"
    )
    out = subprocess.run([sys.executable, "-c", ours], input=json.dumps(sorted(sample)), capture_output=True,
                         text=True, check=True, timeout=300, cwd=ROOT).stdout
    got_total, got, missing, contained = json.loads(out)
    assert got_total == total
    assert got == sample
    assert missing is None and not contained


def test_results_are_the_same_with_no_cache_a_fresh_cache_and_a_corrupt_one(tmp_path):
    cache = tmp_path / "cache"
    off = _run("off", "score", str(SEED), "--json")
    assert off.returncode == 0, off.stderr
    first = _run(str(cache), "score", str(SEED), "--json")  # builds the cache
    files = sorted(cache.iterdir())
    # jieba's trie, the compiled rubric, the judge file inflated, ingest's vocabulary parsed
    assert {f.name.split("-")[0] for f in files} == {"jieba", "rubric", "judge", "vocabulary"}
    second = _run(str(cache), "score", str(SEED), "--json")  # reads it
    for f in files:  # corrupt every entry: a torn write, flipped bytes
        data = bytearray(f.read_bytes())
        data[len(data) // 2] ^= 0xFF
        f.write_bytes(bytes(data[: len(data) - 7]))
    third = _run(str(cache), "score", str(SEED), "--json")
    assert first.returncode == second.returncode == third.returncode == 0, third.stderr
    assert json.loads(off.stdout) == json.loads(first.stdout) == json.loads(second.stdout) == json.loads(third.stdout)
    # and the corrupt entries were rebuilt whole
    fourth = _run(str(cache), "score", str(SEED), "--json")
    assert json.loads(fourth.stdout) == json.loads(off.stdout)


def test_a_changed_rubric_is_never_served_from_the_cache(tmp_path):
    cache = tmp_path / "cache"
    rubric = tmp_path / "court.yaml"
    text = (ROOT / "rubric" / "court.yaml").read_text(encoding="utf-8")
    rubric.write_text(text, encoding="utf-8")
    before = _run(str(cache), "score", str(SEED), "--rubric", str(rubric), "--json")
    assert before.returncode == 0, before.stderr
    changed = text.replace("title: ", "title: 改过的", 1)
    assert changed != text
    rubric.write_text(changed, encoding="utf-8")
    after = _run(str(cache), "score", str(SEED), "--rubric", str(rubric), "--json")
    assert after.returncode == 0, after.stderr
    b, a = json.loads(before.stdout), json.loads(after.stdout)
    assert a["rubric"]["sha256"] != b["rubric"]["sha256"]
    assert a["rubric"]["title"].startswith("改过的") and not b["rubric"]["title"].startswith("改过的")


def test_the_workbench_says_it_is_ready_only_once_it_answers(tmp_path):
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, CIVSCORE_CACHE=str(tmp_path / "cache"))
    proc = subprocess.Popen([sys.executable, "-m", "scorer", "serve", "--data", str(tmp_path / "data"),
                             "--port", str(port), "--workers", "1"], cwd=ROOT, env=env,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        assert f"http://127.0.0.1:{port}/" in line, line
        # the moment the line is out, the page answers (no retry)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as r:
            assert r.status == 200 and "评审" in r.read().decode("utf-8")
    finally:
        proc.terminate()
        proc.wait(30)


def test_a_taken_port_prints_no_ready_line(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        res = subprocess.run([sys.executable, "-m", "scorer", "serve", "--data", str(tmp_path / "data"),
                              "--port", str(port), "--workers", "0"], cwd=ROOT, capture_output=True, text=True,
                             timeout=300)
    assert res.returncode != 0
    assert "评审工作台" not in res.stderr


# The process's own settings (scorer.cli.process): one BLAS thread, no pydantic plugin scan,
# no cyclic collection during start-up, an exit without teardown. None may change what a
# user gets: the output, the exit code, the collector afterwards.

def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ, **env),
                          capture_output=True, text=True, timeout=300)


def test_the_console_script_ends_with_its_whole_output_and_its_exit_code(tmp_path):
    ok = _run(str(tmp_path / "cache"), "score", str(SEED), "--json")
    assert ok.returncode == 0, ok.stderr
    result = json.loads(ok.stdout)  # every byte of a large JSON reached the pipe before the fast exit
    assert result["submission"]["sha256"] and len(ok.stdout) > 20_000
    missing = _run(str(tmp_path / "cache"), "score", str(tmp_path / "nope.txt"))
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1 and "nope.txt" in missing.stderr and "Traceback" not in missing.stderr
    usage = _run(str(tmp_path / "cache"), "score", "--no-such-flag")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr


def test_atexit_handlers_still_run_before_the_fast_exit(tmp_path):
    marker = tmp_path / "ran"
    code = (
        "import atexit, pathlib, sys\n"
        f"atexit.register(pathlib.Path({str(marker)!r}).write_text, 'yes')\n"
        "sys.argv = ['civscore', '--version']\n"
        "from scorer.cli import main\n"
        "main()\n"
    )
    proc = _python(code)
    assert proc.returncode == 0 and proc.stdout.startswith("civscore ")
    assert marker.read_text() == "yes"


def test_the_collector_is_back_for_long_commands_and_after_the_first_report():
    code = (
        "import gc, json\n"
        "from scorer.cli import process\n"
        "seen = []\n"
        "process.prepare(); seen.append(gc.isenabled())\n"
        "process.command_started('batch'); seen.append(gc.isenabled())\n"
        "process.prepare(); process.command_started('score'); seen.append(gc.isenabled())\n"
        "process.startup_over(); seen.append(gc.isenabled())\n"
        "print(json.dumps(seen))\n"
    )
    proc = _python(code)
    assert json.loads(proc.stdout) == [False, True, False, True], proc.stderr
    # a `score` of two reports: the collector is on again once the first is done
    two = (
        "import gc, sys\n"
        "from typer.testing import CliRunner\n"
        "from scorer.cli import app, process\n"
        "process.prepare()\n"
        f"r = CliRunner().invoke(app, ['score', sys.argv[1], sys.argv[1], '--json'])\n"
        "print(r.exit_code, gc.isenabled())\n"
    )
    proc = subprocess.run([sys.executable, "-c", two, str(SEED)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.stdout.split() == ["0", "True"], proc.stderr


def test_settings_the_user_made_are_kept():
    code = (
        "import os\n"
        "from scorer.cli import process\n"
        "process.prepare()\n"
        "print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['PYDANTIC_DISABLE_PLUGINS'])\n"
    )
    assert _python(code).stdout.split() == ["1", "__all__"]
    mine = _python(code, OPENBLAS_NUM_THREADS="2", PYDANTIC_DISABLE_PLUGINS="some_plugin")
    assert mine.stdout.split() == ["2", "some_plugin"]
