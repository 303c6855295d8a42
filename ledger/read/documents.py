"""The documents queries answer with: a JSON form that is stable (same query, same ledger, same
bytes), and a Python face for scripts (SPEC §6): attribute access to the top-level fields, list
fields as :class:`Section` (``len``, iteration, ``.to_pandas()``), ``len``/iteration over the
document's main list where it has one (history's events, a trail's changes, the streams)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Any, ClassVar

import orjson


class Section(list):  # type: ignore[type-arg]
    """A list field of a document (a state section, history's events...)."""

    def to_pandas(self) -> Any:
        """A pandas DataFrame of the items, nested fields flattened as ``a.b`` columns (as the
        CLI's csv does). Needs pandas (``pip install 'alliance-ledger[pandas]'``)."""
        try:
            import pandas
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("to_pandas() needs pandas: pip install 'alliance-ledger[pandas]'") from exc
        return pandas.json_normalize(list(self), sep=".")


class Document:
    """A JSON document (see the module docstring). ``main`` names the list that ``len()`` and
    iteration go over, for documents that have one."""

    main: ClassVar[str | None] = None

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc

    def to_dict(self) -> dict[str, Any]:
        return self.doc

    def to_json(self, indent: bool = True) -> str:
        option = orjson.OPT_INDENT_2 if indent else 0
        return orjson.dumps(self.doc, option=option).decode()

    def write_json(self, out: IO[bytes]) -> None:
        """Write :meth:`to_json` and a newline to ``out`` (what the CLI prints with ``--format json``),
        field by field and a long list :data:`PIECE` items at a time, so the text of a large
        answer (300 MB for the whole state of a million events) is never held whole."""
        write_indented(self.doc, out)
        out.write(b"\n")

    def __getitem__(self, key: str) -> Any:
        return self.doc[key]

    def __contains__(self, key: object) -> bool:
        return key in self.doc

    def keys(self) -> Any:
        return self.doc.keys()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "doc":
            raise AttributeError(name)
        try:
            value = self.doc[name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}; fields: "
                                 f"{', '.join(self.doc)}") from None
        return Section(value) if isinstance(value, list) else value

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self.doc})

    def __bool__(self) -> bool:
        return True

    def __len__(self) -> int:
        if self.main is None:
            raise TypeError(f"a {type(self).__name__} has no single list to count; count one of its fields")
        return len(self.doc[self.main])

    def __iter__(self) -> Iterator[Any]:
        if self.main is None:
            raise TypeError(f"a {type(self).__name__} has no single list to iterate; iterate one of its fields")
        return iter(self.doc[self.main])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Document) and other.doc == self.doc

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_json(indent=False)[:200]}...)"


PIECE = 2_000
"""Items of a list field serialized at a time by :meth:`Document.write_json`."""


class Pieces:
    """A list field written a piece (a list of items) at a time, from an iterator read once: how a
    whole state streams from a checkpoint (:mod:`ledger.read.streamed`)."""

    def __init__(self, pieces: Iterable[list[Any]]) -> None:
        self.pieces = iter(pieces)

    def __iter__(self) -> Iterator[list[Any]]:
        return self.pieces


def write_indented(doc: dict[str, Any], out: IO[bytes]) -> None:
    """The bytes of ``orjson.dumps(doc, option=OPT_INDENT_2)``, written in pieces (:func:`indented`)."""
    for chunk in indented(doc):
        out.write(chunk)


def indented(doc: dict[str, Any]) -> Iterator[bytes | memoryview]:
    """The bytes of ``orjson.dumps(doc, option=OPT_INDENT_2)`` in pieces: each top-level value (and
    each piece of a list, or of :class:`Pieces`) is dumped alone and indented one level (orjson
    escapes the newlines inside strings, so every raw newline is layout)."""
    indent = orjson.OPT_INDENT_2
    if not doc:
        yield b"{}"
        return
    yield b"{\n"
    last = len(doc) - 1
    for k, (key, value) in enumerate(doc.items()):
        yield b"  " + orjson.dumps(key) + b": "
        if isinstance(value, list) and len(value) > PIECE:
            yield from _list(value[start:start + PIECE] for start in range(0, len(value), PIECE))
        elif isinstance(value, Pieces):
            yield from _list(value)
        else:
            yield orjson.dumps(value, option=indent).replace(b"\n", b"\n  ")
        yield b",\n" if k < last else b"\n"
    yield b"}"


def _list(pieces: Iterable[list[Any]]) -> Iterator[bytes | memoryview]:
    """A list one level down, as ``orjson.dumps`` indents it, from its items a piece at a time."""
    first = True
    for piece in pieces:
        if piece:
            # dumped one level down ({"": piece}), so orjson indents it as it stands: cut its "{\n  "": [\n"
            # and "\n  ]\n}" (measured: re-indenting a top-level dump was a fifth of a streamed state)
            # a view, not a slice: the text is not copied twice more on its way out (the
            # separator is its own chunk); :func:`indented` callers that need bytes copy it once
            text = orjson.dumps({"": piece}, option=orjson.OPT_INDENT_2)
            yield b"[\n" if first else b",\n"
            yield memoryview(text)[10:-6]
            first = False
    yield b"[]" if first else b"\n  ]"


class State(Document):
    """The state document of SPEC §5 (``s.as_of``, ``s.known_at``, ``s.rights``...)."""


class Diff(Document):
    """What changed between two states (``d.changes``: per section, added / removed / changed)."""


class History(Document):
    """Events in recording order (``h.events``; ``len(h)`` and ``for e in h`` go over them)."""

    main = "events"


class Trail(Document):
    """An item's values over effective time (``t.changes``, ``t.value``)."""

    main = "changes"


class Streams(Document):
    """Every stream with its version, size and last position."""

    main = "streams"
