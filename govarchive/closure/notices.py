"""The migrated-content index: closure notices, reports' claims and successors, kept in ``notices``,
``claims`` and ``migrations``.

:func:`record_notices` runs :func:`govarchive.closure.detector.detect` over posts and writes what it found:
one ``notices`` row per account a notice names (a portal's batch notice: one per listed account,
matched to a known account by name and platform, or created when none is known), one ``claims`` row
per account a report (news, a work report, a roundup, a re-post) says closed, merged, migrated or
stopped (matched the same way, or created with the platform, agency and region the report gives),
and one ``migrations`` row per successor of either. A claim's evidence is the report's archived
capture; its confidence is below a notice's (``CLAIM_CONFIDENCE``): the status judgement
(:mod:`govarchive.closure.lifecycle`) lets a notice or the platform's own page outrank it. Re-running over the
same post replaces its rows, so an improved detector can be re-applied (``govarchive analyse``).

:func:`record_platform_moves` turns the platform's own word (WeChat's ``transferTargetLink``, kept
as ``accounts.moved_to`` by the crawl) into certain migrations, and :func:`resolve_targets` matches
target names to archived accounts, again on every analysis, so an account archived later resolves
an older notice. :func:`merge_provisional_accounts` folds the ids a directory had to invent
(``wechat:name:云岚交通``) into the real account once the platform's own page shows it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from govarchive.closure.detector import Detection, Finding, Target, detect, name_key
from govarchive.closure.readahead import Readings
from govarchive.index import findings
from govarchive.index.store import Index

DETECTABLE_STATES = ("ok",)
# How far a claim is believed: a first-party notice counts 1.0; a report quoting the owner's notice
# (X发布公告称…) is the owner's word at second hand; a report's own account of it is less.
CLAIM_CONFIDENCE = {"quoted_notice": 0.7, "report": 0.5}
NOTICE_PAGE = 500  # posts read at a time by record_notices
PROVISIONAL = re.compile(r"^[a-z_]+:(?:name|alias):")


def short_id(prefix: str, *parts: str | None) -> str:
    digest = hashlib.sha1("\x1f".join(p or "" for p in parts).encode("utf-8")).hexdigest()[:16]
    return f"{prefix}-{digest}"


def provisional_account_id(platform: str, name: str) -> str:
    return f"{platform}:name:{name}"


# ---- notices ----------------------------------------------------------------------------------------------
def record_notices(index: Index, where: str = "1", params: Iterable[Any] = (), detected_at: str = "",
                   readings: Readings | None = None) -> int:
    """Detect notices and reports in the posts matching ``where`` (SQL over ``posts p``); returns the
    notices and claims written. ``readings``: the posts the detector has read already
    (govarchive/closure/readahead.py)."""
    read = readings.detect if readings is not None else detect
    written, after = 0, 0
    while True:  # a page of posts at a time: a run of 100,000 articles is not held in memory at once
        rows = findings.posts_to_detect(index, where, params, after, NOTICE_PAGE)
        if not rows:
            return written
        after = rows[-1][0]
        for _, post_id, account_id, capture_id, title, text, cleaned, published_at, name, platform in rows:
            detection = read(text, title, account_name=name, platform=platform, published_at=published_at,
                               cleaned=cleaned)  # cleaned when saved: not again
            with index.transaction():
                findings.forget_findings_of_post(index, post_id)
                if detection.label in ("notice", "report"):
                    written += _write_detection(index, detection, post_id, account_id, capture_id, platform,
                                                detected_at)


def _write_detection(index: Index, detection: Detection, post_id: str, account_id: str, capture_id: str,
                     own_platform: str | None, detected_at: str) -> int:
    if detection.label == "report":
        return sum(_write_claim(index, detection, finding, post_id, capture_id, detected_at)
                   for finding in detection.findings)
    for finding in detection.findings:
        subject = account_id if finding.account_name is None else \
            _account_for(index, finding.account_name, finding.platform or own_platform, create=True,
                         seen=detected_at, capture_id=capture_id)
        notice_id = short_id("notice", post_id, finding.account_name, finding.platform)
        findings.save_notice(index, {
            "id": notice_id, "account_id": subject, "post_id": post_id, "capture_id": capture_id,
            "kind": finding.kind, "announced_at": detection.announced_at, "effective_at": finding.effective_at,
            "excerpt": finding.excerpt[:500], "is_report": 0, "named_as": finding.account_name,
            "named_platform": finding.platform, "detected_at": detected_at})
        for target in finding.targets:
            _write_target(index, subject, target, detected_at, notice_id=notice_id)
    return len(detection.findings)


def _write_claim(index: Index, detection: Detection, finding: Finding, post_id: str, capture_id: str,
                 detected_at: str) -> int:
    """One account a report names: a claim, its account (created when unknown, with the platform, agency and
    region the report gives), its successors as ``migrations`` with ``source = 'report'``."""
    if not finding.account_name:
        return 0
    platform = finding.platform or "unspecified"
    # an owner named with its platform word and no account name (青山区青山街道办事处微信公众号): its account there
    subject = (find_account(index, finding.account_name, None if platform == "unspecified" else platform)
               or (find_owned_account(index, finding.agency, platform) if finding.agency == finding.account_name else None)
               or _account_for(index, finding.account_name, platform, create=True, seen=detected_at,
                               capture_id=capture_id, agency=finding.agency, region=local_region(finding.agency)))
    if subject and finding.agency:  # the owner the report gives, where the account has none yet (whichever text came first)
        findings.fill_owner(index, subject, finding.agency, local_region(finding.agency))
    confidence = CLAIM_CONFIDENCE.get(finding.source, CLAIM_CONFIDENCE["report"])
    claim_id = short_id("claim", post_id, finding.account_name, finding.platform)
    findings.save_claim(index, {
        "id": claim_id, "account_id": subject, "post_id": post_id, "capture_id": capture_id,
        "source": finding.source if finding.source in CLAIM_CONFIDENCE else "report", "kind": finding.kind,
        "claimed_at": detection.announced_at, "effective_at": finding.effective_at, "excerpt": finding.excerpt[:500],
        "named_as": finding.account_name, "named_platform": finding.platform, "named_agency": finding.agency,
        "confidence": confidence, "detected_at": detected_at})
    for target in finding.targets:
        _write_target(index, subject, target, detected_at, claim_id=claim_id, ceiling=confidence)
    return 1


def _write_target(index: Index, from_account: str | None, target: Target, recorded_at: str,
                  notice_id: str | None = None, claim_id: str | None = None, ceiling: float = 1.0) -> None:
    findings.save_migration(index, {
        "id": short_id("migration", notice_id or claim_id, target.name, target.platform),
        "from_account_id": from_account, "notice_id": notice_id, "claim_id": claim_id, "target_name": target.name,
        "target_platform": target.platform, "target_url": None, "target_account_id": None, "scope": target.scope,
        "evidence": target.evidence[:500], "confidence": min(target.confidence, ceiling),
        "is_class": int(target.is_class), "resolved_by": None, "source": "report" if claim_id else "notice",
        "recorded_at": recorded_at})


def _account_for(index: Index, name: str, platform: str | None, create: bool, seen: str, capture_id: str,
                 agency: str | None = None, region: str | None = None) -> str | None:
    """The known account of this name (and platform: any platform for ``unspecified``); a new one when a
    notice or a report names an unknown account."""
    found = find_account(index, name, None if platform == "unspecified" else platform)
    if found or not create or not platform:
        return found
    account_id = provisional_account_id(platform, name)
    # the row and its search shadow together: the account is found by its name
    findings.create_named_account(index, account_id, platform, name, agency, region, seen, capture_id)
    return account_id


def find_account(index: Index, name: str, platform: str | None) -> str | None:
    """One account whose name or alias matches (same platform when given); None when none or ambiguous."""
    key = name_key(name)
    if not key:
        return None
    candidates = findings.account_names(index, platform)
    matches = [row[0] for row in candidates if key in (name_key(row[1]), name_key(row[2]) if row[2] else None)]
    real = [m for m in matches if not PROVISIONAL.match(m)]
    chosen = real or matches
    return chosen[0] if len(chosen) == 1 else None


def find_owned_account(index: Index, agency: str | None, platform: str | None) -> str | None:
    """The one account of this owner (``accounts.agency``) on this platform (any for ``unspecified``); None when
    none or several."""
    key = name_key(agency)
    if not key:
        return None
    rows = findings.account_agencies(index, None if platform == "unspecified" else platform)
    matches = [row[0] for row in rows if name_key(row[1]) == key]
    real = [m for m in matches if not PROVISIONAL.match(m)]
    chosen = real or matches
    return chosen[0] if len(chosen) == 1 else None


# ---- platform moves and target resolution -------------------------------------------------------------------
def record_platform_moves(index: Index, recorded_at: str) -> int:
    """``accounts.moved_to`` (the platform's transferTargetLink) as certain migrations."""
    rows = findings.platform_moves(index)
    with index.transaction():
        for account_id, moved_to, name, platform, url, evidence in rows:
            findings.save_migration(index, {
                "id": short_id("migration", account_id, moved_to, "platform"), "from_account_id": account_id,
                "notice_id": None, "target_name": name, "target_platform": platform or account_id.split(":")[0],
                "target_url": url, "target_account_id": moved_to, "scope": "全部内容 (the platform moved the account)",
                "evidence": evidence or "accounts.moved_to", "confidence": 1.0, "is_class": 0,
                "resolved_by": "platform", "source": "platform", "recorded_at": recorded_at})
    return len(rows)


def resolve_targets(index: Index) -> int:
    """Match unresolved migration targets to archived accounts: by name, or a class target by region."""
    rows = findings.unresolved_targets(index)
    resolved = 0
    with index.transaction():
        for migration_id, name, platform, is_class, region, agency in rows:
            account_id, how = None, None
            if is_class:
                local = local_region(agency) or region
                account_id, how = (_government_site(index, f"{local}人民政府"), "region") if local else (None, None)
            elif platform == "website" and name:
                account_id, how = _government_site(index, name) or find_account(index, name, platform), "name"
            elif name and platform not in ("office", "unspecified"):
                account_id, how = find_account(index, name, platform), "name"
            if account_id:
                url = findings.account_url(index, account_id)
                findings.resolve_target(index, migration_id, account_id,
                                        _site_root(url) if platform == "website" or is_class else url, how)
                resolved += 1
    return resolved


def local_region(agency: str | None) -> str | None:
    """The local government level of an agency: 青山区青山街道办事处 → 青山区, 桐溪县桐溪镇人民政府 → 桐溪县."""
    match = re.match(r"^(.{1,12}?(?:自治州|自治县|自治区|省|市|州|盟|县|区|旗))", agency or "")
    return match.group(1) if match else None


def _government_site(index: Index, name: str) -> str | None:
    """A website account of this government or site name (its columns carry it as agency or site name)."""
    key = name_key(name)
    for account_id, account_name, agency in findings.website_accounts(index):
        if key and key in (name_key(account_name), name_key(agency)):
            return account_id
    return None


def _site_root(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


# ---- provisional ids ---------------------------------------------------------------------------------------
def merge_provisional_accounts(index: Index, merged_at: str) -> list[tuple[str, str]]:
    """Fold ``wechat:name:X`` / ``wechat:alias:x`` rows into the one real account with that name or alias."""
    merges: list[tuple[str, str]] = []
    provisional = [row for row in findings.all_account_names(index) if PROVISIONAL.match(row[0])]
    for old_id, platform, _name, _alias in provisional:
        _, kind, key = old_id.split(":", 2)
        # an account a report named without its platform: the one of that name anywhere
        candidates = findings.other_accounts_of_platform(index, platform, old_id)
        real = [row[0] for row in candidates if not PROVISIONAL.match(row[0]) and (
            (kind == "alias" and row[2] and row[2].lower() == key.lower())
            or (kind == "name" and name_key(row[1]) == name_key(key)))]
        if len(real) != 1:
            continue
        with index.transaction():
            merge_account(index, old_id, real[0], f"same {kind} ({key}) as the platform's own page", merged_at)
        merges.append((old_id, real[0]))
    return merges


def merge_account(index: Index, old_id: str, new_id: str, reason: str, merged_at: str) -> None:
    """Point everything at ``new_id``, keep the listing facts the real row lacks, remember the old id."""
    findings.fold_account(index, old_id, new_id, reason, merged_at)
