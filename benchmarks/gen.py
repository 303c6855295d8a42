"""A deterministic generator of a realistic synthetic alliance ledger (input events, SPEC §3-§4).

Properties the benchmarks rely on:

- deterministic for a (count, seed) pair, and every prefix of the sequence is itself a valid ledger
  (events only refer to earlier ones), so the first 100,000 events serve the CLI benchmark;
- passes the ledger's append rules: every party, right, condition, partnership, agreement,
  negotiation or case named by an event is defined by an earlier event whose effective date is
  not later than the referencing event's; a correction has the type of its target and restates it;
  retractions target only non-defining events, or definitions that nothing references;
- thousands of parties (a few "hot" ones with many events, like microsoft/openai) and streams;
  all 21 event types, mostly investments, stakes, metrics and rights; definitions precede uses by
  effective date; a share of backdated events; ~2% corrections (some chained) and ~0.5% retractions;
  dates with day, month or year precision; ~200-byte data payloads;
- client ids that are time-ordered-ish strings (``ev000012345.3fa1``): increasing with the
  recording order, as a script importing a feed would produce.
"""

from __future__ import annotations

import random
import zlib
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import orjson

START = date(1995, 1, 1).toordinal()
END = date(2025, 10, 31).toordinal()
EARLY = date(1970, 1, 1).toordinal()

_WORDS = ["quantum", "northwind", "apex", "helios", "orbit", "vertex", "lumen", "cobalt", "ember", "meridian", "atlas", "nimbus", "cedar", "harbor", "summit", "pioneer", "beacon", "zenith", "aurora", "vector", "falcon", "sierra", "delta", "nova", "pulse", "crest", "prism", "tidal", "granite", "maple", "onyx", "solace", "arbor", "kestrel", "lattice", "mosaic", "nexus", "quarry", "radiant", "sable", "tundra"]
_SUFFIX = ("ai", "labs", "systems", "cloud", "capital", "ventures", "robotics", "compute", "networks",
           "holdings", "foundation", "partners", "semiconductor", "data", "energy", "media")
_KINDS = ("company", "company", "company", "company", "fund", "fund", "nonprofit", "capped_profit",
          "public_benefit_corp", "government", "other")
_JURIS = ("US-DE", "US-CA", "US-WA", "GB", "FR", "DE", "JP", "CN", "KR", "IN", "CA", "IL", "SG", "AE", "NL")
_PUBLISHERS = (("Reuters", "reuters.example.com"), ("Bloomberg", "bloomberg.example.com"),
               ("The Information", "theinformation.example.com"), ("Financial Times", "ft.example.com"),
               ("Company press release", "press.example.org"), ("SEC filing", "sec.example.gov"),
               ("TechCrunch", "techcrunch.example.com"), ("Wall Street Journal", "wsj.example.com"))
_CERTAINTY = ("confirmed",) * 8 + ("announced",) * 5 + ("reported",) * 5 + ("rumored",) * 2
_CURRENCIES = ("USD",) * 8 + ("EUR", "GBP", "JPY")
_INSTRUMENTS = ("equity", "equity", "equity", "profit_interest", "convertible", "cloud_credits", "debt", "other")
_ROUNDS = ("seed", "series-a", "series-b", "series-c", "series-d", "growth", "strategic", "tender")
_RIGHT_KINDS = ("exclusive_license", "license", "license", "ip_access", "exclusive_cloud", "right_of_first_refusal",
                "revenue_share", "board_seat", "board_observer", "warrant", "other")
_SCOPES = (
    "exclusive access to the grantor's foundation models in cloud and productivity software",
    "non-exclusive licence to commercialise the grantor's models through its own API offerings",
    "right of first refusal on any sale of the grantor's compute capacity in North America",
    "a share of the grantor's revenue from enterprise subscriptions until the investment is repaid",
    "one seat on the grantor's board of directors, with access to board materials and minutes",
    "access to the grantor's intellectual property, excluding hardware designs and future research",
)
_P_KINDS = ("cloud_compute", "cloud_compute", "data_center", "licensing", "distribution", "research",
            "investment", "other")
