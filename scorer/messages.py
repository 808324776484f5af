"""The error catalogue: every error a user can meet, by code, in English and in Chinese.

A raising site names a code and gives its fields (`InputError(path, "input.empty")`,
`OutputError(path, "output.cannot-write", reason=…)`); the message is made from the
catalogue in the language asked for, so rewording a message keeps its translation
with it and nothing is translated by matching text.

Templates are `str.format` strings over the fields. Two conversions of our own:

- `{x!t}`: `x` is one of a closed set of English terms (a kind of file, an OS
  reason); Chinese shows its entry in `TERMS` (an unknown value is shown as is);
- `{n!b}`: `n` is a number of bytes, shown exactly and, when large, in MiB.

Codes are stable ids (`input.empty`, `rubric.yaml`, `output.overwrite-input`): JSON
output and the workbench carry them; scripts may match on them, never on the words.
"""

from __future__ import annotations

import os
import string
from dataclasses import dataclass
from typing import Mapping

LANGUAGES = ("en", "zh")


@dataclass(frozen=True)
class Message:
    en: str
    zh: str

    def template(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def template_fields(template: str) -> set[str]:
    """The field names a template uses (`{size!b}` → size, `{a.b}` → a)."""
    names = set()
    for _, name, _, _ in string.Formatter().parse(template):
        if name is not None:
            if name == "" or name.isdigit():
                raise ValueError(f"positional field in {template!r}")
            names.add(name.split(".")[0].split("[")[0])
    return names


# fmt: off
CATALOGUE: dict[str, Message] = {
    # -- reading a submission (scorer.ingest) ------------------------------------------
    "input.not-found": Message("file not found", "文件不存在"),
    "input.access": Message("cannot access the file ({reason})", "无法访问文件（{reason!t}）"),
    "input.directory": Message("is a directory, not a file", "是文件夹，不是文件"),
    "input.not-regular": Message("is not a regular file", "不是普通文件"),
    "input.too-large": Message("file is {size!b}, over the {limit!b} limit", "文件过大：{size!b}，超过上限 {limit!b}"),
    "input.too-large-read": Message("file is over the {limit!b} limit", "文件过大，超过上限 {limit!b}"),
    "input.read": Message("cannot read the file ({reason})", "无法读取文件（{reason!t}）"),
    "input.empty": Message("the file is empty", "文件是空的"),
    "input.own-output": Message(
        "is civscore's own {kind} (it carries civscore's mark), not a submission; score the report it was made from",
        "这是 civscore 生成的{kind!t}，不是申报材料（带有 civscore 的标记），请使用生成它的原始申报材料"),
    "input.unreadable": Message("the {kind} file cannot be read ({error})", "{kind!t}文件无法读取（{error}）"),
    "input.hidden-text": Message("all of the file's text is hidden from a reader ({hidden:,} hidden characters)",
                                 "文件中的文字全部对读者隐藏（{hidden:,} 个隐藏字符）"),
    "input.no-text": Message("the file has no text (only whitespace)", "文件中没有文字（只有空白）"),
    "input.no-report-text": Message("no report text is left after removing page furniture and website boilerplate",
                                    "去除页眉页脚和网页模板后没有剩下正文"),
    "input.not-chinese": Message(
        "almost no Chinese text ({han} Chinese characters, {share:.0%} of letters); expected a report in Chinese",
        "文件中几乎没有中文（{han} 个汉字，占文字的 {share:.0%}），不像一份中文申报材料"),
    # budgets (scorer.ingest.limits): `what` is "the file", "the .docx", "the text", "the HTML page" or "the PDF"
    "input.limit-chars": Message("{what} holds more than {limit:,} characters of text (limit max_chars)",
                                 "{what!t}中的文字超过 {limit:,} 个字符（限制 max_chars）"),
    "input.limit-unpack": Message(
        "the .docx would unpack to {size:,} bytes, over the {limit:,}-byte limit "
        "(limit max_unpacked_bytes: a zip bomb or a document full of media)",
        "该 .docx 解压后有 {size:,} 字节，超过 {limit:,} 字节的上限（限制 max_unpacked_bytes：可能是压缩炸弹，或文档中的图片等内容过多）"),
    "input.limit-unpacked": Message("the .docx unpacks to more than {limit:,} bytes (limit max_unpacked_bytes)",
                                    "该 .docx 解压后超过 {limit:,} 字节（限制 max_unpacked_bytes）"),
    "input.limit-docx-elements": Message("the .docx holds more than {limit:,} XML elements (limit max_elements)",
                                         "该 .docx 中的 XML 元素超过 {limit:,} 个（限制 max_elements）"),
    "input.limit-docx-depth": Message("the .docx nests XML elements more than {limit:,} deep (limit max_depth)",
                                      "该 .docx 中的 XML 元素嵌套超过 {limit:,} 层（限制 max_depth）"),
    "input.limit-html-elements": Message("the HTML page has more than {limit:,} elements (limit max_elements)",
                                         "网页元素超过 {limit:,} 个（限制 max_elements）"),
    "input.limit-html-depth": Message("the HTML page nests elements more than {limit:,} deep (limit max_depth)",
                                      "网页元素嵌套超过 {limit:,} 层（限制 max_depth）"),
    "input.limit-pages": Message("the PDF has {pages:,} pages, over the {limit:,}-page limit (limit max_pages)",
                                 "PDF 有 {pages:,} 页，超过 {limit:,} 页的上限（限制 max_pages）"),
    "input.stdin-too-large": Message("standard input is over the {limit:,} byte limit (--max-size)",
                                     "标准输入超过 {limit:,} 字节的上限（--max-size）"),
    # the format of the bytes (scorer.ingest.sniff and the readers)
    "input.unsupported": Message("unsupported file format: {what!t}", "不支持的文件格式：{what!t}"),
    "input.unsupported-scan": Message("unsupported file format: {what!t}; a scanned page needs OCR first",
                                      "不支持的文件格式：{what!t}，扫描件需先做文字识别"),
    "input.unsupported-save-docx": Message("unsupported file format: {what!t}; save it as .docx",
                                           "不支持的文件格式：{what!t}，请另存为 .docx 后上传"),
    "input.unsupported-office": Message("unsupported file format: {what!t}; save the report as .docx, .pdf or .txt",
                                        "不支持的文件格式：{what!t}，请另存为 .docx、.pdf 或 .txt 后上传"),
    "input.damaged-zip": Message("unsupported file format: a damaged zip archive", "这是一个已损坏的压缩包，无法打开"),
    "input.zip": Message("unsupported file format: a zip archive; unpack it and submit the report itself",
                         "这是一个压缩包，请解压后上传其中的申报材料"),
    "input.docx-not-zip": Message("the .docx file is corrupt (not a zip archive)", "Word 文档已损坏，无法打开（不是 zip 格式）"),
    "input.docx-bad-zip": Message("the .docx file is corrupt (not a readable zip archive)",
                                  "Word 文档已损坏，无法打开（zip 结构无法读取）"),
    "input.docx-no-document": Message("the .docx file is corrupt (word/document.xml is missing)",
                                      "Word 文档已损坏，无法打开（缺少 word/document.xml）"),
    "input.docx-dtd": Message("the .docx file is corrupt (its XML declares a DTD)", "Word 文档已损坏，无法打开（其 XML 声明了 DTD）"),
    "input.docx-bad-xml": Message("the .docx file is corrupt (bad XML in word/document.xml: {error})",
                                  "Word 文档已损坏，无法打开（word/document.xml 的 XML 有误：{error}）"),
    "input.docx-corrupt": Message("the .docx file is corrupt ({error})", "Word 文档已损坏，无法打开（{error}）"),
    "input.pdf-no-header": Message("the .pdf file is corrupt (no %PDF- header)", "PDF 文件已损坏，无法打开（没有 %PDF- 文件头）"),
    "input.pdf-encrypted": Message("the PDF is encrypted (password-protected); remove the password first",
                                   "PDF 设有密码，请去除密码后再提交"),
    "input.pdf-damaged": Message("the PDF is damaged and cannot be opened ({reason})", "PDF 文件已损坏，无法打开（{reason}）"),
    "input.pdf-page-damaged": Message("the PDF is damaged: a page cannot be read ({reason})",
                                      "PDF 文件已损坏：有一页无法读取（{reason}）"),
    "input.pdf-no-text": Message("the PDF has no text layer — a scanned PDF needs OCR first",
                                 "PDF 没有文字层（扫描件需先做文字识别）"),
    "input.html-no-body": Message("the HTML page has no body", "网页没有正文"),
    "input.binary": Message("binary data (NUL bytes), not text", "这是二进制文件（含 NUL 字节），不是文本材料"),
    "input.bad-bom": Message("the file starts with a {encoding} byte-order mark but does not decode as {encoding}",
                             "文件以 {encoding} 字节顺序标记开头，却无法按 {encoding} 解码"),
    "input.undecodable": Message("the text cannot be decoded (not UTF-8, GB18030 or another known encoding)",
                                 "无法识别文本编码（不是 UTF-8、GB18030 等常见编码）"),
    # folders, databases and label files
    "input.no-folder": Message("no such folder", "文件夹不存在"),
    "input.not-folder": Message("not a folder", "不是文件夹"),
    "input.no-reports": Message("no reports in this folder (looked for {suffixes})", "文件夹中没有申报材料（查找的是 {suffixes}）"),
    "input.no-reports-found": Message("no reports found (looked for {suffixes})", "没有找到申报材料（查找的是 {suffixes}）"),
    "input.no-reports-found-special": Message(
        "no reports found (looked for {suffixes}); passed over {specials} special files",
        "没有找到申报材料（查找的是 {suffixes}）；跳过了 {specials} 个特殊文件"),
    "input.none-readable": Message("none of the reports could be read", "没有一份材料能够读取"),
    "input.out-is-file": Message("--out is a file, not a folder", "--out 是一个文件，不是文件夹"),
    "input.out-is-intake": Message("--out must not be the intake folder itself (use a folder beside or inside it)",
                                   "--out 不能是待评材料文件夹本身（请用它旁边或其中的文件夹）"),
    "input.batch-busy": Message("another batch is writing to this folder", "另一个批次正在写入这个文件夹"),
    "input.no-results-db": Message("no results database here (run `civscore batch` first)",
                                   "这里没有结果数据库（请先运行 `civscore batch`）"),
    "input.results-db-newer": Message("results database schema {version} is newer than this civscore's",
                                      "结果数据库的结构版本 {version} 比当前 civscore 所支持的更新"),
    "input.results-db-unusable": Message("not a usable results database: {error}", "不是可用的结果数据库：{error}"),
    "input.no-workbench-db": Message(
        "no workbench database here (give DATA/results.sqlite or the --data folder of civscore serve)",
        "这里没有工作台数据库（请给出 DATA/results.sqlite 或 civscore serve 的 --data 文件夹）"),
    "input.labels-not-found": Message("labels file not found", "标注文件不存在"),
    "input.labels-unreadable": Message("cannot read labels: {reason}", "无法读取标注文件：{reason!t}"),
    "input.labels-header": Message(
        "the first line must name the columns, at least '{file}' and '{total}' (found: {found})",
        "第一行须列出各列名称，至少有 '{file}' 和 '{total}'（实际为：{found!t}）"),
    "input.labels-unknown-column": Message(
        "unknown column {column!r}: columns are '{file}', '{total}' and dimension ids ({dimensions})",
        "未知的列 {column!r}：列名应为 '{file}'、'{total}' 和维度 id（{dimensions}）"),
    "input.labels-not-number": Message("line {line}: {column} is {cell!r}, not a number", "第 {line} 行：{column} 为 {cell!r}，不是数字"),
    "input.labels-not-finite": Message("line {line}: {column} is not a finite number", "第 {line} 行：{column} 不是有限的数"),
    "input.labels-twice": Message("line {line}: {name} is labelled twice", "第 {line} 行：{name} 被标注了两次"),
    "input.labels-none": Message("no labelled reports", "没有已标注的材料"),
    "input.labels-no-report": Message("none of the labelled files is a report in {folder}", "标注的文件没有一份是 {folder} 中的材料"),
    "input.fit-overwrite": Message("refusing to overwrite the input rubric; choose another file for --fit",
                                   "拒绝覆盖输入的评分标准；请为 --fit 另选一个文件"),
    # -- writing (scorer.outputs and the stores) -----------------------------------------
    "output.cannot-write": Message("cannot write: {reason!t}", "无法写入：{reason!t}"),
    "output.is-folder": Message("is a folder, not a file", "是文件夹，不是文件"),
    "output.check": Message("{option}: {reason!t}", "{option}：{reason!t}"),
    "output.parent-is-file": Message("{option}: {parent} is a file, not a folder", "{option}：{parent} 是文件，不是文件夹"),
    "output.option-is-folder": Message("{option}: is a folder, not a file", "{option}：是文件夹，不是文件"),
    "output.overwrite-input": Message("{option}: is an input of this run; refusing to overwrite it",
                                      "{option}：是本次运行的输入文件，拒绝覆盖"),
    "output.not-regular": Message("{option}: exists and is not a regular file; refusing to overwrite it",
                                  "{option}：已存在且不是普通文件，拒绝覆盖"),
    "output.not-own": Message("{option}: exists and was not written by civscore; refusing to overwrite it",
                              "{option}：已存在且不是 civscore 写的，拒绝覆盖"),
    "output.not-own-in-intake": Message(
        "{option}: is in the intake {intake} but not one of this run's inputs, and was not written by civscore; "
        "refusing to overwrite it",
        "{option}：位于待评文件夹 {intake} 中但不是本次运行的输入，也不是 civscore 写的，拒绝覆盖"),
    "output.pdf-dir-is-file": Message("--pdf-dir: is a file, not a folder", "--pdf-dir：是文件，不是文件夹"),
    "output.not-finite": Message(
        "the result holds a number that is not finite (NaN or Infinity); it cannot be written as JSON",
        "结果中有非有限的数（NaN 或 Infinity），无法写成 JSON"),
    "output.store": Message("cannot store a result: {error}", "无法保存结果：{error}"),
    "output.store-not-own": Message("exists and was not written by civscore; refusing to write to it",
                                    "已存在且不是 civscore 写的，拒绝写入"),
    "output.bad-session-key": Message("is not a session key civscore wrote; remove it to make a new one",
                                      "不是 civscore 写的会话密钥；删除它即可生成新的"),
    # -- the system ----------------------------------------------------------------------
    "environment.pdf": Message("cannot render PDF scorecards: {problems}", "无法生成 PDF 评分表：{problems}"),
    # -- batches (scorer.batch) ------------------------------------------------------------
    "batch.workers-failed": Message("the worker processes could not start", "工作进程无法启动"),
    "batch.needs-dask": Message("--scheduler needs Dask: pip install 'civscore[dask]' (dask[distributed])",
                                "--scheduler 需要 Dask：pip install 'civscore[dask]'（dask[distributed]）"),
    "batch.scheduler-unreachable": Message("cannot reach the Dask scheduler at {address}: {error}",
                                           "无法连接位于 {address} 的 Dask 调度器：{error}"),
    "batch.crashed": Message("the worker process died while handling this file (a crash, or out of memory)",
                             "处理这个文件时工作进程意外退出（崩溃或内存不足）"),
    "batch.dask-task-failed": Message("Dask task failed: {type}: {error}", "Dask 任务失败：{type}：{error}"),
    "batch.twin-failed": Message("same file as {twin}, which failed", "与 {twin} 是同一个文件，而它未能评分"),
    "batch.rubric-changed": Message(
        "the rubric this worker loaded differs from the one the batch started with "
        "(changed during the run, or a different file at this path on a Dask worker)",
        "工作进程载入的评分标准与批次开始时的不同（运行中被修改，或 Dask 工作节点上此路径是另一个文件）"),
    "batch.not-on-worker": Message(
        "not found on Dask worker {host} (every worker must see the intake folder at the same path)",
        "在 Dask 工作节点 {host} 上找不到（每个工作节点都须在相同路径看到待评文件夹）"),
    # -- calibration -----------------------------------------------------------------------
    "calibrate.too-few": Message("too few labelled reports to fit points (need at least 2)",
                                 "已标注的材料太少，无法拟合分值（至少需要 2 份）"),
    "calibrate.all-zero": Message("the fit gives every criterion 0 points; the labels do not follow the rubric",
                                  "拟合结果给每个评分项都是 0 分；标注与评分标准不符"),
    # -- the command line ------------------------------------------------------------------
    "usage.command-line": Message("{command}{detail} (see --help)", "{command}命令行有误：{detail}（见 --help）"),
    "usage.max-size-invalid": Message("--max-size: {value!r} is not a size; give a finite number of MB above 0",
                                      "--max-size：{value!r} 不是有效的大小；请给出大于 0 的有限 MB 数"),
    "usage.max-size-too-large": Message("--max-size: {value!r} MB is too large; give at most {limit} MB (1 TiB)",
                                        "--max-size：{value!r} MB 太大；最多 {limit} MB（1 TiB）"),
    "usage.no-folder": Message("no such folder", "文件夹不存在"),
    "usage.no-file": Message("no such file", "文件不存在"),
    "usage.same-output": Message("{options} name the same output; give one", "{options} 指的是同一个输出；只给一个"),
    "usage.same-output-file": Message("{option}: two outputs of this run would be written to the same file",
                                      "{option}：本次运行的两个输出会写到同一个文件"),
    "usage.pdf-one-report": Message("{option} FILE.pdf takes exactly one report; use {several} for several",
                                    "{option} FILE.pdf 只能用于一份材料；多份请用 {several}"),
    "usage.stdin-twice": Message("- (standard input) can be given once", "-（标准输入）只能给一次"),
    "usage.watch-stdin": Message("--watch cannot watch standard input (-)", "--watch 无法监视标准输入（-）"),
    "usage.unknown-tz": Message("{option}: unknown time zone '{zone}' (an IANA name such as Asia/Shanghai or UTC)",
                                "{option}：未知时区「{zone}」（应为 IANA 名称，如 Asia/Shanghai 或 UTC）"),
    "usage.workers-negative": Message("--workers must be 0 or more", "--workers 必须大于或等于 0"),
    "usage.serve-needs-account": Message(
        "serving on {host} requires a login, and {db} has no reviewer accounts yet: "
        "run `civscore serve adduser NAME --data {data}` first",
        "在 {host} 上运行工作台需要登录，而 {db} 还没有评审账号：请先运行 `civscore serve adduser NAME --data {data}`"),
    "usage.ssl-pair": Message("--ssl-certfile and --ssl-keyfile go together", "--ssl-certfile 与 --ssl-keyfile 须同时给出"),
    "usage.bad-name": Message("the name must be 1-60 printable characters (no control or bidi characters)",
                              "名字须为 1-60 个可打印字符（不含控制字符或双向文字控制符）"),
    "usage.short-password": Message("the password must have at least 8 characters", "密码至少需要 8 个字符"),
    "usage.no-reviewer": Message("no reviewer named {name}", "没有名为 {name} 的评审"),
    "usage.no-reviewer-add": Message("no reviewer named {name} (add one with `civscore serve adduser {name}`)",
                                     "没有名为 {name} 的评审（可用 `civscore serve adduser {name}` 添加）"),
    "usage.no-round": Message("no round {round} in {db}", "{db} 中没有批次 {round}"),
    "usage.data-unopenable": Message("cannot open the workbench data: {reason}", "无法打开工作台数据：{reason!t}"),
    "usage.needs-web": Message("the workbench needs the 'web' extra ({module} is missing): pip install 'civscore[web]'",
                               "工作台需要安装 'web' 扩展（缺少 {module}）：pip install 'civscore[web]'"),
    "usage.needs-sklearn": Message("civscore train needs scikit-learn: pip install 'civscore[train]'",
                                   "civscore train 需要 scikit-learn：pip install 'civscore[train]'"),
    "usage.no-judge-block": Message("the rubric has no judge block; name the output with --out",
                                    "评分标准没有 judge 段；请用 --out 指定输出"),
    "usage.no-sentences": Message("no sentences.tsv here (see eval/ANNOTATION.md)", "这里没有 sentences.tsv（见 eval/ANNOTATION.md）"),
    "usage.no-veto-set": Message("not a veto set: it needs sentences.tsv and labels_A.tsv (see eval/vetoes/COLLECTION.md)",
                                 "不是否决事项句集：需要 sentences.tsv 和 labels_A.tsv（见 eval/vetoes/COLLECTION.md）"),
    "usage.veto-set-columns": Message("this file lacks the column(s) {columns} a veto set needs",
                                      "此文件缺少否决事项句集所需的列：{columns}"),
    "usage.annotation-stale": Message(
        "sentence {index} no longer matches its annotation (segmenter or normalizer changed)",
        "第 {index} 句与其标注不再一致（分句或规范化方式已改变）"),
    "usage.annotated-twice": Message("sentence {sid} is annotated in two folders", "句子 {sid} 在两个标注文件夹中都有标注"),
    "usage.too-little-training": Message(
        "too little to train the {rubric} judge on: {texts} annotated texts and {positives} evidence pairs "
        "(at least {min_texts} and {min_positives} are needed)",
        "训练 {rubric} 的句子判定器的数据太少：{texts} 篇已标注材料、{positives} 组证据（至少需要 {min_texts} 篇和 {min_positives} 组）"),
    "usage.from-reviews-only": Message(
        "--from-reviews prints its comparison only: --out, --csv, --markdown and --watch need a folder of reports",
        "--from-reviews 只打印对比结果：--out、--csv、--markdown 和 --watch 需要一个材料文件夹"),
    "usage.diff-source": Message("give a folder of reports, or --from-reviews DB", "请给出材料文件夹，或 --from-reviews DB"),
    "usage.calibrate-source": Message("give a folder of reports and --labels CSV, or --from-reviews DB",
                                      "请给出材料文件夹和 --labels CSV，或 --from-reviews DB"),
    "usage.no-dimension": Message("no dimension {dimension!r}; the dimensions are {dimensions}",
                                  "没有维度 {dimension!r}；维度有 {dimensions}"),
    # `plural` is "s" or "" for the English; `{plural:.0}` shows nothing (Chinese has no plural)
    "usage.too-few-labels": Message(
        "--fit: {labels} label{plural} for {points} criterion points of {rubric}; a fit needs at least as many labels "
        "(totals and dimension scores) as points: label more reports or their dimensions, or pass --allow-few-labels",
        "--fit：{rubric} 有 {points} 个评分项分值，只有 {labels} 个标注{plural:.0}；拟合所需的标注（总分和维度分）"
        "不能少于分值个数：请标注更多材料或其维度分，或加上 --allow-few-labels"),
    "usage.no-reviews": Message(
        "{db}: no reviewed submissions yet (a reviewer must change a level, a veto or sign in the workbench)",
        "{db}：还没有经过评审的材料（评审须在工作台中调整等级、否决项或签字）"),
    "usage.no-reviews-for-rubric": Message("no submission was reviewed with rubric {rubric} (reviewed with: {others})",
                                           "没有材料是按评分标准 {rubric} 评审的（评审所用的是：{others}）"),
    "usage.fit-one-rubric": Message(
        "--fit fits one rubric's points, and the reviews in {db} were made with {rubrics}: name one with --rubric",
        "--fit 只拟合一个评分标准的分值，而 {db} 中的评审用了 {rubrics}：请用 --rubric 指定一个"),
    # -- rubrics (scorer.rubric; `Problem(path, line, field, code, …)` uses rubric.<code>) -------
    "rubric.not-found": Message("rubric file not found", "评分标准文件不存在"),
    "rubric.no-such-rubric": Message("no such rubric file or bundled rubric", "没有这个评分标准文件，也没有这个名字的内置评分标准"),
    "rubric.no-fallback": Message("no shipped rubric is marked applies_to.fallback: name one with --rubric",
                                  "没有内置评分标准标记为 applies_to.fallback：请用 --rubric 指定一个"),
    "rubric.folder": Message("is a folder, not a rubric file", "是文件夹，不是评分标准文件"),
    "rubric.unreadable": Message("cannot read rubric: {reason}", "无法读取评分标准：{reason!t}"),
    "rubric.not-regular": Message("is not a regular file (a pipe, a device or a socket); a rubric is a YAML file",
                                  "不是普通文件（是管道、设备或套接字）；评分标准应是 YAML 文件"),
    "rubric.too-large": Message("rubric file is {size:,} bytes, over the limit of {limit:,} (MAX_RUBRIC_BYTES)",
                                "评分标准文件有 {size:,} 字节，超过 {limit:,} 字节的上限（MAX_RUBRIC_BYTES）"),
    "rubric.too-large-read": Message("rubric file is over the limit of {limit:,} bytes (MAX_RUBRIC_BYTES)",
                                     "评分标准文件超过 {limit:,} 字节的上限（MAX_RUBRIC_BYTES）"),
    "rubric.encoding": Message("rubric is not UTF-8 text", "评分标准不是 UTF-8 文本"),
    "rubric.yaml": Message("YAML does not parse: {reason}", "YAML 无法解析：{reason}"),
    "rubric.yaml-tag": Message("{field}: the tag {tag} is not allowed in a rubric (plain values only)",
                               "{field}：评分标准中不允许使用标签 {tag}（只能用普通值）"),
    "rubric.yaml-key": Message("{field}: a key must be a plain name", "{field}：键必须是普通名称"),
    "rubric.yaml-alias": Message("YAML aliases (*{anchor}) are not allowed in a rubric",
                                 "评分标准中不允许使用 YAML 别名（*{anchor}）"),
    "rubric.yaml-nodes": Message("more than {limit:,} YAML values (MAX_YAML_NODES); a rubric is not that large",
                                 "YAML 值超过 {limit:,} 个（MAX_YAML_NODES）；评分标准不会这么大"),
    "rubric.yaml-depth": Message("lists or mappings nested more than {limit} deep (MAX_YAML_DEPTH)",
                                 "列表或映射嵌套超过 {limit} 层（MAX_YAML_DEPTH）"),
    "rubric.empty": Message("the rubric file is empty", "评分标准文件是空的"),
    "rubric.not-a-mapping": Message("a rubric is a mapping (id, version, dimensions …), not a {kind}",
                                    "评分标准应是映射（id、version、dimensions …），而不是 {kind}"),
    "rubric.duplicate-key": Message("duplicate key", "键重复"),
    "rubric.duplicate-id": Message("duplicate id {id!r} (first at line {first})", "id {id!r} 重复（首次见于第 {first} 行）"),
    "rubric.extra_forbidden": Message("unknown key {key!r}", "未知的键 {key!r}"),
    "rubric.missing": Message("required field {key!r} is missing", "缺少必填字段 {key!r}"),
    "rubric.finite_number": Message("must be a finite number (not .inf or .nan)", "必须是有限的数（不能是 .inf 或 .nan）"),
    "rubric.criteria-sum": Message("criteria points add up to {total:g}, not the dimension's {points:g}",
                                   "各评分项分值之和为 {total:g}，不等于维度的 {points:g}"),
    "rubric.dimensions-sum": Message("dimension points add up to {total:g}, not the rubric total {points:g}",
                                     "各维度分值之和为 {total:g}，不等于评分标准总分 {points:g}"),
    "rubric.reserved-id": Message("'{id}' is reserved for the engine's own marks (practice_pattern, fit_top)",
                                  "'{id}' 保留给引擎自己的标记（practice_pattern、fit_top）"),
    "rubric.levels-order": Message("levels must go from the best (highest min) to the worst",
                                   "等级须从最好（min 最高）排到最差"),
    "rubric.levels-last": Message("the last level must have min 0 so that every criterion gets one",
                                  "最后一个等级的 min 必须为 0，这样每个评分项都有等级"),
    "rubric.grades-order": Message("grades must go from the best (highest min) to the worst",
                                   "评定档次须从最好（min 最高）排到最差"),
    "rubric.grades-last": Message("the last grade must have min 0", "最后一个评定档次的 min 必须为 0"),
    "rubric.discount-twice": Message("scoring.marks: '{id}' is named twice", "scoring.marks：'{id}' 被列了两次"),
    "rubric.discount-unknown-spare": Message("scoring.marks '{id}': spares unknown item '{item}'",
                                             "scoring.marks '{id}'：豁免了不存在的项 '{item}'"),
    "rubric.mention-unknown-spare": Message("scoring.mention_spares: unknown item '{item}'",
                                            "scoring.mention_spares：不存在的项 '{item}'"),
    "rubric.phrase-set-unknown": Message("unknown phrase set '{name}' (the rubric's phrase_sets: {known})",
                                         "未定义的词组集 '{name}'（本评分标准的 phrase_sets：{known}）"),
    "rubric.phrase-set-name": Message("phrase set name '{name}' must be lower-case letters, digits and _",
                                      "词组集名称 '{name}' 只能由小写字母、数字和 _ 组成"),
    "rubric.phrase-set-empty": Message("phrase set '{name}' is empty", "词组集 '{name}' 为空"),
    "rubric.phrase-set-twice": Message("phrase set '{name}' lists '{phrase}' twice", "词组集 '{name}' 把 '{phrase}' 列了两次"),
    "rubric.names-break-without-names": Message(
        "names_break needs the rubric's person_names (a pattern for a person's name as reports write it)",
        "names_break 需要本评分标准的 person_names（匹配“张某”这类人名的正则表达式）"),
    "rubric.own-case-two": Message("own_case names two phrase sets, [possessive, role], not {given}",
                                   "own_case 须写两个词组集：[所属词, 职务]，而不是 {given} 个"),
    "rubric.pattern-empty-match": Message("pattern matches the empty string", "正则表达式能匹配空字符串"),
    "rubric.pattern-compile": Message("pattern does not compile: {reason}", "正则表达式无法编译：{reason}"),
    "rubric.pattern-unsupported": Message(
        "pattern uses {what} ({reason}), which RE2 does not support: "
        "rewrite it, or express the exception with `unless` or `near`",
        "正则表达式用了 RE2 不支持的{what!t}（{reason}）：请改写，或用 `unless`、`near` 表达例外"),
    "rubric.term-empty": Message("empty term", "词语为空"),
    "rubric.term-spaces": Message("term {term!r} has leading or trailing spaces", "词语 {term!r} 首尾有空格"),
    "rubric.extends": Message("must name the rubric file this one extends (a path relative to it)",
                              "须写明本评分标准所继承的文件（相对于本文件的路径）"),
    "rubric.extends-missing": Message("the base rubric {ref!r} is not found (looked in {folder} and among the shipped rubrics)",
                                      "找不到所继承的评分标准 {ref!r}（已在 {folder} 和内置评分标准中查找）"),
    "rubric.extends-cycle": Message("the bases form a cycle: {chain}", "继承关系构成循环：{chain}"),
    "rubric.extends-chain": Message("more than {limit} bases in a chain (MAX_EXTENDS)", "继承链超过 {limit} 层（MAX_EXTENDS）"),
    "rubric.bonus-id-clash": Message("bonus.id '{id}' is also a dimension's id", "bonus.id「{id}」与某个测评维度的 id 相同"),
    "rubric.levels-ids": Message("levels: each level needs its own id", "levels：每个等级须有各自不同的 id"),
    "rubric.invalid": Message("{detail}", "取值无效：{detail}"),
    "rubric.rule": Message("{detail}", "规则无法使用：{detail}"),
    "rubric.judge-missing": Message("no such file '{file}' (civscore train writes it)",
                                    "文件 '{file}' 不存在（由 civscore train 生成）"),
    "rubric.judge-unusable": Message("not a usable sentence judge ({error})", "不是可用的句子判定器（{error}）"),
    "rubric.judge-shapes": Message("not a usable sentence judge (array shapes disagree)", "不是可用的句子判定器（数组形状不一致）"),
    "rubric.judge-unreadable": Message("cannot read the sentence judge ({reason})", "无法读取句子判定器（{reason!t}）"),
    "rubric.fit-two-points": Message("cannot rewrite two points on one line", "无法改写同一行上的两个分值"),
    "rubric.fit-base-points": Message("the points come from a base the rubric extends; calibrate edits the rubric's own file only",
                                      "该分值来自所继承的评分标准；calibrate 只改写评分标准自己的文件"),
    "rubric.fit-line": Message("cannot rewrite the points on this line", "无法改写这一行上的分值"),
    "rubric.fit-readback": Message("the written points do not read back as fitted", "写入的分值读回后与拟合结果不一致"),
    "rubric.problems": Message("{first} (+{more} more)", "{first}（另有 {more} 处问题）"),
    # -- anything else is a bug --------------------------------------------------------------
    "internal": Message("internal error: {type}: {detail} (set CIVSCORE_DEBUG=1 for a traceback)",
                        "内部错误：{type}：{detail}（设置 CIVSCORE_DEBUG=1 可查看调用栈）"),
}

# Closed sets of English values a field may hold (`{x!t}`), in Chinese.
TERMS: dict[str, str] = {
    # civscore's own outputs (scorer.outputs.own_output_kind)
    "scorecard": "评分表", "overview": "批次总览", "ranking": "排名表",
    "rubric diff": "评分标准对比表", "fitted rubric": "拟合后的评分标准",
    # what a file is (scorer.ingest.sniff)
    "a PNG image": "PNG 图片", "a JPEG image": "JPEG 图片", "a GIF image": "GIF 图片", "a TIFF image": "TIFF 图片",
    "an old binary Office file (.doc/.xls)": "旧版二进制 Office 文件（.doc/.xls）", "an RTF document": "RTF 文档",
    "a gzip archive": "gzip 压缩包", "a 7-Zip archive": "7-Zip 压缩包", "a RAR archive": "RAR 压缩包",
    "an Excel workbook (.xlsx)": "Excel 工作簿（.xlsx）", "a PowerPoint file (.pptx)": "PowerPoint 文件（.pptx）",
    "an OpenDocument file (.odt/.ods)": "OpenDocument 文件（.odt/.ods）",
    "input": "输入",
    "the file": "文件", "the .docx": "该 .docx", "the text": "文本", "the HTML page": "网页", "the PDF": "PDF",
    # OS reasons (scorer.outputs._reason and strerror)
    "read-only file system": "文件系统只读", "no space left on the device": "设备上没有剩余空间",
    "disk quota exceeded": "超出磁盘配额", "permission denied": "权限不足", "Permission denied": "权限不足",
    "a part of the path is a file, not a folder": "路径中有一段是文件，不是文件夹",
    "is a folder, not a file": "是文件夹，不是文件", "file name too long": "文件名过长",
    "No such file or directory": "文件或文件夹不存在", "Is a directory": "是文件夹",
    "Not a directory": "路径中有一段不是文件夹", "Read-only file system": "文件系统只读",
    "No space left on device": "设备上没有剩余空间", "File name too long": "文件名过长",
    "Too many levels of symbolic links": "符号链接层数过多",
    "nothing": "无",
    # what RE2 lacks (scorer.match.types.pattern)
    "a look-ahead (?=…)": "前瞻断言 (?=…)", "a negative look-ahead (?!…)": "否定前瞻断言 (?!…)",
    "a look-behind (?<=…)": "后顾断言 (?<=…)", "a negative look-behind (?<!…)": "否定后顾断言 (?<!…)",
    "a back-reference (\\1)": "反向引用 (\\1)", "a back-reference (\\2)": "反向引用 (\\2)",
    "a back-reference (\\3)": "反向引用 (\\3)", "a named back-reference (\\k<…>)": "命名反向引用 (\\k<…>)",
    "a named back-reference (?P=…) or a recursion": "命名反向引用 (?P=…) 或递归",
    "an atomic group (?>…)": "原子组 (?>…)", "a possessive quantifier (++)": "占有量词 (++)",
    "a possessive quantifier (*+)": "占有量词 (*+)", "an escape": "转义序列",
}
# fmt: on


class _Formatter(string.Formatter):
    def __init__(self, lang: str):
        self.lang = lang

    def convert_field(self, value, conversion):
        if conversion == "t":
            return TERMS.get(str(value), str(value)) if self.lang == "zh" else str(value)
        if conversion == "b":
            return _bytes(int(value), self.lang)
        return super().convert_field(value, conversion)


def _bytes(n: int, lang: str) -> str:
    exact = f"{n:,} 字节" if lang == "zh" else f"{n:,} bytes"
    if n < 2**20:
        return exact
    return f"{exact}（{n / 2**20:.1f} MiB）" if lang == "zh" else f"{exact} ({n / 2**20:.1f} MiB)"


_FORMATTERS = {lang: _Formatter(lang) for lang in LANGUAGES}


def render(code: str, fields: Mapping[str, object], lang: str = "en") -> str:
    """The message of `code` in `lang`; KeyError for a code the catalogue lacks."""
    return _FORMATTERS[lang if lang in LANGUAGES else "en"].vformat(CATALOGUE[code].template(lang), (), fields)


def check_fields(code: str, fields: Mapping[str, object]) -> None:
    """A raising site gives exactly the fields its template uses."""
    if code not in CATALOGUE:
        raise KeyError(f"error code {code!r} is not in the catalogue (scorer/messages.py)")
    want = template_fields(CATALOGUE[code].en)
    if set(fields) != want:
        raise TypeError(f"error {code!r} takes fields {sorted(want)}, got {sorted(fields)}")


# -- which language ----------------------------------------------------------------------

_chosen: str | None = None


def set_language(lang: str | None) -> None:
    """The CLI's --lang (None: from the locale)."""
    global _chosen
    _chosen = lang


def language(environ: Mapping[str, str] | None = None) -> str:
    """'zh' or 'en': --lang if given, else the locale (LC_ALL, LC_MESSAGES, LANG; the
    first set one counts, as in POSIX) — a locale starting with zh means Chinese."""
    if _chosen in LANGUAGES:
        return _chosen
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


__all__ = ["CATALOGUE", "LANGUAGES", "Message", "TERMS", "check_fields", "language", "render", "set_language",
           "template_fields"]
