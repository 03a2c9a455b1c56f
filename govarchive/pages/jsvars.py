"""Reading values out of inline JavaScript, the way WeChat pages carry their data.

WeChat has served its article data in several script shapes over the years; all of them are read
here by one small, forgiving reader of JavaScript *literals* (never by running the script):

- ``var x = "" || "X";`` (2018), ``var x = 'X'.html(false);`` (2020), ``var x = htmlDecode("X");``
  and ``window.x = window.y = '' || 'X';`` (2024+): plain assignments, ``||`` chains (the first
  non-empty value wins, as in JavaScript), decoder calls and string methods around a literal;
- ``d.x = "X";`` and ``_g.x = "X";`` (2019 video and image posts, whose data sits on an object
  ``d = _g.cgiData`` inside ``(function(_g){ … })(window)``);
- ``window.cgiDataNew = { nick_name: JsDecode('X'), mid: '123' * 1, … }``: an object literal that is
  not JSON (unquoted keys, ``* 1``, decoder calls, trailing commas), read as a nested dict.

Assignments whose value is not a literal (``_g.mid = cgiData.mid``) give nothing; a ``// comment``
after a value is a comment, as in JavaScript.
"""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|u\{[0-9a-fA-F]+\}|.)", re.S)
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_SPACE = re.compile(r"(?:\s+|/\*.*?\*/|//[^\n]*)*", re.S)
_IDENT = re.compile(r"[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*")
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_KEY = re.compile(r"([A-Za-z_$][\w$]*|\d+)\s*:")
_METHOD = re.compile(r"\.\s*([A-Za-z_$][\w$]*)\s*\(")
_TIMES_ONE = re.compile(r"\*\s*\d+(?:\.\d+)?")
# Functions WeChat wraps literals in; their result is the (decoded) literal itself.
_DECODERS = {"htmlDecode", "JsDecode", "decodeURIComponent", "unescape", "String", "Number", "parseInt",
             "parseFloat", "trim"}


class _Unknown:
    """A value the reader cannot know without running the script (a variable, a call…)."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


def js_unescape(raw: str) -> str:
    def repl(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] == "u" and code[1:2] == "{":
            return chr(int(code[2:-1], 16))
        if code[0] in "xu" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _SIMPLE.get(code, code)

    return _ESCAPE.sub(repl, raw)


def read_js_string(source: str, pos: int) -> tuple[str, int] | None:
    """Read the JS string literal starting at ``source[pos]`` (a quote); return (raw, end)."""
    quote = source[pos]
    if quote not in "'\"`":
        return None
    i = pos + 1
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if ch == quote:
            return source[pos + 1 : i], i + 1
        if ch == "\n" and quote != "`":
            return None
        i += 1
    return None


def _truthy(value: Any) -> bool:
    if value is UNKNOWN or value is None or value is False:
        return False
    if isinstance(value, str):
        return value != ""
    return True  # objects and arrays are truthy in JavaScript, even empty ones


def _js_decode(text: str) -> str:
    """WeChat's ``JsDecode``: the ``\\xNN`` escapes left in an already-parsed string."""
    return re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), text)


