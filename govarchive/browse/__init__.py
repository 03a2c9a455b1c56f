"""Datasette plugin: the archive as archivists browse it (``govarchive serve``, or plain
``datasette archive/index.db``, since it is an installed entry point).

- metadata generated from code (:mod:`govarchive.browse.metadata`): titles, descriptions, column
  descriptions, label columns, facets, sorts;
- canned queries (:mod:`govarchive.browse.queries`), one of them an Atom feed through datasette-atom;
- Chinese search: Datasette's ``escape_fts`` becomes :func:`govarchive.index.search.cjk_escape_fts`
  (bigram phrases, Traditional normalised), and ``posts``/``accounts`` search their bigram indexes, which
  live in ``search.db`` beside ``index.db``: every connection to an archive's index attaches it read-only
  (:func:`govarchive.index.search.attach_search`), so ``posts_fts`` and ``accounts_fts`` read as if they were
  index.db's own tables;
- the archived-copy viewer at ``/-/archive/<capture id>`` (:mod:`govarchive.browse.replay` reads the WARC):
  a banner and the archived page in a sandboxed frame under a strict Content-Security-Policy;
- cells that point at captures link to their archived copy; in query results, titles and account names
  link to the post and account pages. Every value is escaped: stored HTML is never rendered in a cell;
- the pages an archivist starts from (templates in ``templates/``): a home page (:mod:`.home`: search,
  "I have an old link", accounts by status, recent closures and migrations, the accounts most at risk,
  runs and problems as ``govarchive status`` reports them, closures by month drawn by :mod:`.chart`), and
  readable records (:mod:`.records`): the row page of an account or a post reads as that account or
  article, the row itself folded below; canned queries titled by their title, their SQL folded.

The ``escape_fts`` replacement is global to the Datasette instance: serve the archive on its own.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from govarchive.browse.chart import closures_chart
from govarchive.browse.home import closures_by_month, most_at_risk, overview, recent_closures
from govarchive.browse.metadata import TABLES, database_metadata
from govarchive.browse.queries import QUERIES, VIEWER
from govarchive.browse.replay import (
    ARCHIVED_CSP,
    FRAME_SANDBOX,
    SAFE_HEADERS,
    VIEWER_CSP,
    ArchivedCopy,
    canonical_url,
    find_capture,
    follow_redirects,
    load_copy,
    page_url,
    rewrite_css,
    rewrite_html,
)
from govarchive.index.records import account_record, capture_row, copy_context, post_record
from govarchive.index.search import attach_search, cjk_escape_fts, contains_all, has_search_log, main_file, search_path
from govarchive.warc.writer import open_warc

logger = logging.getLogger(__name__)
ROW_LINK_COLUMNS = {"post_id": "posts", "account_id": "accounts", "target_account_id": "accounts",
                    "from_account_id": "accounts"}
CAPTURE_COLUMNS = ("capture_id", "archived_capture_id")
BEIJING = timezone(timedelta(hours=8))


@hookimpl(trylast=True)  # after Datasette's own prepare_connection, which registers escape_fts
def prepare_connection(conn: Any, database: str, datasette: Any) -> None:
    conn.create_function("escape_fts", 1, cjk_escape_fts, deterministic=True)
    conn.create_function("govarchive_canonical_url", 1, canonical_url, deterministic=True)
    conn.create_function("govarchive_contains", 2, contains_all, deterministic=True)
    conn.create_function("govarchive_row_path", 2,
                         lambda table, pk: datasette.urls.row(database, table, tilde_encode(str(pk))) if pk else None)
    _attach_search(conn)


_MISSING_SEARCH_SAID: set[str] = set()


def _attach_search(conn: Any) -> None:
    """An archive's index (one with ``search_log``, m014) gets its search.db attached read-only: Datasette's
    table search and the canned queries find ``posts_fts`` there. Without one, an empty search index in memory
    (a search finds nothing) and one line in the log, once."""
    index_db = main_file(conn)
    if not index_db or not has_search_log(conn):
        return
    if not attach_search(conn, index_db) and index_db not in _MISSING_SEARCH_SAID:
        _MISSING_SEARCH_SAID.add(index_db)
        logger.warning("%s is missing or unreadable: search finds nothing until a command that writes the index "
                       "(a crawl, `govarchive analyse`) rebuilds it from index.db", search_path(index_db))


def _archive_databases(datasette: Any) -> list[str]:
    return [name for name, db in datasette.databases.items() if name != "_internal" and db.path]


@hookimpl
def get_metadata(datasette: Any, key: str, database: str, table: str) -> dict[str, Any]:
    meta = database_metadata()
    return {"title": meta["title"], "description": meta["description"],
            "databases": {name: meta for name in _archive_databases(datasette)}}


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    env.filters["tilde_encode"] = lambda value: tilde_encode(str(value))  # a row's path: urls.row(db, t, id|tilde_encode)
    env.filters["http_url"] = _http_url  # a stored URL as a link only when it is http(s): never javascript:
    env.filters["ga_table_order"] = _table_order  # the database page's tables, as an archivist reads them


def _table_order(tables: Any) -> list[Any]:
    order = list(TABLES)
    return sorted(tables or [], key=lambda t: (order.index(t["name"]) if t["name"] in order else len(order), t["name"]))


def _http_url(value: Any) -> str:
    return value if isinstance(value, str) and urlsplit(value.strip()).scheme in ("http", "https") else ""


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [datasette.urls.static_plugins("govarchive", "govarchive.css")]  # the entry point name


# -- the pages: home, account, post, canned queries ------------------------------------------------------
@hookimpl
def extra_template_vars(template: str, database: str | None, table: str | None, view_name: str, request: Any,
                        datasette: Any) -> Any:
    async def inner() -> dict[str, Any]:
        names = _archive_databases(datasette)
        if not names:
            return {}
        if template == "index.html":
            return await _home(datasette, names[0])
        if template == "row.html" and database in names and table in ("accounts", "posts") and request is not None:
            return await _record(datasette, database, table, request)
        if template == "query.html" and database in names and request is not None \
                and request.path.rstrip("/").rsplit("/", 1)[-1] == "closures_by_month":
            db = datasette.get_database(database)
            return {"ga_chart": closures_chart(await db.execute_fn(closures_by_month))}
        return {}

    return inner


async def _home(datasette: Any, name: str) -> dict[str, Any]:
    db = datasette.get_database(name)

    def gather(conn: Any) -> dict[str, Any]:
        return {"closures": recent_closures(conn), "at_risk": most_at_risk(conn),
                "chart": closures_chart(closures_by_month(conn), datasette.urls.path(f"/{name}/closures_by_month"))}

    sections = await db.execute_fn(gather)
    sections.update(await asyncio.get_running_loop().run_in_executor(None, overview, Path(db.path)))
    queries = [{"name": key, "title": title, "description": description}
               for key, (title, description, _) in QUERIES.items()]
    tables = [{"name": key, "title": TABLES[key][0]} for key in TABLES if key != "_sqlite_migrations"]
    return {"ga_home": dict(sections, database=name, queries=queries, tables=tables)}


async def _record(datasette: Any, database: str, table: str, request: Any) -> dict[str, Any]:
    from datasette.utils import urlsafe_components

    keys = urlsafe_components(request.url_vars.get("pks") or "")
    if len(keys) != 1:
        return {}
    db = datasette.get_database(database)
    if table == "accounts":
        found = await db.execute_fn(lambda conn: account_record(conn, keys[0]))
        return {"ga_account": found} if found else {}
    found = await db.execute_fn(lambda conn: post_record(conn, keys[0]))
    if not found:
        return {}
    at = (found["archived"] or {}).get("fetched_at") or ""
    link, resource = _viewer_paths(datasette, at)
    for item in found["media"]:
        item["view"] = link(item["url"]) if item.get("archived") else None
        item["src"] = resource(item["url"]) if item.get("archived") and item.get("kind") == "image" else None
    return {"ga_post": found}


# -- cells ---------------------------------------------------------------------------------------------

def _copy_link(datasette: Any, capture_id: Any) -> Markup:
    return Markup('<a class="archived-copy" href="{}">存档副本 archived copy</a>').format(
        datasette.urls.path(VIEWER + str(capture_id)))


def _url_cell(datasette: Any, url: str, capture_id: Any) -> Markup:
    shown = escape(url)
    if urlsplit(url).scheme in ("http", "https"):
        shown = Markup('<a href="{}" rel="noreferrer noopener">{}</a>').format(url, url)
    return shown + Markup(" · ") + _copy_link(datasette, capture_id) if capture_id else shown


# query columns that name a record -> (the column holding its id, its table)
NAME_LINKS = {"title": ("post_id", "posts"), "account": ("account_id", "accounts"), "name": ("account_id", "accounts"),
              "successor_account": ("target_account_id", "accounts")}


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    if isinstance(value, str) and value.startswith(VIEWER) and (column == "archived_copy" or column.endswith("_copy")
                                                                 or column == "atom_link"):
        return _copy_link(datasette, value[len(VIEWER):])
    keys = row.keys() if hasattr(row, "keys") else []
    if table is None and column == "record" and isinstance(value, str) and value.startswith("/"):
        return Markup('<a class="ga-record-link" href="{}">打开 open</a>').format(value)
    if table is None and column == "title" and "record" in keys and isinstance(row["record"], str) \
            and row["record"].startswith("/") and value:
        return Markup('<a href="{}">{}</a>').format(row["record"], value)
    if table is None and column in NAME_LINKS and value and NAME_LINKS[column][0] in keys \
            and isinstance(row[NAME_LINKS[column][0]], str) and row[NAME_LINKS[column][0]]:
        key, target = NAME_LINKS[column]
        return Markup('<a href="{}">{}</a>').format(
            datasette.urls.row(database, target, tilde_encode(row[key])), value)
    if table is None and column in ROW_LINK_COLUMNS and isinstance(value, str) and value:
        return Markup('<a href="{}">{}</a>').format(
            datasette.urls.row(database, ROW_LINK_COLUMNS[column], tilde_encode(value)), value)
    if table == "captures" and column == "url" and isinstance(value, str) and "id" in keys:
        return _url_cell(datasette, value, row["id"])
    if table == "posts" and column == "url" and isinstance(value, str):
        capture_id = (row["archived_capture_id"] if "archived_capture_id" in keys else None) or (
            row["capture_id"] if "capture_id" in keys else None)
        return _url_cell(datasette, value, _plain_value(capture_id))
    if table and column in CAPTURE_COLUMNS and value:
        capture_id = _plain_value(value)
        label = value.get("label") if isinstance(value, dict) else None
        shown = Markup('<a href="{}">{}</a>').format(
            datasette.urls.row(database, "captures", tilde_encode(capture_id)), label or capture_id)
        return shown + Markup(" · ") + _copy_link(datasette, capture_id)
    return None


def _plain_value(value: Any) -> Any:
    return value.get("value") if isinstance(value, dict) else value


# -- the archived-copy viewer -----------------------------------------------------------------------------

def _database(datasette: Any, request: Any) -> tuple[Any, Path]:
    names = _archive_databases(datasette)
    wanted = request.args.get("db")
    name = wanted if wanted in names else (names[0] if names else None)
    if name is None:
        raise LookupError("no archive database is being served")
    db = datasette.get_database(name)
    return db, Path(db.path).parent / "warc"


def _headers(csp: str, **extra: str) -> dict[str, str]:
    return {"Content-Security-Policy": csp, **SAFE_HEADERS, **extra}


def _not_found(message: str) -> Response:
    return Response.text(message, status=404, headers=_headers(ARCHIVED_CSP))


def _beijing(moment: str | None) -> str:
    if not moment:
        return ""
    try:
        parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    except ValueError:
        return moment
    return parsed.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S") + " 北京时间 (" + moment + ")"


def _viewer_paths(datasette: Any, at: str) -> tuple[Any, Any]:
    stamp = quote(at or "", safe="")

    def link(url: str) -> str:
        return datasette.urls.path(f"{VIEWER}view?url={quote(url, safe='')}&at={stamp}")

    def resource(url: str) -> str:
        return datasette.urls.path(f"{VIEWER}resolve?url={quote(url, safe='')}&at={stamp}")

    return link, resource


async def archived_copy_page(datasette: Any, request: Any) -> Response:
    capture_id = request.url_vars["capture_id"]
    db, warc_dir = _database(datasette, request)

    def gather(conn: Any) -> tuple[ArchivedCopy | None, dict[str, Any]]:
        return load_copy(conn, warc_dir, capture_id), copy_context(conn, capture_id)

    copy, context = await db.execute_fn(gather)
    if copy is None:
        return Response.html(await datasette.render_template(
            "govarchive_copy.html", {"missing": capture_id, "copy": None}, request=request), status=404,
            headers=_headers(VIEWER_CSP))
    base = datasette.urls.path(VIEWER + capture_id)
    shown: str | None = None
    if copy.body is not None and copy.kind == "json":
        try:
            shown = json.dumps(json.loads(copy.text()), ensure_ascii=False, indent=2)
        except ValueError:
            shown = copy.text()
    elif copy.body is not None and copy.kind in ("text", "css"):
        shown = copy.text()
    link, _ = _viewer_paths(datasette, copy.capture["fetched_at"])
    account = context["account"]
    values = {
        "copy": copy, "capture": copy.capture, "kind": copy.kind, "context": context, "shown": shown,
        "raw_url": base + "/raw", "download_url": base + "/raw?download=1", "warc_url": base + "/warc",
        "captured": _beijing(copy.capture["fetched_at"]), "sandbox": FRAME_SANDBOX, "database": db.name,
        "redirect_to": link(copy.location) if copy.kind == "redirect" and copy.location else None,
        "original_link": copy.capture["url"] if urlsplit(copy.capture["url"]).scheme in ("http", "https") else None,
        "capture_row": datasette.urls.row(db.name, "captures", tilde_encode(capture_id)),
        "account_row": datasette.urls.row(db.name, "accounts", tilde_encode(account["id"])) if account else None,
        "post_row": datasette.urls.row(db.name, "posts", tilde_encode(context["post"]["id"])) if context["post"] else None,
        "successors": [dict(s, row=datasette.urls.row(db.name, "accounts", tilde_encode(s["target_account_id"]))
                            if s["target_account_id"] else None,
                            copy_url=datasette.urls.path(VIEWER + s["target_capture_id"])
                            if s["target_capture_id"] else None) for s in context["successors"]],
        "claims": [dict(c, copy_url=datasette.urls.path(VIEWER + c["report_capture_id"])
                        if c["report_capture_id"] else None) for c in context["claims"]],
        "payload_row": datasette.urls.path(VIEWER + copy.payload_capture_id) if copy.payload_capture_id else None,
        "media": [dict(item, view=link(item["url"]) if item.get("archived") else None)
                  for item in _media(context["post"])],
        "renderings": [dict(r, view=datasette.urls.path(VIEWER + r["id"])) for r in context["renderings"]],
        "rendering_of": datasette.urls.path(VIEWER + context["rendering_of"]) if context["rendering_of"] else None,
    }
    html = await datasette.render_template("govarchive_copy.html", values, request=request)
    return Response.html(html, headers=_headers(VIEWER_CSP))


def _media(post: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The images, audio and video a post embeds (image posts show theirs only through scripts)."""
    try:
        items = json.loads(post["media"]) if post and post.get("media") else []
    except ValueError:
        return []
    return [item for item in items if isinstance(item, dict) and isinstance(item.get("url"), str)]


