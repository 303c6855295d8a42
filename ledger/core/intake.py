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

from events import EVENT_LIST_ADAPTER, EVENT_TYPES, Envelope, Event, to_documents
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


def _problem(error: Mapping[str, Any], raw: list[Any]) -> Problem:
    loc = tuple(error["loc"])
    index = loc[0] if loc and isinstance(loc[0], int) else None
    rest = loc[1:]
    if rest and isinstance(rest[0], str) and rest[0] in EVENT_TYPES:
        rest = rest[1:]  # the union tag pydantic puts in the path
    item = raw[index] if index is not None and index < len(raw) else None
    event_id = item.get("id") if isinstance(item, Mapping) and isinstance(item.get("id"), str) else None
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        given = item.get("type") if isinstance(item, Mapping) else None
        hint = suggest(given, EVENT_TYPES, "valid types") if isinstance(given, str) and given else ""
        return Problem(index, event_id, "type", f"{_shown(item, 'type')} is not an event type; "
                       + (hint + " " if hint.startswith("did you mean") else "") + "valid types: " + ", ".join(EVENT_TYPES))
    return Problem(index, event_id, _field_path(rest), message_for(error))


def _shown(item: Any, key: str) -> str:
    value = item.get(key) if isinstance(item, Mapping) else None
    return "missing type" if value is None else repr(str(value)[:60])


CHUNK = 10_000
MAX_PROBLEMS = 1_000


def _validate(plain: list[Any]) -> list[Event]:
    """Validate in chunks, so a huge broken input stops after :data:`MAX_PROBLEMS` problems
    instead of holding a problem object for every one of its events."""
    models: list[Event] = []
    problems: list[Problem] = []
    for start in range(0, len(plain), CHUNK):
        try:
            models.extend(EVENT_LIST_ADAPTER.validate_python(plain[start:start + CHUNK]))  # type: ignore[arg-type]
        except pydantic.ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc = err["loc"]
                if loc and isinstance(loc[0], int):
                    err = {**err, "loc": (loc[0] + start, *loc[1:])}
                problem = _problem(err, plain)
                last = problems[-1] if problems else None
                if last and (last.index, last.field) == (problem.index, problem.field):  # one union, two members
                    problems[-1] = Problem(last.index, last.event_id, last.field, f"{last.message}; or {problem.message}")
                else:
                    problems.append(problem)
            if len(problems) >= MAX_PROBLEMS:
                raise ValidationError(problems, f"stopped after {len(problems)} problems in the first "
                                      f"{start + CHUNK} events; nothing was written") from None
    if problems:
        raise ValidationError(problems)
    return models


def prepare(events: Iterable[Any], default_stream: str | None = None) -> list[dict[str, Any]]:
    """Validate a batch and return canonical documents (ids generated where absent).

    Raises :class:`ValidationError` listing every problem; duplicate ids in one batch are one.
    """
    if isinstance(events, str | bytes | bytearray | Mapping | pydantic.BaseModel) or not isinstance(events, Iterable):
        raise ValidationError([Problem(None, None, None, "expected a list of events (JSON objects or event models), "
                                       f"got one {type(events).__name__}")], "not a list of events")
    raw = list(events)
    if not raw:
        raise ValidationError([Problem(None, None, None, "no events given")], "empty input")
    # a model's ``type`` is its class's default, never "set": keep it, or the dump is no event at all
    plain = [{"type": e.type, **e.model_dump(exclude_unset=True, mode="json")} if isinstance(e, Envelope) else
             e.model_dump(exclude_unset=True, mode="json") if isinstance(e, pydantic.BaseModel) else e for e in raw]
    if default_stream is not None:
        plain = [{**e, "stream": default_stream} if isinstance(e, dict) and "stream" not in e else e for e in plain]
    models = _validate(plain)
    docs = to_documents(models)
    for doc in docs:
        if doc["id"] is None:
            doc["id"] = str(uuid7())
    seen: dict[str, int] = {}
    problems = []
    for i, doc in enumerate(docs):
        if doc["id"] in seen:
            problems.append(Problem(i, doc["id"], "id", f"the same id is used by event {seen[doc['id']] + 1} of this batch"))
        seen.setdefault(doc["id"], i)
        # recorded_by is stored in a text column of its own, which PostgreSQL refuses NUL in: refuse it on every engine
        if doc["recorded_by"] is not None and "\x00" in doc["recorded_by"]:
            problems.append(Problem(i, doc["id"], "recorded_by", "must not contain NUL characters"))
    if problems:
        raise ValidationError(problems)
    return docs

