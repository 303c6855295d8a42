"""What one BODS statement says, in ledger terms: party ids, party data, sources, interests.

Pure helpers for :mod:`ledger.interop.bods_import`: they read a :class:`Statement` and return
ledger values (slugs, PartyRegistered data, a source, typed interests) or report what has no
ledger equivalent. Conventions written by our own export (``role:ceo`` details, ``kind right
'id': scope`` details, certainty and rounded-date annotations) are read back, so an export
imports into the same stakes, roles and rights.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, get_args

from events.kinds import PartyKind, RightKind
from ledger.interop.bods_export import CONTROL_DETAILS, is_uri
from ledger.interop.bods_read import Statement

PARTY_KINDS = frozenset(get_args(PartyKind))
RIGHT_KINDS = frozenset(get_args(RightKind))
ENTITY_KIND = {"registeredEntity": "company", "state": "government", "stateBody": "government"}  # else: other
STAKE_BASIS = {"shareholding": "equity", "votingRights": "voting", "rightsToProfitOrIncome": "profit_share"}
ROLE_DEFAULT = {"boardMember": "board-member", "boardChair": "chair", "seniorManagingOfficial": "senior-managing-official"}
RIGHT_DEFAULT = {"appointmentOfBoard": "board_seat", "rightsGrantedByContract": "other",
                 "conditionalRightsGrantedByContract": "other"}
CERTAINTY_BY_SOURCE = {"officialRegister": "confirmed", "verified": "confirmed", "selfDeclaration": "announced",
                       "thirdParty": "reported", "primaryResearch": "reported"}
RANK = {"rumored": 0, "reported": 1, "announced": 2, "confirmed": 3}
_SLUG_BAD = re.compile(r"[^a-z0-9._-]+")
_SLUG_OK = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,198}[a-z0-9])?$")
_RIGHT_DETAILS = re.compile(r"^(?P<kind>[a-z_]+) right '(?P<right>[^']+)'(?: \[[^\]]*\])?: (?P<scope>.+)$", re.S)
_ROUNDED = re.compile(r"^rounded from (\d{4}(?:-\d{2}){0,2})\b")
FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def slugify(text: str, taken: dict[str, str] | None = None) -> str:
    """A ledger slug from a BODS id (lowercase, other characters as '-'); a short hash keeps
    two ids apart when they would give the same slug, or when the id gives none."""
    slug = _SLUG_BAD.sub("-", text.lower()).strip("-._")[:180].strip("-._")
    if not _SLUG_OK.match(slug) or (taken is not None and taken.get(slug, text) != text):
        slug = (slug[:170] + "-" if slug else "bods-") + hashlib.sha1(text.encode()).hexdigest()[:10]
    if taken is not None:
        taken[slug] = text
    return slug


def certainty(stmt: Statement) -> str:
    """From the source types: a register or verified statement is confirmed, a self-declaration
    announced, anything else (or nothing) reported. Our export's annotation says it exactly."""
    note = annotation_certainty(stmt, "")
    if note:
        return note
    types = (stmt.raw.get("source") or {}).get("type") or []
    found = [CERTAINTY_BY_SOURCE[t] for t in types if t in CERTAINTY_BY_SOURCE]
    return max(found, key=RANK.__getitem__) if found else "reported"


def annotation_certainty(stmt: Statement, pointer: str) -> str | None:
    for a in stmt.raw.get("annotations") or []:
        if isinstance(a, dict) and a.get("statementPointerTarget") == pointer and a.get("motivation") == "commenting":
            text = str(a.get("description") or "")
            if text.startswith("certainty: ") and text[11:] in RANK:
                return text[11:]
    return None


def rounded_date(stmt: Statement, pointer: str) -> str | None:
    """The ledger date an interest date was rounded from, if our export annotated it."""
    for a in stmt.raw.get("annotations") or []:
        if isinstance(a, dict) and a.get("statementPointerTarget") == pointer and a.get("motivation") == "transformation":
            m = _ROUNDED.match(str(a.get("description") or ""))
            if m:
                return m.group(1)
    return None


