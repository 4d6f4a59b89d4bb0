"""What every page of the screen shares: key labels in the interface language, a line for
messages (a refusal from the core, or what was done), the y/N question and the question
that takes a line of text."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Input, Static

from timebank.i18n import N_, Words
from timebank.ledger.errors import TimebankError
from timebank.ledger.basics.text import printable

T = TypeVar("T")


def translate_bindings(node: DOMNode, words: Words) -> None:
    """Bindings are declared with message ids (`N_`) and put into the interface language
    when a page is made, so that one class serves Welsh and English alike. Textual keeps a
    node's own copy of its bindings in `_bindings` (a shallow copy of the class's map, so
    replacing the lists here touches no other node)."""
    table = node._bindings.key_to_bindings
    for key, bindings in list(table.items()):
        table[key] = [replace(b, description=words._(b.description)) if b.description else b for b in bindings]


class KeyBar(Widget):
    """The keys of the page, in the interface language, at the foot of the screen. Unlike
    Textual's footer it wraps onto a second line rather than cutting keys off: Welsh
    labels are longer, and every key must be seen at 80 columns."""

    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: auto; background: $footer-background; color: $footer-foreground; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, lambda _screen: self.refresh(layout=True))

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def chunks(self) -> list[Text]:
        seen: set[str] = set()
        page: list[Text] = []
        every: list[tuple[str, Text]] = []
        for node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or not binding.description or binding.key in seen:
                continue
            seen.add(binding.key)
            chunk = Text()
            chunk.append(f" {self.app.get_key_display(binding)} ", style="bold #ffa62b")
            chunk.append(binding.description, style="" if enabled else "dim")
            if node is self.app:
                every.append((binding.key, chunk))
            else:
                page.append(chunk)
        # The page's own keys first, then the keys of every page in the order they are declared.
        order = {b.key: i for i, b in enumerate(getattr(type(self.app), "BINDINGS", []))}
        return page + [chunk for _key, chunk in sorted(every, key=lambda pair: order.get(pair[0], 0))]

    def lines(self, width: int) -> list[Text]:
        lines: list[Text] = []
        line = Text()
        for chunk in self.chunks():
            if line.cell_len and line.cell_len + 1 + chunk.cell_len > width:
                lines.append(line)
                line = Text()
            if line.cell_len:
                line.append(" ")
            line.append_text(chunk)
        lines.append(line)
        return lines

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Text:
        return Text("\n").join(self.lines(self.size.width or 80))


class Notice(Static):
    """One or two lines under a form: what went wrong (in red) or what was done."""

    def say(self, text: str, *, error: bool = False) -> None:
        self.set_class(error, "error")
        self.set_class(not error and bool(text), "done")
        # A notice of fixed height needs no new layout of the page (a keystroke's worth of time).
        self.update(Text("\n".join(map(printable, text.split("\n")))),
                    layout=self.styles.height is None or self.styles.height.is_auto)

    def clear(self) -> None:
        self.say("")

    @property
    def text(self) -> str:
        return str(self.render())


def unexpected(words: Words, error: Exception) -> str:
    return words._("Unexpected error ({kind}): {error}. Nothing was changed. Set TIMEBANK_DEBUG=1 for details.").format(
        kind=type(error).__name__, error=str(error).splitlines()[0] if str(error) else "")


def attempt(words: Words, notice: Notice, action: Callable[[], T]) -> T | None:
    """Run a core call; a refusal (or anything unexpected) is shown in `notice`, never a crash."""
    try:
        return action()
    except TimebankError as error:
        notice.say(words.tell(error), error=True)
    except Exception as error:  # the screen's guard against a traceback
        import os

        if os.environ.get("TIMEBANK_DEBUG"):
            raise
        notice.say(unexpected(words, error), error=True)
    return None


def guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """A handler of the screen (a key, a message, an answer to a question): anything
    unexpected in it becomes a message in the interface language, and the screen goes on;
    Textual would otherwise stop the whole screen with a traceback. Under test (headless)
    or with TIMEBANK_DEBUG the error is raised, so that it is seen and mended."""
    import functools

    @functools.wraps(method)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as error:  # the screen's guard against a traceback
            import os

            if os.environ.get("TIMEBANK_DEBUG") or self.app.is_headless:
                raise
            self.app.notify(unexpected(self.app.words, error), severity="error", markup=False, timeout=15)
            return None
    return run


class Guarded:
    """Every handler a page or dialog defines is `guarded`: its actions (`action_*`), its
    message handlers (`on_*`), the answers to its questions and its reads (`_*`, `reload`,
    `show`...)."""

    HANDLERS = ("reload", "show", "show_monthly", "show_matches", "submit", "confirm", "recorded", "clear", "fill",
                "check")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, value in list(vars(cls).items()):
            if not callable(value) or isinstance(value, type) or name.startswith("__") or name == "compose":
                continue
            if name.startswith(("action_", "on_", "_")) or name in cls.HANDLERS:
                setattr(cls, name, guarded(value))


class Page(Guarded, Screen[None]):
    """A page of the screen. Its data is read again each time it is shown, so what other
    coordinators wrote since appears."""

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self, self.words)

    @property
    def words(self) -> Words:
        return self.app.words  # type: ignore[attr-defined]

    @property
    def ledger(self) -> Any:
        return self.app.ledger  # type: ignore[attr-defined]

    @property
    def by(self) -> str:
        return self.app.by  # type: ignore[attr-defined]

    asking = False

    def ask(self, question: Any, answered: Callable[[Any], None]) -> None:
        """Put a question (a modal screen) over this page; the page is not read again when
        it comes back from the question (the answer's own action reads what it needs)."""
        self.asking = True
        self.app.push_screen(question, answered)

    fresh = False    # just read: the next showing need not read again

    def on_screen_resume(self) -> None:
        if self.asking or self.fresh:
            self.asking = self.fresh = False
            return
        # After the first refresh: a page's widgets are laid out before they are filled.
        self.call_after_refresh(self.reload)

    def reload(self) -> None:
        """Read the page's data again and show it."""

    def read_in_background(self, read: Callable[[], T], show: Callable[[T], None]) -> None:
        """Read in a thread (its own connection from the pool) and show the result when it
        comes, so the page is on screen before a slow read is done; a refusal or failure is
        shown in the page's notice, as `attempt` does."""
        words = self.words
        hand_over = self.hand_over

        def work() -> None:
            try:
                result = read()
            except TimebankError as error:
                hand_over(self.query_one(Notice).say, words.tell(error), error=True)
                return
            except Exception as error:  # the screen's guard against a traceback
                import os

                if os.environ.get("TIMEBANK_DEBUG"):
                    raise
                hand_over(self.query_one(Notice).say, unexpected(words, error), error=True)
                return
            hand_over(show, result)

        self.run_worker(work, thread=True, exclusive=True, group=f"read-{id(self)}")

    def hand_over(self, function: Callable[..., None], *args: Any, **kwargs: Any) -> None:
        """From a reading thread: run `function` in the screen's own thread (and wait for it)."""
        try:
            self.app.call_from_thread(function, *args, **kwargs)
        except RuntimeError:
            pass  # the screen was closed while the read went on: nobody to show it to

    def footer(self) -> ComposeResult:
        yield KeyBar()


class Question(Guarded, ModalScreen[bool]):
    """A y/N question (i/N in Welsh): Enter or Escape is No, as at the command line."""

    BINDINGS = [Binding("y", "answer(True)", N_("Yes")), Binding("i", "answer(True)", N_("Yes")),
                Binding("n", "answer(False)", N_("No")), Binding("escape", "answer(False)", show=False),
                Binding("enter", "answer(False)", show=False)]

    def __init__(self, question: str, words: Words) -> None:
        super().__init__()
        self.question = question
        self.words = words
        translate_bindings(self, words)
        # Only the yes key of the interface language is shown (both work).
        hidden = "y" if words.lang == "cy" else "i"
        self._bindings.key_to_bindings[hidden] = [replace(b, show=False)
                                                  for b in self._bindings.key_to_bindings[hidden]]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(f"{self.question} {self.words._('[y/N]')}"), id="question")
        yield KeyBar()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class Ask(Guarded, ModalScreen["str | None"]):
    """A question answered with a line of text (the reason for a void, a date): Enter gives
    the answer, Escape gives up."""

    BINDINGS = [Binding("escape", "give_up", N_("Cancel"))]

    def __init__(self, question: str, words: Words, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.question, self.words, self.value, self.placeholder = question, words, value, placeholder
        translate_bindings(self, words)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question))
            yield Input(self.value, placeholder=self.placeholder, id="answer")
        yield KeyBar()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_give_up(self) -> None:
        self.dismiss(None)
