"""Precision and recall of the closure detector on labelled sets: notices, successors, reports.

    python -m govarchive.closure.evaluation [SET.toml ...] [--errors]
    make eval

A set (``tests/eval/closure_cases.toml``, written by us, its labelling rules in its header; or
``../shared/closure_real/cases.toml``, real texts) holds notices, reports about closures and other
texts that use the same words. Scored:

- **notice detection**, per case: a case is a positive when it is labelled ``notice``; the detector
  is right when it says ``notice`` (a report or other text called a notice is a false positive);
- **successor extraction**, per (case, closing account, target name, target platform), over all
  cases: every target the detector names is a prediction, so targets taken from a text that is not
  a notice count against precision. Names compare after :func:`govarchive.closure.detector.name_key`;
- **report recognition**, per case: positives are the cases labelled ``report``, predictions the
  cases the detector calls ``report`` ("reports recognised" is its recall);
- **named accounts of reports**, per (case, account) against ``[[case.named]]``: every account the
  detector names in a text it calls a report is a prediction (so names taken from an ``other`` text
  count against precision). Two names match when their keys are equal or one is the other with a
  place in front (深圳市龙岗区规划土地监察局 = 龙岗区规划土地监察局); unnamed groups written in
  parentheses are not names and are not scored;
- **successors of reports**, per (case, account, target name, target platform), the same way;
- for information: named accounts per notice, kind and effective-date agreement.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govarchive.closure.detector import KINDS, TARGET_PLATFORMS, Detection, detect, name_key

DEFAULT_SET = Path(__file__).resolve().parents[2] / "tests" / "eval" / "closure_cases.toml"
TARGETS = {"notice": (0.95, 0.9), "successor": (0.95, 0.9)}
# on real reports (../shared/closure_real): reports recognised (recall) and named accounts F1
REPORT_TARGETS = {"recognised": 0.9, "named_f1": 0.85}


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

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def match(self, gold: list[Any], predicted: list[Any], same: Any, case_id: str) -> list[tuple[Any, Any]]:
        """Like :meth:`add`, pairing items with ``same(gold, predicted)`` instead of equality."""
        left = list(dict.fromkeys(gold))
        pairs, unmatched = [], []
        for item in dict.fromkeys(predicted):
            partner = next((g for g in left if same(g, item)), None)
            if partner is None:
                unmatched.append(item)
            else:
                left.remove(partner)
                pairs.append((partner, item))
        self.tp += len(pairs)
        self.fp += len(unmatched)
        self.fn += len(left)
        self.errors += [f"{case_id}: false positive {item}" for item in unmatched]
        self.errors += [f"{case_id}: missed {item}" for item in left]
        return pairs

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
    report: Score = field(default_factory=Score)  # recognised as reports
    named: Score = field(default_factory=Score)  # accounts a report names
    report_successor: Score = field(default_factory=Score)
    named_kinds: list[bool] = field(default_factory=list)
    named_dates: list[bool] = field(default_factory=list)

    def meets_targets(self) -> bool:
        return all(getattr(self, name).precision >= p and getattr(self, name).recall >= r
                   for name, (p, r) in TARGETS.items())

    def meets_report_targets(self) -> bool:
        return self.report.recall >= REPORT_TARGETS["recognised"] and self.named.f1 >= REPORT_TARGETS["named_f1"]

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
                f"{'effective date agrees':<22} {share(self.dates)} of the notices found",
                row("report recognition", self.report, None)
                + f"   reports recognised {self.report.tp}/{self.report.tp + self.report.fn}",
                row("report: named", self.named, None) + f"   F1 {self.named.f1:.3f}",
                row("report: successors", self.report_successor, None),
                f"{'report: kind agrees':<22} {share(self.named_kinds)} of the named accounts found",
                f"{'report: date agrees':<22} {share(self.named_dates)} of the named accounts found"]


LABELS = ("notice", "report", "other")


def load_cases(path: Path) -> list[dict[str, Any]]:
    """The cases of a labelled set, checked: unique ids, known labels, kinds and platforms."""
    with open(path, "rb") as handle:
        cases = tomllib.load(handle).get("case", [])  # a set waiting for its cases holds only its header
    seen: set[str] = set()
    for case in cases:
        problems = ["duplicate id" if case["id"] in seen else "", "" if case["label"] in LABELS else "label",
                    "notices on a non-notice" if case["label"] != "notice" and case.get("notices") else "",
                    "named on a non-report" if case["label"] != "report" and case.get("named") else ""]
        for notice in case.get("notices", []) + case.get("named", []):
            problems.append("" if notice["kind"] in KINDS else f"kind {notice['kind']}")
            problems.append("" if notice["platform"] in (*TARGET_PLATFORMS, "unspecified") else
                            f"platform {notice['platform']}")
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

        def account_key(name: str | None, own: str | None = own) -> str:
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
        _score_report(report, case, detection)
    return report


def same_name(a: str, b: str) -> bool:
    """The same account: equal keys, or one is the other with a place before it (深圳市龙岗区规划土地监察局
    and 龙岗区规划土地监察局)."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and long.endswith(short) and len(long) - len(short) <= 6


