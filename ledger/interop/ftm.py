"""The state as FollowTheMoney entities (SPEC §11), for Aleph, yente and other FtM tools.

The mapping was chosen with FtM's own schema files (``followthemoney/schema/*.yaml``) in hand;
docs/INTEROP.md has the table. Entities are plain dicts ``{"id", "schema", "properties"}``
whose values are all lists of strings, as FtM's JSON form is. Ids are FtM's own
``make_entity_id`` (a SHA-1) over ``alliance-ledger`` and the ledger key, so the same item
always gets the same id and two exports of one ledger can be merged by id.

Where a value would not survive FtM's cleaning (a source URL that is not a URL, a free-text
jurisdiction that names no country), it is written where FtM accepts text (``notes``) instead
of being dropped: ``export_ftm`` checks every entity with ``model.get_proxy`` and fails loudly
if FtM would still drop anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from followthemoney import model
from followthemoney.types import registry
from followthemoney.util import make_entity_id

from ledger.interop.common import Envelopes

NAMESPACE = "alliance-ledger"

SCHEMA_BY_KIND = {
    "company": "Company", "capped_profit": "Company", "public_benefit_corp": "Company", "fund": "Company",
    "nonprofit": "Organization", "other": "Organization", "government": "PublicBody", "person": "Person",
}
"""Party kind -> FtM schema. Company also models funds (Company.yaml says so); Organization is
for bodies that cannot be owned (charities, foundations); PublicBody for government bodies."""

LEGAL_FORM = {
    "company": "company", "capped_profit": "capped-profit company", "public_benefit_corp": "public benefit corporation",
    "fund": "fund", "nonprofit": "nonprofit", "government": "government body", "other": "other",
}

Entity = dict[str, Any]


def entity_id(*parts: str) -> str:
    """FtM's id helper over the ledger key: deterministic, and valid as an FtM entity id."""
    made = make_entity_id(NAMESPACE, *parts)
    assert made is not None
    return made


def party_id(party: str) -> str:
    return entity_id("party", party)


def event_doc_id(event_id: str) -> str:
    return entity_id("event", event_id)


def fits(schema: str, prop: str, target_schema: str) -> bool:
    """Whether an entity of ``target_schema`` may be the value of ``schema.prop`` (its range)."""
    rng = model.get(schema).get(prop).range  # type: ignore[union-attr]
    return rng is None or model.get(target_schema).is_a(rng)  # type: ignore[union-attr]


class Builder:
    """Collects entities with their provenance; remembers which events were cited."""

    def __init__(self, envelopes: Envelopes) -> None:
        self.envelopes = envelopes
        self.cited: dict[str, None] = {}
        self.party_schema: dict[str, str] = {}

    def make(self, schema: str, key: Iterable[str], props: Mapping[str, Any], events: Iterable[str]) -> Entity:
        """One entity: ``props`` (None and empty values left out) plus the sources of ``events``."""
        out: dict[str, list[str]] = {}
        for name, value in props.items():
            values = value if isinstance(value, list | tuple) else [value]
            kept = [str(v) for v in values if v is not None and v != ""]
            if kept:
                out[name] = list(dict.fromkeys(kept))
        self._provenance(schema, out, [e for e in events if e in self.envelopes])
        return {"id": entity_id(*key), "schema": schema, "properties": out}

    def _provenance(self, schema: str, out: dict[str, list[str]], events: list[str]) -> None:
        urls, publishers, retrieved, notes = [], [], [], []
        for eid in events:
            self.cited[eid] = None
            source = self.envelopes[eid].get("source") or {}
            url = clean_url(source.get("url"))
            if url:
                urls.append(url)
            elif source.get("url"):
                notes.append(f"source (not a URL): {source['url']}")
            if source.get("publisher"):
                publishers.append(source["publisher"])
            if source.get("retrieved_at"):
                retrieved.append(source["retrieved_at"])
        extra = {"sourceUrl": urls, "publisher": publishers, "retrievedAt": retrieved,
                 "proof": [event_doc_id(e) for e in events]}
        if model.get(schema).get("recordId") is not None:  # type: ignore[union-attr]
            extra["recordId"] = events
        if notes and model.get(schema).get("notes") is not None:  # type: ignore[union-attr]
            extra["notes"] = notes
        for name, values in extra.items():
            if values:
                out[name] = list(dict.fromkeys([*out.get(name, []), *values]))

    def documents(self) -> Iterator[Entity]:
        """One Article per cited event: the source it comes from, with the event id in its notes."""
        for eid in self.cited:
            env = self.envelopes[eid]
            source = env.get("source") or {}
            url = clean_url(source.get("url"))
            notes = [f"{NAMESPACE} event {eid}: {env['type']}, effective {env['effective_date']}, {env['certainty']}"]
            if env.get("corrects"):
                notes.append(f"corrects event {env['corrects']}")
            if source.get("url") and not url:
                notes.append(f"source (not a URL): {source['url']}")
            if source.get("retrieved_from"):
                notes.append(f"retrieved from {source['retrieved_from']}")
            props = {
                "title": source.get("title") or source.get("url") or eid, "sourceUrl": url,
                "publisher": source.get("publisher"), "publishedAt": source.get("published_at"),
                "retrievedAt": source.get("retrieved_at"), "description": source.get("quote"), "notes": notes,
            }
            kept = {k: [str(v) for v in (vals if isinstance(vals, list) else [vals]) if v]
                    for k, vals in props.items()}
            yield {"id": event_doc_id(eid), "schema": "Article", "properties": {k: v for k, v in kept.items() if v}}


