"""The program's entry: the `timebank` console script and `python -m timebank`.

Ctrl-C is taken care of before anything else is imported (see `timebank.cli.interrupts`).
"""

from timebank.cli import interrupts

interrupts.stop_quietly()


def main() -> None:
    from timebank.cli import streams
    from timebank.cli.main import run

    try:
        code = run()
        interrupts.work_done()
    except KeyboardInterrupt:  # pressed while the command was saying how it ended
        interrupts.work_done()
        streams.say(interrupts.interrupted_message(), err=True)
        code = interrupts.EXIT_CODE
    end(streams.finish(code))


def end(code: int) -> None:
    """End the process the ordinary way, with `sys.exit`: exit handlers run, the standard
    streams are flushed (a failing one is quiet by then: see `streams`), and another thread
    still at work is waited for.

    Every object alive now is first moved out of the garbage collector's sight (`gc.freeze`):
    the collections Python makes while it shuts down would otherwise walk the whole of
    SQLAlchemy, Typer and Rich only to find nothing to free that the system does not take back
    at once. Measured on the demo ledger, two passes of 20 runs of each way in turn on a
    loaded 2-core machine (CPU, median): `balance` 439/525 ms ending without teardown
    (`os._exit`, as before), 627/734 ms with a bare `sys.exit`, 461/530 ms with this;
    `--help` 95/118, 118/155 and 100/114 ms."""
    import gc
    import sys

    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    main()
