"""Turning user input (dicts, models, JSON text) into validated event documents.

Errors name the event's index, its id and the field, as the user wrote them, so a script author
can find the line to fix; nothing here touches the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import pydantic
from uuid6 import uuid7

from events import EVENT_LIST_ADAPTER, EVENT_TYPES, Envelope, to_documents
from ledger.core.messages import message_for, suggest
from ledger.errors import Problem, ValidationError

_UNION_MEMBER = re.compile(r"constrained-\w+|[a-z-]+\[.*\]")
"""The names pydantic gives the members of a union in an error's path (``constrained-str``,
``function-before[_check_decimal(), decimal]``): its internals, not a field of the event."""


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) if not isinstance(p, int) else f"[{p}]" for p in loc
             if isinstance(p, int) or not _UNION_MEMBER.fullmatch(str(p))]
    text = ".".join(parts).replace(".[", "[")
    return text or "event"


def _problem(error: Mapping[str, Any], raw: list[Any], offset: int = 0) -> Problem:
    loc = tuple(error["loc"])
    index = loc[0] if loc and isinstance(loc[0], int) else None
    rest = loc[1:]
    if rest and isinstance(rest[0], str) and rest[0] in EVENT_TYPES:
        rest = rest[1:]  # the union tag pydantic puts in the path
    item = raw[index] if index is not None and index < len(raw) else None
    event_id = item.get("id") if isinstance(item, Mapping) and isinstance(item.get("id"), str) else None
    if index is not None:
        index += offset
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        given = item.get("type") if isinstance(item, Mapping) else None
        hint = suggest(given, EVENT_TYPES, "valid types") if isinstance(given, str) and given else ""
        if given is None:
            return Problem(index, event_id, "type", "missing: every event names its type, one of "
                           + ", ".join(EVENT_TYPES))
        return Problem(index, event_id, "type", f"{_shown(item, 'type')} is not an event type; "
                       + (hint + " " if hint.startswith("did you mean") else "") + "valid types: " + ", ".join(EVENT_TYPES))
    return Problem(index, event_id, _field_path(rest), message_for(error))


def _shown(item: Any, key: str) -> str:
    value = item.get(key) if isinstance(item, Mapping) else None
    return "missing type" if value is None else repr(str(value)[:60])


CHUNK = 10_000
MAX_PROBLEMS = 1_000


def check_batch(events: Any) -> None:
    """Refuse what is not a batch of events (one event, a string, a model) before reading it."""
    if isinstance(events, str | bytes | bytearray | Mapping | pydantic.BaseModel) or not isinstance(events, Iterable):
        raise ValidationError([Problem(None, None, None, "expected a list of events (JSON objects or event models), "
                                       f"got one {type(events).__name__}")], "not a list of events")


def no_events() -> ValidationError:
    return ValidationError([Problem(None, None, None, "no events given")], "empty input")


def plain(raw: list[Any], default_stream: str | None = None) -> list[Any]:
    """Models as the documents a user would have written; ``default_stream`` where none is named."""
    # a model's ``type`` is its class's default, never "set": keep it, or the dump is no event at all
    out = [{"type": e.type, **e.model_dump(exclude_unset=True, mode="json")} if isinstance(e, Envelope) else
           e.model_dump(exclude_unset=True, mode="json") if isinstance(e, pydantic.BaseModel) else e for e in raw]
    if default_stream is not None:
        out = [{**e, "stream": default_stream} if isinstance(e, dict) and "stream" not in e else e for e in out]
    return out


def validate(chunk: list[Any], offset: int = 0) -> tuple[list[dict[str, Any]], list[Problem]]:
    """One chunk (its first event is event ``offset`` of the batch) -> canonical documents with
    ids (generated where absent), or its problems (then no documents)."""
    try:
        models = EVENT_LIST_ADAPTER.validate_python(chunk)  # type: ignore[arg-type]
    except pydantic.ValidationError as exc:
        return [], _merged([_problem(err, chunk, offset) for err in exc.errors(include_url=False)])
    docs = to_documents(models)
    for doc in docs:
        if doc["id"] is None:
            doc["id"] = str(uuid7())
    return docs, []


def _merged(problems: list[Problem]) -> list[Problem]:
    """A value that fits no member of a union (a ``terms`` value) is one problem at its field,
    each member's complaint joined, not one problem per member."""
    out: list[Problem] = []
    for problem in problems:
        last = out[-1] if out else None
        if last and (last.index, last.field) == (problem.index, problem.field):
            out[-1] = Problem(last.index, last.event_id, last.field, f"{last.message}; or {problem.message}")
        else:
            out.append(problem)
    return out


def too_many(problems: list[Problem], seen: int) -> ValidationError:
    return ValidationError(problems, f"stopped after {len(problems)} problems in the first {seen} events; nothing "
                           "was written")


def id_problems(docs: list[dict[str, Any]], offset: int, seen: dict[str, int]) -> list[Problem]:
    """Ids used twice (``seen``: id -> index of its first use so far) and NUL in ``recorded_by``."""
    problems = []
    for n, doc in enumerate(docs):
        i = offset + n
        if doc["id"] in seen:
            problems.append(Problem(i, doc["id"], "id", f"the same id is used by event {seen[doc['id']] + 1} of this batch"))
        seen.setdefault(doc["id"], i)
        # recorded_by is stored in a text column of its own, which PostgreSQL refuses NUL in: refuse it on every engine
        if doc["recorded_by"] is not None and "\x00" in doc["recorded_by"]:
            problems.append(Problem(i, doc["id"], "recorded_by", "must not contain NUL characters"))
    return problems


def prepare(events: Iterable[Any], default_stream: str | None = None) -> list[dict[str, Any]]:
    """Validate a whole batch and return canonical documents (ids generated where absent), in
    chunks of :data:`CHUNK`, so a huge broken input stops after :data:`MAX_PROBLEMS` problems.

    Raises :class:`ValidationError` listing every problem; duplicate ids in one batch are one.
    """
    check_batch(events)
    raw = plain(list(events), default_stream)
    if not raw:
        raise no_events()
    docs: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for start in range(0, len(raw), CHUNK):
        got, found = validate(raw[start:start + CHUNK], start)
        docs.extend(got)
        problems.extend(found)
        if len(problems) >= MAX_PROBLEMS:
            raise too_many(problems, start + CHUNK) from None
    if problems:
        raise ValidationError(problems)
    problems = id_problems(docs, 0, {})
    if problems:
        raise ValidationError(problems)
    return docs
