"""What the `estate` command writes on the terminal as it goes: lines on stdout and
stderr, and progress (a line per step, or a bar over a sweep's runs).

Every line may quote a register's folder, a scenario's name or a results folder, so each
goes through `estate.shown_text.for_terminal` (no escape sequence reaches the
terminal) and, where rich prints it, is rich's `Text` or escaped, with rich's emoji codes
off (brackets and `:smile:` print as written).
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from collections.abc import Callable
from typing import Any

import click

from estate.errors import KeptReasons, count
from estate.shown_text import for_terminal


def shell_word(text: object, quoted: bool = False, windows: bool = os.name == "nt") -> str:
    """A path or name as one word of a command to paste into a shell, meaning what it
    says: as it is when it holds only letters, digits and `./_-:+,=@%` (in double quotes
    when `quoted`), in double quotes when it holds spaces or other marks a shell reads
    there as written, and in single quotes when it holds `$`, a backtick, `"`, `\\` or
    `!`, which a shell would run or expand inside double quotes (a scenario named
    `Q3 $(rm -rf ~)` is text, not a command). A path starting with `-` is written
    `./-name`, which no command reads as an option.

    On Windows (`windows`) a backslash is a path's own separator and single quotes mean
    nothing to cmd, so a word is in double quotes, which cmd and PowerShell both read as
    written, unless it holds `$`, a backtick or `"`, which PowerShell would expand there:
    then in PowerShell's single quotes (a ' in it doubled), for the shell Windows opens."""
    word = str(text)
    if word.startswith("-"):  # a path a command would read as an option: ./-lead.toml
        word = "./" + word
    # PowerShell reads @ (splatting), a comma (a list) and cmd % (a variable) as its own
    if re.fullmatch(r"[\w./\\:+=-]+" if windows else r"[\w./:+,=@%-]+", word):
        return f'"{word}"' if quoted else word
    if windows:
        return ("'" + word.replace("'", "''") + "'") if re.search(r'[$`"]', word) \
            else f'"{word}"'
    if not re.search(r'[$`"\\!]', word):
        return f'"{word}"'
    return shlex.quote(word)


def say(text: str) -> None:
    """A line on stdout."""
    click.echo(for_terminal(text))


def err(text: str) -> None:
    """A line on stderr."""
    click.echo(for_terminal(text), err=True)


def wants_progress(progress: bool | None) -> bool:
    """As asked, else when stderr is a terminal a person is watching."""
    return sys.stderr.isatty() if progress is None else progress


def progress_lines(enabled: bool) -> Callable[[str], None] | None:
    """Progress lines on stderr when it is a terminal or they are asked for; None
    (nothing asked, nothing told) otherwise."""
    if not enabled:
        return None

    from rich.console import Console
    from rich.text import Text

    console = Console(stderr=True, highlight=False, emoji=False)

    def show(message: str) -> None:
        # a line may quote a register's folder or a scenario's name: as Text it is never
        # read as rich's markup or emoji codes (brackets, :smile: and a last backslash
        # print as written)
        console.print(Text("• ", style="dim") + Text(for_terminal(message)), soft_wrap=True)

    return show


def sweep_progress(enabled: bool) -> Callable[..., None] | None:
    """A rich progress bar on stderr while runs finish, or a line per run when stderr is
    not a terminal but progress is asked for; nothing otherwise."""
    if not enabled:
        return None
    if not sys.stderr.isatty():
        def line(outcome: Any, done: int, total: int) -> None:
            err(f"Run {done} of {total} done: {outcome.status} ({outcome.run_id})")

        return line
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    bar = Progress("[progress.description]{task.description}", BarColumn(),
                   MofNCompleteColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True, emoji=False), transient=True)
    task = None

    def show(outcome: Any, done: int, total: int) -> None:
        nonlocal task
        if task is None:
            bar.start()
            task = bar.add_task("Planning runs", total=total)
        bar.update(task, completed=done,
                   description=escape(for_terminal(f"Last: {outcome.status} ({outcome.run_id})")))
        if done >= total:
            bar.stop()

    return show


SAID_REASONS = 5
"""How many reasons a compared scenario with no plan says on stderr (all are in its
comparison.csv row and on the page)."""


def no_plan_lines(name: str, status: str, message: str) -> None:
    """A compared scenario with no plan on stderr: its status and first line, a few of
    its reasons and how many more, and, always, the rules to relax."""
    lines = message.splitlines() or [""]
    err(f"WARNING: {name}: {status}: {lines[0]}")
    kept = KeptReasons.of(message)
    if not kept.reasons and not kept.relax:  # a message of other lines: the first few
        for line in lines[1:1 + SAID_REASONS]:
            err(f"    {line.strip()}")
        return
    for reason in kept.reasons[:SAID_REASONS]:
        err(f"    - {reason}")
    if len(kept.reasons) > SAID_REASONS:
        err(f"    ... and {count(len(kept.reasons) - SAID_REASONS, 'more reason')} "
            "(comparison.csv's message)")
    if kept.relax:
        err(f"    - {kept.relax}")