_SUMMARIES = (
    "multi-year agreement to supply cloud compute capacity for model training and inference workloads",
    "joint construction of data centers with a planned capacity of several gigawatts over the term",
    "distribution of the partner's assistant through the other party's devices and operating systems",
    "joint research programme on model safety, evaluation methods and efficient training techniques",
    "licensing of the partner's models for integration into search, office and developer products",
)
_REASONS = (
    "the parties agreed to end the arrangement early after renegotiating the commercial terms",
    "superseded by a broader agreement announced the same week, according to people familiar",
    "terminated following a change of control at one of the parties and a regulatory review",
    "expired and was not renewed, as reported by several outlets citing internal documents",
)
_TOPICS = (
    "terms of a follow-on investment and the conversion of existing profit interests into equity",
    "renegotiation of exclusivity and revenue-sharing terms ahead of a corporate restructuring",
    "a multi-gigawatt compute supply agreement including pricing, capacity and delivery schedule",
)
_CLAIMS = (
    "breach of contract and of fiduciary duties arising from the change of the company's purpose",
    "unfair competition and misuse of confidential information obtained during earlier negotiations",
    "review of whether the investment gives the investor control under merger-control rules",
)
_METRICS = (("revenue", "USD thousands, consolidated"), ("arr", "USD thousands, annualised run rate"),
            ("headcount", "full-time employees at period end"), ("compute-spend", "USD thousands, cloud and owned"),
            ("monthly-users", "monthly active users, all products"), ("valuation", "USD thousands, post-money"),
            ("gpu-count", "accelerators deployed in own data centers"), ("rd-spend", "USD thousands, research"))
_ROLES = ("ceo", "interim-ceo", "president", "chair", "board-member", "board-observer", "cto", "cfo")
_LEGAL_KINDS = ("lawsuit", "lawsuit", "regulatory_inquiry", "arbitration", "other")
_LEGAL_STATUS = ("amended", "dismissed", "withdrawn", "settled", "ruled", "appealed", "refiled")
_COURTS = ("N.D. Cal.", "D. Del.", "S.D.N.Y.", "High Court of Justice", "European Commission", "FTC")

# Mix after the initial registrations, per 1,000 events (PartyRegistered is spread separately).
WEIGHTS: dict[str, int] = {
    "InvestmentMade": 200, "StakeChanged": 165, "MetricReported": 215,
    "RightGranted": 55, "RightAmended": 30, "RightRestricted": 10, "RightEnded": 15,
    "ConditionDefined": 4, "ConditionMet": 2,
    "PartnershipFormed": 30, "PartnershipAmended": 20, "PartnershipEnded": 10,
    "AgreementSigned": 20, "NegotiationOpened": 20, "NegotiationConcluded": 15,
    "RoleChanged": 40, "LegalActionFiled": 8, "LegalActionUpdated": 12, "PartyRestructured": 4,
    "_correction": 20, "EventRetracted": 5,
}
_CORRECTABLE = frozenset({"InvestmentMade", "StakeChanged", "MetricReported", "RightAmended", "PartnershipAmended",
                          "RoleChanged", "LegalActionUpdated", "RightRestricted", "NegotiationConcluded"})

_ISO: dict[int, str] = {}


def iso(ordinal: int) -> str:
    text = _ISO.get(ordinal)
    if text is None:
        text = _ISO[ordinal] = date.fromordinal(ordinal).isoformat()
    return text


def _ordinal_of_key(text: str) -> int:
    """Ordinal of a date's sort key (a partial date sorts as the first day of its period)."""
    if len(text) == 4:
        text += "-01-01"
    elif len(text) == 7:
        text += "-01"
    return date.fromisoformat(text).toordinal()


