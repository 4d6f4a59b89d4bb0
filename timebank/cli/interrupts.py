"""Ctrl-C at any moment of a command: a line and exit code 130, never a traceback.

Three phases. Before the command begins its work (the first half-second goes on importing
Python modules, and a KeyboardInterrupt raised inside an import printed a traceback), Ctrl-C
ends the program at once: nothing has been written. While the command works, Ctrl-C raises
KeyboardInterrupt as usual, so that an open transaction is rolled back and the command line's
handler says so. Once the work is done, Ctrl-C is ignored for the moment it takes to exit.

Only the process entry (`timebank.__main__`) installs the first phase; `run()` called in
another program (or a test) leaves that program's Ctrl-C alone.
"""

# `_signal`, not `signal`: the C module is built in, while importing `signal` builds its enums
# (a millisecond in which Ctrl-C would still print a traceback).
import _signal  # type: ignore[import-not-found]  # typeshed has no stub for the C module
import _thread
import os
import sys

# Built-ins only, and imported now: the handler below must not import while Ctrl-C is pressed.
from timebank.cli import global_options

INTERRUPTED = "Interrupted: nothing more was written."  # a message id of the catalogues
EXIT_CODE = 130  # 128 + SIGINT, what shells report for a program stopped by Ctrl-C


def interrupted_message() -> str:
    """The interrupted line in the language asked for, at any moment: even while the module
    that reads the catalogues is itself half imported."""
    lang = _chosen_language()
    i18n = sys.modules.get("timebank.i18n")
    if i18n is not None and hasattr(i18n, "words"):  # defined near its end: the module is whole
        try:
            return i18n.words(lang)._(INTERRUPTED)
        except Exception:  # interrupted while loading a catalogue: read it below
            pass
    return _from_catalogue(lang) or INTERRUPTED


def _chosen_language() -> str:
    """--lang, TIMEBANK_LANG, Welsh if chosen so far (the ledger's setting) or the locale's, else English."""
    typed = global_options.typed_language(sys.argv[1:])
    for value in (typed, os.environ.get("TIMEBANK_LANG")):
        if value and value.strip().lower()[:2] in ("cy", "en"):
            return value.strip().lower()[:2]
    i18n = sys.modules.get("timebank.i18n")
    if getattr(i18n, "_language", "en") == "cy":
        return "cy"
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if os.environ.get(variable, "").lower().startswith("cy"):
            return "cy"
    return "en"


def _from_catalogue(lang: str) -> str | None:
    """This one message, found in the language's PO file directly."""
    if lang == "en":
        return None
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    wanted = ('msgid "' + INTERRUPTED + '"\nmsgstr "').encode()
    for path in (os.path.join(package, "locale", lang + ".po"), os.path.join(os.path.dirname(package), lang + ".po")):
        try:
            with open(path, "rb") as handle:
                text = handle.read()
        except OSError:
            continue
        start = text.find(wanted)
        if start >= 0:
            start += len(wanted)
            found = text[start:text.find(b'"\n', start)].decode("utf-8", "replace")
            return found or None
    return None


# One handler for the whole run; what it does depends on the phase, which changes by one
# assignment (a signal handler runs between two bytecodes, never inside one).
_phase = "starting"


def _on_ctrl_c(_signum: int, frame: object) -> None:  # typing is not imported yet: it costs 9 ms
    if _phase == "working":
        if _unsafe_to_raise(frame):
            # Raised here, Python would print "Exception ignored ... KeyboardInterrupt" and
            # go on: ask again a few milliseconds later, once out of that code. (Not at
            # once: a signal raised here is handled at the next step, inside this very
            # handler, and the KeyboardInterrupt would still end up in that code.)
            _thread.start_new_thread(_ask_again, ())
            return
        raise KeyboardInterrupt
    if _phase == "done":
        return
    _stop_now()


def _ask_again() -> None:
    import time

    time.sleep(0.005)
    _signal.raise_signal(_signal.SIGINT)  # handled by the main thread, wherever it then is


def _unsafe_to_raise(frame: object) -> bool:
    """Inside the import machinery's lock callbacks or a finaliser, an exception cannot
    propagate: Python reports it as ignored (with a traceback) and carries on."""
    code = getattr(frame, "f_code", None)
    if code is None:
        return False
    return code.co_filename.startswith("<frozen importlib") or code.co_name in ("__del__", "cb", "remove")


def _stop_now() -> None:
    global _phase
    _phase = "done"
    message = "\n" + interrupted_message() + "\n"
    try:
        encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
        os.write(2, message.encode(encoding, "replace"))
    except (OSError, LookupError, ValueError):
        pass
    os._exit(EXIT_CODE)


def stop_quietly() -> None:
    """First phase: Ctrl-C ends the program at once."""
    _signal.signal(_signal.SIGINT, _on_ctrl_c)


def work_begins() -> None:
    """Second phase: Ctrl-C raises KeyboardInterrupt. Only where the first phase was
    installed (the process entry); a program that calls `run` keeps its own Ctrl-C."""
    global _phase
    if _signal.getsignal(_signal.SIGINT) is _on_ctrl_c:
        _phase = "working"


def work_done() -> None:
    """Third phase: the command has finished; Ctrl-C is ignored while the program exits."""
    global _phase
    _phase = "done"
    # Ignored at the system's level too: Python puts back the default action (the process
    # killed, exit -2) for the last moments of its shutdown unless the signal is ignored.
    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)
