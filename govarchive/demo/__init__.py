"""The demo web: a fictional city's (云岚市) portal, WeChat, Weibo, Douyin and Toutiao pages, feeds,
a Sogou search page and MP back-office endpoints, on 127.0.0.1.

``DemoWeb(port=0)`` serves it (a context manager); ``render(path, headers=None)`` gives one response
without a server; :data:`govarchive.demo.content.EXPECTED` sums up its facts for tests. Both take
``phase=2`` for the same web a few weeks later (accounts cancelled, an article deleted, one new;
``EXPECTED["later"]``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govarchive.demo.server import DemoWeb, render

__all__ = ["DemoWeb", "render"]


def __getattr__(name: str) -> Any:
    # Lazy, so that ``python -m govarchive.demo.server`` does not import the module twice.
    if name in __all__:
        from govarchive.demo import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
