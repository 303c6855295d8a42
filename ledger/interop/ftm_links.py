"""FollowTheMoney relationship entities: Ownership, Payment, Directorship, Control, UnknownLink,
Contract + ContractAward, CourtCase + CourtCaseParty (SPEC §11; table in docs/INTEROP.md).

An FtM interval holds one value for one period, so a stake whose percentage changed over time
becomes one Ownership per period (the last one open), and a role held twice one Directorship per
term; each carries the ids of the events behind it as ``recordId``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import combinations
from typing import Any

from ledger.interop.common import Envelopes, closing_date, role_periods, stake_periods
from ledger.interop.ftm import Builder, Entity, entity_id, fits, party_entities, party_id

BASIS_WORD = {"equity": "equity", "voting": "voting", "profit_share": "profit share"}

IN_FTM: dict[str, tuple[str, ...]] = {
    "parties": ("Company", "Organization", "Person", "Control"),
    "stakes": ("Ownership", "Payment"),
    "roles": ("Directorship",),
    "partnerships": ("UnknownLink",),
    "rights": ("Contract", "ContractAward"),
    "agreements": ("Contract", "ContractAward"),
    "legal_actions": ("CourtCase", "CourtCaseParty"),
}
"""State section -> the FtM schemata :func:`entities` makes of its items (with an Article per
cited event). With :data:`NOT_IN_FTM`, every section has a decision: a new section that has
neither fails ``tests/unit/test_registries.py``."""
NOT_IN_FTM = {
    "conditions": "FtM has no schema for a trigger; the Contract of a right it ends or restricts names it",
    "negotiations": "FtM has no schema for talks that may not conclude",
    "metrics": "FtM has no schema for a reported figure",
}
"""State sections the FtM export leaves out, with the reason (docs/INTEROP.md)."""


def percentage(stake: Mapping[str, Any]) -> str:
    """An exact percentage as is; a range as ``MIN-MAX`` (FtM's percentage is free text)."""
    return str(stake["exact"]) if stake.get("exact") is not None else f"{stake['min']}-{stake['max']}"


def entities(state: Mapping[str, Any], envelopes: Envelopes) -> Iterator[Entity]:
    """Every FtM entity for one state document, then one Article per event they cite.

    ``envelopes`` maps event ids to stored envelopes (at least those in the items' evidence).
    """
    b = Builder(envelopes)
    owned = {s["issuer"] for s in state["stakes"] if stake_periods(s, envelopes)}
    yield from party_entities(b, state["parties"], owned)
    for p in state["parties"]:
        yield from _control(b, p, envelopes)
    for s in state["stakes"]:
        yield from _stake(b, s, envelopes)
    for r in state["roles"]:
        yield from _role(b, r, envelopes)
    for p in state["partnerships"]:
        yield from _partnership(b, p)
    for r in state["rights"]:
        yield from _right(b, r, state["conditions"])
    for a in state["agreements"]:
        yield from _agreement(b, a)
    for c in state["legal_actions"]:
        yield from _case(b, c, envelopes)
    yield from b.documents()


def _control(b: Builder, p: Mapping[str, Any], envelopes: Envelopes) -> Iterator[Entity]:
    """``controlled_by`` as a Control link, dated by the restructuring that set it."""
    if not p.get("controlled_by"):
        return
    setters = [eid for eid in p["evidence"] if eid in envelopes and envelopes[eid]["type"] == "PartyRestructured"
               and envelopes[eid]["data"].get("controlled_by") == p["controlled_by"]]
    start = envelopes[setters[-1]]["effective_date"] if setters else None
    yield b.make("Control", ("control", p["party"], p["controlled_by"]), {
        "controller": party_id(p["controlled_by"]), "controlled": party_id(p["party"]),
        "startDate": start, "summary": p.get("summary"), "role": "controlled_by"}, setters)


def _stake(b: Builder, s: Mapping[str, Any], envelopes: Envelopes) -> Iterator[Entity]:
    holder, issuer = s["holder"], s["issuer"]
    for period in stake_periods(s, envelopes):
        yield b.make("Ownership", ("stake", holder, issuer, period.events[0]), {
            "owner": party_id(holder), "asset": party_id(issuer), "percentage": percentage(period.value),
            "ownershipType": BASIS_WORD[period.value.get("basis", "equity")],
            "startDate": period.start, "endDate": period.end,
            "status": "current" if period.end is None else "ended"}, period.events)
    for eid in s["evidence"]:
        env = envelopes.get(eid)
        if env is None or env["type"] != "InvestmentMade":
            continue
        d = env["data"]
        notes = ["approximate (a reported round figure)"] if d["money"].get("approximate") else []
        if d.get("post_money_valuation"):
            pmv = d["post_money_valuation"]
            notes.append(f"post-money valuation {pmv['amount']} {pmv['currency']}")
        notes += [f"{k}: {v}" for k, v in sorted((d.get("terms") or {}).items())]
        yield b.make("Payment", ("investment", eid), {
            "payer": party_id(d["investor"]), "beneficiary": party_id(d["investee"]),
            "amount": d["money"]["amount"], "currency": d["money"]["currency"], "date": env["effective_date"],
            "purpose": " ".join(x for x in (d.get("instrument") or "investment", d.get("round")) if x),
            "description": "; ".join(notes)}, [eid])


def _role(b: Builder, r: Mapping[str, Any], envelopes: Envelopes) -> Iterator[Entity]:
    """Directorship per term; an UnknownLink when the organization is not an FtM Organization."""
    person, org, role = r["person"], r["organization"], r["role"]
    org_schema = b.party_schema.get(org, "Organization")
    for period in role_periods(r, envelopes):
        common = {"role": role, "startDate": period.start, "endDate": period.end,
                  "status": "active" if period.end is None else period.value}
        key = ("role", person, org, role, period.events[0])
        if fits("Directorship", "organization", org_schema):
            yield b.make("Directorship", key, {"director": party_id(person), "organization": party_id(org), **common},
                         period.events)
        else:
            yield b.make("UnknownLink", key, {"subject": party_id(person), "object": party_id(org), **common},
                         period.events)


def _partnership(b: Builder, p: Mapping[str, Any]) -> Iterator[Entity]:
    """One UnknownLink per pair of parties (all pairs of a partnership of three or more), each
    naming the partnership in its description, so the group can be put back together."""
    parties = list(p["parties"])
    money = p.get("money")
    described = f"partnership {p['partnership']} ({p['kind']}) of " + ", ".join(parties)
    if money:
        described += f"; {money['amount']} {money['currency']}" + (" (approximate)" if money.get("approximate") else "")
    described += "".join(f"; {k}: {v}" for k, v in sorted((p.get("terms") or {}).items()))
    for left, right in combinations(parties, 2):
        yield b.make("UnknownLink", ("partnership", p["partnership"], left, right), {
            "subject": party_id(left), "object": party_id(right), "role": f"{p['kind']} partnership",
            "status": p["status"], "startDate": p["since"], "endDate": p.get("ended_on"),
            "summary": p.get("summary"), "description": described}, p["evidence"])


def _right(b: Builder, r: Mapping[str, Any], conditions: list[Mapping[str, Any]]) -> Iterator[Entity]:
    """A right as a Contract issued by the grantor and a ContractAward to the holder."""
    described = {c["condition"]: c["description"] for c in conditions}
    notes = []
    for word, cond in (("ends when", r.get("ends_when")), ("restricted when", r.get("restricted_when"))):
        if cond:
            notes.append(f"{word} condition {cond} is met: {described.get(cond, '')}".rstrip(": "))
    if r.get("until"):
        notes.append(f"until {r['until']} (inclusive)")
    if r.get("reason"):
        notes.append(f"{r['status']}: {r['reason']}")
    notes += [f"{k}: {v}" for k, v in sorted((r.get("terms") or {}).items())]
    contract = b.make("Contract", ("right", r["right"]), {
        "title": f"{r['kind'].replace('_', ' ')} right {r['right']}", "name": r["right"], "type": r["kind"],
        "summary": r["scope"], "authority": party_id(r["grantor"]), "contractDate": r["since"],
        "status": r["status"], "notes": notes}, r["evidence"])
    yield contract
    yield b.make("ContractAward", ("right-holder", r["right"]), {
        "contract": contract["id"], "supplier": party_id(r["holder"]), "role": "holder", "status": r["status"],
        "startDate": r["since"], "endDate": r.get("ended_on")}, r["evidence"])


def _agreement(b: Builder, a: Mapping[str, Any]) -> Iterator[Entity]:
    """An agreement as a Contract with one ContractAward per party (FtM's Contract has no parties)."""
    notes = [f"supersedes {x}" for x in a.get("supersedes") or []]
    if a.get("superseded_by"):
        notes.append(f"superseded by {a['superseded_by']}")
    contract = b.make("Contract", ("agreement", a["agreement"]), {
        "title": a["title"], "name": a["agreement"], "type": "binding agreement" if a["binding"] else "non-binding agreement",
        "summary": a["summary"], "contractDate": a["since"], "status": a["status"], "notes": notes}, a["evidence"])
    yield contract
    for party in a["parties"]:
        yield b.make("ContractAward", ("agreement-party", a["agreement"], party), {
            "contract": contract["id"], "supplier": party_id(party), "role": "party", "status": a["status"],
            "startDate": a["since"]}, a["evidence"])


def _case(b: Builder, c: Mapping[str, Any], envelopes: Envelopes) -> Iterator[Entity]:
    status = c["status"] + (f" ({c['last_update']})" if c.get("last_update") else "")
    case = b.make("CourtCase", ("case", c["case"]), {
        "name": c["case"], "type": c["kind"], "court": c.get("court"), "summary": c["claim"], "status": status,
        "fileDate": c["since"], "closeDate": closing_date(c, envelopes),
        "notes": [c["summary"]] if c.get("summary") else []}, c["evidence"])
    yield case
    for role, members in (("plaintiff", c["plaintiffs"]), ("defendant", c["defendants"])):
        for party in members:
            yield b.make("CourtCaseParty", ("case-party", c["case"], role, party), {
                "case": case["id"], "party": party_id(party), "role": role}, c["evidence"])


__all__ = ["entities", "entity_id", "party_id"]
