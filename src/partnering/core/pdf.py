"""HTML to PDF, one way for every report, board pack and Gateway pack.

Two rules hold for all of them. The only resource a document may embed is a
`data:` URI (its charts), so that no text in a record can make the server fetch
a URL. And the font configuration is made once per thread and reused: WeasyPrint
builds a new one for every document otherwise, and a worker that rendered a
report per request grew by about half a megabyte each time (measured: 175 to
183 MB over 40 reports; with one configuration, flat at 173-174 MB).
"""

from __future__ import annotations

import gc
import threading
from typing import Any

_local = threading.local()


def _font_config() -> Any:
    from weasyprint.text.fonts import FontConfiguration

    config = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = FontConfiguration()
    return config


def html_to_pdf(html: str) -> bytes:
    """The PDF of a document rendered from our own templates."""
    import weasyprint  # heavy import, only where a PDF is made

    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"})
    try:
        return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(font_config=_font_config())
    finally:
        # A laid-out document is a graph of boxes that point at their parents: cycles, which only
        # a full collection frees, and one comes rarely in a worker with a large heap. Until then a
        # report's layout stays in memory beside the next one's: collecting now took a benchmark
        # worker's peak from 197-198 to 190 MB, for about 25 ms with the application frozen out
        # of the collector at boot (wsgi.py; 130 ms without).
        gc.collect()
