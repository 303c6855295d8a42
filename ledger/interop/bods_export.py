"""The state as Beneficial Ownership Data Standard 0.4 statements (SPEC §11).

One statement per record, all ``recordStatus: new``: a snapshot of what the ledger holds as of
a date. Parties are entity or person records whose ``recordId`` is the party id; each pair
(interested party, subject) with a stake, a role, a right or a control link is one relationship
record whose ``recordId`` is ``HOLDER/SUBJECT`` and whose interests carry the history (one
interest per period, with start and end dates). What BODS has no field for is kept in BODS's
own annotations: each interest links the sources of the events behind it and states their
certainty, and a date the ledger knows only to the month or year says so (BODS interest dates
are full dates, so ``2018-02`` is written ``2018-02-01`` and annotated).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson

from events import CERTAINTY_RANK, date_sort_key
from ledger.interop.common import Envelopes, ended_on, full_date, role_periods, stake_periods

BODS_VERSION = "0.4"
STAKE_INTEREST = {"equity": "shareholding", "voting": "votingRights", "profit_share": "rightsToProfitOrIncome"}
ENTITY_TYPE = {"government": "stateBody", "other": "legalEntity"}  # every other kind: registeredEntity
ROLE_INTEREST = {"board-member": "boardMember", "chair": "boardChair", "board-chair": "boardChair"}
CONTROL_DETAILS = "controls (alliance-ledger controlled_by)"
NOT_IN_BODS = {
    "partnerships": "BODS has no interest type for a commercial partnership",
    "agreements": "BODS records interests, not the agreements behind them",
    "negotiations": "BODS has no place for talks that may not conclude",
    "legal_actions": "BODS has no place for lawsuits and inquiries",
    "metrics": "BODS has no place for reported figures",
    "conditions": "BODS has no place for triggers; a right's conditions are named in its details",
}
"""Sections the BODS export leaves out, each reported as a warning with the reason."""
IN_BODS = {
    "parties": "entity and person statements",
    "stakes": "relationships with shareholding, votingRights or rightsToProfitOrIncome interests",
    "roles": "relationships with board or senior managing official interests",
    "rights": "relationships with rightsGrantedByContract interests",
}
"""Sections the BODS export maps: with :data:`NOT_IN_BODS`, every state section has a decision
(``tests/unit/test_registries.py``)."""


def role_interest(role: str) -> str:
    """Board seats are BODS board interests; other board roles (observer) are other influence;
    every other role (ceo, president, …) is a senior managing official."""
    if role in ROLE_INTEREST:
        return ROLE_INTEREST[role]
    return "otherInfluenceOrControl" if role.startswith("board-") else "seniorManagingOfficial"


@dataclass(frozen=True)
class Publication:
    details: dict[str, Any]
    date: str

    @classmethod
    def make(cls, publisher: str, published: str | None = None) -> Publication:
        day = published or datetime.now(UTC).date().isoformat()
        return cls({"publicationDate": day, "bodsVersion": BODS_VERSION, "publisher": {"name": publisher}}, day)


def number(text: Any) -> int | float:
    """A decimal string as a JSON number (BODS shares are numbers): exact for integers and for
    every decimal a double holds exactly as written (``32.5``, ``33.33``)."""
    value = Decimal(str(text))
    return int(value) if value == value.to_integral_value() else float(value)


def share(stake: Mapping[str, Any]) -> dict[str, Any]:
    if stake.get("exact") is not None:
        return {"exact": number(stake["exact"])}
    return {"minimum": number(stake["min"]), "maximum": number(stake["max"])}


class Record:
    """One statement being built: its interests, and an annotation list pointing into them."""

    def __init__(self, record_id: str, record_type: str, subject: str, details: dict[str, Any]) -> None:
        self.record_id, self.record_type, self.subject, self.details = record_id, record_type, subject, details
        self.annotations: list[dict[str, Any]] = []
        self.events: list[str] = []

    def cite(self, pointer: str, event_ids: Iterable[str], envelopes: Envelopes) -> None:
        """Link each event's source to ``pointer`` and state the weakest certainty among them."""
        ids = [e for e in event_ids if e in envelopes]
        self.events += ids
        for eid in ids:
            env = envelopes[eid]
            src = env.get("source") or {}
            text = f"alliance-ledger event {eid} ({env['type']}, effective {env['effective_date']}, {env['certainty']})"
            text += "".join(f"; {k}: {src[k]}" for k in ("title", "publisher", "published_at", "retrieved_from") if src.get(k))
            url = src.get("url")
            if url and is_uri(url):
                self.annotations.append({"statementPointerTarget": pointer, "motivation": "linking", "url": url,
                                         "description": text})
            else:
                self.annotations.append({"statementPointerTarget": pointer, "motivation": "commenting",
                                         "description": text + (f"; source: {url}" if url else "")})
        if ids:
            weakest = min((envelopes[e]["certainty"] for e in ids), key=CERTAINTY_RANK.__getitem__)
            self.annotations.append({"statementPointerTarget": pointer, "motivation": "commenting",
                                     "description": f"certainty: {weakest}"})

    def add_interest(self, interest: dict[str, Any], start: str | None, end: str | None,
                     event_ids: Iterable[str], envelopes: Envelopes) -> None:
        interests = self.details.setdefault("interests", [])
        pointer = f"/recordDetails/interests/{len(interests)}"
        if start is not None and end is not None and date_sort_key(end) < date_sort_key(start):
            end = start  # over before it began (an until before the grant): it ended as it started
        for name, value in (("startDate", start), ("endDate", end)):
            if value is None:
                continue
            interest[name] = full_date(value)
            if interest[name] != value:
                self.annotations.append({
                    "statementPointerTarget": f"{pointer}/{name}", "motivation": "transformation",
                    "description": f"rounded from {value}: the ledger knows this date only to that precision",
                    "transformedContent": interest[name]})
        interests.append(interest)
        self.cite(pointer, event_ids, envelopes)


