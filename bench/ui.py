"""Time the screen (`timebank ui`, issue 18) on the ledger of a million exchanges.

    python bench/ui.py [--ledger bench/out/ledger-1000000.sqlite3] [--runs 7]

1. Opening: `timebank --db LEDGER ui` in a pseudo-terminal of 80x24, from the start of the
   process until the start page's title has been drawn, then Ctrl-Q. Against the stack's
   floor plus Textual (`python -c "import typer, sqlalchemy.orm, rich, babel, textual.app,
   textual.widgets"`), the two run interleaved so that both see the same load. Target: at
   most 1.5x.
2. Each action, in process with Textual's Pilot (headless, 80x24), from the key to the
   page drawn: a keystroke in the member search (< 50 ms), recording an exchange from the
   form (< 50 ms), a member's page (< 100 ms), the monthly report (< 0.5 s): its figures, shown
   at once, and the whole report with every member's line, read in the background.

Writes a section of bench/RESULTS.md with the machine and its load. The ledger is the one bench/run.py
makes (bench/generate.py); a copy is used, so that recording leaves the original alone.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import pty
import select
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from results import RESULTS, add_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
FLOOR = "import typer, sqlalchemy.orm, rich, babel, textual.app, textual.widgets"


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    import textual

    return (f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"Textual {textual.__version__}")


def time_floor() -> float:
    started = time.perf_counter()
    subprocess.run([PYTHON, "-c", FLOOR], check=True)
    return time.perf_counter() - started


FILLED = b"members active"   # the start page's figures, read in the background


def time_open(ledger: Path, marker: bytes) -> tuple[float, float]:
    """Seconds from starting `timebank ui` in a terminal until `marker` (the start page's
    title) is on the screen, and until the page's figures are there too."""
    import fcntl
    import struct
    import termios

    env = {k: v for k, v in os.environ.items() if not k.startswith("TIMEBANK_")}
    env.update(TERM="xterm-256color", TIMEBANK_LANG="en")
    env.pop("CI", None)
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    started = time.perf_counter()
    process = subprocess.Popen([PYTHON, "-m", "timebank", "--db", str(ledger), "ui"], stdin=follower,
                               stdout=follower, stderr=follower, env=env, close_fds=True, cwd=ROOT)
    os.close(follower)
    seen = b""
    opened = filled = None
    deadline = started + 120
    while time.perf_counter() < deadline:
        ready, _w, _x = select.select([leader], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if opened is None and marker in seen:
                opened = time.perf_counter() - started
            if filled is None and FILLED in seen:
                filled = time.perf_counter() - started
            if opened is not None and filled is not None:
                os.write(leader, b"\x11")   # Ctrl-Q
                opened = min(opened, filled)
                break
        elif process.poll() is not None:
            break
    process.wait(timeout=30)
    os.close(leader)
    if opened is None or filled is None:
        raise SystemExit(f"the start page never appeared: {seen[-500:]!r}")
    return opened, filled


async def _until(pilot: Any, done: Any, limit: float = 60.0) -> None:
    """Let the app work until `done()` holds (a page drawn), checking between its messages."""
    deadline = time.perf_counter() + limit
    while not done():
        if time.perf_counter() > deadline:
            raise SystemExit("a page did not appear in time")
        await pilot.pause(0)


async def answered(app: Any, send: Any, done: Any) -> tuple[float, float]:
    """Wall and CPU seconds from sending a key (as the terminal driver does) until `done()`
    holds and the screen has been painted once more. No Pilot here: its waits for idleness
    sleep, and would be counted."""
    import asyncio

    from textual import events

    started, used = time.perf_counter(), time.process_time()
    send(events)
    deadline = started + 60
    while not done():
        if time.perf_counter() > deadline:
            raise SystemExit("no answer in time")
        await asyncio.sleep(0)
    painted = asyncio.Event()
    app.screen.call_after_refresh(painted.set)
    await painted.wait()
    return time.perf_counter() - started, time.process_time() - used


async def answered_in_two(app: Any, send: Any, first: Any, whole: Any) -> tuple[tuple[float, float], tuple[float, float]]:
    """As `answered`, for a page that shows part of its answer at once and reads the rest in
    a thread: wall and CPU seconds (CPU of every thread) until `first()` holds and is
    painted, and until `whole()` holds and is painted. Polled every millisecond rather
    than spun: a loop that never sleeps would take the interpreter from the reading thread."""
    import asyncio

    from textual import events

    async def until(done: Any) -> tuple[float, float]:
        deadline = started + 60
        while not done():
            if time.perf_counter() > deadline:
                raise SystemExit("no answer in time")
            await asyncio.sleep(0.001)
        painted = asyncio.Event()
        app.screen.call_after_refresh(painted.set)
        await painted.wait()
        return time.perf_counter() - started, time.process_time() - used

    started, used = time.perf_counter(), time.process_time()
    send(events)
    return await until(first), await until(whole)


def key(app: Any, name: str, char: str | None = None) -> Any:
    def send(events: Any) -> None:
        event = events.Key(name, char)
        event.set_sender(app)
        app._driver.send_message(event)
    return send


def time_actions(ledger: Path, runs: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    from textual.widgets import Input

    from timebank.i18n import Words, set_language
    from timebank.ledger.storage.db import open_ledger
    from timebank.ui.app import TimebankApp
    from timebank.ui.base import Notice

    set_language("en")
    times: dict[str, list[float]] = {"search": [], "record": [], "member": [], "monthly": [], "monthly_whole": []}
    cpu: dict[str, list[float]] = {key: [] for key in times}

    def note(what: str, measured: tuple[float, float]) -> None:
        times[what].append(measured[0])
        cpu[what].append(measured[1])

    with sqlite3.connect(ledger) as conn:
        active = [row[0] for row in conn.execute(
            "SELECT number FROM members WHERE left IS NULL AND kind = 'person' ORDER BY number LIMIT 200")]
        # Receivers well in credit, so that no recording meets the credit limit's question.
        rich = [row[0] for row in conn.execute(
            "SELECT number FROM members WHERE left IS NULL AND kind = 'person' AND joined <= date('now', '-1 day') "
            "ORDER BY balance_minutes DESC LIMIT 100")]
    opened = open_ledger(str(ledger))

    async def drive() -> None:
        app = TimebankApp(opened, "bench", Words("en"))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            # A keystroke in the search: the list redrawn with the members found.
            await pilot.press("f2")
            await _until(pilot, lambda: bool(app.screen.query("#members")) and bool(app.screen.query_one(
                "#members").keys))
            search = app.screen.query_one("#search", Input)
            for _run in range(runs):
                search.value = ""
                await pilot.pause()
                for char in "sian j":
                    typed = search.value + char
                    shown = app.screen.query_one("#members")
                    before = shown.lines
                    note("search", await answered(app, key(app, "space" if char == " " else char, char),
                                                  lambda: search.value == typed and shown.lines is not before))
            # A member's page, from Enter on the member to the page drawn.
            for number in active[:runs]:
                search.value = f"#{number}"
                await pilot.pause()
                search.focus()
                await pilot.pause()
                note("member", await answered(app, key(app, "enter", "\r"), lambda: type(app.screen).__name__ ==
                                              "MemberView" and bool(app.screen.query("#page")) and bool(app.screen.query_one("#page").lines)))
                app.pop_screen()
                await pilot.pause()
            # Recording from the form: Enter to the result on screen.
            await pilot.press("f3")
            await _until(pilot, lambda: getattr(app.screen, "data", None) is not None)
            for run in range(runs):
                giver, receiver = rich[2 * run + 1], rich[2 * run]
                for field, value in (("giver", str(giver)), ("receiver", str(receiver)), ("hours", "1"),
                                     ("note", f"bench {datetime.now():%H%M%S%f}")):
                    app.screen.query_one(f"#{field}", Input).value = value
                await pilot.pause()
                app.screen.query_one("#giver", Input).focus()
                await pilot.pause()
                notice = app.screen.query_one(Notice)
                note("record", await answered(app, key(app, "enter", "\r"), lambda: "Recorded exchange" in notice.text
                                              or "error" in notice.classes))
                if "error" in notice.classes:
                    raise SystemExit(notice.text)
                notice.clear()
            # The monthly report: the page's first showing, then month to month. The page shows
            # the month's figures at once and reads every member's line in the background:
            # timed to each, from the same key (the next key only once the whole is there).
            def monthly(send: Any, first: Any) -> Any:
                return answered_in_two(app, send, first, lambda: bool(getattr(app.screen, "whole", False)))

            figures, whole = await monthly(key(app, "f5"), lambda: type(app.screen).__name__ == "Reports"
                                           and bool(app.screen.query("#body"))
                                           and bool(app.screen.query_one("#body").lines))
            note("monthly", figures)
            note("monthly_whole", whole)
            for run in range(runs - 1):
                await pilot.pause()
                body = app.screen.query_one("#body")
                body.focus()
                first = body.lines
                step = "left_square_bracket" if run % 2 == 0 else "right_square_bracket"
                figures, whole = await monthly(key(app, step, "[" if run % 2 == 0 else "]"),
                                               lambda: body.lines is not first and bool(body.lines))
                note("monthly", figures)
                note("monthly_whole", whole)

    try:
        asyncio.run(drive())
    finally:
        opened.dispose()
    return times, cpu


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ledger", type=Path, default=HERE / "out" / "ledger-1000000.sqlite3")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    if not args.ledger.exists():
        sys.path.insert(0, str(HERE))
        from generate import generate

        generate(args.ledger, 1_000_000, 10_000)
    work = args.ledger.with_name("ui-bench.sqlite3")
    shutil.copyfile(args.ledger, work)
    with sqlite3.connect(work) as conn:
        name = conn.execute("SELECT value FROM settings WHERE key = 'name'").fetchone()
    marker = (f"{name[0] if name else 'Time bank'}: ").encode()
    loads = [load()]

    time_open(work, marker)   # once to warm the disk cache and compile the modules
    opens, fills, floors = [], [], []
    for _run in range(args.runs):
        floors.append(time_floor())
        first, filled = time_open(work, marker)
        opens.append(first)
        fills.append(filled)
    loads.append(load())
    actions, cpu = time_actions(work, args.runs)
    loads.append(load())
    work.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(str(work) + suffix).unlink(missing_ok=True)

    open_time, floor_time = statistics.median(opens), statistics.median(floors)
    fill_time = statistics.median(fills)
    targets = {"search": 0.050, "record": 0.050, "member": 0.100, "monthly": 0.500, "monthly_whole": 0.500}
    what = {"search": "a keystroke in the member search", "record": "recording an exchange from the form",
            "member": "a member's page", "monthly": "the monthly report: its figures, categories and chart on the page",
            "monthly_whole": "... and every member's line there too (read in the background)"}
    lines = [
        "# The screen (`timebank ui`): timings",
        "",
        f"Measured {date.today().isoformat()} with `python bench/ui.py --runs {args.runs}` on {args.ledger.name} "
        f"(1,000,000 exchanges, 10,000 members), on {machine()}. The machine is shared: load average "
        f"(1, 5, 15 min) before, between and after: {' / '.join(loads)}.",
        "",
        "| what | median | worst | CPU (median) | target | met |",
        "|---|---|---|---|---|---|",
        f"| opening `timebank ui` to the start page (80x24 terminal) | {open_time:.2f} s | {max(opens):.2f} s | | "
        f"1.5x the floor with Textual ({floor_time:.2f} s): {1.5 * floor_time:.2f} s; "
        f"here {open_time / floor_time:.2f}x | {'yes' if open_time <= 1.5 * floor_time else 'no'} |",
        f"| ... and its figures and lists filled (read in the background) | {fill_time:.2f} s | {max(fills):.2f} s | "
        f"| ({fill_time / floor_time:.2f}x the floor) | |",
    ]
    for key in ("search", "record", "member", "monthly", "monthly_whole"):
        values = actions[key]
        median = statistics.median(values)
        lines.append(f"| {what[key]} ({len(values)} times) | {ms(median)} | {ms(max(values))} | "
                     f"{ms(statistics.median(cpu[key]))} | < {ms(targets[key])} | "
                     f"{'yes' if median < targets[key] else 'no'} |")
    lines += ["", "The floor is `python -c \"" + FLOOR + "\"`, run interleaved with the openings. Actions are "
              "timed in process, headless, from the key event (sent as the terminal driver sends it) until the page "
              "shows the result and the screen has been painted again (the core's reads and writes, the widgets filled and laid out); CPU is the process's CPU "
              "time (all its threads) over the same span, which a loaded machine inflates far less than the wall clock. The monthly report's "
              "two rows are timed from the same key: the month's figures are shown at once, every member's line when the "
              "background read brings the whole report (the next key is sent only then).", ""]
    add_section(lines, date.today().isoformat(), args.results)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
