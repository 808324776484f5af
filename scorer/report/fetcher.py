"""The only way WeasyPrint may load a resource while rendering a scorecard.

A scorecard quotes submission text, which is untrusted. It is escaped by the
template, so no markup from a submission should ever reach WeasyPrint; this fetcher
is the second line: it serves files inside the templates directory (the project's
own assets) and small `data:` URLs, and refuses everything else (http, https, ftp,
files anywhere else) by raising.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)

DATA_URL_LIMIT = 64 * 1024


class RefusedURL(ValueError):
    """A resource the scorecard renderer will not load."""


class TemplateAssetFetcher(URLFetcher):
    """Serves `file:` URLs inside `root` and `data:` URLs up to `data_limit` characters."""

    def __init__(self, root: Path, *, data_limit: int = DATA_URL_LIMIT):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, fail_on_errors=False)
        self.root = Path(root).resolve()
        self.data_limit = data_limit

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            if len(url) > self.data_limit:
                raise self._refuse(url, f"data: URL larger than {self.data_limit} bytes")
            return super().fetch(url, headers)
        if scheme == "file":
            return self._template_file(url)
        raise self._refuse(url, "only the scorecard's own template assets may be loaded")

    def _template_file(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise self._refuse(url, "file URL on another host")
        try:
            path = Path(unquote(parts.path)).resolve(strict=True)
        except (OSError, RuntimeError):
            raise self._refuse(url, "no such template asset") from None
        if not path.is_relative_to(self.root) or not path.is_file():
            raise self._refuse(url, "file outside the templates directory")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})

    @staticmethod
    def _refuse(url: str, why: str) -> RefusedURL:
        shown = url if len(url) <= 120 else url[:117] + "..."
        log.warning("scorecard renderer refused %s: %s", shown, why)
        return RefusedURL(f"refused {shown}: {why}")
