"""Precision and recall of closure-notice detection and successor extraction on a labelled set.

    python -m govarchive.evaluation [tests/eval/closure_cases.toml] [--errors]
    make eval

The set (``tests/eval/closure_cases.toml``, written by us, its labelling rules in its header) holds
notices, reports about closures elsewhere and other texts that use the same words. Scored:

- **notice detection**, per case: a case is a positive when it is labelled ``notice``; the detector
  is right when it says ``notice`` (a report or other text called a notice is a false positive);
- **successor extraction**, per (case, closing account, target name, target platform), over all
  cases: every target the detector names is a prediction, so targets taken from a text that is not
  a notice count against precision. Names compare after :func:`govarchive.closure.name_key`;
- for information: named accounts per notice, kind and effective-date agreement.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govarchive.closure import KINDS, TARGET_PLATFORMS, Detection, detect, name_key

DEFAULT_SET = Path(__file__).resolve().parent.parent / "tests" / "eval" / "closure_cases.toml"
TARGETS = {"notice": (0.95, 0.9), "successor": (0.95, 0.9)}


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, gold: set[Any], predicted: set[Any], case_id: str) -> None:
        self.tp += len(gold & predicted)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)
        for item in sorted(predicted - gold, key=str):
            self.errors.append(f"{case_id}: false positive {item}")
        for item in sorted(gold - predicted, key=str):
            self.errors.append(f"{case_id}: missed {item}")


@dataclass
class Report:
    cases: int = 0
    labels: dict[str, int] = field(default_factory=dict)
    notice: Score = field(default_factory=Score)
    successor: Score = field(default_factory=Score)
    accounts: Score = field(default_factory=Score)
    kinds: list[bool] = field(default_factory=list)
    dates: list[bool] = field(default_factory=list)

    def meets_targets(self) -> bool:
        return all(getattr(self, name).precision >= p and getattr(self, name).recall >= r
                   for name, (p, r) in TARGETS.items())

    def lines(self) -> list[str]:
        def row(name: str, score: Score, target: tuple[float, float] | None) -> str:
            goal = f"   target P ≥ {target[0]:.2f}, R ≥ {target[1]:.2f}" if target else ""
            return (f"{name:<22} precision {score.precision:.3f}  recall {score.recall:.3f}  "
                    f"(tp {score.tp}, fp {score.fp}, fn {score.fn}){goal}")

        labels = ", ".join(f"{k} {v}" for k, v in sorted(self.labels.items()))
        share = lambda values: f"{sum(values)}/{len(values)}" if values else "n/a"  # noqa: E731
        return [f"cases: {self.cases} ({labels})",
                row("notice detection", self.notice, TARGETS["notice"]),
                row("successor extraction", self.successor, TARGETS["successor"]),
                row("named accounts", self.accounts, None),
                f"{'kind agrees':<22} {share(self.kinds)} of the notices found",
                f"{'effective date agrees':<22} {share(self.dates)} of the notices found"]


LABELS = ("notice", "report", "other")


def load_cases(path: Path) -> list[dict[str, Any]]:
    """The cases of a labelled set, checked: unique ids, known labels, kinds and platforms."""
    with open(path, "rb") as handle:
        cases = tomllib.load(handle)["case"]
    seen: set[str] = set()
    for case in cases:
        problems = ["duplicate id" if case["id"] in seen else "", "" if case["label"] in LABELS else "label",
                    "notices on a non-notice" if case["label"] != "notice" and case.get("notices") else ""]
        for notice in case.get("notices", []):
            problems.append("" if notice["kind"] in KINDS else f"kind {notice['kind']}")
            problems += ["" if t["platform"] in TARGET_PLATFORMS else f"platform {t['platform']}"
                         for t in notice.get("targets", [])]
        if any(problems):
            raise ValueError(f"{path}: case {case['id']}: {', '.join(p for p in problems if p)}")
        seen.add(case["id"])
    return cases


def run_case(case: dict[str, Any]) -> Detection:
    return detect(case["text"], case.get("title"), account_name=case.get("page_account"),
                  platform=case.get("page_platform"), published_at=case.get("published_at"))


def evaluate(cases: list[dict[str, Any]]) -> Report:
    report = Report(cases=len(cases))
    for case in cases:
        label = case["label"]
        report.labels[label] = report.labels.get(label, 0) + 1
        detection = run_case(case)
        gold_notice = label == "notice"
        found_notice = detection.label == "notice"
        report.notice.add({case["id"]} if gold_notice else set(), {case["id"]} if found_notice else set(),
                          f"{case['id']} ({label}, detector: {detection.label}: {detection.reason})")
        gold_notices = case.get("notices", []) if gold_notice else []
        own = case.get("page_account")
        predicted_findings = detection.findings if found_notice else []

        def account_key(name: str | None) -> str:
            return name_key(name or own)

        gold_targets = {(account_key(n["account"]), name_key(t["name"]), t["platform"])
                        for n in gold_notices for t in n.get("targets", [])}
        found_targets = {(account_key(f.account_name), name_key(t.name), t.platform)
                         for f in predicted_findings for t in f.targets}
        report.successor.add(gold_targets, found_targets, case["id"])
        if gold_notice and found_notice:
            report.accounts.add({account_key(n["account"]) for n in gold_notices},
                                {account_key(f.account_name) for f in predicted_findings}, case["id"])
            by_account = {account_key(f.account_name): f for f in predicted_findings}
            for notice in gold_notices:
                finding = by_account.get(account_key(notice["account"]))
                if finding is None:
                    continue
                report.kinds.append(finding.kind == notice["kind"])
                report.dates.append(finding.effective_at == notice.get("effective_at"))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="?", type=Path, default=DEFAULT_SET)
    parser.add_argument("--errors", action="store_true", help="list every false positive and miss")
    args = parser.parse_args(argv)
    report = evaluate(load_cases(args.cases))
    for line in report.lines():
        print(line)
    if args.errors:
        for name in ("notice", "successor", "accounts"):
            for error in getattr(report, name).errors:
                print(f"[{name}] {error}")
    return 0 if report.meets_targets() else 1


if __name__ == "__main__":
    sys.exit(main())
