"""Standard output and error, made safe on any system before a command writes a word.

- A pipe or a file gets UTF-8 whatever the console's code page. On Windows, Python writes
  redirected output in the ANSI code page (cp1252, as `PYTHONIOENCODING=cp1252` does here),
  which has no ŵ or ŷ: `report monthly > f` stopped at the first Welsh name. Lines end as
  written ("\\n"), so a funder's CSV keeps its CRLF rows (Windows' text mode had made them
  CR CR LF). The `--excel` BOM is written by the export itself, as before.
- A terminal keeps its own encoding; a letter it truly cannot show is written as its plain
  letter (ŷ -> y, â -> a), a box line as '-', anything else as '?': never an error.
- Standard output closed (`>&-`) or failing (`> /dev/full`) is one clear line on standard
  error and exit 1, never a traceback; a failing standard error is ignored (there is nowhere
  left to say anything).
"""

from __future__ import annotations

import codecs
import errno
import io
import sys
import unicodedata
from typing import Any

from timebank.i18n import _, os_reason, tell
from timebank.ledger.errors import TimebankError

FALLBACK = "timebank-plain-letters"

# Characters with no plain-letter decomposition that tables and charts use.
_NEAREST = {
    "─": "-", "━": "-", "═": "=", "│": "|", "┃": "|", "║": "|", "█": "#", "…": "...",
    "‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "£": "GBP", "€": "EUR",
    "\u00a0": " ", "\u202f": " ", "✓": "OK", "✗": "X",
}


class OutputUnwritable(TimebankError):
    """Standard output cannot be written: closed, full, or gone."""

    def __init__(self, error: OSError | None) -> None:
        if error is None or error.errno == errno.EBADF:
            super().__init__(_("Could not write the output: standard output is closed."))
        else:
            super().__init__(_("Could not write the output: {reason}.").format(reason=os_reason(error)))


def plain(char: str, encoding: str) -> str:
    """The nearest text to `char` that `encoding` can write: its letter without accents,
    a plain stand-in for a drawing character, else '?'."""
    candidate = _NEAREST.get(char)
    if candidate is None:
        decomposed = unicodedata.normalize("NFKD", char)
        candidate = "".join(c for c in decomposed if not unicodedata.combining(c)) or "?"
    try:
        candidate.encode(encoding)
    except (UnicodeError, LookupError):
        return "?"
    return candidate


def _plain_letters(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start:error.end]
    return "".join(plain(char, error.encoding) for char in text), error.end


codecs.register_error(FALLBACK, _plain_letters)

# ASCII under a name of our own. Click takes a stream whose codec is named "ascii" for a
# misconfigured one and writes UTF-8 to it instead (mojibake on a terminal that is really
# ASCII); under this name it writes to the stream, and the plain letters above apply.
PLAIN_ASCII = "timebank-ascii"


def _find_plain_ascii(name: str) -> codecs.CodecInfo | None:
    if name not in (PLAIN_ASCII, PLAIN_ASCII.replace("-", "_")):
        return None
    ascii_codec = codecs.lookup("ascii")
    return codecs.CodecInfo(ascii_codec.encode, ascii_codec.decode, name=PLAIN_ASCII,
                            incrementalencoder=ascii_codec.incrementalencoder,
                            incrementaldecoder=ascii_codec.incrementaldecoder,
                            streamreader=ascii_codec.streamreader, streamwriter=ascii_codec.streamwriter)


codecs.register(_find_plain_ascii)


def _is_unicode(encoding: str | None) -> bool:
    try:
        name = codecs.lookup(encoding or "ascii").name
    except LookupError:
        return False
    return name.startswith(("utf-8", "utf-16", "utf-32"))


