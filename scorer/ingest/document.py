"""What ingest hands to the rest of the pipeline."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Metadata(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    unit: str | None = None
    date: str | None = None
    author: str | None = None


class Document(BaseModel):
    """A submission read and normalized. `text` is what evidence offsets index."""

    model_config = ConfigDict(extra="forbid")

    path: str
    sha256: str = Field(description="sha256 of the file's bytes as received.")
    size: int = Field(description="Size of the file in bytes.")
    format: str = Field(description="txt, docx, pdf or html.")
    encoding: str | None = None
    text: str
    meta: Metadata = Field(default_factory=Metadata)
    hidden_chars: int = Field(
        default=0, description="Characters a reader would not see (hidden HTML, .docx or PDF text), left unscored."
    )