def source(stmt: Statement) -> dict[str, Any]:
    """The event source: the statement's URL if it has one, and a title naming the statement."""
    src = stmt.raw.get("source") or {}
    pub = (stmt.raw.get("publicationDetails") or {}).get("publisher") or {}
    asserted = [a["name"] for a in src.get("assertedBy") or [] if isinstance(a, dict) and a.get("name")]
    title = f"BODS {stmt.record_type} statement {stmt.statement_id}"
    if stmt.raw.get("declaration"):
        title += f", declaration {stmt.raw['declaration']}"
    if asserted:
        title += ", asserted by " + ", ".join(asserted)
    out: dict[str, Any] = {"title": title[:2000], "published_at": stmt.date}
    if isinstance(src.get("url"), str) and is_uri(src["url"]):
        out["url"] = src["url"]
    if pub.get("name") or pub.get("url"):
        out["publisher"] = str(pub.get("name") or pub.get("url"))[:2000]
    if isinstance(src.get("description"), str) and src["description"]:
        out["quote"] = src["description"][:20000]
    retrieved = src.get("retrievedAt")
    if isinstance(retrieved, str) and FULL_DATE.match(retrieved[:10]):
        out["retrieved_at"] = retrieved[:10]
    return out


def party_data(stmt: Statement, slug: str, warn: Any) -> dict[str, Any]:
    """PartyRegistered data for an entity or person record (name, kind, jurisdiction, aliases)."""
    d = stmt.details
    if stmt.record_type == "person":
        names = [n for n in d.get("names") or [] if isinstance(n, dict) and isinstance(n.get("fullName"), str)]
        primary = next((n for n in names if n.get("type") == "legal"), names[0] if names else None)
        if primary is None:
            warn(f"{stmt.file}: person record {stmt.record_id!r} ({d.get('personType', 'unknown')}) has no name; "
                 "registered under a placeholder name")
        name = primary["fullName"] if primary else f"{d.get('personType') or 'unknown person'} {stmt.record_id}"
        aliases = [n["fullName"] for n in names if n is not primary]
        data: dict[str, Any] = {"party": slug, "name": name, "kind": "person"}
    else:
        etype = d.get("entityType") or {}
        detail = etype.get("details")
        kind = detail if detail in PARTY_KINDS - {"person"} else ENTITY_KIND.get(str(etype.get("type")), "other")
        name = d.get("name") if isinstance(d.get("name"), str) and d.get("name") else None
        if name is None:
            warn(f"{stmt.file}: entity record {stmt.record_id!r} ({etype.get('type')}) has no name; "
                 "registered under a placeholder name")
        aliases = [a for a in d.get("alternateNames") or [] if isinstance(a, str)]
        data = {"party": slug, "name": name or f"unnamed entity {stmt.record_id}", "kind": kind}
        jur = d.get("jurisdiction") or {}
        if isinstance(jur, dict) and jur.get("name"):
            code = jur.get("code")
            data["jurisdiction"] = str(jur["name"]) + (f" ({code})" if code and code not in str(jur["name"]) else "")
    aliases = list(dict.fromkeys(a for a in aliases if a and a != data["name"]))[:50]
    if aliases:
        data["aliases"] = aliases
    return data


@dataclass
class Interest:
    """One interest in ledger terms: what it is (``key``), its value, and its period."""

    key: tuple[str, ...]
    value: Any
    start: str | None
    end: str | None
    index: int
    certainty: str


