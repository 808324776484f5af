"""The error catalogue (issue 18.3): every error a user can meet has a code, its fields,
and a message in Chinese and in English. The CLI says it in the language of --lang or
the locale; --error-format json carries the code and fields; the workbench shows the
Chinese. Nothing is translated by matching the English words."""

from __future__ import annotations

import ast
import json
import pickle
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner
from web_support import Reviewer

from scorer.cli import app
from scorer.errors import InputError, RubricError, UsageProblem
from scorer.ingest import load_document
from scorer.ingest.sniff import _BINARY_SIGNATURES
from scorer.messages import CATALOGUE, LANGUAGES, TERMS, language, render, set_language, template_fields
from scorer.rubric import Problem, load_rubric

ROOT = Path(__file__).resolve().parent.parent
SCORER = ROOT / "scorer"
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
HAN = re.compile(r"[\u4e00-\u9fff\uff08\uff09\uff1a\uff0c]")  # Chinese characters or full-width punctuation


# -- the catalogue -------------------------------------------------------------------------


def _sample(name: str):
    return "s" if name == "plural" else 3


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_code_has_both_languages_over_the_same_fields(code):
    msg = CATALOGUE[code]
    assert re.fullmatch(r"[a-z]+(\.[a-z0-9_-]+)?", code), code
    assert msg.en.strip() and msg.zh.strip()
    assert HAN.search(msg.zh), f"{code}: the Chinese template is not Chinese: {msg.zh!r}"
    assert not HAN.search(msg.en), f"{code}: the English template holds Chinese: {msg.en!r}"
    assert template_fields(msg.en) == template_fields(msg.zh), code
    fields = {name: _sample(name) for name in template_fields(msg.en)}
    for lang in LANGUAGES:
        line = render(code, fields, lang)
        assert "\n" not in line and "{" not in line, (code, lang, line)


def test_terms_are_chinese():
    assert all(HAN.search(zh) or zh.isascii() and zh.startswith("PDF") for zh in TERMS.values())


# -- every raising site names a code of the catalogue and gives exactly its fields -------------

# callable → (index of the code argument, prefix of the catalogue code)
_SITES = {
    "CivscoreError": (1, ""), "InputError": (1, ""), "OutputError": (1, ""), "UsageProblem": (1, ""),
    "EnvironmentProblem": (1, ""), "ReadProblem": (0, ""), "OverLimit": (0, ""), "fail": (0, ""),
    "say_error": (0, ""), "InvalidValue": (0, "rubric."), "Problem": (3, "rubric."), "refuse": (0, "rubric."),
    "_Refused": (1, "rubric."),
}
# Functions that rebuild an error from its parts (unpickling) rather than raise a new one.
_NOT_SITES = {("scorer/rubric/problems.py", "_rebuild")}