def _is_group(name: str) -> bool:
    return name.startswith(("(", "（"))


def _score_report(report: Report, case: dict[str, Any], detection: Detection) -> None:
    gold_report = case["label"] == "report"
    found_report = detection.label == "report"
    report.report.add({case["id"]} if gold_report else set(), {case["id"]} if found_report else set(),
                      f"{case['id']} ({case['label']}, detector: {detection.label}: {detection.reason})")
    own = case.get("page_account")
    gold = [n for n in case.get("named", []) if not _is_group(n["account"])] if gold_report else []
    findings = detection.findings if found_report else []
    gold_names = [name_key(n["account"]) for n in gold]
    found_names = [name_key(f.account_name or own) for f in findings]
    pairs = report.named.match(gold_names, found_names, same_name, case["id"])
    for gold_name, found_name in pairs:
        notice = next(n for n in gold if name_key(n["account"]) == gold_name)
        finding = next(f for f in findings if name_key(f.account_name or own) == found_name)
        report.named_kinds.append(finding.kind == notice["kind"])
        report.named_dates.append(finding.effective_at == notice.get("effective_at"))
    gold_targets = [(name_key(n["account"]), name_key(t["name"]), t["platform"]) for n in gold
                    for t in n.get("targets", [])]
    found_targets = [(name_key(f.account_name or own), name_key(t.name), t.platform) for f in findings
                     for t in f.targets]
    report.report_successor.match(
        gold_targets, found_targets,
        lambda g, p: same_name(g[0], p[0]) and same_name(g[1], p[1]) and g[2] == p[2], case["id"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="*", type=Path, default=[DEFAULT_SET],
                        help="labelled sets (TOML); a set that does not exist or holds no cases is skipped with a line")
    parser.add_argument("--errors", action="store_true", help="list every false positive and miss")
    args = parser.parse_args(argv)
    missed = []
    for path in args.cases:
        print(f"== {path}")
        if not path.is_file():
            print("   absent: skipped")
            continue
        try:
            cases = load_cases(path)
        except (tomllib.TOMLDecodeError, ValueError, KeyError, TypeError) as problem:
            print(f"   unreadable: {problem}")
            missed.append(f"{path}: unreadable")
            print()
            continue
        if not cases:
            print("   no cases: nothing to measure")
            print()
            continue
        report = evaluate(cases)
        for line in report.lines():
            print(line)
        if args.errors:
            for name in ("notice", "successor", "accounts", "report", "named", "report_successor"):
                for error in getattr(report, name).errors:
                    print(f"[{name}] {error}")
        if not report.meets_targets():
            missed.append(f"{path}: notices or successors below P {TARGETS['notice'][0]} / R {TARGETS['notice'][1]}")
        if report.labels.get("report") and not report.meets_report_targets():
            missed.append(f"{path}: reports recognised below {REPORT_TARGETS['recognised']} "
                          f"or named accounts F1 below {REPORT_TARGETS['named_f1']}")
        print()
    for line in missed:
        print(f"target missed: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
