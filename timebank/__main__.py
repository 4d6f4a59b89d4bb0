"""The program's entry: the `timebank` console script and `python -m timebank`.

Ctrl-C is taken care of before anything else is imported (see `timebank.cli.interrupts`).
"""

from timebank.cli import interrupts

interrupts.stop_quietly()


def main() -> None:
    import sys

    from timebank.cli import streams
    from timebank.cli.main import run

    try:
        code = run()
        interrupts.work_done()
    except KeyboardInterrupt:  # pressed while the command was saying how it ended
        interrupts.work_done()
        streams.say(interrupts.interrupted_message(), err=True)
        code = interrupts.EXIT_CODE
    sys.exit(streams.finish(code))


if __name__ == "__main__":
    main()
