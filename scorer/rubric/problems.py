"""A rubric problem as data: where (file, line, field), what kind (code) and why.

`Problem` is a `str` whose value is the one-line form every command prints,
`path:line: field: message`, so code that shows problems needs nothing else;
code that reasons about them (lint) reads the attributes.
"""

from __future__ import annotations


def dotted(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


class Problem(str):
    path: str
    line: int | None
    loc: tuple | None
    code: str
    message: str
    value_line: int | None

    def __new__(cls, path, line: int | None, loc: tuple | None, code: str, message: str,
                *, value_line: int | None = None):
        where = f"{path}:{line}" if line is not None else f"{path}"
        text = f"{where}: {dotted(loc)}: {message}" if loc is not None else f"{where}: {message}"
        self = super().__new__(cls, text)
        self.path = str(path)
        self.line = line
        self.loc = tuple(loc) if loc is not None else None
        self.code = code
        self.message = message
        # The line of the value at fault when it is not the field's own line:
        # a sum that does not add up is reported on the owner, its value is `points`.
        self.value_line = value_line
        return self

    @property
    def field(self) -> str:
        return dotted(self.loc) if self.loc is not None else ""

    def __reduce__(self):  # keep pickling (worker processes) working
        return (_rebuild, (self.path, self.line, self.loc, self.code, self.message, self.value_line))


def _rebuild(path, line, loc, code, message, value_line):
    return Problem(path, line, loc, code, message, value_line=value_line)
