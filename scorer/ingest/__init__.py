"""Ingest: read a submission from disk into a normalized `Document`."""

from .document import Document, Metadata

__all__ = ["Document", "Metadata"]
