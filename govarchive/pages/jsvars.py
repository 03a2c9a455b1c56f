"""Reading values out of inline JavaScript, the way WeChat pages carry their data.

Handles the three template generations: ``var x = "" || "X";``, ``var x = 'X'.html(false);``,
``window.x = window.y = '' || 'X';`` and ``x: 'X' * 1`` inside object literals.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)", re.S)
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_SUFFIX = re.compile(r"\s*(?:\.html\((?:false|true)?\)|\*\s*1\b|\.replace\([^)]*\))")
_CHAIN = re.compile(r"\s*window\.\w+\s*=\s*")


def js_unescape(raw: str) -> str:
    def repl(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "xu" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _SIMPLE.get(code, code)

    return _ESCAPE.sub(repl, raw)


def read_js_string(source: str, pos: int) -> tuple[str, int] | None:
    """Read the JS string literal starting at ``source[pos]`` (a quote); return (raw, end)."""
    quote = source[pos]
    if quote not in "'\"":
        return None
    i = pos + 1
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if ch == quote:
            return source[pos + 1 : i], i + 1
        if ch == "\n":
            return None
        i += 1
    return None


def _chain_value(source: str, pos: int) -> str | None:
    """Parse ``'a' || "b".html(false) || ''`` from ``pos``; return the last non-empty literal."""
    values: list[str] = []
    while True:
        chained = _CHAIN.match(source, pos)
        if chained:
            pos = chained.end()
        while pos < len(source) and source[pos] in " \t":
            pos += 1
        literal = read_js_string(source, pos) if pos < len(source) else None
        if literal is None:
            break
        raw, pos = literal
        values.append(raw)
        suffix = _SUFFIX.match(source, pos)
        if suffix:
            pos = suffix.end()
        rest = re.match(r"\s*\|\|\s*", source[pos : pos + 20])
        if not rest:
            break
        pos += rest.end()
    for raw in reversed(values):
        if raw:
            return html.unescape(js_unescape(raw))
    return "" if values else None


def js_var(source: str, name: str) -> str | None:
    """The value assigned to ``name``, or None.

    ``var name =`` and ``window.name =`` assignments are preferred; ``name: …`` inside an object
    literal (``cgiDataNew``) is the fallback. The first non-empty value wins.
    """
    found: str | None = None
    for prefix in (r"(?:\bvar\s+|\bwindow\.)", r"[\s,{]"):
        pattern = re.compile(prefix + re.escape(name) + r"\s*[=:]\s*(?![=])")
        for match in pattern.finditer(source):
            value = _chain_value(source, match.end())
            if value:
                return value
            if value is not None and found is None:
                found = value
    return found


def js_json(source: str, name: str) -> Any:
    """A JSON object assigned to ``name``: a literal (``var x = {...};``) or a string of JSON."""
    match = re.search(r"(?:\bvar\s+|\bwindow\.)" + re.escape(name) + r"\s*=\s*", source)
    if not match:
        return None
    pos = match.end()
    if pos < len(source) and source[pos] in "'\"":
        literal = read_js_string(source, pos)
        if literal is None:
            return None
        text = html.unescape(js_unescape(literal[0]))
        try:
            return json.loads(text)
        except ValueError:
            return None
    try:
        value, _ = json.JSONDecoder().raw_decode(source, pos)
    except ValueError:
        return None
    return value


def _block_end(source: str, pos: int) -> int | None:
    """Index after the bracket that closes the one at ``source[pos]``, skipping string literals."""
    depth = 0
    i = pos
    while i < len(source):
        ch = source[i]
        if ch in "'\"":
            literal = read_js_string(source, i)
            if literal is None:
                return None
            i = literal[1]
            continue
        if ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


_KEY = re.compile(r"\s*['\"]?(\w+)['\"]?\s*:\s*")


def _top_level_scalars(obj: str) -> dict[str, str]:
    """The string and number fields of one JS object literal's top level (nested blocks skipped)."""
    fields: dict[str, str] = {}
    pos = 1  # after the opening brace
    while pos < len(obj):
        key = _KEY.match(obj, pos)
        if not key:
            break
        pos = key.end()
        if pos >= len(obj):
            break
        if obj[pos] in "'\"":
            value = _chain_value(obj, pos)
            literal = read_js_string(obj, pos)
            pos = literal[1] if literal else len(obj)
            suffix = _SUFFIX.match(obj, pos)
            pos = suffix.end() if suffix else pos
            if value is not None:
                fields[key.group(1)] = value
        elif obj[pos] in "[{":
            pos = _block_end(obj, pos) or len(obj)
        else:
            number = re.match(r"[\w.+-]+", obj[pos:])
            if number:
                fields[key.group(1)] = number.group(0)
                pos += number.end()
        comma = re.match(r"\s*,?", obj[pos:])
        pos += comma.end() if comma else 0
    return fields


def js_object_list(source: str, name: str) -> list[dict[str, str]]:
    """``name: [ {…}, {…} ]`` (or ``name = [...]``): each object's top-level string/number fields.

    WeChat's 2024+ pages hold image-share pictures this way (``picture_page_info_list``), in a JS
    object literal that is not JSON (unquoted keys, ``'1587' * 1``, ``\\x26amp;`` escapes).
    """
    match = re.search(r"[\s,{.]" + re.escape(name) + r"\s*[:=]\s*\[", source)
    if not match:
        return []
    start = match.end() - 1
    end = _block_end(source, start)
    if end is None:
        return []
    array = source[start:end]
    items: list[dict[str, str]] = []
    pos = 1
    while True:
        brace = array.find("{", pos)
        if brace < 0:
            break
        close = _block_end(array, brace)
        if close is None:
            break
        items.append(_top_level_scalars(array[brace:close]))
        pos = close
    return items
