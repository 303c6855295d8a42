"""The hostile pass of issue 12, as a table: each input with the exit code and message it must
get, on both engines, and the ledger unchanged afterwards.

Every case here was a silent wrong answer, a stored value the ledger could not read back, or
a traceback, before the fix it tests; each row names the field the message must name.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from ledger import Ledger, ValidationError
from ledger.cli import app
from tests.samples import SRC, basic, investment, party


def _snapshot(lg: Ledger) -> tuple[int, str]:
    head, digest, _ = lg.store.head()
    return head, digest


def _cli(db_url: str, *args: str, stdin: str | bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--db", db_url, *args], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.stdout, result.stderr


def _inv(**money: Any) -> dict[str, Any]:
    event = investment("inv-bad", "2021-01-01", "10")
    event["data"]["money"] = {"amount": "10", "currency": "USD", **money}
    return event


def _with(event: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {**event, **fields}


def _agreement(**data: Any) -> dict[str, Any]:
    return {"id": "agr", "type": "AgreementSigned", "effective_date": "2021", "source": SRC,
            "data": {"agreement": "a1", "parties": ["microsoft", "openai"], "title": "T", "binding": True,
                     "summary": "S", **data}}


# (name, event, field the problem names, message fragment)
BAD_EVENTS: list[tuple[str, dict[str, Any], str, str]] = [
    ("arabic-indic date", _with(investment("inv-bad", "2021", "1"), effective_date="٢٠٢٥-٠١-٠١"),
     "effective_date", "is not a date"),
    ("date with a trailing newline", _with(investment("inv-bad", "2021", "1"), effective_date="2025-01-01\n"),
     "effective_date", "is not a date"),
    ("amount with a trailing newline", _inv(amount="5\n"), "data.money.amount", "is not a decimal number"),
    ("arabic-indic amount", _inv(amount="١٢"), "data.money.amount", "is not a decimal number"),
    ("fullwidth amount", _inv(amount="５"), "data.money.amount", "is not a decimal number"),
    ("boolean amount", _inv(amount=True), "data.money.amount", "got true"),
    ("41-digit amount", _inv(amount="1" * 41), "data.money.amount", "at most 40 digits"),
    ("unknown currency", _inv(currency="ZZZ"), "data.money.currency", "not an ISO 4217 currency code"),
    ("negative money", _inv(amount="-5"), "data.money.amount", "not negative"),
    ("approximate as a string", _inv(approximate="yes"), "data.money.approximate", "expected true or false"),
    ("binding as a word", _agreement(binding="yes"), "data.binding", "expected true or false"),
    ("binding as 1", _agreement(binding=1), "data.binding", "expected true or false, got 1"),
    ("a party twice", _agreement(parties=["microsoft", "microsoft"]), "data.parties", "listed twice"),
    ("metric value in other digits", {"id": "m", "type": "MetricReported", "effective_date": "2024", "source": SRC,
                                      "data": {"party": "openai", "metric": "revenue", "value": "١٢",
                                               "unit": "USD", "period": "FY2024"}}, "data.value", "not a decimal number"),
]


@pytest.mark.parametrize(("name", "event", "field", "message"), BAD_EVENTS, ids=[row[0] for row in BAD_EVENTS])
def test_bad_values_are_refused_naming_index_id_and_field(ledger: Ledger, db_url: str, name: str,
                                                           event: dict[str, Any], field: str, message: str) -> None:
    ledger.append(basic())
    before = _snapshot(ledger)
    with pytest.raises(ValidationError) as info:
        ledger.append([investment("ok", "2021", "1"), event])
    problem = info.value.problems[0]
    assert (problem.index, problem.event_id, problem.field) == (1, event["id"], field), problem
    assert message in problem.message
    code, _, err = _cli(db_url, "append", "-", stdin=orjson.dumps([event]))
    assert code == 2 and field in err and "Traceback" not in err, err
    assert _snapshot(ledger) == before


def test_a_decimal_append_takes_is_one_import_restores(ledger: Ledger, tmp_path: Any) -> None:
    """What append accepts, import restores: a Decimal beyond the text grammar is refused up front."""
    ledger.append(basic())
    with pytest.raises(ValidationError, match="at most 40 digits"):
        ledger.append([_inv(amount=Decimal("1e400"))])
    ledger.append([_inv(amount=Decimal("1E+3")), _with(_inv(amount=Decimal("0.0000001")), id="tiny")])
    assert next(ledger.events(ids=["inv-bad"]))["data"]["money"]["amount"] == "1000"
    assert next(ledger.events(ids=["tiny"]))["data"]["money"]["amount"] == "0.0000001"
    path = tmp_path / "export.jsonl"
    with ledger.output_file(path) as fh:
        ledger.export(fh)
    with Ledger.open(f"sqlite:///{tmp_path}/copy.db", init=True) as copy:
        copy.import_envelopes([orjson.loads(line) for line in path.read_bytes().splitlines()])
        assert copy.verify().ok and copy.state("2030-01-01") == ledger.state("2030-01-01")


@pytest.mark.parametrize(("body", "field"), [
    (b'{"id": "d", "type": "PartyRegistered", "type": "InvestmentMade", "effective_date": "2020"}', "type"),
    (b'{"id": "d", "type": "InvestmentMade", "effective_date": "2020", "data": {"investor": "microsoft", '
     b'"investee": "openai", "money": {"amount": "1", "amount": "9", "currency": "USD"}}}', "data.money.amount"),
])
def test_a_key_given_twice_is_refused_naming_it(ledger: Ledger, db_url: str, body: bytes, field: str) -> None:
    ledger.append(basic())
    before = _snapshot(ledger)
    good = orjson.dumps(investment("fine", "2021", "1"))
    for stdin, where in ((body, ""), (b"[" + good + b", " + body + b"]", "event 2"),
                         (good + b"\n" + body, "line 2")):  # one object, an array, JSON Lines
        code, _, err = _cli(db_url, "append", "-", stdin=stdin)
        assert code == 2 and "given twice" in err and field in err and where in err, err
    assert _snapshot(ledger) == before


def test_json_numbers_are_read_exactly_and_named_rightly(ledger: Ledger, db_url: str) -> None:
    ledger.append(basic())
    for amount, message in ((b"100000000000000000000", None), (b"true", "got true"), (b"4.5", "binary floats"),
                            (b"NaN", "not a number JSON allows")):
        body = (b'{"id": "n%d", "type": "InvestmentMade", "effective_date": "2021", "source": {"title": "t"}, '
                b'"data": {"investor": "microsoft", "investee": "openai", "money": {"amount": %s, "currency": '
                b'"USD"}}}' % (len(amount), amount))
        code, _, err = _cli(db_url, "append", "-", stdin=body)
        if message is None:  # 10**20 is an integer, not a float: kept to the last digit
            assert code == 0, err
            assert next(ledger.events(ids=["n21"]))["data"]["money"]["amount"] == "100000000000000000000"
        else:
            assert code == 2 and message in err, err


def test_a_correction_may_not_date_a_definition_after_its_uses(ledger: Ledger) -> None:
    ledger.append(basic())  # reg-openai 2015, inv-2019 (2019-07-22) uses openai
    before = _snapshot(ledger)
    late = {**party("openai", "2021", kind="nonprofit"), "id": "reg-openai-late", "corrects": "reg-openai"}
    with pytest.raises(ValidationError) as info:
        ledger.append([late])
    problem = info.value.problems[0]
    assert problem.field == "effective_date" and "'inv-2019' (2019-07-22)" in problem.message
    assert _snapshot(ledger) == before
    earlier = {**late, "effective_date": "2015-01-01"}  # moving it earlier is fine
    assert ledger.append([earlier]).appended == 1


def test_stored_markup_is_shown_verbatim_and_never_crashes_a_table(ledger: Ledger, db_url: str) -> None:
    ledger.append(basic())
    name = "[/x] [bold red]Name :smile:"
    ledger.append([{"id": "weird", "type": "PartyRegistered", "effective_date": "2020", "source": {"title": name},
                    "data": {"party": "weird", "name": name, "kind": "company"}}])
    for args in (["state", "--as-of", "2024-01-01"], ["history"], ["explain", "parties:weird", "--as-of", "2024-12-31"],
                 ["state", "--party", "weird", "--as-of", "2024-01-01"]):
        code, out, err = _cli(db_url, *args, "--format", "table")
        assert code == 0, (args, err)
        assert "[/x] [bold red]" in out, args  # shown, not rendered
    for args in (["state", "--as-of", "[/x]"], ["explain", "[/x]:k"], ["append", "[/x]"]):
        code, _, err = _cli(db_url, *args)
        assert code == 2 and "[/x]" in err, (args, err)


@pytest.mark.parametrize(("args", "fragment"), [
    (["state", "--known-at", "²"], "neither a position nor"),
    (["state", "--known-at", "0001-01-01T00:00:00+01:00"], "outside the years"),
    (["state", "--known-at", "9999-12-31T23:59:59-01:00"], "outside the years"),
    (["state", "--known-at", "-3"], "neither a position nor"),
    (["state", "--as-of", "2024-01-01\n"], "as_of"),
])
def test_bad_query_values_are_messages_with_exit_2(ledger: Ledger, db_url: str, args: list[str],
                                                    fragment: str) -> None:
    ledger.append(basic())
    code, _, err = _cli(db_url, *args)
    assert code == 2 and fragment in err, err
    assert "nothing was written" not in err  # a read writes nothing, and does not say it did


def test_history_since_past_any_integer_is_a_message(ledger: Ledger, db_url: str) -> None:
    ledger.append(basic())
    code, _, err = _cli(db_url, "history", "--since", "99999999999999999999999")
    assert code == 2 and "since" in err and "Traceback" not in err, err
    code, out, err = _cli(db_url, "history", "--since", "4000000000", "--format", "json")
    assert code == 0 and json.loads(out)["events"] == [], err  # past the head: nothing, not an error