def interests(stmt: Statement, rec_slug: str, default_certainty: str, warn: Any,
              problems: list[Any]) -> list[Interest]:
    """The statement's interests the ledger can hold; the rest reported through ``warn``.

    The ledger holds one stake per holder and issuer at a time, so a shareholding wins over voting
    rights and those over rights to profit when a statement gives several for the same period."""
    raw = stmt.details.get("interests") or []
    order = list(STAKE_BASIS)
    stakes = [(order.index(i["type"]), i.get("startDate") or "", i.get("endDate") or "9999-12-31")
              for i in raw if isinstance(i, dict) and i.get("type") in STAKE_BASIS and i.get("share")]

    def outranked(item: dict[str, Any]) -> str | None:
        """The stake-like type that holds the pair while ``item`` does (None: nothing does): a
        profit share followed by an equity stake is a history, not two stakes at once."""
        rank, start, end = order.index(item["type"]), item.get("startDate") or "", item.get("endDate") or "9999-12-31"
        for other, s, e in stakes:
            if other < rank and s < end and start < e:
                return order[other]
        return None

    out = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            problems.append(stmt.problem(f"recordDetails.interests[{index}]", "an interest is a JSON object"))
            continue
        kind, details = item.get("type"), str(item.get("details") or "")
        pointer = f"/recordDetails/interests/{index}"
        start, end = (_date(stmt, item, index, name, problems) for name in ("startDate", "endDate"))
        sure = annotation_certainty(stmt, pointer) or default_certainty
        if item.get("directOrIndirect") == "indirect":
            warn("indirect interest not imported: the ledger holds direct stakes and roles (import the chain's "
                 "component relationships instead)")
            continue
        if kind in STAKE_BASIS:
            chosen = outranked(item) if item.get("share") else None
            if chosen or not item.get("share"):
                warn(f"{kind} interest not imported where the same statement gives a {chosen} interest at the same time"
                     if chosen else f"{kind} interest without a share not imported (the ledger needs a percentage)")
                continue
            value = _stake(stmt, item, index, STAKE_BASIS[kind], problems, warn)
            if value is not None:
                out.append(Interest(("stake",), value, start, end, index, sure))
        elif kind in ROLE_DEFAULT or (kind == "otherInfluenceOrControl" and details.startswith("role:")):
            role = details[5:] if details.startswith("role:") and _SLUG_OK.match(details[5:]) else ROLE_DEFAULT[kind]
            out.append(Interest(("role", role), True, start, end, index, sure))
        elif kind in RIGHT_DEFAULT:
            m = _RIGHT_DETAILS.match(details)
            right_kind = m["kind"] if m and m["kind"] in RIGHT_KINDS else RIGHT_DEFAULT[kind]
            right = m["right"] if m and _SLUG_OK.match(m["right"]) else f"{rec_slug}-{slugify(kind)}"
            scope = m["scope"] if m else (details or f"{kind} interest (BODS)")
            out.append(Interest(("right", right), (right_kind, scope[:20000]), start, end, index, sure))
        elif kind == "otherInfluenceOrControl" and details == CONTROL_DETAILS:
            out.append(Interest(("control",), True, start, end, index, sure))
        else:
            warn(f"{kind or 'untyped'} interest not imported: the ledger has no equivalent")
    return out


def _date(stmt: Statement, item: dict[str, Any], index: int, name: str, problems: list[Any]) -> str | None:
    value = item.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not FULL_DATE.match(value):
        problems.append(stmt.problem(f"recordDetails.interests[{index}].{name}", f"{value!r} is not a date YYYY-MM-DD"))
        return None
    return rounded_date(stmt, f"/recordDetails/interests/{index}/{name}") or value


def _stake(stmt: Statement, item: dict[str, Any], index: int, basis: str, problems: list[Any],
           warn: Any) -> dict[str, Any] | None:
    """A BODS share as a ledger stake: exact wins; a range keeps its bounds (a missing bound is
    0 or 100); exclusive bounds become inclusive, with a warning."""
    share = item["share"]
    field = f"recordDetails.interests[{index}].share"
    if not isinstance(share, dict):
        problems.append(stmt.problem(field, "share is an object with exact, or minimum/maximum"))
        return None
    values = {k: share.get(k) for k in ("exact", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")}
    for k, v in values.items():
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | Decimal) or not 0 <= v <= 100):
            problems.append(stmt.problem(f"{field}.{k}", f"{v!r} is not a percentage between 0 and 100"))
            return None
    if values["exact"] is not None:
        return {"exact": _pct(values["exact"]), "basis": basis}
    low = values["minimum"] if values["minimum"] is not None else values["exclusiveMinimum"]
    high = values["maximum"] if values["maximum"] is not None else values["exclusiveMaximum"]
    if low is None and high is None:
        problems.append(stmt.problem(field, "gives neither exact nor a bound"))
        return None
    if values["minimum"] is None and values["exclusiveMinimum"] is not None or \
            values["maximum"] is None and values["exclusiveMaximum"] is not None:
        warn("exclusive share bounds imported as inclusive (the ledger's ranges are inclusive)")
    low, high = low if low is not None else 0, high if high is not None else 100
    if low > high:
        problems.append(stmt.problem(field, f"minimum {low} is above maximum {high}"))
        return None
    return {"min": _pct(low), "max": _pct(high), "basis": basis}


def _pct(value: Any) -> str:
    """A percentage in the ledger's decimal grammar (positional: ``1E+2`` is written ``100``)."""
    return format(Decimal(value), "f")
