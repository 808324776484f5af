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
    assert {f.name.split("-")[0] for f in files} == {"jieba", "rubric"}
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