async def archived_payload(datasette: Any, request: Any) -> Response:
    capture_id = request.url_vars["capture_id"]
    db, warc_dir = _database(datasette, request)
    copy = await db.execute_fn(lambda conn: load_copy(conn, warc_dir, capture_id))
    if copy is None:
        return _not_found("not in the archive")
    if copy.body is None:
        return _not_found(copy.error or "no payload")
    if request.args.get("download"):
        name = Path(urlsplit(copy.capture["url"]).path).name or "payload"
        return Response(copy.body, content_type="application/octet-stream",
                        headers=_headers(ARCHIVED_CSP, **{"Content-Disposition": f'attachment; filename="{quote(name)}"'}))
    link, resource = _viewer_paths(datasette, copy.capture["fetched_at"])
    if copy.kind == "html":  # (a browser's DOM snapshot is read against its page's own URL)
        page = rewrite_html(copy.text(), page_url(copy.capture["url"]), link, resource)
        return Response(page, content_type="text/html; charset=utf-8", headers=_headers(ARCHIVED_CSP))
    if copy.kind == "css":
        css = rewrite_css(copy.text(), copy.capture["url"], resource)
        return Response(css, content_type="text/css; charset=utf-8", headers=_headers(ARCHIVED_CSP))
    if copy.kind in ("json", "text"):
        return Response(copy.text(), content_type="text/plain; charset=utf-8", headers=_headers(ARCHIVED_CSP))
    return Response(copy.body, content_type=copy.content_type or "application/octet-stream",
                    headers=_headers(ARCHIVED_CSP))


