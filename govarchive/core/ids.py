"""Stable identifiers of accounts and posts, derived from URLs and platform ids."""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import parse_qs, urlsplit

_DIGITS = re.compile(r"^\d+$")


def decode_biz(biz: str) -> str | None:
    """Turn a WeChat ``__biz`` (base64 of the numeric account id) into that number.

    Padding may be missing (``ODUzMjkwMzYx`` → ``853290361``); a biz that is already numeric is
    returned as is; anything else gives None.
    """
    biz = (biz or "").strip()
    if not biz:
        return None
    if _DIGITS.match(biz):
        return biz
    padded = biz + "=" * (-len(biz) % 4)
    try:
        decoded = base64.b64decode(padded, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return decoded if _DIGITS.match(decoded) else None


def encode_biz(number: str | int) -> str:
    return base64.b64encode(str(number).encode("ascii")).decode("ascii")


def wechat_account_id(biz_number: str) -> str:
    return f"wechat:{biz_number}"


def wechat_post_id(biz_number: str, mid: str, idx: str) -> str:
    return f"wechat:{biz_number}:{mid}:{idx or '1'}"


def wechat_article_key(url: str) -> tuple[str, str, str] | None:
    """(numeric biz, mid, idx) of a long-form article URL, or None for other URLs."""
    query = parse_qs(urlsplit(url.replace("&amp;", "&")).query)
    biz = decode_biz((query.get("__biz") or [""])[0])
    mid = (query.get("mid") or query.get("appmsgid") or [""])[0]
    idx = (query.get("idx") or query.get("itemidx") or ["1"])[0]
    if not biz or not _DIGITS.match(mid or "") or not _DIGITS.match(idx or ""):
        return None
    return biz, mid, idx


def weibo_account_id(uid: str | int) -> str:
    return f"weibo:{uid}"


def weibo_post_id(mid: str | int) -> str:
    return f"weibo:{mid}"


def website_account_id(column_url: str) -> str:
    return f"website:{column_url}"


def website_post_id(url: str) -> str:
    return f"website:{url}"


_BASE62 = "0123456789abcdefghijklmnopqrstuvwxyz" "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def weibo_bid_to_mid(bid: str) -> str | None:
    """A Weibo post's base62 id (``mblogid``/``bid``, ``Kjc77D1jz``) → its numeric mid.

    The bid is the mid's 7-digit decimal groups (from the right), each written as up to 4 base62
    characters; a mid (all digits) is returned as it is.
    """
    bid = (bid or "").strip()
    if _DIGITS.match(bid):
        return bid
    if not bid or any(ch not in _BASE62 for ch in bid):
        return None
    groups: list[str] = []
    while bid:
        chunk, bid = bid[-4:], bid[:-4]
        number = 0
        for ch in chunk:
            number = number * 62 + _BASE62.index(ch)
        groups.insert(0, str(number).zfill(7) if bid else str(number))
    return "".join(groups)