def is_uri(text: str) -> bool:
    scheme, sep, rest = text.partition("://")
    return bool(sep and scheme.isalpha() and rest and " " not in text)


def _party_record(p: Mapping[str, Any], envelopes: Envelopes) -> Record:
    if p["kind"] == "person":
        names = [{"fullName": p["name"]}] + [{"type": "alternative", "fullName": a} for a in p.get("aliases") or []]
        rec = Record(p["party"], "person", p["party"], {"isComponent": False, "personType": "knownPerson", "names": names})
    else:
        details: dict[str, Any] = {"isComponent": False,
                                   "entityType": {"type": ENTITY_TYPE.get(p["kind"], "registeredEntity"), "details": p["kind"]},
                                   "name": p["name"]}
        if p.get("aliases"):
            details["alternateNames"] = list(p["aliases"])
        if p.get("jurisdiction"):
            details["jurisdiction"] = {"name": p["jurisdiction"]}
        rec = Record(p["party"], "entity", p["party"], details)
    rec.cite("", p["evidence"], envelopes)
    return rec


def _relationships(state: Mapping[str, Any], envelopes: Envelopes, persons: set[str],
                   warnings: list[str]) -> dict[tuple[str, str], Record]:
    rels: dict[tuple[str, str], Record] = {}

    def rel(interested: str, subject: str, what: str) -> Record | None:
        if subject in persons:
            warnings.append(f"{what}: the subject {subject!r} is a person, and a BODS relationship's subject must "
                            "be an entity; left out")
            return None
        if (interested, subject) not in rels:
            rels[(interested, subject)] = Record(f"{interested}/{subject}", "relationship", subject, {
                "isComponent": False, "subject": subject, "interestedParty": interested})
        return rels[(interested, subject)]

    for p in state["parties"]:
        if p.get("controlled_by") and (r := rel(p["controlled_by"], p["party"], f"parties:{p['party']}")):
            setters = [e for e in p["evidence"] if envelopes.get(e, {}).get("type") == "PartyRestructured"
                       and envelopes[e]["data"].get("controlled_by") == p["controlled_by"]]
            start = envelopes[setters[-1]]["effective_date"] if setters else None
            r.add_interest({"type": "otherInfluenceOrControl", "directOrIndirect": "unknown",
                            "details": CONTROL_DETAILS}, start, None, setters, envelopes)
    for s in state["stakes"]:
        periods = stake_periods(s, envelopes)
        if periods and (r := rel(s["holder"], s["issuer"], f"stakes:{s['holder']}/{s['issuer']}")):
            for period in periods:
                basis = period.value.get("basis", "equity")
                r.add_interest({"type": STAKE_INTEREST[basis], "directOrIndirect": "unknown", "details": f"basis: {basis}",
                                "share": share(period.value)}, period.start, period.end, period.events, envelopes)
    for role in state["roles"]:
        key = f"roles:{role['person']}/{role['organization']}/{role['role']}"
        if r := rel(role["person"], role["organization"], key):
            for period in role_periods(role, envelopes):
                r.add_interest({"type": role_interest(role["role"]), "directOrIndirect": "direct",
                                "details": f"role:{role['role']}"}, period.start, period.end, period.events, envelopes)
    for right in state["rights"]:
        if r := rel(right["holder"], right["grantor"], f"rights:{right['right']}"):
            conds = [f"{w} {c}" for w, c in (("ends when", right.get("ends_when")),
                                               ("restricted when", right.get("restricted_when"))) if c]
            details = f"{right['kind']} right '{right['right']}'" + (f" [{'; '.join(conds)}]" if conds else "")
            r.add_interest({"type": "appointmentOfBoard" if right["kind"] == "board_seat" else "rightsGrantedByContract",
                            "directOrIndirect": "direct", "details": f"{details}: {right['scope']}"},
                           right["since"], ended_on(right), right["evidence"], envelopes)
            if right["status"] == "restricted":
                r.annotations.append({"statementPointerTarget": f"/recordDetails/interests/{len(r.details['interests']) - 1}",
                                      "motivation": "commenting", "description": "status: restricted"})
    return rels