def plan_counts(n: int) -> tuple[int, int]:
    """(parties in all, parties registered up front) for an n-event ledger."""
    parties = max(min(n // 10, 2000), n // 200)
    return parties, max(2, min(parties * 2 // 5, n // 20))


class Generator:
    """Yields input events (dicts) in recording order; see the module docstring."""

    def __init__(self, n: int, seed: int = 20251101) -> None:
        if n < 100:
            raise ValueError("generate at least 100 events")
        self.n = n
        self.rng = random.Random(seed)
        self.total_parties, self.initial_parties = plan_counts(n)
        self.streams = max(1000, n // 100)
        self.i = 0
        self.cur = START
        # Live definitions: lists of records; a record is a small list [id, def ordinal, ...].
        self.parties: list[list[Any]] = []      # [slug, def_ord, kind, def doc]
        self.persons: list[list[Any]] = []
        self.orgs: list[list[Any]] = []
        self.rights: list[list[Any]] = []       # [slug, def_ord, holder, grantor]
        self.conditions: list[list[Any]] = []   # [slug, def_ord]
        self.partnerships: list[list[Any]] = []  # [slug, def_ord, parties]
        self.agreements: list[list[Any]] = []   # [slug, def_ord, parties]
        self.negotiations: list[list[Any]] = []  # open ones: [slug, def_ord, parties]
        self.cases: list[list[Any]] = []        # [slug, def_ord]
        self.doomed: list[dict[str, Any]] = []  # unreferenced definitions to retract later
        self.pool: list[dict[str, Any]] = []    # recent non-defining events: correction/retraction targets
        self.superseded: set[str] = set()
        self.stats: Counter[str] = Counter()
        names = list(WEIGHTS)
        self._types = names
        self._cum = []
        total = 0
        for name in names:
            total += WEIGHTS[name]
            self._cum.append(total)
        self._total_weight = total

    # -- helpers ------------------------------------------------------------------------------
    def _new_id(self) -> str:
        return f"ev{self.i:09d}.{self.rng.getrandbits(16):04x}"

    def _party(self, pool: list[list[Any]] | None = None) -> list[Any]:
        pool = pool if pool is not None else self.parties
        # Skewed: early (big) parties are named far more often, like microsoft or openai.
        return pool[int(len(pool) * self.rng.random() ** 2.2)]

    def _two_parties(self) -> tuple[list[Any], list[Any]]:
        a = self._party()
        b = self._party()
        while b is a:
            b = self.parties[self.rng.randrange(len(self.parties))]
        return a, b

    def _recent(self, pool: list[list[Any]]) -> list[Any]:
        n = len(pool)
        return pool[n - 1 - int(n * self.rng.random() ** 1.5)]

    def _effective(self, refs_ord: int, *, partial: bool = True) -> str:
        """An effective date on or after every referenced definition: mostly the current date,
        sometimes backdated (anywhere back to the latest definition it needs)."""
        rng = self.rng
        cur = self.cur
        if rng.random() < 0.08:
            day = rng.randint(min(refs_ord, cur), cur)
            if day < cur - 30:
                self.stats["backdated"] += 1
        else:
            day = cur - rng.randrange(4)
        if day < refs_ord:
            day = refs_ord
        text = iso(day)
        if partial:
            r = rng.random()
            if r < 0.03:
                month = text[:7]
                if _ordinal_of_key(month) >= refs_ord:
                    return month
            elif r < 0.04:
                year = text[:4]
                if _ordinal_of_key(year) >= refs_ord:
                    return year
        return text

    def _source(self, eff: str, slug: str) -> dict[str, Any]:
        rng = self.rng
        publisher, host = _PUBLISHERS[rng.randrange(len(_PUBLISHERS))]
        day = eff if len(eff) == 10 else _ISO.get(_ordinal_of_key(eff)) or iso(_ordinal_of_key(eff))
        src: dict[str, Any] = {"url": f"https://{host}/{day[:4]}/{day[5:7]}/{slug}-{self.i}",
                               "publisher": publisher, "published_at": day}
        if rng.random() < 0.15:
            src["quote"] = "according to people familiar with the matter"
        return src

    def _money(self, low: int, high: int) -> dict[str, Any]:
        rng = self.rng
        amount = rng.randint(low, high) * 10 ** rng.randint(3, 7)
        money: dict[str, Any] = {"amount": str(amount), "currency": _CURRENCIES[rng.randrange(len(_CURRENCIES))]}
        if rng.random() < 0.1:
            money["approximate"] = True
        return money

    def _stream_of(self, slug: str, other: str = "") -> str:
        """The alliance a fact belongs to: one stream per pair of parties (hashed into the pool)."""
        return f"alliance-{hash_slug(slug + '/' + other) % self.streams:05d}"

    def _event(self, type_: str, eff: str, stream: str, data: dict[str, Any], *,
               certainty: str | None = None) -> dict[str, Any]:
        rng = self.rng
        first = next(iter(data.values()))
        return {
            "id": self._new_id(), "type": type_, "effective_date": eff, "stream": stream,
            "certainty": certainty or _CERTAINTY[rng.randrange(len(_CERTAINTY))],
            "source": self._source(eff, first if isinstance(first, str) and len(first) < 60 else type_.lower()),
            "recorded_by": "feed-import" if rng.random() < 0.8 else "analyst",
            "data": data,
        }

    def _track(self, doc: dict[str, Any]) -> None:
        pool = self.pool
        pool.append(doc)
        if len(pool) > 40_000:
            del pool[:20_000]

    # -- event makers -------------------------------------------------------------------------
    def party_registered(self, initial: bool) -> dict[str, Any]:
        rng = self.rng
        k = len(self.parties)
        name = f"{_WORDS[rng.randrange(len(_WORDS))]} {_SUFFIX[rng.randrange(len(_SUFFIX))]}"
        person = k >= 10 and rng.random() < 0.15
        kind = "person" if person else _KINDS[rng.randrange(len(_KINDS))]
        if person:
            name = f"{_WORDS[rng.randrange(len(_WORDS))].title()} {_WORDS[rng.randrange(len(_WORDS))].title()}"
        slug = f"{name.lower().replace(' ', '-')}-{k:05d}"
        if initial:
            day = rng.randint(EARLY, START - 1)
            r = rng.random()
            eff = iso(day)[:4] if r < 0.2 else iso(day)[:7] if r < 0.35 else iso(day)
        else:
            eff = iso(self.cur - rng.randrange(30))
        data: dict[str, Any] = {"party": slug, "name": name.title(), "kind": kind,
                                "jurisdiction": _JURIS[rng.randrange(len(_JURIS))]}
        if not person and rng.random() < 0.5:
            data["aliases"] = [name.title().split()[0], f"{name.title()} Inc."]
        doc = self._event("PartyRegistered", eff, f"registry-{k % 50:02d}", data, certainty="confirmed")
        record = [slug, _ordinal_of_key(eff), kind, doc]
        self.parties.append(record)
        (self.persons if person else self.orgs).append(record)
        return doc

    def party_restructured(self) -> dict[str, Any]:
        rng = self.rng
        p = self._party(self.orgs)
        data: dict[str, Any] = {"party": p[0]}
        refs = p[1]
        r = rng.random()
        if r < 0.4:
            data["kind"] = _KINDS[rng.randrange(len(_KINDS))]
        elif r < 0.8:
            ctrl = self._party(self.orgs)
            if ctrl is not p:
                data["controlled_by"] = ctrl[0]
                refs = max(refs, ctrl[1])
        else:
            data["name"] = f"{p[0].split('-')[0].title()} Group"
        data["summary"] = "restructured its governance: the operating company is now controlled by a holding entity"
        return self._event("PartyRestructured", self._effective(refs), self._stream_of(p[0]), data)

    def investment_made(self) -> dict[str, Any]:
        rng = self.rng
        a, b = self._two_parties()
        data: dict[str, Any] = {"investor": a[0], "investee": b[0], "money": self._money(1, 999),
                                "instrument": _INSTRUMENTS[rng.randrange(len(_INSTRUMENTS))],
                                "round": _ROUNDS[rng.randrange(len(_ROUNDS))]}
        if rng.random() < 0.5:
            data["post_money_valuation"] = self._money(100, 9999)
        if rng.random() < 0.7:
            data["terms"] = {"liquidation-preference": "1.0", "pro-rata": "yes", "term-years": str(rng.randint(2, 10)),
                             "board": ("seat", "observer", "none")[rng.randrange(3)]}
        doc = self._event("InvestmentMade", self._effective(max(a[1], b[1])), self._stream_of(b[0], a[0]), data)
        self._track(doc)
        return doc

    def stake_changed(self) -> dict[str, Any]:
        rng = self.rng
        a, b = self._two_parties()
        if rng.random() < 0.8:
            stake: dict[str, Any] = {"exact": f"{rng.randint(0, 49)}.{rng.randint(0, 99):02d}"}
        else:
            low = rng.randint(0, 60)
            stake = {"min": str(low), "max": str(low + rng.randint(1, 20))}
        if rng.random() < 0.3:
            stake["basis"] = ("equity", "profit_share", "voting")[rng.randrange(3)]
        data = {"holder": a[0], "issuer": b[0], "stake": stake}
        doc = self._event("StakeChanged", self._effective(max(a[1], b[1])), self._stream_of(b[0], a[0]), data)
        doc["source"]["title"] = f"{a[0]} discloses its holding in {b[0]} in an annual shareholder filing"
        self._track(doc)
        return doc

    def metric_reported(self) -> dict[str, Any]:
        rng = self.rng
        p = self._party(self.orgs)
        metric, unit = _METRICS[rng.randrange(len(_METRICS))]
        eff = self._effective(p[1])
        year = int(eff[:4])
        data = {"party": p[0], "metric": metric, "value": f"{rng.randint(1, 99_999_999)}.{rng.randint(0, 9)}",
                "unit": unit, "period": f"FY{year}-Q{rng.randint(1, 4)}"}
        doc = self._event("MetricReported", eff, self._stream_of(p[0]), data)
        doc["source"]["title"] = f"{p[0]} quarterly results: {metric} for the period, as reported to investors"
        self._track(doc)
        return doc

    def right_granted(self) -> dict[str, Any]:
        rng = self.rng
        a, b = self._two_parties()
        slug = f"right-{len(self.rights):06d}-{a[0][:12].strip('-')}"
        refs = max(a[1], b[1])
        data: dict[str, Any] = {"right": slug, "holder": a[0], "grantor": b[0],
                                "kind": _RIGHT_KINDS[rng.randrange(len(_RIGHT_KINDS))],
                                "scope": _SCOPES[rng.randrange(len(_SCOPES))]}
        if rng.random() < 0.3:
            data["until"] = str(int(iso(self.cur)[:4]) + rng.randint(1, 12))
        if self.conditions and rng.random() < 0.15:
            c = self._recent(self.conditions)
            data["ends_when" if rng.random() < 0.6 else "restricted_when"] = c[0]
            refs = max(refs, c[1])
        if rng.random() < 0.3:
            data["terms"] = {"revenue-share-percent": str(rng.randint(5, 30)), "term-years": str(rng.randint(1, 10))}
        eff = self._effective(refs)
        doc = self._event("RightGranted", eff, self._stream_of(b[0], a[0]), data)
        self.rights.append([slug, _ordinal_of_key(eff), a[0], b[0]])
        return doc

    def right_amended(self) -> dict[str, Any]:
        rng = self.rng
        r = self._recent(self.rights)
        refs = r[1]
        data: dict[str, Any] = {"right": r[0]}
        x = rng.random()
        if x < 0.3:
            data["scope"] = _SCOPES[rng.randrange(len(_SCOPES))]
        elif x < 0.5:
            data["until"] = str(int(iso(self.cur)[:4]) + rng.randint(0, 8))
        elif x < 0.6:
            data["until"] = None
        elif x < 0.75 and self.conditions:
            c = self._recent(self.conditions)
            data["restricted_when"] = c[0]
            refs = max(refs, c[1])
        else:
            data["terms"] = {"revenue-share-percent": str(rng.randint(5, 30)), "notice-days": "90"}
        doc = self._event("RightAmended", self._effective(refs), self._stream_of(r[3], r[2]), data)
        self._track(doc)
        return doc

    def right_restricted(self) -> dict[str, Any]:
        r = self._recent(self.rights)
        data = {"right": r[0], "reason": _REASONS[self.rng.randrange(len(_REASONS))]}
        doc = self._event("RightRestricted", self._effective(r[1]), self._stream_of(r[3], r[2]), data)
        self._track(doc)
        return doc

    def right_ended(self) -> dict[str, Any]:
        r = self._recent(self.rights)
        data = {"right": r[0], "reason": _REASONS[self.rng.randrange(len(_REASONS))]}
        return self._event("RightEnded", self._effective(r[1]), self._stream_of(r[3], r[2]), data)

    def condition_defined(self) -> dict[str, Any]:
        slug = f"cond-{len(self.conditions):05d}-{_WORDS[self.rng.randrange(len(_WORDS))]}"
        eff = iso(self.cur - self.rng.randrange(10))
        data = {"condition": slug, "description": "the board declares that a system meets the agreed definition "
                "of artificial general intelligence, as verified by an expert panel",
                "verified_by": "independent expert panel"}
        doc = self._event("ConditionDefined", eff, "conditions", data)
        self.conditions.append([slug, _ordinal_of_key(eff)])
        return doc

    def condition_met(self) -> dict[str, Any]:
        c = self.conditions[self.rng.randrange(len(self.conditions))]
        return self._event("ConditionMet", self._effective(c[1], partial=False), "conditions", {"condition": c[0]})

    def partnership_formed(self) -> dict[str, Any]:
        rng = self.rng
        a, b = self._two_parties()
        members = [a, b]
        if rng.random() < 0.2:
            c = self._party()
            if c is not a and c is not b:
                members.append(c)
        slug = f"ps-{len(self.partnerships):06d}-{a[0][:10].strip('-')}"
        refs = max(m[1] for m in members)
        data: dict[str, Any] = {"partnership": slug, "parties": [m[0] for m in members],
                                "kind": _P_KINDS[rng.randrange(len(_P_KINDS))],
                                "summary": _SUMMARIES[rng.randrange(len(_SUMMARIES))]}
        if rng.random() < 0.5:
            data["money"] = self._money(1, 500)
        if rng.random() < 0.3:
            data["until"] = str(int(iso(self.cur)[:4]) + rng.randint(1, 10))
        eff = self._effective(refs)
        doc = self._event("PartnershipFormed", eff, self._stream_of(a[0], b[0]), data)
        self.partnerships.append([slug, _ordinal_of_key(eff), data["parties"]])
        return doc

    def partnership_amended(self) -> dict[str, Any]:
        rng = self.rng
        p = self._recent(self.partnerships)
        data: dict[str, Any] = {"partnership": p[0]}
        x = rng.random()
        if x < 0.4:
            data["money"] = self._money(1, 900)
        elif x < 0.7:
            data["until"] = str(int(iso(self.cur)[:4]) + rng.randint(0, 10))
        else:
            data["summary"] = _SUMMARIES[rng.randrange(len(_SUMMARIES))]
            data["terms"] = {"capacity-gigawatts": f"{rng.randint(1, 9)}.{rng.randint(0, 9)}"}
        doc = self._event("PartnershipAmended", self._effective(p[1]), self._stream_of(p[2][0], p[2][1]), data)
        self._track(doc)
        return doc

    def partnership_ended(self) -> dict[str, Any]:
        p = self._recent(self.partnerships)
        data = {"partnership": p[0], "reason": _REASONS[self.rng.randrange(len(_REASONS))]}
        return self._event("PartnershipEnded", self._effective(p[1]), self._stream_of(p[2][0], p[2][1]), data)

    def agreement_signed(self) -> dict[str, Any]:
        rng = self.rng
        a, b = self._two_parties()
        slug = f"agr-{len(self.agreements):06d}-{a[0][:10].strip('-')}"
        refs = max(a[1], b[1])
        data: dict[str, Any] = {"agreement": slug, "parties": [a[0], b[0]],
                                "title": f"Master agreement between {a[0]} and {b[0]}",
                                "binding": rng.random() < 0.8,
                                "summary": "sets out compute commitments, model access and revenue sharing"}
        if self.agreements and rng.random() < 0.15:
            old = self._recent(self.agreements)
            data["supersedes"] = [old[0]]
            refs = max(refs, old[1])
        eff = self._effective(refs)
        doc = self._event("AgreementSigned", eff, self._stream_of(a[0], b[0]), data)
        self.agreements.append([slug, _ordinal_of_key(eff), data["parties"]])
        return doc

    def negotiation_opened(self) -> dict[str, Any]:
        rng = self.rng
        a, b = self._two_parties()
        slug = f"neg-{self.i:09d}"
        data = {"negotiation": slug, "parties": [a[0], b[0]], "topic": _TOPICS[rng.randrange(len(_TOPICS))]}
        eff = self._effective(max(a[1], b[1]))
        doc = self._event("NegotiationOpened", eff, self._stream_of(a[0], b[0]), data, certainty="rumored")
        if rng.random() < 0.05:
            self.doomed.append(doc)  # never referenced: retracted later ("the talks never happened")
        else:
            self.negotiations.append([slug, _ordinal_of_key(eff), data["parties"]])
        return doc

    def negotiation_concluded(self) -> dict[str, Any]:
        rng = self.rng
        k = len(self.negotiations) - 1 - int(len(self.negotiations) * rng.random() ** 2)
        neg = self.negotiations[k]
        self.negotiations[k] = self.negotiations[-1]
        self.negotiations.pop()
        refs = neg[1]
        data: dict[str, Any] = {"negotiation": neg[0], "outcome": "agreed" if rng.random() < 0.7 else "abandoned"}
        if data["outcome"] == "agreed" and self.agreements and rng.random() < 0.5:
            ag = self._recent(self.agreements)
            data["agreement"] = ag[0]
            refs = max(refs, ag[1])
        doc = self._event("NegotiationConcluded", self._effective(refs), self._stream_of(neg[2][0], neg[2][1]), data)
        self._track(doc)
        return doc

    def role_changed(self) -> dict[str, Any]:
        rng = self.rng
        person = self._party(self.persons)
        org = self._party(self.orgs)
        data = {"person": person[0], "organization": org[0], "role": _ROLES[rng.randrange(len(_ROLES))],
                "change": "appointed" if rng.random() < 0.6 else ("removed", "resigned")[rng.randrange(2)]}
        doc = self._event("RoleChanged", self._effective(max(person[1], org[1])), self._stream_of(org[0], person[0]), data)
        doc["source"]["title"] = f"{org[0]} announces leadership changes at its annual general meeting"
        self._track(doc)
        return doc

    def legal_action_filed(self) -> dict[str, Any]:
        rng = self.rng
        a, b = self._two_parties()
        slug = f"case-{len(self.cases):05d}-{a[0][:10].strip('-')}"
        data = {"case": slug, "kind": _LEGAL_KINDS[rng.randrange(len(_LEGAL_KINDS))], "plaintiffs": [a[0]],
                "defendants": [b[0]], "court": _COURTS[rng.randrange(len(_COURTS))],
                "claim": _CLAIMS[rng.randrange(len(_CLAIMS))]}
        eff = self._effective(max(a[1], b[1]))
        doc = self._event("LegalActionFiled", eff, self._stream_of(b[0], a[0]), data)
        self.cases.append([slug, _ordinal_of_key(eff)])
        return doc

    def legal_action_updated(self) -> dict[str, Any]:
        rng = self.rng
        case = self._recent(self.cases)
        refs = case[1]
        data: dict[str, Any] = {"case": case[0], "status": _LEGAL_STATUS[rng.randrange(len(_LEGAL_STATUS))],
                                "summary": "the court ruled on the motion; the parties may appeal within 30 days"}
        if rng.random() < 0.1:
            p = self._party()
            data["add_defendants"] = [p[0]]
            refs = max(refs, p[1])
        doc = self._event("LegalActionUpdated", self._effective(refs), "legal", data)
        self._track(doc)
        return doc

    def correction(self) -> dict[str, Any] | None:
        """Restate a recent event with a fixed figure or a higher certainty (same type, same refs)."""
        rng = self.rng
        if rng.random() < 0.05:
            p = self.parties[rng.randrange(len(self.parties))]
            target = p[3]
            if target["id"] in self.superseded:  # pragma: no cover - party docs are kept current
                return None
            data = {**target["data"], "name": target["data"]["name"] + " Corp"}
        else:
            pool = self.pool
            for _ in range(8):
                target = pool[len(pool) - 1 - int(min(len(pool), 20_000) * rng.random())]
                if target["id"] not in self.superseded:
                    break
            else:
                return None
            data = dict(target["data"])
            kind = target["type"]
            if kind == "InvestmentMade":
                data["money"] = {**data["money"], "amount": str(int(data["money"]["amount"]) + 1_000_000)}
            elif kind == "StakeChanged":
                data["stake"] = {"exact": f"{rng.randint(0, 49)}.5"}
            elif kind == "MetricReported":
                data["value"] = f"{rng.randint(1, 99_999_999)}.0"
        up = {"rumored": "reported", "reported": "announced", "announced": "confirmed", "confirmed": "confirmed"}
        doc = {**target, "id": self._new_id(), "certainty": up[target["certainty"]] if rng.random() < 0.5
               else target["certainty"], "source": self._source(target["effective_date"], "correction"),
               "corrects": target["id"], "data": data}
        self.superseded.add(target["id"])
        if target["type"] == "PartyRegistered":
            for p in self.parties:
                if p[3] is target:
                    p[3] = doc
                    break
        else:
            self._track(doc)  # chains: a correction can be corrected again
        self.stats["corrections"] += 1
        return doc

    def retraction(self) -> dict[str, Any] | None:
        rng = self.rng
        if self.doomed and rng.random() < 0.3:
            target = self.doomed.pop(0)
        else:
            pool = self.pool
            for _ in range(8):
                target = pool[len(pool) - 1 - int(min(len(pool), 20_000) * rng.random())]
                if target["id"] not in self.superseded:
                    break
            else:
                return None
        self.superseded.add(target["id"])
        self.stats["retractions"] += 1
        data = {"target": target["id"], "reason": "the report was denied by both companies and withdrawn by the publisher"}
        return self._event("EventRetracted", iso(self.cur), target["stream"], data, certainty="confirmed")

    # -- the sequence -------------------------------------------------------------------------
    def _pick(self) -> str:
        x = self.rng.random() * self._total_weight
        cum = self._cum
        lo, hi = 0, len(cum) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if cum[mid] > x:
                hi = mid
            else:
                lo = mid + 1
        return self._types[lo]

    def _next(self) -> dict[str, Any]:
        n, i = self.n, self.i
        if i < self.initial_parties:
            return self.party_registered(initial=True)
        if i == self.initial_parties:
            return self.condition_defined()
        remaining = self.total_parties - len(self.parties)
        if remaining > 0 and self.rng.random() < remaining / (n - i):
            return self.party_registered(initial=False)
        for _ in range(20):
            kind = self._pick()
            doc = self._make(kind)
            if doc is not None:
                return doc
        return self.investment_made()

    def _make(self, kind: str) -> dict[str, Any] | None:
        if kind == "_correction":
            return self.correction() if len(self.pool) > 100 else None
        if kind == "EventRetracted":
            return self.retraction() if len(self.pool) > 100 else None
        if kind in ("RightAmended", "RightRestricted", "RightEnded") and not self.rights:
            return None
        if kind in ("PartnershipAmended", "PartnershipEnded") and not self.partnerships:
            return None
        if kind == "NegotiationConcluded" and not self.negotiations:
            return None
        if kind == "LegalActionUpdated" and not self.cases:
            return None
        if kind in ("RoleChanged", "MetricReported", "PartyRestructured") and (not self.persons or not self.orgs):
            return None
        return getattr(self, _METHOD[kind])()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        n = self.n
        span = END - START
        stats = self.stats
        while self.i < n:
            self.cur = START + span * self.i // n
            doc = self._next()
            stats[doc["type"]] += 1
            self.i += 1
            yield doc


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


_METHOD = {name: _snake(name) for name in WEIGHTS if not name.startswith("_") and name != "EventRetracted"}


def hash_slug(slug: str) -> int:
    """A stable (not per-process randomized) hash of a slug."""
    return zlib.crc32(slug.encode())


def generate(n: int, seed: int = 20251101) -> list[dict[str, Any]]:
    """The whole ledger in memory (the library path)."""
    return list(Generator(n, seed))


def write_jsonl(path: str | Path, n: int, seed: int = 20251101, *, prefix: tuple[str | Path, int] | None = None
                ) -> dict[str, Any]:
    """Write the ledger as JSON Lines (the CLI path); ``prefix=(path2, k)`` also writes the first k lines
    to ``path2``. Returns statistics of the data set."""
    gen = Generator(n, seed)
    data_bytes = line_bytes = 0
    streams: set[str] = set()
    ids: set[str] = set()
    pfx = open(prefix[0], "wb") if prefix else None  # noqa: SIM115
    with open(path, "wb") as out:
        for k, doc in enumerate(gen):
            line = orjson.dumps(doc) + b"\n"
            out.write(line)
            if pfx is not None and k < prefix[1]:  # type: ignore[index]
                pfx.write(line)
            line_bytes += len(line)
            data_bytes += len(orjson.dumps(doc["data"]))
            streams.add(doc["stream"])
            ids.add(doc["id"])
    if pfx is not None:
        pfx.close()
    if len(ids) != n:  # pragma: no cover - guards the id scheme
        raise AssertionError("generated ids are not unique")
    counts = {k: v for k, v in sorted(gen.stats.items()) if k[0].isupper()}
    return {
        "events": n, "seed": seed, "parties": len(gen.parties), "streams": len(streams),
        "types": counts, "event_types_present": len(counts),
        "corrections": gen.stats["corrections"], "retractions": gen.stats["retractions"],
        "backdated_over_30_days": gen.stats["backdated"],
        "rights": len(gen.rights), "partnerships": len(gen.partnerships), "conditions": len(gen.conditions),
        "mean_data_bytes": round(data_bytes / n, 1), "mean_line_bytes": round(line_bytes / n, 1),
        "file_bytes": line_bytes,
    }


def read_batches(path: str | Path, size: int) -> Iterator[list[dict[str, Any]]]:
    """Parse a JSONL file batch by batch (orjson)."""
    loads = orjson.loads
    batch: list[dict[str, Any]] = []
    with open(path, "rb") as fh:
        for line in fh:
            batch.append(loads(line))
            if len(batch) == size:
                yield batch
                batch = []
    if batch:
        yield batch