async def archived_record(datasette: Any, request: Any) -> Response:
    """The WARC record itself (one gzip member): provenance a reader can check with any WARC tool."""
    capture_id = request.url_vars["capture_id"]
    db, warc_dir = _database(datasette, request)
    row = await db.execute_fn(lambda conn: capture_row(conn, capture_id))
    if row is None:
        return _not_found("not in the archive")
    try:
        with open_warc(warc_dir, row["warc_file"]) as fh:
            fh.seek(row["warc_offset"])
            data = fh.read(row["warc_length"])
    except OSError as exc:
        return _not_found(f"WARC file not readable: {row['warc_file']} ({exc.strerror or exc})")
    name = capture_id.rsplit(":", 1)[-1] + ".warc.gz"
    return Response(data, content_type="application/warc",
                    headers=_headers(ARCHIVED_CSP, **{"Content-Disposition": f'attachment; filename="{name}"'}))


async def resolve_resource(datasette: Any, request: Any) -> Response:
    url, at = request.args.get("url") or "", request.args.get("at")
    db, warc_dir = _database(datasette, request)

    def find(conn: Any) -> str | None:
        found = find_capture(conn, url, at)
        return follow_redirects(conn, warc_dir, found) if found else None

    found = await db.execute_fn(find)
    if found is None:
        return _not_found("not archived: " + url)
    return Response.redirect(datasette.urls.path(f"{VIEWER}{found}/raw"))


