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
    """End the process without Python's teardown of every module it loaded: about 80 ms, a
    fifth of a typical command, spent freeing memory the system takes back at once anyway.
    What that teardown does that matters is done first: the exit handlers run and the
    standard streams are flushed (every file a command writes is closed by then). If another
    thread is still at work, Python's own exit waits for it, as usual; so it does under a
    profiler or debugger (`python -m cProfile` writes its figures after the program returns)."""
    import atexit
    import os
    import sys
    import threading

    others = [thread for thread in threading.enumerate()
              if thread is not threading.main_thread() and thread.is_alive() and not thread.daemon]
    if others or sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)
    atexit._run_exitfuncs()  # type: ignore[attr-defined]
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # closed, full or absent: already said, or nowhere to say it
            pass
    os._exit(code)


if __name__ == "__main__":
    main()
