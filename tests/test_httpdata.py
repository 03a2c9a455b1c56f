import gzip
import zlib

import pytest

from govarchive.core.httpdata import BodyTooLarge, content_decode, decode_text, payload_digest, status_line


def test_payload_digest_is_sha1_base32():
    assert payload_digest(b"") == "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"


def test_status_line_rebuilds_reason_phrase():
    assert status_line("HTTP/1.1", 404) == "HTTP/1.1 404 Not Found"
    assert status_line(None, 432) == "HTTP/1.1 432 Unknown"


def test_lying_header_is_caught_and_gbk_widened():
    body = "<meta charset='gbk'>关于政务新媒体账号关停的公告 镕".encode("gb18030")
    decoded = decode_text(body, "text/html; charset=utf-8")
    assert "政务新媒体" in decoded.text and "镕" in decoded.text
    assert decoded.encoding == "gb18030"
    assert "utf-8" in decoded.note


def test_gb2312_declaration_is_widened_to_gb18030():
    decoded = decode_text("镕基".encode("gb18030"), "text/html; charset=gb2312")
    assert decoded.text == "镕基" and decoded.note is None


def test_missing_declaration_is_detected():
    decoded = decode_text("政务".encode("gbk"), None)
    assert decoded.text == "政务" and "detected" in decoded.note


def test_gzip_and_deflate_are_undone():
    assert content_decode(gzip.compress(b"abc"), "gzip", 100) == b"abc"
    assert content_decode(zlib.compress(b"abc"), "deflate", 100) == b"abc"
    raw = zlib.compressobj(wbits=-15)
    assert content_decode(raw.compress(b"abc") + raw.flush(), "deflate", 100) == b"abc"


def test_gzip_bomb_is_refused_without_inflating_it():
    bomb = gzip.compress(b"\0" * 50_000_000)
    with pytest.raises(BodyTooLarge):
        content_decode(bomb, "gzip", 1_000_000)


def test_unknown_encoding_is_an_error():
    with pytest.raises(ValueError):
        content_decode(b"x", "compress", 100)


def test_a_utf8_page_with_a_few_invalid_bytes_is_not_read_as_gb18030():
    text = "<html><meta charset=utf-8><title>雾川县关于开展农村人居环境整治的通知</title><p>正文内容" * 3
    body = text.encode() + b" \xff \xc3\x28 \x80 \xe9\x9b" + "结束。</p></html>".encode()
    decoded = decode_text(body, "text/html; charset=UTF-8")
    assert decoded.encoding == "utf-8" and "雾川县关于开展农村人居环境整治的通知" in decoded.text
    assert decoded.note == "invalid UTF-8 bytes replaced" and "结束" in decoded.text
    gbk = text.replace("utf-8", "gbk").encode("gbk")  # a GBK page fails UTF-8 on every character: still GBK
    assert decode_text(gbk, "text/html").text == text.replace("utf-8", "gbk")
