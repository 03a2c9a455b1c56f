"""govarchive's benchmark (``make bench``, docs/benchmarks.md); not part of the test run.

- :mod:`bench.text`: deterministic Chinese government prose (titles, paragraphs, posts);
- :mod:`bench.site` and :mod:`bench.server`: the bench web, a government portal of N columns generated
  on the fly and served on loopback with a fixed latency per response;
- :mod:`bench.measure`: one measured subprocess (wall time, CPU, peak RSS through ``os.wait4``);
- :mod:`bench.crawlers`: bare Scrapy, govarchive's archiving crawl and ``wget --warc-file`` on that web;
- :mod:`bench.reindex`: ``govarchive reindex`` against ``warcio index`` on the same WARCs;
- :mod:`bench.search`: the search canned query on an index of 1,000,000 synthetic posts;
- :mod:`bench.report` and :mod:`bench.machine`: the table, the targets and the JSON results;
- ``python -m bench``: all of it in one run.
"""
