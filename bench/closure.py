"""``python -m bench.closure``: how long the closure detector takes per text (docs/closure.md).

The detector reads every post a run archived, at the end of the run; now that any page with an article
is a post, that includes long ordinary news and government articles. Timed here, one text at a time with
the detector's caches cleared before each (a run reads each post once):

- the labelled sets given (default: the development set and, when present, ../shared/closure_real),
  milliseconds per text, the best of ``--rounds`` rounds;
- long ordinary government articles of :mod:`bench.text` (``--chars`` characters, deterministic prose
  that talks of 政务新媒体, 公众号整合, 账号关停 as work topics): milliseconds per article, and what the
  detector called them (every one should be ``other``);
- the same articles with a closure report of three sentences appended (the slow path: the report reader
  then reads every sentence after the first account it finds): milliseconds per article. (What they are
  called is not the point: the generator's prose mixes genres, and one with 现将有关事项通知如下 at its
  start is a notification, whose genre the detector keeps.)
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from bench import text
from govarchive.closure import detector as closure
from govarchive.closure.detector import detect
from govarchive.closure.evaluation import DEFAULT_SET, load_cases, run_case

REAL_SET = Path(__file__).resolve().parents[2] / "shared" / "closure_real" / "cases.toml"
REPORT = ("记者了解到，“{a}发布”微信公众号已于9月停止更新，全部业务迁移至“{a}市发布”微信公众号。"
          "此外，{a}市档案馆网站也已关闭。据了解，保留的账号将统一管理。")


def _clear() -> None:
    closure._actions.cache_clear()


def time_set(path: Path, rounds: int) -> dict[str, float | int]:
    cases = load_cases(path)
    best = float("inf")
    for _ in range(rounds):
        total = 0.0
        for case in cases:
            _clear()
            started = time.perf_counter()
            run_case(case)
            total += time.perf_counter() - started
        best = min(best, total)
    return {"texts": len(cases), "ms_per_text": round(best / len(cases) * 1000, 3)}


def long_articles(count: int, chars: int, seed: int = 17) -> list[tuple[str, str]]:
    """``count`` (title, text) pairs of ordinary government prose, about ``chars`` characters each."""
    rng = random.Random(seed)
    articles = []
    for _ in range(count):
        about = text.subject(rng)
        articles.append((text.title(rng, about), "\n".join(text.paragraphs(rng, chars, about))))
    return articles


def time_articles(articles: list[tuple[str, str]], rounds: int) -> dict[str, object]:
    best, labels = float("inf"), {}
    for _ in range(rounds):
        total = 0.0
        for title, body in articles:
            _clear()
            started = time.perf_counter()
            found = detect(body, title, "某市某局", "website", "2025-06-01")
            total += time.perf_counter() - started
            labels[found.label] = labels.get(found.label, 0) + 1
        best = min(best, total)
    return {"articles": len(articles), "chars": round(sum(len(b) for _, b in articles) / len(articles)),
            "ms_per_article": round(best / len(articles) * 1000, 3),
            "labels": {k: v // rounds for k, v in sorted(labels.items())}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.closure", description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", type=Path, help="labelled sets (default: the development set, the real one)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; the best is kept")
    parser.add_argument("--articles", type=int, default=50, help="long ordinary articles")
    parser.add_argument("--chars", type=int, default=7000, help="characters of each long article")
    args = parser.parse_args(argv)
    for path in args.sets or [DEFAULT_SET, REAL_SET]:
        if not path.is_file():
            print(f"{path}: absent, skipped")
            continue
        result = time_set(path, args.rounds)
        print(f"{path}: {result['texts']} texts, {result['ms_per_text']:.2f} ms per text")
    articles = long_articles(args.articles, args.chars)
    for name, batch in (("long ordinary articles", articles),
                        ("the same with a closure report appended",
                         [(title, body + "\n" + REPORT.format(a="澄川")) for title, body in articles])):
        result = time_articles(batch, args.rounds)
        called = f"; called {result['labels']}" if batch is articles else ""
        print(f"{name}: {result['articles']} of {result['chars']:,} characters, {result['ms_per_article']:.2f} ms "
              f"per article{called}")


if __name__ == "__main__":
    main()