def statements(state: Mapping[str, Any], envelopes: Envelopes, publication: Publication,
               warnings: list[str]) -> list[dict[str, Any]]:
    """All statements of one state document: parties first (BODS wants a relationship's parties
    before it), then relationships, each list sorted by record id."""
    persons = {p["party"] for p in state["parties"] if p["kind"] == "person"}
    for section, why in NOT_IN_BODS.items():
        if state.get(section):
            warnings.append(f"{len(state[section])} {section.replace('_', ' ')} not exported: {why}")
    money = sum(1 for s in state["stakes"] for e in s["evidence"] if envelopes.get(e, {}).get("type") == "InvestmentMade")
    if money:
        warnings.append(f"{money} investments not exported: BODS describes holdings, not money paid (the stakes are)")
    records = [_party_record(p, envelopes) for p in state["parties"]]
    rels = _relationships(state, envelopes, persons, warnings)
    records += [rels[k] for k in sorted(rels)]
    return [_statement(rec, envelopes, publication) for rec in records]


def _statement(rec: Record, envelopes: Envelopes, publication: Publication) -> dict[str, Any]:
    dates = [full_date((envelopes[e].get("source") or {}).get("published_at") or envelopes[e]["effective_date"])
             for e in rec.events] + [full_date(envelopes[e]["effective_date"]) for e in rec.events]
    body: dict[str, Any] = {
        "statementDate": min(max(dates, default=publication.date), publication.date),
        "recordId": rec.record_id, "recordType": rec.record_type, "recordStatus": "new",
        "declarationSubject": rec.subject, "source": _source(rec.events, envelopes), "recordDetails": rec.details,
    }
    if rec.annotations:
        body["annotations"] = rec.annotations
    digest = hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return {"statementId": digest, **body, "publicationDetails": publication.details}


def _source(event_ids: list[str], envelopes: Envelopes) -> dict[str, Any]:
    """The statement's source: the latest event's own (BODS has one source a statement; the
    annotations link all of them)."""
    source: dict[str, Any] = {"type": ["thirdParty"]}
    latest = next((envelopes[e] for e in reversed(event_ids) if envelopes[e].get("source")), None)
    if latest is None:
        source["description"] = "alliance-ledger: no source recorded"
        return source
    src = latest["source"]
    read = src.get("retrieved_from") or src.get("url")
    if read and is_uri(read):
        source["url"] = read
    parts = [src.get("title"), src.get("publisher"), src.get("published_at") and f"published {src['published_at']}"]
    if src.get("retrieved_from") and src.get("url"):
        parts.append(f"original publication: {src['url']}")
    parts.append(f"alliance-ledger event {latest['id']}; {len(set(event_ids))} event(s) in all, linked in annotations")
    source["description"] = "; ".join(x for x in parts if x)
    if src.get("retrieved_at"):
        source["retrievedAt"] = full_date(src["retrieved_at"])
    if src.get("publisher"):
        source["assertedBy"] = [{"name": src["publisher"]}]
    return source


def dumps(stmts: list[dict[str, Any]]) -> bytes:
    return orjson.dumps(stmts, option=orjson.OPT_INDENT_2) + b"\n"
