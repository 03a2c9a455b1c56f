"""Reading the plain values of JavaScript object literals and assignments in a page's own scripts,
without running them: ``{col:1, webid:'5', path:'/', columnid:49295}``, ``var countPage = 18;``.

Only literals are read: a value that is an expression stays as its source text.
"""

from __future__ import annotations

import re

_IDENT = re.compile(r"[A-Za-z_$][\w$]*")


def balanced(text: str, start: int, limit: int = 20_000) -> str | None:
    """The ``{…}`` or ``[…]`` literal that opens at ``text[start]``, strings skipped; None if it does not close."""
    if start >= len(text) or text[start] not in "{[":
        return None
    depth, quote, i = 0, None, start
    end = min(len(text), start + limit)
    while i < end:
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"`":
            quote = ch
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return text[start:i + 1]
        i += 1
    return None


def object_pairs(literal: str) -> dict[str, str]:
    """The top-level ``key: value`` pairs of an object literal; string values without their quotes,
    other values (numbers, names, nested literals) as written."""
    pairs: dict[str, str] = {}
    body = literal.strip()
    if not body.startswith("{"):
        return pairs
    i, n = 1, len(body) - 1
    while i < n:
        i = _skip(body, i, n, " \t\r\n,")
        if i >= n:
            break
        if body[i] in "'\"":
            close = body.find(body[i], i + 1)
            if close < 0:
                break
            key, i = body[i + 1:close], close + 1
        else:
            match = _IDENT.match(body, i)
            if not match:
                break
            key, i = match.group(0), match.end()
        i = _skip(body, i, n)
        if i >= n or body[i] != ":":
            break
        i = _skip(body, i + 1, n)
        value, i = _value(body, i, n)
        pairs.setdefault(key, value)
    return pairs


def _skip(body: str, i: int, n: int, blanks: str = " \t\r\n") -> int:
    """Past blanks and comments (``// …`` to the line's end, ``/* … */``)."""
    while i < n:
        if body[i] in blanks:
            i += 1
        elif body.startswith("//", i):
            end = body.find("\n", i)
            i = n if end < 0 else end + 1
        elif body.startswith("/*", i):
            end = body.find("*/", i + 2)
            i = n if end < 0 else end + 2
        else:
            break
    return i


def _value(body: str, i: int, n: int) -> tuple[str, int]:
    if i < n and body[i] in "'\"`":
        quote, j, out = body[i], i + 1, []
        while j < n and body[j] != quote:
            if body[j] == "\\" and j + 1 < n:
                j += 1
            out.append(body[j])
            j += 1
        return "".join(out), j + 1
    if i < n and body[i] in "{[":
        literal = balanced(body, i) or body[i:n]
        return literal, i + len(literal)
    j = i
    depth = 0
    while j < n and not (depth == 0 and body[j] in ",}"):
        if body[j] in "([":
            depth += 1
        elif body[j] in ")]":
            depth -= 1
        j += 1
    return body[i:j].strip(), j


def assigned(text: str, name: str) -> str | None:
    """The literal assigned last to ``name`` (``var name = …;``, ``name = …``, ``window.name = …``)."""
    found = None
    for match in re.finditer(rf"(?<![\w$.])(?:var\s+|let\s+|const\s+|window\.)?{re.escape(name)}\s*=(?!=)\s*", text):
        start = match.end()
        if start < len(text) and text[start] in "{[":
            found = balanced(text, start) or found
        else:
            value = re.match(r"""'([^'\n]*)'|"([^"\n]*)"|([^;,\n)]+)""", text[start:])
            if value:
                found = next(g for g in value.groups() if g is not None)
                if value.group(3) is not None:  # an expression: without a trailing // or /* comment
                    found = re.split(r"//|/\*", found, maxsplit=1)[0]
                found = found.strip()
    return found


def integer(text: str, value: str | None) -> int | None:
    """``value`` as an int: a number, a quoted number, or a name assigned a number in ``text``."""
    for _ in range(3):  # a name may be assigned another name
        if value is None:
            return None
        value = value.strip().strip("'\"")
        if re.fullmatch(r"\d{1,9}", value):
            return int(value)
        if not _IDENT.fullmatch(value):
            return None
        value = assigned(text, value)
    return None