def clean_url(value: Any) -> str | None:
    """The URL as FtM stores it, or None when FtM would reject it."""
    return registry.url.clean(value) if value else None


def country_code(jurisdiction: str | None) -> str | None:
    """An ISO country code for a free-text jurisdiction ("Delaware, United States" -> "us"),
    tried whole, then by its last comma-separated part; None when neither names a country."""
    if not jurisdiction:
        return None
    for text in (jurisdiction, jurisdiction.rsplit(",", 1)[-1].strip()):
        code = registry.country.clean(text)
        if code:
            return code
    return None


def party_entities(b: Builder, parties: list[Mapping[str, Any]], assets: set[str]) -> Iterator[Entity]:
    """Parties by kind; a party that is owned (the issuer of a stake) is a Company, because only
    Assets can be the ``asset`` of an FtM Ownership and Company is the one that is also an Organization."""
    for p in parties:
        schema = SCHEMA_BY_KIND[p["kind"]]
        if p["party"] in assets and not model.get(schema).is_a("Asset"):  # type: ignore[union-attr]
            schema = "Company"
        b.party_schema[p["party"]] = schema
        code = country_code(p.get("jurisdiction"))
        notes = [f"{NAMESPACE} party {p['party']} ({p['kind']}, {p['certainty']})"]
        if p.get("jurisdiction"):
            notes.append(f"jurisdiction: {p['jurisdiction']}")
        props: dict[str, Any] = {"name": p["name"], "alias": p.get("aliases") or [], "summary": p.get("summary"),
                                 "notes": notes}
        if schema != "Person":
            props["legalForm"] = LEGAL_FORM[p["kind"]]
        if code:
            props["jurisdiction"] = code
        yield b.make(schema, ("party", p["party"]), props, p["evidence"])


class FtmRejected(ValueError):
    """FtM would drop or change part of an entity we built: a bug in the mapping, never data loss."""


def check_entity(data: Mapping[str, Any]) -> None:
    """Load ``data`` with ``model.get_proxy(data, cleaned=False)`` and fail unless FtM kept every
    property value exactly as written (FtM drops invalid values without a word)."""
    proxy = model.get_proxy(dict(data), cleaned=False)
    kept = proxy.to_dict()["properties"]
    wrote = data["properties"]
    lost = {k: sorted(set(v) - set(kept.get(k, []))) for k, v in wrote.items() if set(v) - set(kept.get(k, []))}
    if lost or proxy.schema.name != data["schema"] or proxy.id != data["id"]:
        raise FtmRejected(f"FollowTheMoney rejected part of {data['schema']} {data['id']}: {lost}")
