"""What a row's ``auto`` says it answers (endpoint_view's auto_pick) must be what a request to
that row's path gets: when another endpoint with the same method and path is pinned, the pin
answers (spec §7), so the row says so (seen on PayPal's two "Create partner referral" items)."""

from __future__ import annotations

from mocktui.engine.engine import MockRequest
from mocktui.engine.views import endpoint_view


def test_auto_names_the_pin_of_another_endpoint_on_the_same_path(pm) -> None:
    engine = pm.engine(
        pm.item("third party", "/refs", pm.example("three 200", "/refs", method="POST"),
                method="POST", id="ep-3"),
        pm.item("first party", "/refs", pm.example("one 201", "/refs", code=201, method="POST"),
                method="POST", id="ep-1"),
    )
    third = engine.store.endpoint("ep-3")
    before = endpoint_view(engine, third)["auto_pick"]
    assert (before["code"], before["endpoint"]) == (200, "ep-3")
    assert engine.handle(MockRequest(method="POST", path="/refs")).status == 200
    engine.store.pin("ep-1", engine.store.endpoint("ep-1").examples[0].id)
    after = endpoint_view(engine, third)["auto_pick"]
    assert engine.handle(MockRequest(method="POST", path="/refs")).status == 201  # the pin
    assert (after["code"], after["name"], after["endpoint"]) == (201, "one 201", "ep-1")
