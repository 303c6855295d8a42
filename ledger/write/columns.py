"""Compact columns for an append's result: a million positions and ids held as a list of ints
and a list of strings took ~110 MB of an append that must stay under 400 MB; these take ~25 MB.
They read and compare as the lists they stand for; a result of up to :data:`AS_LISTS` events
holds plain lists (what JSON encoders and older callers expect)."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload

AS_LISTS = 100_000


def plain(column: Positions | Ids) -> Sequence[Any]:
    """``column`` as a list if it is short enough (see :data:`AS_LISTS`)."""
    return list(column) if len(column) <= AS_LISTS else column


class _Column:
    def __len__(self) -> int:
        raise NotImplementedError

    def __getitem__(self, k: Any) -> Any:
        raise NotImplementedError

    def __iter__(self) -> Iterator[Any]:
        return (self[k] for k in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Column | list | tuple):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(list(self))


class Positions(_Column, Sequence[int | None]):
    """Positions (``None``: not written, as in a dry run of a refused event), 8 bytes each."""

    def __init__(self) -> None:
        self._a = array("q")

    def __len__(self) -> int:
        return len(self._a)

    def add_unknown(self, count: int) -> None:
        self._a.frombytes(bytes(8 * count))

    @overload
    def __getitem__(self, k: int) -> int | None: ...
    @overload
    def __getitem__(self, k: slice) -> list[int | None]: ...
    def __getitem__(self, k: int | slice) -> Any:
        if isinstance(k, slice):
            return [v or None for v in self._a[k]]
        return self._a[k] or None

    def __setitem__(self, k: int, value: int | None) -> None:
        self._a[k] = value or 0

    def __iter__(self) -> Iterator[int | None]:
        return (v or None for v in self._a)


class Ids(_Column, Sequence[str]):
    """Strings kept as one UTF-8 buffer and their end offsets."""

    def __init__(self) -> None:
        self._blob = bytearray()
        self._ends = array("q")

    def extend(self, ids: Iterable[str]) -> None:
        blob, ends = self._blob, self._ends
        for text in ids:
            blob += text.encode()
            ends.append(len(blob))

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, k: int) -> str: ...
    @overload
    def __getitem__(self, k: slice) -> list[str]: ...
    def __getitem__(self, k: int | slice) -> Any:
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError("id index out of range")
        start = self._ends[k - 1] if k else 0
        return self._blob[start:self._ends[k]].decode()
