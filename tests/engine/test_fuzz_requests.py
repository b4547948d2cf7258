"""Any request a client can send gets a response from the engine, never an exception: random
methods, paths, queries, headers and bodies, x-mock-* headers with odd values, on the demo and on
a real collection, with controls set (modes, disabled examples, delays)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mocktui.config import build_engine
from mocktui.engine.engine import MockEngine, MockRequest

ENGINE = build_engine([], seed=3)
PRIVATE = build_engine([], api_key="k", match_body=True, match_headers=("*",))
store = ENGINE.store
first = ENGINE.endpoints[0]
store.set_mode(first.key, "sequential")
store.set_example_enabled(ENGINE.endpoints[1].key, 1, False)
store.set_delay(ENGINE.endpoints[2].key, 5)
store.pin(ENGINE.endpoints[3].key, 1)

text = st.text(max_size=40)
odd = st.one_of(
    text,
    st.sampled_from(
        ["", " ", "²", "٣", "-1", "+5", "1_000", "9" * 5000, "200 ", "0x1f", "true", "on", "\x00"]
    ),
)
methods = st.one_of(
    st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "PURGE"]),
    st.text(alphabet=st.characters(codec="ascii"), min_size=1, max_size=10),
)
paths = st.one_of(
    st.sampled_from(["/", "/users", "/users/7", "/users/7/", "//users", "/USERS/a", "/products/x"]),
    st.text(max_size=60).map(lambda t: "/" + t),
)
mock_headers = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "x-mock-response-code",
                "x-mock-response-id",
                "x-mock-response-name",
                "x-mock-response-delay",
                "x-mock-match-request-body",
                "x-mock-match-request-headers",
                "x-api-key",
                "origin",
                "access-control-request-method",
                "content-type",
            ]
        ),
        odd,
    ),
    max_size=6,
)
other_headers = st.lists(st.tuples(text, text), max_size=4)
bodies = st.one_of(
    st.binary(max_size=200),
    st.sampled_from([b"", b"{}", b"[]", b'{"a": [1, {"b": null}]}', b"[" * 5000, b"\xff\xfe"]),
)


def answer(engine: MockEngine, request: MockRequest) -> None:
    response = engine.handle(request)
    assert 100 <= response.status <= 599
    assert isinstance(response.body, bytes)
    event = engine.record(request, response, 0.1)
    event.to_dict()  # the codec takes whatever a request held


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    method=methods,
    path=paths,
    query=st.lists(st.tuples(text, text), max_size=4),
    headers=st.tuples(mock_headers, other_headers).map(lambda t: t[0] + t[1]),
    body=bodies,
)
def test_any_request_gets_a_response(
    method: str,
    path: str,
    query: list[tuple[str, str]],
    headers: list[tuple[str, str]],
    body: bytes,
) -> None:
    for engine in (ENGINE, PRIVATE):
        request = MockRequest(
            method,
            path,
            query=query,
            query_string="&".join(f"{k}={v}" for k, v in query),
            headers=headers,
            body=body,
        )
        answer(engine, request)


def test_the_fuzzed_engines_really_answer() -> None:
    # The engines the fuzz runs on serve: a plain request is a hit (so the fuzz is not only
    # exercising misses), and the private one asks for its key.
    hit = ENGINE.handle(MockRequest("GET", "/health"))
    assert hit.status == 200 and hit.example is not None
    assert PRIVATE.handle(MockRequest("GET", "/users/7")).status == 401
