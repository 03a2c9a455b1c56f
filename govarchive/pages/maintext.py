"""The main text of a page whose layout we do not know, by trafilatura (boilerplate, menus and
footers left out). Run only on pages that are candidates for it: it takes tens of milliseconds."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)
logging.getLogger("trafilatura").setLevel(logging.ERROR)  # its per-page warnings are not ours to show


def extraction(html: str, url: str) -> dict | None:
    """trafilatura's reading of a page: ``text``, ``title``, ``date``, ``author``, ``sitename``… (or None)."""
    import trafilatura  # imported on first use: most pages never need it

    try:
        document = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                               include_tables=True, favor_precision=True, deduplicate=False)
    except Exception as exc:  # trafilatura fails in several ways on hostile markup; the page then has no text
        logger.info("%s: no main text (%s)", url[:300], exc)
        return None
    if document is None:
        return None
    return document.as_dict() if hasattr(document, "as_dict") else dict(document)


def main_text(html: str, url: str) -> str | None:
    document = extraction(html, url)
    text = (document or {}).get("text") or ""
    lines = (line.strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line) or None