def _name(call: ast.Call) -> str | None:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def _codes(node: ast.AST) -> list[str] | None:
    """The literal code(s) an argument can be: a string, or either branch of `a if c else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        a, b = _codes(node.body), _codes(node.orelse)
        return a + b if a is not None and b is not None else None
    return None


def _sites():
    for path in sorted(SCORER.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = {id(n) for fn in ast.walk(tree) if isinstance(fn, ast.FunctionDef) and (rel, fn.name) in _NOT_SITES
                   for n in ast.walk(fn)}
        inside = {id(n): fn.name for fn in ast.walk(tree) if isinstance(fn, ast.FunctionDef) for n in ast.walk(fn)}
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and _name(call) in _SITES and id(call) not in skipped:
                yield rel, call, inside.get(id(call))


def test_every_raise_site_passes_a_catalogue_code_and_its_fields():
    problems, seen = [], set()
    for rel, call, function in _sites():
        name = _name(call)
        index, prefix = _SITES[name]
        where = f"{rel}:{call.lineno}: {name}(…)"
        if len(call.args) <= index:
            problems.append(f"{where}: no code")
            continue
        arg = call.args[index]
        # Not fields: a Problem's `value_line`, an InvalidValue's `at` (where below its model it lies).
        given = {k.arg for k in call.keywords if k.arg is not None and k.arg != "value_line"
                 and not (name == "InvalidValue" and k.arg == "at")}
        spread = [k.value for k in call.keywords if k.arg is None]
        codes = _codes(arg)
        if codes is None:
            # Allowed: passing on another error's code with its own fields (`e.code, **e.fields`),
            # the sniffer's table (checked below), and a pydantic finding with its English words.
            if (isinstance(arg, ast.Attribute) and arg.attr == "code" and len(spread) == 1
                    and isinstance(spread[0], ast.Attribute) and spread[0].attr == "fields"
                    and ast.dump(spread[0].value) == ast.dump(arg.value)):
                continue
            # A helper that is itself a checked site passes its own code and fields on: fail(), refuse().
            if (function in _SITES and isinstance(arg, ast.Name) and len(spread) == 1
                    and isinstance(spread[0], ast.Name)):
                continue
            if rel == "scorer/ingest/sniff.py" and isinstance(arg, ast.Name) and arg.id == "code" and given == {"what"}:
                continue
            if name == "Problem" and len(call.args) == 5:  # rubric.invalid, with pydantic's words as detail
                assert rel == "scorer/rubric/loader.py", where
                continue
            problems.append(f"{where}: the code is not a literal")
            continue
        if spread:
            problems.append(f"{where}: fields given with **")
            continue
        for code in codes:
            key = prefix + code
            seen.add(key)
            if key not in CATALOGUE:
                problems.append(f"{where}: {key!r} is not in the catalogue")
            elif template_fields(CATALOGUE[key].en) != given:
                problems.append(f"{where}: {key!r} takes {sorted(template_fields(CATALOGUE[key].en))}, "
                                f"given {sorted(given)}")
    assert not problems, "\n".join(problems)
    assert len(seen) > 100  # the walk found the sites


def test_every_rubric_error_lists_problems_with_codes():
    """`RubricError(path, [...])`: each listed problem is a `Problem` (a code and fields), not a sentence."""
    bad = []
    for path in sorted(SCORER.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(call, ast.Call) and _name(call) == "RubricError" and len(call.args) == 2:
                items = call.args[1]
                if isinstance(items, ast.List) and not all(
                        isinstance(i, ast.Call) and _name(i) in ("Problem", "refuse") for i in items.elts):
                    bad.append(f"{rel}:{call.lineno}")
    assert not bad, bad
    with pytest.raises(AttributeError):
        RubricError("r.yaml", ["r.yaml: a sentence"])


def test_the_sniffers_table_names_catalogue_codes():
    for _, what, code in _BINARY_SIGNATURES:
        assert template_fields(CATALOGUE[code].en) == {"what"} and what in TERMS


def test_no_error_is_raised_with_a_sentence():
    """A new `raise InputError(path, f"…")` fails here (and at run time: the constructor checks)."""
    with pytest.raises(KeyError, match="not in the catalogue"):
        InputError("a.txt", "the file is empty")
    with pytest.raises(TypeError, match="takes fields"):
        InputError("a.txt", "input.too-large", size=3)


def test_nothing_is_translated_by_pattern():
    from scorer.web import uploads

    source = (SCORER / "web" / "uploads.py").read_text(encoding="utf-8")
    assert not hasattr(uploads, "chinese_reason") and "import re" not in source


# -- errors as data ------------------------------------------------------------------------------


def test_an_error_is_its_code_and_fields_in_either_language(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(InputError) as info:
        load_document(empty)
    e = info.value
    assert (e.code, e.fields) == ("input.empty", {})
    assert str(e) == e.message == f"{empty}: the file is empty"  # English by default
    assert e.text("zh") == f"{empty}: 文件是空的"
    assert e.to_json() == {"code": "input.empty", "path": str(empty), "fields": {},
                           "message": f"{empty}: the file is empty"}
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 3000)
    with pytest.raises(InputError) as info:
        load_document(big, max_bytes=1000)
    assert info.value.code == "input.too-large" and info.value.fields == {"size": 3000, "limit": 1000}
    assert info.value.problem_in("zh") == "文件过大：3,000 字节，超过上限 1,000 字节"


def test_errors_survive_pickling_with_their_code(tmp_path):
    """Batch workers send their set-up errors across processes."""
    e = UsageProblem("x.yaml", "usage.no-reviewer", name="王五")
    f = pickle.loads(pickle.dumps(e))
    assert type(f) is UsageProblem and (f.path, f.code, f.fields) == ("x.yaml", "usage.no-reviewer", {"name": "王五"})
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: a\nid: b\n", encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(bad)
    r = pickle.loads(pickle.dumps(info.value))
    assert [p.key for p in r.problems] == [p.key for p in info.value.problems]
    assert r.text("zh") == info.value.text("zh")


def test_rubric_problems_have_codes_and_both_languages(tmp_path):
    text = (ROOT / "tests" / "fixtures" / "rubrics" / "mini.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("version:", "colour: red\nversion:", 1), encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(bad)
    [p] = info.value.problems
    assert (p.key, p.fields) == ("rubric.extra_forbidden", {"key": "colour"})
    assert p.text("en") == str(p) and p.text("en").endswith("colour: unknown key 'colour'")
    assert p.text("zh").endswith("colour: 未知的键 'colour'")
    assert info.value.to_json()["problems"][0]["code"] == "rubric.extra_forbidden"
    # a pydantic finding without a code of its own is rubric.invalid with pydantic's words
    q = Problem("r.yaml", 3, ("a",), "int_parsing", "Input should be a valid integer")
    assert q.key == "rubric.invalid" and q.text("zh") == "r.yaml:3: a: 取值无效：Input should be a valid integer"


# -- the CLI: the language of --lang, else of the locale --------------------------------------------


def _run(*args, env=None):
    return CliRunner().invoke(app, list(args), env={"LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8", **(env or {})})


@pytest.fixture()
def empty(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    return p


def test_cli_speaks_english_by_default(empty):
    r = _run("score", str(empty))
    assert r.exit_code == 2 and r.stderr.splitlines() == [f"error: {empty}: the file is empty"]


def test_cli_speaks_chinese_under_a_chinese_locale(empty):
    r = _run("score", str(empty), env={"LANG": "zh_CN.UTF-8"})
    assert r.exit_code == 2 and r.stderr.splitlines() == [f"error: {empty}: 文件是空的"]
    r = _run("score", str(empty), env={"LC_MESSAGES": "zh_TW.UTF-8"})
    assert r.stderr.splitlines() == [f"error: {empty}: 文件是空的"]
    # LC_ALL overrides LANG, as POSIX has it
    r = _run("score", str(empty), env={"LANG": "zh_CN.UTF-8", "LC_ALL": "en_US.UTF-8"})
    assert r.stderr.splitlines() == [f"error: {empty}: the file is empty"]


def test_cli_language_option_wins_over_the_locale(empty):
    r = _run("--lang", "zh", "score", str(empty))
    assert r.stderr.splitlines() == [f"error: {empty}: 文件是空的"]
    r = _run("score", str(empty), "--lang", "zh")  # accepted after the command too, like -q
    assert r.stderr.splitlines() == [f"error: {empty}: 文件是空的"]
    r = _run("score", str(empty), "--lang=en", env={"LANG": "zh_CN.UTF-8"})
    assert r.stderr.splitlines() == [f"error: {empty}: the file is empty"]
    r = _run("--lang", "fr", "score", str(empty))
    assert r.exit_code == 2 and "--lang" in r.stderr


def test_cli_says_every_kind_of_error_in_chinese(tmp_path, empty):
    # a usage problem, a rubric (one line per problem), several files, a bad command line
    r = _run("--lang", "zh", "score", str(empty), "--max-size", "0")
    assert r.exit_code == 2 and "不是有效的大小" in r.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: a\nid: b\n", encoding="utf-8")
    r = _run("--lang", "zh", "score", str(SEEDS[0]), "--rubric", str(bad))
    assert r.exit_code == 2 and f"{bad}:2: id: 键重复" in r.stderr
    r = _run("--lang", "zh", "score", str(SEEDS[0]), str(empty), "--json")
    assert r.exit_code == 2 and f"error: {empty}: 文件是空的" in r.stderr and "1 of 2 failed" in r.stderr
    r = _run("--lang", "zh", "score", "--no-such-option")
    assert r.exit_code == 2 and "命令行有误" in r.stderr and "见 --help" in r.stderr


def test_cli_in_a_real_process_under_a_chinese_locale(empty):
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(ROOT), "LANG": "zh_CN.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}
    proc = subprocess.run([sys.executable, "-m", "scorer", "score", str(empty)], capture_output=True, text=True,
                          env=env)
    assert proc.returncode == 2 and proc.stderr.splitlines() == [f"error: {empty}: 文件是空的"], proc.stderr


def test_batch_says_a_failed_file_in_the_language_asked(tmp_path):
    """A batch worker's error reaches the CLI whole (code and fields), so it is said in Chinese
    both as it happens and in the closing list; the ranking files keep the English line."""
    intake = tmp_path / "intake"
    intake.mkdir()
    (intake / "a.txt").write_bytes(SEEDS[0].read_bytes())
    (intake / "junk.txt").write_bytes(b"\x00\x01 binary")
    r = _run("batch", str(intake), "--out", str(tmp_path / "out"), "--no-pdf", "--workers", "1", "--lang", "zh")
    assert r.exit_code == 2, r.output
    said = render("input.binary", {}, "zh")
    assert f"error: {intake / 'junk.txt'}: {said}" in r.stderr
    assert f"  junk.txt: {said}" in r.stdout


def test_json_errors_carry_the_code_and_fields(tmp_path, empty):
    r = _run("score", str(empty), "--error-format", "json")
    assert r.exit_code == 2
    [line] = r.stderr.splitlines()
    assert json.loads(line) == {"error": {"code": "input.empty", "path": str(empty), "fields": {},
                                          "message": f"{empty}: the file is empty"}}
    big = tmp_path / "big.txt"
    big.write_text("文" * 2000, encoding="utf-8")
    r = _run("--error-format=json", "--lang", "zh", "score", str(big), "--max-size", "0.001")
    err = json.loads(r.stderr.splitlines()[0])["error"]
    assert err["code"] == "input.too-large" and err["fields"] == {"size": 6000, "limit": 1048}
    assert err["message"] == f"{big}: 文件过大：6,000 字节，超过上限 1,048 字节"
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: a\nid: b\n", encoding="utf-8")
    r = _run("score", str(SEEDS[0]), "--rubric", str(bad), "--error-format", "json")
    err = json.loads(r.stderr.splitlines()[0])["error"]
    assert err["code"] == "rubric.duplicate-key" and err["problems"][0]["line"] == 2
    r = _run("--error-format", "json", "score", "--no-such-option")
    assert json.loads(r.stderr.splitlines()[0])["error"]["code"] == "usage.command-line"
    forged = tmp_path / "gpj\u202e.txt"  # a bidi control in a file name stays escaped in JSON too
    r = _run("--error-format", "json", "score", str(forged))
    assert "\u202e" not in r.stderr and json.loads(r.stderr)["error"]["path"] == str(forged)


def test_language_follows_the_locale_variables():
    set_language(None)
    assert language({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert language({"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}) == "en"
    assert language({"LC_MESSAGES": "zh_HK", "LANG": "en_GB"}) == "zh"
    assert language({}) == "en"
    set_language("zh")
    try:
        assert language({"LANG": "en_US"}) == "zh"
    finally:
        set_language(None)


# -- the workbench shows the catalogue's Chinese ----------------------------------------------------


def test_workbench_refuses_an_upload_with_the_catalogues_chinese(tmp_path):
    from scorer.web.app import create_app

    rv = Reviewer(create_app(tmp_path / "data"))
    rid = rv.new_round()
    r = rv.upload(rid, "report.txt", b"\x00\x01\x02binary\x00" * 200)
    assert r.status_code == 400
    assert f"report.txt：{render('input.binary', {}, 'zh')}，未保存。" in r.text
    assert 'data-code="input.binary"' in r.text
    r = rv.upload(rid, "scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    assert f"scan.png：{render('input.unsupported-scan', {'what': 'a PNG image'}, 'zh')}，未保存。" in r.text
    assert "PNG 图片" in r.text
