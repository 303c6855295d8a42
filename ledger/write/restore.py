"""``import``: an export restored into an empty ledger. What import accepts, verify passes: the
file must be stored envelopes in the exact form export writes, pass the same chain check as
``verify`` (:func:`ledger.core.verify.check_export`), and every event the rules of an append."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ledger.core.envelope import ENVELOPE_FIELDS, INPUT_FIELDS
from ledger.core.intake import prepare
from ledger.core.verify import check_export
from ledger.errors import Problem, ValidationError
from ledger.write.appender import Appender, AppendResult


def restore(appender: Appender, envelopes: Iterable[Any], progress: Callable[[int], None] | None = None) -> AppendResult:
    given = list(envelopes)
    problems = [Problem(i, e.get("id") if isinstance(e, dict) else None, None,
                        "not a stored envelope (export line) with exactly the fields " + ", ".join(ENVELOPE_FIELDS))
                for i, e in enumerate(given) if not isinstance(e, dict) or list(e) != list(ENVELOPE_FIELDS)]
    problems = problems or check_export(given)
    if problems:
        raise ValidationError(problems)
    docs = prepare([{k: e[k] for k in INPUT_FIELDS if e[k] is not None} for e in given])
    problems = [Problem(i, e["id"], "data", "not in canonical form (was this file written by export?)")
                for i, (e, d) in enumerate(zip(given, docs, strict=True)) if {k: e[k] for k in INPUT_FIELDS} != d]
    if problems:
        raise ValidationError(problems)
    return appender.restore(given, docs, progress)
