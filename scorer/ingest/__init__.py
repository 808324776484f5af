"""Ingest: read a submission from disk into a normalized `Document`."""

from .discover import find_reports
from .document import Document, Metadata
from .limits import Limits
from .loader import load_document
from .sniff import SUPPORTED_SUFFIXES

__all__ = ["Document", "Limits", "Metadata", "SUPPORTED_SUFFIXES", "find_reports", "load_document"]
