"""Ready-to-install units for a daily crawl: a crontab line, or a systemd service and timer.

Schedulers run with another working directory, another ``PATH`` and no terminal, so every path in
the text is absolute (the venv's ``govarchive``, the project, the archive, the sources file). No
``flock(1)`` wrapper: the crawl takes the archive's lock itself (govarchive/warc/lock.py) and a run that
finds it taken exits 73. Each exit code (govarchive/crawl/outcome.py) means something to the scheduler:

- cron ignores exit codes, so the line logs to ``ARCHIVE_DIR/logs/crawl-YYYYMMDD.log`` and prints
  (so cron mails) one line only for 1, 73 and 75, never for 0 or 3 (partial: the next run retries);
- systemd: ``SuccessExitStatus=3`` so a partial run is no failure; 75 (blocked) is retried an hour
  later, at most 3 times (systemd refuses ``RestartForceExitStatus=`` for ``Type=oneshot``, so it is
  ``Restart=on-failure`` with every other failing code in ``RestartPreventExitStatus=``); 1 and 73
  leave the unit failed (``systemctl --failed``), for a person to look at.
"""

from __future__ import annotations

import getpass
import re
import shlex
import sys
from dataclasses import dataclass
from datetime import time
from pathlib import Path

from govarchive.crawl.outcome import EXIT_BLOCKED, EXIT_FATAL, EXIT_LOCKED, EXIT_PARTIAL

UNIT = "govarchive-crawl"
RETRY_AFTER = "1h"  # a blocked run (75) is tried again this much later…
RETRIES = 3  # …at most this many times per day
RANDOM_DELAY = "15min"  # the timer's spread, so many machines do not start at the same second


class ScheduleError(ValueError):
    """A bad option; the message names the fix."""


@dataclass(frozen=True)
class Schedule:
    """A daily run: what to run, where, when, as whom (all paths absolute)."""

    command: tuple[str, ...]  # the govarchive command: the venv's script, or python -m govarchive.cli
    project_dir: Path
    archive_dir: Path
    sources: Path
    spider: str = "portal"
    at: time = time(3, 0)
    user: str | None = None

    @property
    def crawl_args(self) -> list[str]:
        return [*self.command, "crawl", self.spider, "--sources", str(self.sources),
                "--archive-dir", str(self.archive_dir)]

    @property
    def log_dir(self) -> Path:
        return self.archive_dir / "logs"


def parse_at(text: str) -> time:
    """``HH:MM`` (24-hour clock) as a time."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", text or "")
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ScheduleError(f"--at {text!r} is not a time of day: write it as HH:MM, like 03:00 or 22:30")
    return time(int(match[1]), int(match[2]))


def govarchive_command() -> tuple[str, ...]:
    """The absolute command of this installation: the ``govarchive`` script beside this Python (a venv's
    bin/, never resolved through its symlink, which would leave the venv), else ``python -m
    govarchive.cli``."""
    python = Path(sys.executable).absolute()
    script = python.with_name("govarchive")
    if script.is_file():
        return (str(script),)
    return (str(python), "-m", "govarchive.cli")


def project_root() -> Path:
    """The project folder (with scrapy.cfg), where ``scrapy crawl`` also works; else the current one."""
    here = Path(__file__).resolve().parents[2]
    return here if (here / "scrapy.cfg").is_file() else Path.cwd().absolute()


def plan(archive_dir: Path | str, sources: Path | str, spider: str = "portal", at: str = "03:00",
         user: str | None = None, project_dir: Path | None = None,
         command: tuple[str, ...] | None = None) -> Schedule:
    """A :class:`Schedule` with every path made absolute."""
    return Schedule(command or govarchive_command(), (project_dir or project_root()).absolute(),
                    Path(archive_dir).absolute(), Path(sources).absolute(), spider, parse_at(at), user)


# -- cron ----------------------------------------------------------------------------------------
def cron_text(schedule: Schedule) -> str:
    """A crontab: for ``crontab -e`` of the user who runs it, or with ``user``, a file for /etc/cron.d/."""
    s = schedule
    log = s.log_dir / "crawl-$(date +%Y%m%d).log"
    ok = f'[ $rc -eq 0 ] || [ $rc -eq {EXIT_PARTIAL} ]'
    logs = _sh(str(s.log_dir))
    alarm = (f'echo "govarchive crawl exited $rc ({EXIT_FATAL} fatal, {EXIT_LOCKED} archive in use by '
             f'another run, {EXIT_BLOCKED} blocked by a platform: run again later): see {logs}/"')
    command = (f"mkdir -p {logs} && cd {_sh(str(s.project_dir))} && {shlex.join(s.crawl_args)} "
               f'>> {logs}/"crawl-$(date +%Y%m%d).log" 2>&1; rc=$?; {ok} || {alarm}')
    fields = f"{s.at.minute} {s.at.hour} * * *" + (f" {s.user}" if s.user else "")
    where = (f"save as /etc/cron.d/{UNIT} (runs as {s.user})" if s.user
             else "install with `crontab -e` as the user who runs it")
    return "\n".join([
        f"# govarchive: crawl {s.spider} of {s.sources} into {s.archive_dir} every day at {s.at:%H:%M}",
        f"# {where}; log: {log}",
        f"# exit codes: 0 success, {EXIT_PARTIAL} partial (some accounts failed; the next run retries them), "
        f"{EXIT_LOCKED} another run still holds the archive,",
        f"# {EXIT_BLOCKED} blocked by a platform, {EXIT_FATAL} fatal; cron mails only the line printed for "
        "these three. No flock(1) needed: the crawl locks the archive itself.",
        "SHELL=/bin/sh",
        f"{fields} {command.replace('%', chr(92) + '%')}",  # cron turns a bare % into a new line
        "",
    ])


# -- systemd -------------------------------------------------------------------------------------
def systemd_units(schedule: Schedule) -> dict[str, str]:
    """``govarchive-crawl.service`` and ``govarchive-crawl.timer``: file name → text."""
    s = schedule
    user = s.user or getpass.getuser()
    exec_start = " ".join(_systemd_quote(arg) for arg in s.crawl_args)
    prevent = " ".join(str(code) for code in (EXIT_FATAL, 2, EXIT_LOCKED))
    service = f"""\