async def view_url(datasette: Any, request: Any) -> Response:
    url, at = request.args.get("url") or "", request.args.get("at")
    db, _ = _database(datasette, request)
    found = await db.execute_fn(lambda conn: find_capture(conn, url, at))
    if found is None:
        html = await datasette.render_template("govarchive_copy.html", {"not_archived": url, "copy": None},
                                               request=request)
        return Response.html(html, status=404, headers=_headers(VIEWER_CSP))
    return Response.redirect(datasette.urls.path(VIEWER + found))


_ID = r"(?P<capture_id>urn:uuid:[0-9a-fA-F-]{36})"


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    return [
        (r"^/-/archive/view$", view_url),
        (r"^/-/archive/resolve$", resolve_resource),
        (rf"^/-/archive/{_ID}$", archived_copy_page),
        (rf"^/-/archive/{_ID}/raw$", archived_payload),
        (rf"^/-/archive/{_ID}/warc$", archived_record),
    ]


@hookimpl(trylast=True)  # called after datasette-atom's own hook, so this one is the .atom renderer kept
def register_output_renderer(datasette: Any) -> dict[str, Any]:
    """datasette-atom's renderer, except for a query with no row: datasette-atom 0.9 takes the ``max()`` of
    the rows' ``atom_updated`` and answers 500 there, so an archive with no closure recorded yet (a new one,
    or any archive during its first crawl) had a broken closures feed. Its empty feed is a valid Atom
    document with no entry."""
    import datasette_atom

    def render(datasette: Any, request: Any, sql: str, columns: list[str], rows: list[Any], database: str,
               table: str | None, query_name: str | None, view_name: str, data: dict[str, Any]) -> Any:
        if rows or not datasette_atom.REQUIRED_COLUMNS.issubset(columns):
            return datasette_atom.render_atom(datasette, request, sql, columns, rows, database, table, query_name,
                                              view_name, data)
        return Response(_empty_feed(request.url, _feed_title(datasette, database, query_name, sql)),
                        content_type="application/xml; charset=utf-8")

    return {"extension": "atom", "render": render, "can_render": datasette_atom.can_render_atom}


def _feed_title(datasette: Any, database: str, query_name: str | None, sql: str) -> str:
    queries = (datasette.metadata(database=database) or {}).get("queries") or {}
    return (queries.get(query_name) or {}).get("title") or sql


def _empty_feed(url: str, title: str) -> str:
    from xml.sax.saxutils import escape

    updated = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<id>{escape(url)}</id><title>{escape(title)}</title><updated>{updated}</updated>"
            f'<link href="{escape(url, {chr(34): "&quot;"})}" rel="self"/><generator>govarchive</generator></feed>\n')