class _Output(io.FileIO):
    """File descriptor 1 or 2 as a raw file whose first failed write says what went wrong
    (once: later writes, and the flush at exit, drop their data quietly)."""

    def __init__(self, fd: int, *, quiet: bool) -> None:
        super().__init__(fd, "w", closefd=False)
        self.quiet = quiet
        self.failed = False

    def write(self, data: Any) -> int:
        if self.failed:
            return len(data)
        try:
            return super().write(data) or 0
        except OSError as error:
            self.failed = True
            if self.quiet:
                return len(data)
            if isinstance(error, BrokenPipeError):
                raise  # the reader has gone: the program ends quietly (see main)
            raise OutputUnwritable(error) from None


class _Closed(io.TextIOBase):
    """Standard output when the program was started with it closed (`>&-`)."""

    encoding = "utf-8"
    errors = "strict"

    def __init__(self, *, quiet: bool) -> None:
        super().__init__()
        self.quiet = quiet
        self.told = False

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if isinstance(text, (bytes, bytearray)):
            raise TypeError("text only")  # how Click tells a text stream from a binary one
        if not text or self.quiet or self.told:
            return len(text)
        self.told = True
        raise OutputUnwritable(None)


def _prepared(stream: Any, fd: int, *, quiet: bool) -> Any:
    if stream is None:
        return _Closed(quiet=quiet)
    if isinstance(stream, _Closed) or not hasattr(stream, "reconfigure"):
        return stream
    try:
        terminal = stream.isatty()
    except (OSError, ValueError):
        return stream
    if terminal:
        if not _is_unicode(stream.encoding):
            ascii_only = codecs.lookup(stream.encoding or "ascii").name == "ascii"
            stream.reconfigure(encoding=PLAIN_ASCII if ascii_only else stream.encoding, errors=FALLBACK)
        return stream
    original = getattr(sys, f"__{'stdout' if fd == 1 else 'stderr'}__", None)
    if original is not None and stream is original and _owns_fd(stream, fd):
        # The process's own pipe or file: rebuilt over a raw file that reports failures.
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
        return io.TextIOWrapper(io.BufferedWriter(_Output(fd, quiet=quiet)), encoding="utf-8", errors=FALLBACK,
                                newline="\n", line_buffering=fd == 2)
    if not _is_unicode(stream.encoding) or sys.platform == "win32":
        # Another stream (a test's capture, an embedding program's): UTF-8 and lines as written.
        stream.reconfigure(encoding="utf-8", errors=FALLBACK, newline="\n")
    return stream


def _owns_fd(stream: Any, fd: int) -> bool:
    try:
        return stream.fileno() == fd
    except (OSError, ValueError, io.UnsupportedOperation):
        return False


def prepare() -> None:
    """Make standard output and error safe (see the module's docstring). Idempotent."""
    sys.stdout = _prepared(sys.stdout, 1, quiet=False)
    sys.stderr = _prepared(sys.stderr, 2, quiet=True)


def finish(code: int) -> int:
    """Flush standard output at the end of a command: output that cannot be written is an
    error the user hears about (exit 1), not a traceback at exit."""
    try:
        sys.stdout.flush()
    except OutputUnwritable as error:
        say(tell(error), err=True)
        return code or 1
    except (OSError, ValueError):
        return code or 1
    return code


def say(message: str, *, err: bool = False) -> None:
    """Print a message for a person: every command's messages, refusals and errors go
    through here. Control characters are shown as escapes (a name or a file name in the
    message may hold escape sequences; see `ledger.text.printable`), and the streams
    prepared above write any letter the console cannot show as its plain letter.

    On standard output (`err=False`) a failure to write is the command's failure. On
    standard error it never fails, whatever state the streams are in: stdout may be closed
    or full, stderr too, and there is nowhere left to say so."""
    from timebank.ledger.basics.text import printable

    if not err:
        import typer

        typer.echo(printable(message))
        return
    try:
        sys.stdout.flush()
    except (OSError, ValueError, TimebankError):
        pass
    try:
        if sys.stderr is not None:
            sys.stderr.write(printable(message) + "\n")
            sys.stderr.flush()
    except (OSError, ValueError, TimebankError):
        pass
