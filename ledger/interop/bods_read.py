"""Reading BODS files: 0.4 statements as they are, 0.2/0.3 statements upgraded to the 0.4 shape.

The importer works on one shape only (0.4 records: ``recordId``, ``recordType``,
``recordStatus``, ``recordDetails``). Older statements have no records: an entity or person
statement is its own record, an ownership-or-control statement's record is its pair (subject,
interested party), and ``replacesStatements`` marks an update, or closes the replaced pair's
record when no replacing statement restates that pair. Numbers are read as Decimals, never
binary floats. Every structural problem names the file, the statement's index and recordId.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ledger.core import jsontext
from ledger.errors import Problem, ValidationError

RECORD_TYPES = {"entityStatement": "entity", "personStatement": "person", "ownershipOrControlStatement": "relationship"}
STATUSES = ("new", "updated", "closed")


@dataclass(frozen=True)
class StatementProblem(Problem):
    """A problem located in a BODS file: which file, which statement (index) and record."""

    file: str = ""

    def __str__(self) -> str:
        # counted from 1 as events are in append messages (``index`` itself stays a Python index)
        number = "" if self.index is None else f" {self.index + 1}"
        where = f"{self.file} statement{number}" + (f" (recordId {self.event_id!r})" if self.event_id else "")
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


@dataclass
class Statement:
    """One statement in 0.4 shape, with where it came from and its date as a sortable key."""

    file: str
    index: int
    raw: dict[str, Any]
    statement_id: str
    record_id: str
    record_type: str
    status: str
    date: str
    sort_key: str
    details: dict[str, Any]

    def problem(self, field: str | None, message: str) -> StatementProblem:
        return StatementProblem(self.index, self.record_id, field, message, file=self.file)


def parse_json(body: bytes, name: str) -> list[Any]:
    """A JSON array of statements, one statement, or JSON Lines; decimals kept exact."""
    text = body.decode("utf-8-sig").strip()
    if not text:
        raise ValidationError([StatementProblem(None, None, None, "empty: give a JSON array of BODS statements",
                                                file=name)], "empty input")
    try:
        value = jsontext.loads(text, decimal_floats=True)
        return value if isinstance(value, list) else [value]
    except jsontext.DuplicateKey as exc:
        raise ValidationError([StatementProblem(None, None, None, f"the key {exc.key!r} is given twice in one object",
                                                file=name)], "broken JSON") from None
    except ValueError:
        pass
    items = []
    for lineno, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            try:
                items.append(jsontext.loads(line, decimal_floats=True))
            except ValueError as exc:
                raise ValidationError([StatementProblem(None, None, None, f"line {lineno}: not valid JSON: {exc}",
                                                        file=name)], "broken JSON") from None
    return items


def statement_date(value: Any) -> tuple[str, str] | None:
    """(the UTC date, a sort key) of a full-date or RFC 3339 date-time ``statementDate``."""
    if not isinstance(value, str):
        return None
    try:
        if len(value) == 10:
            day = datetime.fromisoformat(value).date().isoformat()
            return day, day + "T00:00:00"
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    moment = moment.astimezone(UTC) if moment.tzinfo else moment
    return moment.date().isoformat(), moment.strftime("%Y-%m-%dT%H:%M:%S.%f")


def read_files(files: list[tuple[str, bytes]]) -> list[Statement]:
    """Every statement of every file, upgraded and checked, in statementDate order (file order
    breaks ties); a statement repeated with the same statementId is read once."""
    problems: list[Problem] = []
    out: list[Statement] = []
    seen: set[str] = set()
    pair_of: dict[str, str] = {}  # 0.3: statementID -> record id, for replacesStatements
    for name, body in files:
        for index, raw in enumerate(parse_json(body, name)):
            stmt = _one(name, index, raw, pair_of, problems)
            if stmt is not None and stmt.statement_id not in seen:
                seen.add(stmt.statement_id)
                out.append(stmt)
    if problems:
        raise ValidationError(problems)
    out.extend(_closings(out))
    return sorted(out, key=lambda s: s.sort_key)


def _one(name: str, index: int, raw: Any, pair_of: dict[str, str], problems: list[Problem]) -> Statement | None:
    def bad(field: str | None, message: str, record: str | None = None) -> None:
        problems.append(StatementProblem(index, record, field, message, file=name))

    if not isinstance(raw, dict):
        bad(None, "a statement is a JSON object")
        return None
    version = str((raw.get("publicationDetails") or {}).get("bodsVersion") or ("0.4" if "recordId" in raw else "0.3"))
    if version.split(".")[0] != "0" or version not in ("0.2", "0.3", "0.4"):
        bad("publicationDetails.bodsVersion", f"BODS {version} is not read here (0.4, and 0.2/0.3 upgraded)")
        return None
    raw = raw if version == "0.4" else _upgrade(raw, pair_of)
    record = raw.get("recordId")
    if not isinstance(record, str) or not record:
        bad("recordId", "missing: every statement names the record it is about")
        return None
    if raw.get("recordType") not in ("entity", "person", "relationship"):
        bad("recordType", f"{raw.get('recordType')!r} is not entity, person or relationship", record)
        return None
    status = raw.get("recordStatus") or "new"
    if status not in STATUSES:
        bad("recordStatus", f"{status!r} is not one of {', '.join(STATUSES)}", record)
        return None
    when = statement_date(raw.get("statementDate"))
    if when is None:
        bad("statementDate", f"{raw.get('statementDate')!r} is not a date YYYY-MM-DD or an RFC 3339 date-time", record)
        return None
    details = raw.get("recordDetails")
    if not isinstance(details, dict):
        bad("recordDetails", "missing or not an object", record)
        return None
    sid = raw.get("statementId")
    return Statement(name, index, raw, sid if isinstance(sid, str) and sid else f"{name}#{index}", record,
                     raw["recordType"], status, when[0], when[1], details)


def _upgrade(raw: dict[str, Any], pair_of: dict[str, str]) -> dict[str, Any]:
    """A 0.2/0.3 statement in the 0.4 shape (only the fields the importer reads)."""
    sid = raw.get("statementID")
    kind = RECORD_TYPES.get(str(raw.get("statementType")))
    out: dict[str, Any] = {"statementId": sid, "statementDate": raw.get("statementDate"), "recordType": kind,
                           "source": raw.get("source"), "publicationDetails": raw.get("publicationDetails"),
                           "recordStatus": "updated" if raw.get("replacesStatements") else "new",
                           "_replaces": list(raw.get("replacesStatements") or [])}
    if kind == "relationship":
        subject = (raw.get("subject") or {}).get("describedByEntityStatement")
        party = raw.get("interestedParty") or {}
        interested = party.get("describedByPersonStatement") or party.get("describedByEntityStatement")
        if interested is None:
            unspecified = party.get("unspecified") or {}
            interested = {"reason": unspecified.get("reason", "unknown"), "description": unspecified.get("description")}
        record: Any = f"{subject}/{interested}" if isinstance(interested, str) else f"{subject}/unspecified:{sid}"
        out["recordDetails"] = {"isComponent": bool(raw.get("isComponent")), "subject": subject,
                                "interestedParty": interested, "interests": raw.get("interests") or []}
    else:
        record = sid
        details: dict[str, Any] = {k: raw[k] for k in ("name", "alternateNames", "jurisdiction", "foundingDate", "dissolutionDate",
                                       "personType", "deathDate", "identifiers") if k in raw}
        if kind == "entity":
            details["entityType"] = {"type": raw.get("entityType")}
        if "names" in raw:
            details["names"] = [{**n, "type": "legal"} if n.get("type") == "individual" else n for n in raw["names"]]
        out["recordDetails"] = {"isComponent": bool(raw.get("isComponent")), **details}
    out["recordId"] = record
    if isinstance(sid, str) and isinstance(record, str):
        pair_of[sid] = record
    return out


def _closings(stmts: list[Statement]) -> list[Statement]:
    """0.3: a replaced relationship statement whose pair no replacing statement restates is
    closed on the replacing statement's date (the pair's record ends there); a replacing
    statement for another pair starts a new record."""
    restated: dict[str, set[str]] = {}
    for s in stmts:
        for old in s.raw.get("_replaces", ()):
            restated.setdefault(old, set()).add(s.record_id)
    known = {s.statement_id: s for s in stmts}
    for s in stmts:  # an update of its own pair's record (or of one not read here); else a new record
        replaced = s.raw.get("_replaces", ())
        if replaced and all(old in known and known[old].record_id != s.record_id for old in replaced):
            s.status = "new"
    out = []
    for s in stmts:
        for old in s.raw.get("_replaces", ()):
            replaced = known.get(old)
            if replaced is None or replaced.record_type != "relationship" or replaced.record_id in restated[old]:
                continue
            out.append(Statement(s.file, s.index, {**s.raw, "recordStatus": "closed"}, f"{s.statement_id}~{old}",
                                 replaced.record_id, "relationship", "closed", s.date, s.sort_key, replaced.details))
    return out
