"""The command line's entry point (`estate`, `python -m estate`): the process around
the commands of `estate.cli`.

It imports the command line itself inside, so that Ctrl-C in the second or so the
libraries take to load ends the run as Ctrl-C does later (exit 130, one line), not with
a traceback of an import cut short. (A reader closing the pipe, `estate plan ... |
head`, ends a command quietly: `failures.handled` keeps a failure's own exit code, and
a run going well ends with 141, as one the pipe's signal stops; so does `--help` or
`--version` whose reader goes.)"""

from __future__ import annotations

import sys
import warnings


def main() -> None:
    """Run `estate` with the arguments given."""
    try:
        run_command_line()
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted; nothing was written.\n")
        sys.exit(130)


def run_command_line() -> None:
    """A mistyped command line is bad input (exit 1), not click's 2, which means an
    infeasible scenario here. A library's RuntimeWarning or FutureWarning is not for a
    user's screen: the tool says what is suspicious in its own `Warning:` lines (the
    tests, which call `cli` itself, still see Python's warnings as errors)."""
    if not sys.warnoptions:  # `python -W ...` still decides for itself
        warnings.simplefilter("ignore")
    import click

    from estate.cli import cli
    from estate.render.terminal import err

    try:
        code = cli.main(prog_name="estate", standalone_mode=False)
    except click.ClickException as exc:
        try:
            if "--json" in sys.argv[1:]:  # a script asked for JSON: it gets the failure so
                print_usage_json(exc)
            exc.show()
        except BrokenPipeError:  # the JSON's reader gone: the usage error is still one
            from estate.failures import reader_gone

            reader_gone()
            exc.show()
        sys.exit(1)
    except click.exceptions.Abort:
        err("Aborted.")
        sys.exit(130)
    except SystemExit as exc:
        # click ends words of its own whose reader went (`--help | head -0`) with 1,
        # having wrapped stdout so that its last flush is quiet: no failure, but a run
        # the pipe stopped, as estate's commands end one (`failures.handled`)
        if exc.code == 1 and type(sys.stdout).__name__ == "_PacifyFlushWrapper":
            from estate.failures import READER_GONE

            sys.exit(READER_GONE)
        raise
    sys.exit(code if isinstance(code, int) else 0)


def print_usage_json(exc: object) -> None:
    """A command line click refused (`--workers 0`, an unknown option), as `--json`
    prints bad input: status invalid, one problem naming the option or the argument
    where click knows it."""
    import click

    from estate.errors import InputError, Problem
    from estate.status import Failure, failure_json

    param = getattr(exc, "param", None)
    opts = getattr(param, "opts", None)
    option = (opts[0] if opts else None) or getattr(exc, "option_name", None)
    # a missing SCENARIO is named as its usage line writes it, an argument
    argument = param.human_readable_name if isinstance(param, click.Argument) else None
    said = exc.format_message() if isinstance(exc, click.ClickException) else str(exc)
    problem = Problem(" ".join(sys.argv[1:2]) or "estate", None, argument or option,
                      "a command line estate takes (estate COMMAND --help)", said,
                      label="argument" if argument else "option")
    click.echo(failure_json(Failure.of(InputError([problem]))))


if __name__ == "__main__":
    main()
