"""A rubric problem as data: where (file, line, field), what kind (code) and why.

`Problem` is a `str` whose value is the one-line form every command prints,
`path:line: field: message`, so code that shows problems needs nothing else;
code that reasons about them (lint) reads the attributes.
"""

from __future__ import annotations

from ..messages import check_fields, render


def dotted(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


class Problem(str):
    """One finding. `code` is what kind of problem it is; the message comes from the
    catalogue entry `rubric.<code>` and the fields given (`Problem(path, 3, loc,
    "duplicate-key")`). A schema finding with no entry of its own (pydantic's words for
    a wrong type) is given as an English `message` and shown under `rubric.invalid`."""

    path: str
    line: int | None
    loc: tuple | None
    code: str
    message: str
    value_line: int | None
    key: str
    fields: dict

    def __new__(cls, path, line: int | None, loc: tuple | None, code: str, message: str | None = None,
                *, value_line: int | None = None, **fields):
        if message is None:
            key = f"rubric.{code}"
            check_fields(key, fields)
        else:
            key, fields = "rubric.invalid", {"detail": message}
        where = f"{path}:{line}" if line is not None else f"{path}"
        prefix = f"{where}: {dotted(loc)}: " if loc is not None else f"{where}: " if path is not None else ""
        english = render(key, fields, "en")
        self = super().__new__(cls, prefix + english)
        self.path = str(path) if path is not None else None
        self.line = line
        self.loc = tuple(loc) if loc is not None else None
        self.code = code
        self.message = english
        self.key = key
        self.fields = fields
        self._prefix = prefix
        # The line of the value at fault when it is not the field's own line:
        # a sum that does not add up is reported on the owner, its value is `points`.
        self.value_line = value_line
        return self

    @property
    def field(self) -> str:
        return dotted(self.loc) if self.loc is not None else ""

    def message_in(self, lang: str = "en") -> str:
        """The message alone (no path, line or field) in `lang`."""
        return render(self.key, self.fields, lang)

    def text(self, lang: str = "en") -> str:
        """`path:line: field: message` in `lang`."""
        return self._prefix + self.message_in(lang)

    def to_json(self, lang: str = "en") -> dict:
        return {"code": self.key, "kind": self.code, "path": self.path, "line": self.line, "field": self.field,
                "fields": dict(self.fields), "message": self.text(lang)}

    def __reduce__(self):  # keep pickling (worker processes) working
        message = self.fields["detail"] if self.key == "rubric.invalid" else None
        fields = {} if message is not None else self.fields
        return (_rebuild, (self.path, self.line, self.loc, self.code, message, self.value_line, fields))


def _rebuild(path, line, loc, code, message, value_line, fields=None):
    return Problem(path, line, loc, code, message, value_line=value_line, **(fields or {}))