[Unit]
Description=govarchive: crawl {_systemd_escape(s.spider)} into {_systemd_escape(str(s.archive_dir))}
Documentation=file://{_systemd_escape(str(s.project_dir / "docs" / "scheduling.md"))}
Wants=network-online.target
After=network-online.target
# A blocked run (exit {EXIT_BLOCKED}) is started again {RETRY_AFTER} later, at most {RETRIES} times
# (the daily start and the retries within 12 hours).
StartLimitIntervalSec=12h
StartLimitBurst={RETRIES + 1}

[Service]
Type=oneshot
User={_systemd_escape(user)}
WorkingDirectory={_systemd_escape(str(s.project_dir))}
ExecStart={exec_start}
# Exit codes (docs/scheduling.md): 0 success; {EXIT_PARTIAL} partial (some accounts failed, the next run
# retries them): a success too; {EXIT_BLOCKED} blocked by a platform: try again later; {EXIT_LOCKED} another
# run still holds the archive, {EXIT_FATAL} fatal, 2 bad options: failures for a person to look at.
SuccessExitStatus={EXIT_PARTIAL}
# systemd refuses RestartForceExitStatus= for Type=oneshot: restart on failure, except these codes.
Restart=on-failure
RestartPreventExitStatus={prevent}
RestartSec={RETRY_AFTER}
# A day's run must not run into the next one; on stop, SIGTERM lets it close its WARC files.
TimeoutStartSec=20h
TimeoutStopSec=5min
Nice=10
"""
    timer = f"""\
[Unit]
Description=govarchive: crawl {_systemd_escape(s.spider)} every day at {s.at:%H:%M}

[Timer]
OnCalendar=*-*-* {s.at:%H:%M}:00
# Run a missed day's crawl at boot; spread the start a little.
Persistent=true
RandomizedDelaySec={RANDOM_DELAY}
Unit={UNIT}.service

[Install]
WantedBy=timers.target
"""
    return {f"{UNIT}.service": service, f"{UNIT}.timer": timer}


def systemd_text(schedule: Schedule) -> str:
    """Both units, each under a comment naming its file, and how to install them."""
    parts = [f"# Save the two files below in /etc/systemd/system/, then:\n"
             f"#   systemctl daemon-reload && systemctl enable --now {UNIT}.timer\n"
             f"# Logs: journalctl -u {UNIT}.service; next run: systemctl list-timers {UNIT}.timer\n"]
    for name, text in systemd_units(schedule).items():
        parts.append(f"# ---- /etc/systemd/system/{name}\n{text}")
    return "\n".join(parts)


def render(kind: str, schedule: Schedule) -> str:
    if kind == "cron":
        return cron_text(schedule)
    if kind == "systemd":
        return systemd_text(schedule)
    raise ScheduleError(f"--print {kind!r}: use cron or systemd")


def _sh(text: str) -> str:
    return shlex.quote(text)


def _systemd_escape(text: str) -> str:
    """Specifiers (%) and variables ($) taken literally."""
    return text.replace("%", "%%").replace("$", "$$")


def _systemd_quote(arg: str) -> str:
    """One ExecStart= argument (systemd's own quoting, not the shell's)."""
    arg = _systemd_escape(arg)
    if arg and not re.search(r"[\s\"'\\;]", arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'
