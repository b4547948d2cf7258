"""Example IDs are sorted naturally ("2" before "10") whatever their digits: an ID of 5,000
digits (int() refuses more than 4,300) loads like any other."""

from __future__ import annotations

from typing import Any

from mocktui.engine.engine import MockRequest
from mocktui.engine.matcher import natural_key


def test_natural_key_orders_digit_runs_as_numbers_of_any_length() -> None:
    ids = ["10", "9" * 5000, "2", "a10", "a9", "1" + "0" * 5000, "02", "x²", "a" + "9" * 4400]
    ordered = sorted(ids, key=natural_key)
    assert ordered[:3] in (["2", "02", "10"], ["02", "2", "10"])
    assert ordered.index("9" * 5000) < ordered.index("1" + "0" * 5000)
    assert ordered.index("a9") < ordered.index("a10") < ordered.index("a" + "9" * 4400)


def test_an_example_id_of_5000_digits_loads_and_answers(pm: Any) -> None:
    example = pm.example("e", "/a", id="9" * 5000, body="long id")
    engine = pm.engine(pm.item("r", "/a", example))
    response = engine.handle(MockRequest("GET", "/a"))
    assert (response.status, response.body) == (200, b"long id")
    by_id = engine.handle(MockRequest("GET", "/a", headers=[("x-mock-response-id", "9" * 5000)]))
    assert by_id.body == b"long id"