class _Reader:
    """Literals of one script text: strings, numbers, objects, arrays, and the wrappers around them."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.end = len(source)

    def space(self, pos: int) -> int:
        match = _SPACE.match(self.src, pos)
        return match.end() if match else pos

    def expr(self, pos: int, depth: int = 0) -> tuple[Any, int]:
        """``a || b || c``: the first truthy operand, else the last one (JavaScript's rule)."""
        values: list[Any] = []
        while True:
            value, after = self.term(pos, depth)
            values.append(value)
            nxt = self.space(after)
            if after > pos and self.src.startswith("||", nxt):
                pos = nxt + 2
                continue
            pos = after
            break
        for value in values:
            if _truthy(value):
                return value, pos
        return values[-1], pos

    def term(self, pos: int, depth: int) -> tuple[Any, int]:
        pos = self.space(pos)
        if pos >= self.end or depth > 40:
            return UNKNOWN, pos
        ch = self.src[pos]
        value: Any = UNKNOWN
        if ch in "'\"`":
            literal = read_js_string(self.src, pos)
            if literal is None:
                return UNKNOWN, pos
            value, pos = html.unescape(js_unescape(literal[0])), literal[1]
        elif ch == "{":
            value, pos = self.obj(pos, depth + 1)
        elif ch == "[":
            value, pos = self.array(pos, depth + 1)
        elif ch == "(":
            value, pos = self.expr(pos + 1, depth + 1)
            pos = self._close(pos, ")")
        elif (number := _NUMBER.match(self.src, pos)) and (ch.isdigit() or ch in "-."):
            value, pos = number.group(0), number.end()
        elif ident := _IDENT.match(self.src, pos):
            value, pos = self._identifier(ident, depth)
        else:
            return UNKNOWN, pos
        return self._suffixes(value, pos, depth)

    def _identifier(self, ident: re.Match[str], depth: int) -> tuple[Any, int]:
        name = re.sub(r"\s+", "", ident.group(0))
        after = self.space(ident.end())
        nxt = self.src[after : after + 2]
        if nxt[:1] == "(":
            if name.split(".")[-1] in _DECODERS:
                inner, pos = self.expr(after + 1, depth + 1)
                pos = self._close(pos, ")")
                if isinstance(inner, str):
                    if name.endswith("JsDecode"):
                        inner = _js_decode(inner)
                    elif name.endswith(("decodeURIComponent", "unescape")):
                        inner = unquote(inner)
                    elif name.endswith("trim"):
                        inner = inner.strip()
                return inner, pos
            return UNKNOWN, self._skip_block(after)
        if nxt[:1] == "=" and nxt != "==" and nxt != "=>":  # window.a = window.b = 'X'
            return self.expr(after + 1, depth + 1)
        constants = {"true": True, "false": False, "null": None, "undefined": None}
        if name in constants:
            return constants[name], ident.end()
        return UNKNOWN, ident.end()

    def _suffixes(self, value: Any, pos: int, depth: int) -> tuple[Any, int]:
        """``'X'.html(false)``, ``.replace(…)``, ``'1' * 1``: keep the literal, step over the rest."""
        while True:
            nxt = self.space(pos)
            method = _METHOD.match(self.src, nxt)
            if method:
                pos = self._skip_block(method.end() - 1)
                if method.group(1) == "trim" and isinstance(value, str):
                    value = value.strip()
                elif method.group(1) not in ("html", "replace", "trim", "toString", "valueOf"):
                    value = UNKNOWN
                continue
            times = _TIMES_ONE.match(self.src, nxt)
            if times:
                pos = times.end()
                continue
            return value, pos

    def _close(self, pos: int, closer: str) -> int:
        pos = self.space(pos)
        if pos < self.end and self.src[pos] == closer:
            return pos + 1
        return self._skip_to(pos, closer, consume=True)

    def _skip_block(self, pos: int) -> int:
        """Index after the bracket that closes the one at ``pos``, skipping string literals."""
        depth = 0
        i = pos
        while i < self.end:
            ch = self.src[i]
            if ch in "'\"`":
                literal = read_js_string(self.src, i)
                i = literal[1] if literal else i + 1
                continue
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth -= 1
                if depth <= 0:
                    return i + 1
            i += 1
        return self.end

    def _skip_to(self, pos: int, closers: str, consume: bool = False) -> int:
        """The next ``,`` or closer at this nesting level (or after the closer, with ``consume``)."""
        i = pos
        while i < self.end:
            ch = self.src[i]
            if ch in "'\"`":
                literal = read_js_string(self.src, i)
                i = literal[1] if literal else i + 1
                continue
            if ch in "([{":
                i = self._skip_block(i)
                continue
            if ch in closers:
                return i + 1 if consume else i
            if ch in ")]}":
                return i
            i += 1
        return self.end

    def obj(self, pos: int, depth: int) -> tuple[dict[str, Any], int]:
        result: dict[str, Any] = {}
        pos += 1
        while True:
            pos = self.space(pos)
            if pos >= self.end:
                return result, pos
            ch = self.src[pos]
            if ch == "}":
                return result, pos + 1
            if ch == ",":
                pos += 1
                continue
            key: str | None = None
            if ch in "'\"":
                literal = read_js_string(self.src, pos)
                if literal:
                    colon = self.space(literal[1])
                    if self.src[colon : colon + 1] == ":":
                        key, pos = js_unescape(literal[0]), colon + 1
            elif match := _KEY.match(self.src, pos):
                key, pos = match.group(1), match.end()
            if key is None:  # a spread, a method, a getter: not data
                after = self._skip_to(pos, ",}")
                if after == pos:  # a stray closer: the object ends here
                    return result, pos
                pos = after
                continue
            value, after = self.expr(pos, depth)
            nxt = self.space(after)
            if nxt < self.end and self.src[nxt] not in ",}":  # ``a ? b : c`` and the like
                value, after = UNKNOWN, self._skip_to(nxt, ",}")
            if value is not UNKNOWN:
                result[key] = value
            if after == pos:
                return result, pos
            pos = after

    def array(self, pos: int, depth: int) -> tuple[list[Any], int]:
        result: list[Any] = []
        pos += 1
        while True:
            pos = self.space(pos)
            if pos >= self.end:
                return result, pos
            ch = self.src[pos]
            if ch == "]":
                return result, pos + 1
            if ch == ",":
                pos += 1
                continue
            value, after = self.expr(pos, depth)
            nxt = self.space(after)
            if after == pos or (nxt < self.end and self.src[nxt] not in ",]"):
                value, after = UNKNOWN, self._skip_to(nxt, ",]")
            if value is not UNKNOWN:
                result.append(value)
            if after == pos:
                return result, pos
            pos = after


_ASSIGNMENT = re.compile(r"\b(?:(?:var|let|const)\s+|(window|d|_g|cgiData)\s*\.\s*)([A-Za-z_$][\w$]*)\s*=(?![=>])")


@lru_cache(maxsize=2)
def _assignment_index(source: str) -> dict[str, list[tuple[int, int]]]:
    """name → [(tier, value position)] of every data assignment, found in one pass over the page.

    Tier 0: ``var``/``let``/``const``/``window.``; tier 1: the 2019 holder objects ``d.``/``_g.``.
    """
    index: dict[str, list[tuple[int, int]]] = {}
    for match in _ASSIGNMENT.finditer(source):
        holder = match.group(1)
        if holder and match.start() > 0 and source[match.start() - 1] in ".$":  # a.d.x = …: not a holder
            continue
        tier = 1 if holder in ("d", "_g", "cgiData") else 0
        index.setdefault(match.group(2), []).append((tier, match.end()))
    return index


def js_value(source: str, name: str) -> Any:
    """The value assigned to ``name`` (``var``/``window.`` first, then ``d.``/``_g.``), or None.

    The first truthy value wins; an assignment of only empty literals gives ``""``; a name assigned
    nothing the reader can know gives None.
    """
    positions = sorted(_assignment_index(source).get(name, []))
    reader = _Reader(source)
    empty: Any = None
    for _, pos in positions:
        value = reader.expr(pos)[0]
        if _truthy(value):
            return value
        if value is not UNKNOWN and value is not None and empty is None:
            empty = value
    return empty


def scalar(value: Any) -> str | None:
    """A string or number value as text; objects, arrays and unknowns as None."""
    if isinstance(value, bool) or value is None or value is UNKNOWN:
        return None
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def js_var(source: str, name: str) -> str | None:
    """The text assigned to ``name``: ``""`` when only empty values are, None when none is."""
    value = js_value(source, name)
    return "" if value == "" else scalar(value)


def js_object(source: str, name: str) -> dict[str, Any] | None:
    """The object literal assigned to ``name`` (``window.cgiDataNew = {…}``), as nested dicts and lists."""
    match = re.search(r"(?:\b(?:var|let|const)\s+|(?<![\w$])window\s*\.\s*|(?<![\w$.]))"
                      + re.escape(name) + r"\s*=\s*\{", source)
    if not match:
        return None
    value, _ = _Reader(source).obj(match.end() - 1, 1)
    return value


def js_object_list(source: str, name: str) -> list[dict[str, Any]]:
    """``name: [ {…}, {…} ]`` (or ``name = [...]``): the objects of that array.

    WeChat's 2024+ pages hold image-share pictures this way (``picture_page_info_list``), in a JS
    object literal that is not JSON (unquoted keys, ``'1587' * 1``, ``\\x26amp;`` escapes).
    """
    match = re.search(r"[\s,{.]" + re.escape(name) + r"\s*[:=]\s*\[", source)
    if not match:
        return []
    items, _ = _Reader(source).array(match.end() - 1, 1)
    return [item for item in items if isinstance(item, dict)]


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


def js_keyed(source: str, name: str) -> list[Any]:
    """Every value given to the key ``name`` in an object literal (``voiceid: '…'``), in page order."""
    pattern = re.compile(r"(?<![\w$.])['\"]?" + re.escape(name) + r"['\"]?\s*:\s*")
    reader = _Reader(source)
    return [value for value in (reader.expr(m.end())[0] for m in pattern.finditer(source)) if value is not UNKNOWN]


def js_call_args(source: str, function: str) -> list[Any]:
    """The first argument of every call to ``function`` (``document.write("…")``) that the reader can know."""
    pattern = re.compile(r"(?<![\w$.])" + re.escape(function).replace(r"\.", r"\s*\.\s*") + r"\s*\(")
    reader = _Reader(source)
    return [value for value in (reader.expr(m.end())[0] for m in pattern.finditer(source)) if value is not UNKNOWN]
