"""Sources files: validation before any request, with errors naming the entry."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from govarchive.cli import DEMO_SOURCES, cli
from govarchive.core.sources import SourceError, load_sources, select

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path, text):
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_demo_sources_resolve_against_the_demo_address():
    sources = load_sources(DEMO_SOURCES, base_url="http://127.0.0.1:4321")
    assert sources["yunlan-xmt"].url == "http://127.0.0.1:4321/xxgk/xmt/"
    assert {s.platform for s in sources.values()} == {"website", "weibo", "wechat"}
    # search and back-office entries are built from their query, on the demo's address
    assert sources["find-yunlan-jiaotong"].url == \
        "http://127.0.0.1:4321/weixin?type=1&query=%E4%BA%91%E5%B2%9A%E4%BA%A4%E9%80%9A&ie=utf8"
    assert sources["yunlan-jiaotong-mp"].url.startswith("http://127.0.0.1:4321/cgi-bin/searchbiz?action=search_biz&")
    assert "token" not in sources["yunlan-jiaotong-mp"].url


def test_search_and_backoffice_defaults_and_errors(tmp_path):
    body = ('[[source]]\nid = "s"\nkind = "search"\nplatform = "wechat"\nquery = "某市发布"\n'
            '[[source]]\nid = "b"\nkind = "backoffice"\nplatform = "wechat"\nfakeid = "MzI5MTg0NzU2MA=="\n')
    sources = load_sources(write(tmp_path, body))
    assert sources["s"].url.startswith("https://weixin.sogou.com/weixin?type=1&query=%E6%9F%90")
    assert sources["b"].url.startswith("https://mp.weixin.qq.com/cgi-bin/appmsgpublish?sub=list&")
    assert "fakeid=MzI5MTg0NzU2MA%3D%3D" in sources["b"].url
    with pytest.raises(SourceError, match="needs a query"):
        load_sources(write(tmp_path, '[[source]]\nid = "s"\nkind = "search"\nplatform = "wechat"\n'))
    with pytest.raises(SourceError, match="is for platform 'wechat'"):
        load_sources(write(tmp_path, '[[source]]\nid = "s"\nkind = "search"\nplatform = "weibo"\nquery = "x"\n'))


def test_real_world_examples_are_valid():
    sources = load_sources(ROOT / "docs" / "examples" / "real-world-sources.toml")
    assert sources["weibo-example-account"].url.endswith("getIndex?type=uid&value=1669879400")


@pytest.mark.parametrize("body, message", [
    ('[[source]]\nid = "a"\nplatform = "wexin"\nurl = "http://x.cn/"\n', "entry 1 (id 'a'): unknown platform 'wexin'"),
    ('[[source]]\nid = "a"\nplatform = "website"\nurl = "http://x.cn/"\n'
     '[[source]]\nid = "a"\nplatform = "website"\nurl = "http://y.cn/"\n', "entry 2: duplicate id 'a'"),
    ('[[source]]\nid = "a"\nplatform = "website"\nurl = "x.cn/column"\n', "entry 1 (id 'a'): bad URL"),
    ('[[source]]\nid = "a"\nplatform = "weibo"\n', "needs a url or a numeric uid"),
    ('[[source]]\nid = "a"\nkind = "blog"\nplatform = "website"\nurl = "http://x.cn/"\n', "unknown kind 'blog'"),
    ('[[source]]\nid = "a b"\nplatform = "website"\nurl = "http://x.cn/"\n', "id must be"),
    ('[[source]]\nid = "a"\nplatform = "website"\nurl = "http://x.cn/"\nregoin = "x"\n', "unknown field(s) regoin"),
    ('[[source]\nid = 1', "not valid TOML"),
    ('title = "none"\n', "no [[source]] entries"),
])
def test_bad_entries_are_named(tmp_path, body, message):
    with pytest.raises(SourceError) as error:
        load_sources(write(tmp_path, body))
    assert message in str(error.value) and "sources.toml" in str(error.value)


def test_unknown_source_id_is_an_error():
    with pytest.raises(SourceError, match="unknown source id"):
        select(load_sources(DEMO_SOURCES), ["nope"])


def test_sources_check_command(tmp_path):
    ok = CliRunner().invoke(cli, ["sources", "check", str(DEMO_SOURCES)])
    assert ok.exit_code == 0 and "12 sources, all valid" in ok.output
    bad = CliRunner().invoke(cli, ["sources", "check", str(write(tmp_path, '[[source]]\nid = "a"\nplatform = "x"\n'))])
    assert bad.exit_code == 2 and "unknown platform 'x'" in bad.output  # a usage mistake and "Traceback" not in bad.output


def test_crawl_refuses_a_bad_sources_file_before_starting(tmp_path):
    bad = write(tmp_path, '[[source]]\nid = "a"\nplatform = "website"\nurl = "ftp://x.cn/"\n')
    result = CliRunner().invoke(cli, ["crawl", "portal", "--sources", str(bad), "--archive-dir", str(tmp_path / "a")])
    assert result.exit_code == 2 and "bad URL" in result.output
    assert not (tmp_path / "a").exists()


def test_crawl_needs_something_to_crawl(tmp_path):
    result = CliRunner().invoke(cli, ["crawl", "portal", "--archive-dir", str(tmp_path)])
    assert result.exit_code == 2 and "nothing to crawl" in result.output


def _spider(**kwargs):
    from types import SimpleNamespace

    from spiders.portal import PortalSpider

    spider = PortalSpider(**kwargs)
    # (the host slowdown needs a running engine; this test reads only what the spider yields)
    spider.backoff = SimpleNamespace(passed=lambda request: None, blocked=lambda request: None)
    return spider


def test_a_source_travels_with_its_requests(monkeypatch):
    """The validated entry rides on its start request and on every request the pages behind it lead to."""
    import asyncio
    import pickle

    from scrapy.http import HtmlResponse
    from scrapy.utils.request import request_from_dict

    import govarchive.crawl.spider as spider_module
    from govarchive.crawl.spider import META_KIND, META_SOURCE
    from govarchive.demo import server
    from govarchive.demo.content import DIRECTORY_PATHS

    base = "http://127.0.0.1:8765"
    chosen = select(load_sources(DEMO_SOURCES, base_url=base), ["yunlan-xmt"])
    monkeypatch.setattr(spider_module, "load_sources", lambda *a, **k: pytest.fail("read again"))
    spider = _spider(sources=chosen, url=f"{base}/other/")

    async def starts():
        return [request async for request in spider.start()]

    plain, start = asyncio.run(starts())
    assert META_SOURCE not in plain.meta and plain.url == f"{base}/other/"
    assert start.meta[META_SOURCE] is chosen[0] and start.meta[META_KIND] == "start"
    assert start.meta[META_SOURCE].agency == "云岚市人民政府办公室" and start.meta[META_SOURCE].region == "云岚市"
    # a disk queue (JOBDIR, the spilling frontier) or Redis keeps it: the request is pickled
    again = request_from_dict(pickle.loads(pickle.dumps(start.to_dict(spider=spider))), spider=spider)
    assert again.meta[META_SOURCE] == chosen[0]

    status, headers, body = server.render(DIRECTORY_PATHS[0])
    response = HtmlResponse(base + DIRECTORY_PATHS[0], status=status, headers=dict(headers), body=body,
                            request=start)
    followed = [r for r in spider.parse(response) if hasattr(r, "meta")]
    assert followed, "the directory leads to accounts"
    assert all(r.meta[META_SOURCE] is chosen[0] for r in followed)


def test_govarchive_crawl_reads_the_sources_file_once(monkeypatch, tmp_path):
    import govarchive.cli as cli_module
    import govarchive.core.sources as sources_module

    reads, given = [], {}
    real = sources_module.load_sources

    def counting(*args, **kwargs):
        reads.append(args)
        return real(*args, **kwargs)

    def run_crawl(spider, archive_dir, spider_args, overrides=None, verbose=False):
        given.update(spider_args)
        raise SystemExit(0)

    monkeypatch.setattr(sources_module, "load_sources", counting)
    monkeypatch.setattr(cli_module, "run_crawl", run_crawl)
    result = CliRunner().invoke(cli, ["crawl", "portal", "--sources", str(DEMO_SOURCES), "--source", "yunlan-xmt",
                                      "-a", "base_url=http://127.0.0.1:4321", "--archive-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert len(reads) == 1
    [source] = given["sources"]
    assert source.id == "yunlan-xmt" and source.url == "http://127.0.0.1:4321/xxgk/xmt/"
    assert "source" not in given and "base_url" not in given
