"""Property tests of the fold: determinism, the two times, incremental folding, provenance invariants.

Histories are generated event by event with strictly increasing effective dates, so every
definition precedes its uses by date and no two live events share a fold position by date;
corrections (of figures, dates, certainty, and of corrections) and retractions are mixed in.
"""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import CERTAINTY_RANK, date_sort_key
from projections import (
    FIELDS,
    SECTIONS,
    STAKE_TYPES,
    Folder,
    diff_states,
    filter_active,
    filter_party,
    fold,
    item_key,
    removed_ids,
    select_events,
    select_ordered,
)
from tests.eventfactory import History, money

SETTINGS = settings(max_examples=100, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PARTIES = ("p0", "p1", "p2", "p3")
CERTAINTIES = tuple(CERTAINTY_RANK)
UNTILS = (None, "2020", "2021-06", "2022-03-15", "2024")
FAR = "2100-01-01"

Draw = Any
Defined = dict[str, list[str]]


def _pair(draw: Draw) -> tuple[str, str]:
    first, second = draw(st.permutations(PARTIES))[:2]
    return first, second


def _pick(draw: Draw, defined: Defined, kind: str) -> str | None:
    return draw(st.sampled_from(defined[kind])) if defined[kind] else None


def _condition_ref(draw: Draw, defined: Defined) -> str | None:
    return draw(st.one_of(st.none(), st.sampled_from(defined["condition"]))) if defined["condition"] else None


def _define(draw: Draw, defined: Defined, kind: str, n: int) -> tuple[str, dict[str, Any]]:
    name = f"{kind[:4]}{n}"
    defined[kind].append(name)
    holder, grantor = _pair(draw)
    if kind == "right":
        data: dict[str, Any] = {"right": name, "holder": holder, "grantor": grantor, "kind": "license", "scope": "s",
                                "until": draw(st.sampled_from(UNTILS)), "ends_when": _condition_ref(draw, defined),
                                "restricted_when": _condition_ref(draw, defined)}
        return "RightGranted", {k: v for k, v in data.items() if v is not None}
    if kind == "condition":
        return "ConditionDefined", {"condition": name, "description": "d"}
    if kind == "partnership":
        data = {"partnership": name, "parties": [holder, grantor], "kind": "research", "summary": "s",
                "until": draw(st.sampled_from(UNTILS))}
        return "PartnershipFormed", {k: v for k, v in data.items() if v is not None}
    if kind == "agreement":
        old = draw(st.lists(st.sampled_from(defined["agreement"][:-1]), max_size=2, unique=True)) \
            if len(defined["agreement"]) > 1 else []
        return "AgreementSigned", {"agreement": name, "parties": [holder, grantor], "title": "t", "binding": True,
                                   "summary": "s", "supersedes": old}
    if kind == "negotiation":
        return "NegotiationOpened", {"negotiation": name, "parties": [holder, grantor], "topic": "t"}
    return "LegalActionFiled", {"case": name, "kind": "lawsuit", "plaintiffs": [holder], "defendants": [grantor],
                                "claim": "c"}


def _update(draw: Draw, defined: Defined, kind: str, name: str, n: int) -> tuple[str, dict[str, Any]]:
    if kind == "right":
        choice = draw(st.sampled_from(("amend", "restrict", "end")))
        if choice == "amend":
            field = draw(st.sampled_from(("until", "ends_when", "restricted_when", "scope", "terms")))
            value = {"until": draw(st.sampled_from(UNTILS)), "ends_when": _condition_ref(draw, defined),
                     "restricted_when": _condition_ref(draw, defined), "scope": "new scope",
                     "terms": draw(st.sampled_from((None, {"share": "20"})))}[field]
            return "RightAmended", {"right": name, field: value}
        return ("RightRestricted" if choice == "restrict" else "RightEnded"), {"right": name, "reason": "r"}
    if kind == "condition":
        return "ConditionMet", {"condition": name}
    if kind == "partnership":
        if draw(st.booleans()):
            return "PartnershipEnded", {"partnership": name, "reason": "r"}
        return "PartnershipAmended", {"partnership": name, "until": draw(st.sampled_from(UNTILS)), "money": None}
    if kind == "negotiation":
        return "NegotiationConcluded", {"negotiation": name, "outcome": draw(st.sampled_from(("agreed", "abandoned")))}
    if kind == "case":
        return "LegalActionUpdated", {"case": name, "summary": "s", "add_defendants": [draw(st.sampled_from(PARTIES))],
                                      "status": draw(st.sampled_from(("dismissed", "appealed", "amended", "settled")))}
    return _define(draw, defined, "agreement", n)  # a new agreement that may supersede


def _keyed(draw: Draw) -> tuple[str, dict[str, Any]]:
    """Events of the sections without a defining event: stakes, roles, metrics, restructurings."""
    a, b = _pair(draw)
    choice = draw(st.sampled_from(("invest", "stake", "role", "metric", "restructure")))
    if choice == "invest":
        amount = str(draw(st.decimals(min_value=0, max_value=10**6, places=2)))
        return "InvestmentMade", {"investor": a, "investee": b,
                                  "money": money(amount, draw(st.sampled_from(("USD", "EUR"))))}
    if choice == "stake":
        return "StakeChanged", {"holder": a, "issuer": b, "stake": {"exact": str(draw(st.integers(0, 100)))}}
    if choice == "role":
        return "RoleChanged", {"person": a, "organization": b, "role": "ceo",
                               "change": draw(st.sampled_from(("appointed", "removed", "resigned")))}
    if choice == "metric":
        return "MetricReported", {"party": a, "metric": "revenue", "value": str(draw(st.integers(0, 999))),
                                  "unit": "USD", "period": draw(st.sampled_from(("FY24", "FY25")))}
    return "PartyRestructured", {"party": a, "controlled_by": b, "summary": "s"}


def _withdraw(draw: Draw, h: History, when: str) -> None:
    """Correct (figure, date or certainty; chains allowed) or retract a live non-party event."""
    gone = removed_ids(h.events)
    live = [e for e in h.events if e["id"] not in gone and e["type"] not in ("EventRetracted", "PartyRegistered")]
    if not live:
        return
    target = draw(st.sampled_from(live))
    if draw(st.booleans()):
        h.retract(target["id"], when)
        return
    data = {"money": money(str(draw(st.integers(1, 99))))} if target["type"] == "InvestmentMade" else None
    h.correct(target["id"], data=data, date=draw(st.sampled_from((target["effective_date"], when))),
              certainty=draw(st.sampled_from(CERTAINTIES)))


def _dates(draw: Draw):
    day = date(2019, 12, 1)
    while True:
        day += timedelta(days=draw(st.integers(1, 90)))
        text = day.isoformat()
        if day.day == 1 and draw(st.booleans()):
            text = text[:4] if day.month == 1 else text[:7]
        yield text


@st.composite
def histories(draw: Draw, max_ops: int = 30, kinds: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """A valid history: parties first, then definitions, updates, keyed facts and withdrawals.

    ``kinds`` weights the defined items (repeat a kind to draw it more often); default: all alike."""
    h = History()
    dates = _dates(draw)
    for party in PARTIES:
        h.add("PartyRegistered", {"party": party, "name": party.upper(), "kind": "company"}, next(dates),
              event_id=f"reg-{party}")
    defined: Defined = {k: [] for k in ("right", "condition", "partnership", "agreement", "negotiation", "case")}
    for n in range(draw(st.integers(0, max_ops))):
        when, certainty = next(dates), draw(st.sampled_from(CERTAINTIES))
        op = draw(st.sampled_from(("define", "update", "update", "keyed", "withdraw")))
        if op == "withdraw":
            _withdraw(draw, h, when)
            continue
        kind = draw(st.sampled_from(kinds or tuple(defined)))
        name = _pick(draw, defined, kind)
        if op == "keyed":
            type_, data = _keyed(draw)
        elif op == "update" and name is not None:
            type_, data = _update(draw, defined, kind, name, n)
        else:
            type_, data = _define(draw, defined, kind, n)
        h.add(type_, data, when, certainty=certainty)
    return h.events


def _as_of(draw: Draw, events: list[dict[str, Any]]) -> str:
    keys = sorted({date_sort_key(e["effective_date"]) for e in events})
    return draw(st.sampled_from(keys + [FAR]))


@SETTINGS
@given(histories(), st.randoms(use_true_random=False))
def test_fold_is_deterministic_and_ignores_input_order(events, rnd):
    state = fold(events, as_of=FAR)
    shuffled = list(events)
    rnd.shuffle(shuffled)
    assert json.dumps(fold(shuffled, as_of=FAR)) == json.dumps(state) == json.dumps(fold(events, as_of=FAR))


@SETTINGS
@given(histories(), st.randoms(use_true_random=False), st.data())
def test_recording_order_does_not_matter_for_distinct_dates(events, rnd, data):
    positions = [e["position"] for e in events]
    rnd.shuffle(positions)
    permuted = [{**e, "position": p} for e, p in zip(events, positions, strict=True)]
    as_of = _as_of(data.draw, events)
    assert fold(permuted, as_of=as_of) == fold(events, as_of=as_of)


@SETTINGS
@given(histories(), st.data())
def test_state_as_of_is_the_fold_of_events_dated_up_to_it(events, data):
    as_of = _as_of(data.draw, events)
    # Withdrawals apply whatever their date, so they stay in the subset.
    subset = [e for e in events if date_sort_key(e["effective_date"]) <= as_of
              or e["corrects"] is not None or e["type"] == "EventRetracted"]
    assert fold(events, as_of=as_of) == fold(subset, as_of=as_of)


@SETTINGS
@given(histories(), st.data())
def test_known_at_is_the_fold_of_the_first_k_events(events, data):
    k = data.draw(st.integers(0, len(events)))
    as_of = _as_of(data.draw, events)
    assert fold(events, as_of=as_of, known_at=k) == fold(events[:k], as_of=as_of)


@SETTINGS
@given(histories(), st.data())
def test_prefix_then_rest_equals_all_at_once(events, data):
    as_of = _as_of(data.draw, events)
    selected = select_events(events, as_of=as_of)
    k = data.draw(st.integers(0, len(selected)))
    folder = Folder()
    folder.apply(selected[:k])
    checkpoint = folder.snapshot()
    copied = copy.deepcopy(folder)
    folder.apply(selected[k:])
    assert folder.result(as_of) == fold(events, as_of=as_of)
    # the checkpoints were not touched by folding on
    assert checkpoint.result(as_of) == copied.result(as_of) == fold(selected[:k], as_of=as_of)
    checkpoint.apply(selected[k:])
    assert checkpoint.result(as_of) == folder.result(as_of)


@SETTINGS
@given(histories(), st.data())
def test_the_stake_events_folded_apart_from_the_rest_give_the_same_state(events, data):
    """How a whole-ledger fold splits across two processes (ledger.read.split): the selected
    stake events alone give the stakes section, the other selected events every other section,
    whatever the date, the recording horizon and the certainty (the whole history, most often:
    small horizons and early dates leave few stake events to split)."""
    whole = data.draw(st.booleans())
    as_of = FAR if whole else _as_of(data.draw, events)
    known_at = len(events) if whole else data.draw(st.integers(0, len(events)))
    least = data.draw(st.sampled_from(CERTAINTIES))
    stream = sorted((e for e in events if date_sort_key(e["effective_date"]) <= as_of and e["position"] <= known_at),
                    key=lambda e: (date_sort_key(e["effective_date"]), e["position"]))
    gone = removed_ids(events, known_at)
    stakes, rest = Folder(), Folder()
    stakes.apply(select_ordered([e for e in stream if e["type"] in STAKE_TYPES], gone, least), in_fold_order=True)
    rest.apply(select_ordered([e for e in stream if e["type"] not in STAKE_TYPES], gone, least), in_fold_order=True)
    alone, others = stakes.result(as_of), rest.result(as_of)
    assert others["stakes"] == [] and all(alone[name] == [] for name in SECTIONS if name != "stakes")
    whole = fold(events, as_of=as_of, known_at=known_at, min_certainty=least)
    assert json.dumps({**others, "stakes": alone["stakes"]}) == json.dumps(whole)
    assert {**others, "stakes": alone["stakes"]} == whole


@SETTINGS
@given(histories(), st.data())
def test_streaming_batches_in_fold_order_equals_fold(events, data):
    """How a store can fold a large ledger: read in (date, position) order, batch, withdraw globally."""
    as_of = _as_of(data.draw, events)
    size = data.draw(st.integers(1, 8))
    stream = sorted(events, key=lambda e: (date_sort_key(e["effective_date"]), e["position"]))
    gone = removed_ids(events)
    folder = Folder()
    for start in range(0, len(stream), size):
        folder.apply(select_events(stream[start:start + size], as_of=as_of, removed=gone))
    assert folder.result(as_of) == fold(events, as_of=as_of)


@SETTINGS
@given(histories(), st.data())
def test_selecting_what_a_store_read_in_fold_order_equals_fold(events, data):
    """``select_ordered``: events a store read already bounded by date and recording, in fold
    order, only lose the withdrawn ones, the retractions and the less certain ones; the same
    selection as ``select_events`` of each batch, and the same state as the fold."""
    as_of = _as_of(data.draw, events)
    known_at = data.draw(st.integers(0, len(events)))
    least = data.draw(st.sampled_from(CERTAINTIES))
    stream = sorted((e for e in events if date_sort_key(e["effective_date"]) <= as_of and e["position"] <= known_at),
                    key=lambda e: (date_sort_key(e["effective_date"]), e["position"]))
    gone = removed_ids(events, known_at)
    size = data.draw(st.integers(1, 8))
    folder = Folder()
    for start in range(0, len(stream), size):
        batch = stream[start:start + size]
        chosen = select_ordered(batch, gone, least)
        assert chosen == select_events(batch, as_of=as_of, known_at=known_at, min_certainty=least, removed=gone)
        folder.apply(chosen, in_fold_order=True)
    assert folder.result(as_of) == fold(events, as_of=as_of, known_at=known_at, min_certainty=least)


@SETTINGS
@given(histories(), st.sampled_from(CERTAINTIES))
def test_provenance_invariants(events, min_certainty):
    state = fold(events, as_of=FAR, min_certainty=min_certainty)
    by_id = {e["id"]: e for e in events}
    gone = removed_ids(events)
    for name in SECTIONS:
        keys = [item_key(name, item) for item in state[name]]
        assert len(set(keys)) == len(keys)
        for item in state[name]:
            assert tuple(item) == FIELDS[name]
            used = [by_id[i] for i in item["evidence"]]
            assert used and not gone.intersection(item["evidence"])
            ranks = [CERTAINTY_RANK[e["certainty"]] for e in used]
            assert CERTAINTY_RANK[item["certainty"]] == min(ranks) >= CERTAINTY_RANK[min_certainty]
            order = [(date_sort_key(e["effective_date"]), e["position"]) for e in used]
            assert order == sorted(order)
            assert (item["since"], item["updated"]) == (used[0]["effective_date"], used[-1]["effective_date"])
    assert json.loads(json.dumps(state)) == state


@SETTINGS
@given(histories(), st.sampled_from(PARTIES), st.data())
def test_views_and_diff_are_consistent(events, party, data):
    earlier = fold(events, as_of=_as_of(data.draw, events))
    state = fold(events, as_of=FAR)
    for view in (filter_party(state, party), filter_active(state)):
        for name in SECTIONS:
            assert all(item in state[name] for item in view[name])
    assert all(not any(part.values()) for part in diff_states(state, state).values())
    diff = diff_states(earlier, state)
    for name in SECTIONS:
        after = {item_key(name, i) for i in state[name]}
        before = {item_key(name, i) for i in earlier[name]}
        assert {item_key(name, i) for i in diff[name]["added"]} == after - before
        assert {item_key(name, i) for i in diff[name]["removed"]} == before - after


def test_generated_histories_cover_every_event_type():
    """Guard against a generator that silently stops producing some event types."""
    seen: set[str] = set()

    @settings(max_examples=60, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(histories(max_ops=40))
    def collect(events):
        seen.update(e["type"] for e in events)

    collect()
    assert len(seen) >= 18, sorted(seen)


_SLUGS = st.from_regex(r"[a-z0-9](?:[a-z0-9._-]{0,6}[a-z0-9])?", fullmatch=True)


@given(st.lists(st.tuples(_SLUGS, _SLUGS, st.text(min_size=1, max_size=6)), max_size=40))
def test_sorted_keys_is_the_tuple_order(keys: list[tuple[str, str, str]]) -> None:
    """Composite keys sort by NUL-joined parts: the same order as comparing the tuples, even
    when the free-text last part (a metric's period) holds NUL or other low characters."""
    from projections.sections import sort_form, sorted_keys

    items = {key: {} for key in keys}
    assert sorted_keys(items) == sorted(items)
    # what a streamed state merges by (ledger.read.tailed): the same order, one key at a time
    assert sorted(items, key=sort_form) == sorted(items)
    assert sorted({key[0]: {} for key in keys}, key=sort_form) == sorted_keys({key[0]: {} for key in keys})


@SETTINGS
@given(histories(), st.data())
def test_a_stored_checkpoint_round_trips_and_folds_on_like_the_original(events, data):
    """The stored form of a checkpoint (lines of JSON, a few items a line here) decodes to an equal
    Folder, which folds the rest of the events to the same state; the same fold always encodes to
    the same bytes (what verify compares), and a cut-short row is refused, not half read."""
    import zlib

    import orjson
    import pytest

    from ledger.read import checkpoint_text

    as_of = _as_of(data.draw, events)
    selected = select_events(events, as_of=as_of)
    k = data.draw(st.integers(0, len(selected)))
    folder = Folder()
    folder.apply(selected[:k])
    original = checkpoint_text.PIECE
    checkpoint_text.PIECE = data.draw(st.integers(1, 4))
    try:
        blob = checkpoint_text.encode(folder)
        assert zlib.decompress(blob) == checkpoint_text.text(folder) == checkpoint_text.text(folder.snapshot())
        assert checkpoint_text.differs(blob, folder) is None  # compared line by line, as verify does
        lines = checkpoint_text.text(folder).split(b"\n")
        longer = checkpoint_text.packed([*lines, orjson.dumps([SECTIONS[-1], []])])  # other text, same data
        assert checkpoint_text.differs(longer, folder) is None
        assert "not readable" in (checkpoint_text.differs(blob[:-4], folder) or "")
    finally:
        checkpoint_text.PIECE = original
    stored = [orjson.loads(line) for line in checkpoint_text.text(folder).split(b"\n")[1:]]
    assert [item for name, items in stored if name == "stakes" for item in items] == \
        folder.to_data()["sections"]["stakes"]  # totals written as to_data writes them
    restored = checkpoint_text.decode(blob)
    assert restored == folder
    restored.apply(selected[k:])
    assert restored.result(as_of) == fold(events, as_of=as_of)
    with pytest.raises(ValueError, match="not a fold checkpoint"):
        checkpoint_text.decode(blob[:-3])
