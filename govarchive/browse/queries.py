"""Canned queries an archivist needs on day one, offered on every archive database in Datasette.

Columns named ``archived_copy`` (and ``*_copy``) hold the viewer's path of an archived capture and
render as links; ``account_id`` / ``post_id`` columns link to their rows. ``closures_feed`` has the
``atom_*`` columns datasette-atom turns into a feed (``/index/closures_feed.atom``).
"""

from __future__ import annotations

from typing import Any

VIEWER = "/-/archive/"

# name -> (title, description, SQL); the home page lists them in this order
QUERIES: dict[str, tuple[str, str, str]] = {
    "search": (
        "搜索 Search posts, accounts and notices",
        "在文章、账号和关停公告中搜索（两字词也可，繁体亦可）。Search archived posts, accounts and closure notices "
        "at once: Chinese words of any length, Traditional spellings included. Accounts and notices first, then "
        "the newest 200 posts.",
        f"""
select * from (
  select '账号 account' as kind, a.name as title, a.agency as account, substr(a.last_post_at, 1, 10) as date,
    a.status as state, govarchive_row_path('accounts', a.id) as record,
    case when a.capture_id is not null then '{VIEWER}' || a.capture_id end as archived_copy
  from (select rowid as key from accounts_fts
        where accounts_fts match coalesce(nullif(escape_fts(:q), ''), '""') limit 50) f
  join accounts a on a.rowid = f.key
)
union all
select * from (
  select '公告 notice', coalesce(a.name, n.named_as, '?') || ' · ' || n.kind, pa.name,
    coalesce(n.effective_at, n.announced_at), a.status,
    coalesce(govarchive_row_path('accounts', n.account_id), govarchive_row_path('posts', n.post_id)),
    '{VIEWER}' || n.capture_id
  from notices n left join accounts a on a.id = n.account_id
  left join posts p on p.id = n.post_id left join accounts pa on pa.id = p.account_id
  where govarchive_contains(coalesce(n.excerpt, '') || ' ' || coalesce(n.named_as, '') || ' ' || coalesce(a.name, ''),
                            :q)
  order by coalesce(n.effective_at, n.announced_at) desc limit 50
)
union all
select * from (
  select '文章 post', coalesce(p.title, substr(p.text, 1, 40)), a.name, substr(p.published_at, 1, 10), p.state,
    govarchive_row_path('posts', p.id), '{VIEWER}' || coalesce(p.archived_capture_id, p.capture_id)
  from (select rowid as key from posts_fts where posts_fts match coalesce(nullif(escape_fts(:q), ''), '""')
        order by rowid desc limit 200) f
  join posts p on p.search_key = f.key left join accounts a on a.id = p.account_id
  order by f.key desc
)"""),
    "search_posts": (
        "搜索文章 Search posts",
        "全文搜索存档文章（两字词也可）。Full-text search of archived posts, Chinese words of any length "
        "(关停, 注销, 政务新媒体), Traditional spellings included; the newest 500.",
        f"""
select p.title, a.name as account, p.platform, substr(p.published_at, 1, 10) as published, p.state,
  '{VIEWER}' || coalesce(p.archived_capture_id, p.capture_id) as archived_copy,
  p.url, p.id as post_id
from (select rowid as search_key from posts_fts
      where posts_fts match coalesce(nullif(escape_fts(:q), ''), '""')
      order by rowid desc limit 500) f
join posts p on p.search_key = f.search_key
left join accounts a on a.id = p.account_id
order by f.search_key desc"""),
    "where_did_it_go": (
        "账号内容去向 Where did this account's content go?",
        "输入账号名称、编号或微信号。Give an account's name (or part of it), id or WeChat alias: its status, "
        "the notices about it and the reports' claims (据…报道 according to a report, with its date), every "
        "successor with its evidence and archived copies. Notices and the platform's own word come first.",
        f"""
with found as (
  select a.* from accounts a
  where :account != '' and (a.id = :account or a.alias = :account or instr(a.name, :account) > 0
     or a.id in (select account_id from account_aliases where alias_id = :account))
), said as (
  select m.from_account_id as account_id, m.id as migration_id, coalesce(c.source, m.source) as source,
    n.id as notice_id,
    c.id as claim_id
  from migrations m left join notices n on n.id = m.notice_id left join claims c on c.id = m.claim_id
  where m.from_account_id in (select id from found)
  union all
  select n.account_id, null, 'notice', n.id, null from notices n
  where n.account_id in (select id from found) and not exists (select 1 from migrations m where m.notice_id = n.id)
  union all
  select c.account_id, null, c.source, null, c.id from claims c
  where c.account_id in (select id from found) and not exists (select 1 from migrations m where m.claim_id = c.id)
)
select a.name as account, a.platform, a.status, a.status_reason,
  coalesce(s.source, 'none') as source,
  case when c.id is not null then '据 according to ' || coalesce(nullif(rp.title, ''), rp.url, c.post_id)
       || ', ' || coalesce(c.claimed_at, '?') end as according_to,
  coalesce(n.kind, c.kind) as notice_kind, coalesce(n.announced_at, c.claimed_at) as announced_at,
  coalesce(n.effective_at, c.effective_at) as effective_at,
  m.target_name as successor, m.target_platform as successor_platform, m.scope,
  t.name as successor_account, t.status as successor_status, m.target_url, coalesce(m.confidence, c.confidence)
  as confidence, coalesce(m.evidence, c.excerpt, n.excerpt) as evidence,
  case when coalesce(n.capture_id, c.capture_id, a.capture_id) is not null
       then '{VIEWER}' || coalesce(n.capture_id, c.capture_id, a.capture_id) end as evidence_copy,
  case when t.capture_id is not null then '{VIEWER}' || t.capture_id end as successor_copy,
  a.id as account_id, m.target_account_id
from found a
left join said s on s.account_id = a.id
left join migrations m on m.id = s.migration_id
left join notices n on n.id = s.notice_id
left join claims c on c.id = s.claim_id
left join posts rp on rp.id = c.post_id
left join accounts t on t.id = m.target_account_id
order by a.name, a.id, case s.source when 'platform' then 0 when 'notice' then 1 when 'quoted_notice' then 2
  when 'report' then 3 else 4 end, coalesce(m.confidence, c.confidence) desc, m.target_name"""),
    "closed_without_successor": (
        "关停但未说明去向 Closed or closing, no online successor named",
        "已关停或即将关停、没有指明内容去向（平台、账号或网站）的账号：它们的内容只剩存档。Accounts closed or "
        "closing whose notices name no account, site or app their content went to (at most an office, or "
        "'other platforms'): the archive may be the only copy.",
        f"""
select a.name, a.platform, a.agency, a.region, a.status, a.status_reason, a.status_changed_at, a.last_post_at,
  (select group_concat(said, '; ') from (select distinct m.target_platform || coalesce(': ' || nullif(m.target_name, ''), '')
     as said from migrations m where m.from_account_id = a.id)) as notices_say,
  (select count(*) from posts p where p.account_id = a.id and p.state = 'ok') as archived_posts,
  case when a.capture_id is not null then '{VIEWER}' || a.capture_id end as archived_copy,
  a.id as account_id
from accounts a
where a.status in ('closed', 'closing')
  and not exists (select 1 from migrations m where m.from_account_id = a.id
                  and m.target_platform not in ('unspecified', 'office') and m.target_name != '')
order by a.status = 'closed' desc, a.status_changed_at desc, a.name"""),
    "dormant_and_zombie_by_agency": (
        "休眠与僵尸账号（按主办单位）Dormant and zombie accounts by agency",
        "长期不更新（休眠）或从未发布（僵尸）的账号，按主办单位汇总：整合与关停的候选。Accounts that stopped "
        "posting (dormant) or never posted (zombie), by owning agency: the next closures and mergers.",
        """
select coalesce(a.agency, '(主办单位不详 agency unknown)') as agency, a.region,
  sum(a.status = 'zombie') as zombie, sum(a.status = 'dormant') as dormant,
  group_concat(coalesce(a.name, a.id) || ' (' || a.platform || ', ' || a.status || ')', '; ') as accounts,
  max(a.last_post_at) as newest_post
from accounts a
where a.status in ('zombie', 'dormant')
group by 1, 2
order by count(*) desc, agency"""),
    "closures_by_month": (
        "每月关停 Closures by month",
        "按生效月份统计关停、停更、合并、迁移公告，平台页面显示已关停或已迁移的账号，以及报道所称的关停（reported，"
        "另列）。Notices by the month they take effect, accounts seen closed or moved, and, apart, what reports "
        "say (reported: accounts a report says closed, merged, migrated or stopped that month).",
        """
with events as (
  select substr(coalesce(effective_at, announced_at), 1, 7) as month, account_id, kind
  from notices where is_report = 0
  union all
  select substr(changed_at, 1, 7), row_id, 'seen_' || new_status
  from status_history where table_name = 'accounts' and new_status in ('closed', 'migrated')
  union all
  select substr(coalesce(effective_at, claimed_at), 1, 7), account_id, 'reported'
  from claims
)
select month, count(distinct account_id) as accounts,
  sum(kind = 'closure') as closure, sum(kind = 'stop_updating') as stop_updating, sum(kind = 'merger') as merger,
  sum(kind = 'migration') as migration, sum(kind = 'suspension') as suspension,
  sum(kind = 'seen_closed') as seen_closed, sum(kind = 'seen_migrated') as seen_migrated,
  count(distinct case when kind = 'reported' then account_id end) as reported
from events
where month is not null
group by month
order by month desc"""),
    "old_link": (
        "我有一个旧链接 I have an old link",
        "粘贴一个旧链接（微信文章链接的多余参数会被忽略）：它的存档副本、所属账号的状态与去向。Paste a URL "
        "(WeChat links match whatever tracking parameters they carry): its archived copies, its account's "
        "status and successors.",
        f"""
with hit as (
  select c.id, c.url, c.fetched_at, c.http_status, c.page_state from captures c
  where :url != '' and (c.url = :url or c.url = govarchive_canonical_url(:url))
  union
  select c.id, c.url, c.fetched_at, c.http_status, c.page_state
  from posts p join captures c on c.id = coalesce(p.archived_capture_id, p.capture_id)
  where :url != '' and p.url = govarchive_canonical_url(:url)
)
select hit.fetched_at as captured_at, hit.http_status, hit.page_state, '{VIEWER}' || hit.id as archived_copy,
  p.title, p.state as post_state, a.name as account, a.status as account_status, a.status_reason,
  (select group_concat(coalesce(t.name, nullif(m.target_name, ''), '?') || ' (' || m.target_platform || ')', '; ')
     from migrations m left join accounts t on t.id = m.target_account_id
     where m.from_account_id = a.id) as successors,
  hit.url, p.id as post_id, a.id as account_id
from hit
left join posts p on p.id = (select id from posts where url = govarchive_canonical_url(hit.url)
                             or capture_id = hit.id or archived_capture_id = hit.id limit 1)
left join accounts a on a.id = coalesce(p.account_id, (select id from accounts where capture_id = hit.id limit 1))
order by hit.fetched_at desc"""),
    "closures_feed": (
        "新记录的关停与迁移 Newly recorded closures and migrations",
        "关停公告、报道所称的关停（标为 报道 reported）、平台迁移和平台显示的关停，按记录时间排序；加 .atom 订阅。"
        "Closure notices, reports' claims (marked reported, with their source), platform moves and closures seen on "
        "the platforms, newest first; add .atom to the URL to subscribe.",
        f"""
select * from (
  select 'govarchive:' || n.id as atom_id,
    coalesce(a.name, n.named_as, n.account_id) || ' · ' || n.kind
      || coalesce(' · ' || n.effective_at, '') as atom_title,
    n.detected_at as atom_updated,
    n.excerpt || coalesce(char(10) || '去向 successors: ' || (
      select group_concat(coalesce(nullif(m.target_name, ''), '?') || ' (' || m.target_platform || ')', '; ')
      from migrations m where m.notice_id = n.id), '') as atom_content,
    '{VIEWER}' || n.capture_id as atom_link,
    'notice' as event, n.account_id
  from notices n left join accounts a on a.id = n.account_id
  where n.is_report = 0
  union all
  select 'govarchive:' || c.id,
    coalesce(a.name, c.named_as, c.account_id) || ' · ' || c.kind || coalesce(' · ' || c.effective_at, '')
      || ' · 报道 reported', c.detected_at,
    '据 according to ' || coalesce(nullif(p.title, ''), p.url, c.post_id) || ', ' || coalesce(c.claimed_at, '?')
      || char(10) || c.excerpt || coalesce(char(10) || '去向 successors: ' || (
      select group_concat(coalesce(nullif(m.target_name, ''), '?') || ' (' || m.target_platform || ')', '; ')
      from migrations m where m.claim_id = c.id), ''),
    '{VIEWER}' || c.capture_id, c.source, c.account_id
  from claims c left join accounts a on a.id = c.account_id left join posts p on p.id = c.post_id
  union all
  select 'govarchive:' || m.id, coalesce(a.name, m.from_account_id) || ' · moved to ' || coalesce(t.name, m.target_name),
    m.recorded_at, m.evidence, '{VIEWER}' || a.capture_id, 'platform_move', m.from_account_id
  from migrations m join accounts a on a.id = m.from_account_id left join accounts t on t.id = m.target_account_id
  where m.source = 'platform'
  union all
  select 'govarchive:status:' || h.id, coalesce(a.name, h.row_id) || ' · ' || h.new_status, h.changed_at,
    h.reason, coalesce('{VIEWER}' || h.capture_id, govarchive_row_path('accounts', h.row_id)), 'status', h.row_id
  from status_history h left join accounts a on a.id = h.row_id
  where h.table_name = 'accounts' and h.new_status in ('closed', 'migrated')
)
order by atom_updated desc
limit 200"""),
}


def canned_queries() -> dict[str, dict[str, Any]]:
    """Datasette's canned queries: titled, described, their SQL folded ("show" unfolds it)."""
    return {name: {"title": title, "description": description, "sql": sql.strip(), "hide_sql": True}
            for name, (title, description, sql) in QUERIES.items()}
