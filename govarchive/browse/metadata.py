"""Datasette metadata for the archive, generated from code: titles and descriptions in Chinese and
English, column descriptions, label columns (so foreign keys read as names), facets and default sorts.

Column descriptions come from docs/schema.md, the schema's one written description: ``make metadata``
(:func:`write_schema_docs`) parses it into ``schema_docs.json`` beside this
module, which ships with the package; a test fails when the two drift apart.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from govarchive.browse.queries import canned_queries
from govarchive.index.search import KEY_COLUMN

SCHEMA_DOCS_JSON = Path(__file__).with_name("schema_docs.json")

TITLE = "govarchive 政务新媒体存档"
DESCRIPTION = (
    "政务新媒体账号关停前的存档：账号、文章、抓取记录（WARC）、关停公告与内容去向。"
    " An archive of Chinese government new-media accounts saved before they close: accounts, posts, "
    "captures (WARC records), closure notices and where the content went. Every row links to the archived "
    "copy it was read from.")

# table -> (Chinese title, Chinese description, settings)
TABLES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "accounts": ("账号", "政务新媒体账号：平台、主办单位、地区、状态与风险。",
                 {"label_column": "name", "facets": ["platform", "status", "region", "agency", "source_id"],
                  "sort_desc": "risk"}),
    "posts": ("文章", "存档的文章、微博与网站稿件。",
              {"label_column": "title", "facets": ["platform", "state", "kind"], "sort_desc": "published_at"}),
    "captures": ("抓取记录", "每一次 HTTP 抓取及其 WARC 记录的位置。",
                 {"label_column": "url", "facets": ["page_state", "record_type", "http_status"],
                  "sort_desc": "fetched_at"}),
    "notices": ("关停公告", "关停、注销、停更、合并与迁移公告。",
                {"label_column": "named_as", "facets": ["kind", "is_report", "named_platform"],
                 "sort_desc": "announced_at"}),
    "claims": ("报道所称", "新闻、工作报告、转载等报道所称的关停、合并、迁移与停更：证据是报道的存档，可信度低于公告。",
               {"label_column": "named_as", "facets": ["kind", "source", "named_platform"], "sort_desc": "claimed_at"}),
    "migrations": ("内容去向", "账号关停后内容迁往何处。",
                   {"label_column": "target_name", "facets": ["target_platform", "resolved_by", "source"],
                    "sort_desc": "recorded_at"}),
    "runs": ("抓取批次", "每一次抓取运行。", {"facets": ["spider", "status"], "sort_desc": "started_at"}),
    "status_history": ("状态变化", "账号与文章的每次状态变化及其证据。",
                       {"facets": ["table_name", "new_status"], "sort_desc": "changed_at"}),
    "account_checks": ("账号检查", "每次运行对每个账号页面的检查结果。",
                       {"facets": ["page_state"], "sort_desc": "checked_at"}),
    "account_sources": ("账号来源", "列出账号的目录页面。", {"sort_desc": "seen_at"}),
    "account_owners": ("账号归属", "每个账号的主办单位与地区：存档页面与报道所说的优先，其次是发现它的来源条目所写的。",
                       {"label_column": "name", "facets": ["region", "agency", "platform", "status", "agency_from",
                                                           "source_id"], "sort_desc": "risk"}),
    "sources": ("来源条目", "来源文件（sources.toml）中各次抓取用过的条目：地区、主办单位与说明。",
                {"label_column": "label", "facets": ["region", "agency", "kind", "platform"],
                 "sort_desc": "last_used_at"}),
    "account_aliases": ("账号别名", "临时编号与真实账号的对应关系。", {"sort_desc": "merged_at"}),
    "changes": ("字段变化", "账号与文章字段的历次变化。",
                {"facets": ["table_name", "column_name"], "sort_desc": "changed_at"}),
    "watermarks": ("水位线", "每个账号最近一次完整抓取到的最新文章。", {"sort_desc": "advanced_at"}),
    "failed_windows": ("失败区间", "抓取失败、待下次重试的时间区间。",
                       {"facets": ["page_state"], "sort_desc": "recorded_at"}),
    "lost_captures": ("丢失的抓取", "进程被强杀后，WARC 字节未能保存的抓取记录（已重新排队）。",
                      {"facets": ["reason", "requeued"], "sort_desc": "detected_at"}),
    "run_workers": ("分布式工作进程", "分布式抓取中每个工作进程的部分（由 govarchive merge 合并）。",
                    {"facets": ["status", "worker"], "sort_desc": "started_at"}),
    "fetch_failures": ("抓取失败", "未能取得页面的请求：超时、连接中断、重定向循环、超出大小限制等。",
                       {"label_column": "url", "facets": ["error", "request_kind"], "sort_desc": "failed_at"}),
    "search_log": ("检索日志", "账号与文章的可检索内容的改动，待写入检索库 search.db。", {"sort_desc": "seq"}),
    "reindex_progress": ("重建索引进度", "未完成的 govarchive reindex 读到哪里（为空：索引完整）。", {}),
    "_sqlite_migrations": ("数据库迁移", "已应用的索引结构迁移。", {}),
}
# The search indexes (search.db, attached): bigram text, never meant to be read (see docs/schema.md).
HIDDEN = ("posts_fts", "accounts_fts")


def _plain(markdown: str) -> str:
    text = markdown.replace("\\|", "|").replace("`", "")
    return re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text).strip()


def parse_schema_docs(markdown: str) -> dict[str, dict[str, Any]]:
    """{table: {"description": first paragraph, "columns": {column: meaning}}} from docs/schema.md."""
    tables: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] | None = None
    paragraph: list[str] = []
    for line in markdown.splitlines():
        heading = re.match(r"^## (.+)$", line)
        if heading:
            current = None
            name = heading.group(1).strip().strip("`")
            if re.fullmatch(r"[a-z_]+", name):
                current = tables.setdefault(name, {"description": "", "columns": {}})
                paragraph = []
            continue
        if current is None:
            continue
        row = re.match(r"^\| (`[^|]+`(?:, `[^|]+`)*) \| (.+) \|$", line)
        if row:
            for column in re.findall(r"`([^`]+)`", row.group(1)):
                current["columns"][column] = _plain(row.group(2))
        elif line.strip() and not line.startswith("|") and not current["columns"] and not current["description"]:
            paragraph.append(line.strip())
        elif paragraph and not current["description"]:
            current["description"] = _plain(" ".join(paragraph))
    if current is not None and paragraph and not current["description"]:
        current["description"] = _plain(" ".join(paragraph))
    return tables


def _first_sentence(text: str, limit: int = 200) -> str:
    cut = re.split(r"(?<=[.;])\s", text, maxsplit=1)[0]
    return cut if len(cut) <= limit else cut[: limit - 1].rstrip() + "…"


@lru_cache(maxsize=1)
def schema_docs() -> dict[str, dict[str, Any]]:
    return json.loads(SCHEMA_DOCS_JSON.read_text(encoding="utf-8"))


def table_metadata(table: str) -> dict[str, Any]:
    docs = schema_docs().get(table, {})
    zh_title, zh_description, settings = TABLES.get(table, ("", "", {}))
    meta: dict[str, Any] = {"title": f"{zh_title} {table}" if zh_title else table,
                            "description": " ".join(part for part in (zh_description, docs.get("description")) if part)}
    if docs.get("columns"):  # the first sentence: docs/schema.md has the rest
        meta["columns"] = {column: _first_sentence(text) for column, text in docs["columns"].items()}
    meta.update(settings)
    if table in HIDDEN:
        meta["hidden"] = True
    return meta


def database_metadata() -> dict[str, Any]:
    tables = {name: table_metadata(name) for name in (*TABLES, *HIDDEN)}
    for name in ("posts", "accounts"):  # Chinese search through the bigram shadows
        tables[name].update({"fts_table": f"{name}_fts", "fts_pk": KEY_COLUMN.get(name, "rowid")})
    return {"title": TITLE, "description": DESCRIPTION, "tables": tables, "queries": canned_queries()}


def write_schema_docs(schema_md: Path, target: Path = SCHEMA_DOCS_JSON) -> None:
    parsed = parse_schema_docs(schema_md.read_text(encoding="utf-8"))
    target.write_text(json.dumps(parsed, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")

