"""The poller against hostile monitors: credentials go only to trusted origins, the call ends
within its timeout, an answer is read up to a cap, and every answer ends in a result or a
MonitorError, never another exception or a wrong conclusion."""

from __future__ import annotations

import asyncio
import gzip
import time
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobstate import monitor
from jobstate.exceptions import MonitorError, OptionError
from jobstate.spec.protocol import classify
from tests.protocol.loopback import RawServer, answer, replies, silent, trickle

MONITOR = "https://monitor.example/monitor/op-1"
TRUSTED = "https://graph.example"
SECRETS = {
    "authorization": "Bearer s3cret",
    "cookie": "session=s3cret",
    "x-api-key": "s3cret",
    "proxy-authorization": "Basic s3cret",
}


def _carries_credentials(request: httpx.Request) -> bool:
    return (
        any(name in request.headers for name in SECRETS) or b"s3cret" in str(request.url).encode()
    )


class _Chunks(httpx.SyncByteStream):
    """A body streamed in 64 KiB chunks, as a socket gives it."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __iter__(self) -> Iterator[bytes]:
        for i in range(0, len(self.data), 65536):
            yield self.data[i : i + 65536]


def _answer(code: int, content: bytes = b"", **headers: str) -> Callable[[], httpx.Response]:
    """An answer made anew for each poll, its body streamed."""
    hdrs = {k.replace("_", "-"): v for k, v in headers.items()}
    return lambda: httpx.Response(code, headers=hdrs, stream=_Chunks(content))


def _json(code: int, body: object) -> Callable[[], httpx.Response]:
    return _answer(code, orjson.dumps(body))


def _mock(
    answers: list[Callable[[], httpx.Response]], seen: list[httpx.Request]
) -> httpx.MockTransport:
    """Answers the monitor with ``answers`` in turn (the last one again), any other URL with an
    item body."""

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.startswith("/monitor/"):
            return (answers.pop(0) if len(answers) > 1 else answers[0])()
        return httpx.Response(200, json={"id": "01ITEM", "name": "copy.txt"})

    return httpx.MockTransport(handle)


ELSEWHERE = [
    "https://evil.example/items/1",
    "http://graph.example/items/1",  # the same host, another scheme
    "https://graph.example:8443/items/1",  # the same host, another port
    "https://graph.example.evil.example/items/1",
    "https://graph.example@evil.example/items/1",  # userinfo that looks like the host
    "https://monitor.example/items/1",  # the monitor's own origin is not trusted either
    "//evil.example/items/1",  # scheme-relative
]


@given(
    location=st.sampled_from([*ELSEWHERE, "https://graph.example/items/1", "/items/1"]),
    secrets=st.dictionaries(st.sampled_from(sorted(SECRETS)), st.just(""), min_size=1),
    basic_auth=st.booleans(),
    base_url=st.booleans(),
)
@settings(max_examples=60)
def test_credentials_go_only_to_trusted_origins(
    location: str, secrets: dict[str, str], basic_auth: bool, base_url: bool
) -> None:
    """Whatever the client's credentials (default headers, auth=) and wherever a 303 points,
    no request to the monitor carries one, the item is fetched with them only on a trusted
    origin, and the result says when the item was not followed."""
    seen: list[httpx.Request] = []
    headers = {name: SECRETS[name] for name in secrets}
    answers = [_answer(303, location=location)]
    with httpx.Client(
        transport=_mock(answers, seen),
        headers=headers,
        auth=("user", "s3cret") if basic_auth else None,
        base_url=TRUSTED + "/v1.0" if base_url else "",
    ) as client:
        result = monitor.wait(MONITOR, client=client, timeout=5, interval=0)
    target = httpx.URL(MONITOR).join(location)
    trusted = base_url and (target.scheme, target.host, target.port) == (
        "https",
        "graph.example",
        None,
    )
    assert result.outcome == "success"
    assert result.location == str(target)
    assert not _carries_credentials(seen[0])
    assert len(seen) == (2 if trusted else 1)
    if trusted:
        assert _carries_credentials(seen[1]) and seen[1].url == target
        assert (result.resource_id, result.not_followed) == ("01ITEM", None)
    else:
        assert result.not_followed is not None and "not trusted" in result.not_followed
        assert result.resource_id is None


@pytest.mark.parametrize("location", ELSEWHERE)
def test_an_explicit_allow_list_is_exact(location: str) -> None:
    """trusted_origins names origins exactly: the lookalikes of a trusted one get nothing."""
    seen: list[httpx.Request] = []
    answers = [_answer(303, location=location)]
    with httpx.Client(transport=_mock(answers, seen), headers=SECRETS) as client:
        result = monitor.wait(MONITOR, client=client, trusted_origins=[TRUSTED], timeout=5)
    assert [r.url.host for r in seen] == ["monitor.example"]
    assert result.not_followed is not None and "graph.example" in result.not_followed


def test_the_pollers_own_client_follows_anywhere_with_nothing_to_give() -> None:
    """Without a client of yours, the poller has no credential, so it fetches the item wherever
    the 303 points (and still sends the monitor nothing)."""
    with RawServer(replies(answer(200, b'{"id": "01ITEM"}')), host="127.0.0.2") as item:
        location = f"{item.origin}/items/01ITEM"
        with RawServer(replies(answer(303, Location=location))) as mon:
            result = monitor.wait(f"{mon.origin}/monitor/1", timeout=5, interval=0)
    assert (result.outcome, result.resource_id, result.not_followed) == ("success", "01ITEM", None)
    assert len(item.requests) == 1 and b"authorization" not in item.requests[0].lower()


def test_a_redirect_to_another_loopback_host_gets_no_token() -> None:
    """Over real sockets: a 303 from 127.0.0.1 to 127.0.0.2 with a client that has a bearer
    token, a cookie and an API key: the other host is never contacted, the result says why."""
    evil = RawServer(replies(answer(200, b'{"id": "x"}')), host="127.0.0.2")
    with evil, RawServer(replies(answer(303, Location=f"{evil.origin}/steal"))) as mon:
        base = f"http://127.0.0.1:{mon.port}"
        with httpx.Client(headers=SECRETS, base_url=base) as client:
            result = monitor.wait(f"{base}/monitor/1", client=client, timeout=5)
    assert evil.requests == []
    assert all(b"s3cret" not in r for r in mon.requests)
    assert result.outcome == "success" and "127.0.0.2" in (result.not_followed or "")


def test_a_trusted_origin_gets_the_clients_credentials() -> None:
    """The same origin as the client's base_url: the item is fetched with the token."""
    api = RawServer(replies(answer(200, b'{"id": "01NEW"}')), host="127.0.0.2")
    mon = RawServer(replies(answer(303, Location=f"{api.origin}/items/01NEW")))
    client = httpx.Client(headers=SECRETS, base_url=api.origin)
    with api, mon, client:
        result = monitor.wait(f"{mon.origin}/monitor/1", client=client, timeout=5)
    assert result.resource_id == "01NEW" and result.not_followed is None
    assert b"Bearer s3cret" in api.requests[0] and b"s3cret" not in mon.requests[0]


@pytest.mark.parametrize(
    "bad", [["https://"], "https://graph.example", ["ftp://x"], ["http://[::1"]]
)
def test_trusted_origins_must_be_origins(bad: Any) -> None:
    """A trusted_origins that is one string or names no http(s) origin is refused up front."""
    with pytest.raises(OptionError):
        monitor.wait(MONITOR, trusted_origins=bad, timeout=1)


# -- time ---------------------------------------------------------------------------------------

HOSTILE_TIMING = {
    "silent": silent,
    "headers trickle": trickle(b"HTTP/1.1 202 Accepted\r\nX-Slow: " + b"a" * 500, 0.05),
    "body trickle": trickle(answer(202, b'{"status": "inProgress"}' + b" " * 500)[:-500], 0.05),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_TIMING))
def test_wait_ends_within_its_timeout(kind: str) -> None:
    """A server that never answers, or trickles its headers or body: wait() returns unfinished
    within its timeout plus a small margin."""
    with RawServer(HOSTILE_TIMING[kind]) as server:
        started = time.monotonic()
        result = monitor.wait(f"{server.origin}/monitor/1", timeout=1.0)
        took = time.monotonic() - started
    assert (result.outcome, result.timed_out) == ("unfinished", True)
    assert 0.9 <= took < 1.5, took


@pytest.mark.parametrize("kind", sorted(HOSTILE_TIMING))
def test_wait_async_ends_within_its_timeout(kind: str) -> None:
    """wait_async: the same bound, by cancellation."""
    with RawServer(HOSTILE_TIMING[kind]) as server:
        started = time.monotonic()
        result = asyncio.run(monitor.wait_async(f"{server.origin}/monitor/1", timeout=1.0))
        took = time.monotonic() - started
    assert (result.outcome, result.timed_out) == ("unfinished", True)
    assert 0.9 <= took < 1.5, took


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 0.0, -1.0])
def test_timeout_must_be_a_finite_positive_number(value: float) -> None:
    """timeout=nan or inf would never end: refused, like a negative one."""
    with pytest.raises(ValueError, match="finite"):
        monitor.wait(MONITOR, timeout=value)


# -- memory -------------------------------------------------------------------------------------


def _bomb(size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * 1_048_576
    return b"".join([*(packer.compress(block) for _ in range(size // len(block))), packer.flush()])


@pytest.mark.parametrize(
    ("body", "encoding"),
    [
        (b'{"status": "inProgress", "pad": "' + b"x" * 10_000_000 + b'"}', ""),
        (_bomb(256 * 1_048_576), "gzip"),
        (zlib.compress(b" " * 50_000_000), "deflate"),
    ],
    ids=["10 MB", "gzip bomb", "deflate bomb"],
)
def test_a_huge_answer_is_not_read_past_the_cap(body: bytes, encoding: str) -> None:
    """A 10 MB body, or a small body that decodes to 50-256 MB: the poller reads at most
    MAX_ANSWER_BYTES of it (its memory peak stays small) and says the answer is too large."""
    import tracemalloc

    headers = {"content_encoding": encoding} if encoding else {}
    seen: list[httpx.Request] = []
    transport = _mock([_answer(202, body, **headers)], seen)
    with httpx.Client(transport=transport) as client:
        tracemalloc.start()
        try:
            with pytest.raises(MonitorError, match="more than 65,536 bytes"):
                monitor.wait(MONITOR, client=client, timeout=5)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 8 * 1_048_576, peak


def test_a_huge_error_page_is_an_error_answer() -> None:
    """A 503 with a 1 MB page: retried as an error answer, then the job goes on."""
    seen: list[httpx.Request] = []
    answers = [
        _answer(503, b"<html>" + b"x" * 1_000_000),
        _json(202, {"status": "completed", "resourceId": "01R"}),
    ]
    with httpx.Client(transport=_mock(answers, seen)) as client:
        result = monitor.wait(MONITOR, client=client, timeout=5, interval=0)
    assert (result.outcome, result.resource_id, result.polls) == ("success", "01R", 2)


def test_a_gzip_answer_is_read() -> None:
    """A well-formed gzip or deflate answer (zlib-wrapped, or raw as some servers send it) is
    decoded like any other."""
    body = orjson.dumps({"status": "completed", "resourceId": "01G"})
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw_deflate = raw.compress(body) + raw.flush()
    for encoding, data in (
        ("gzip", gzip.compress(body)),
        ("deflate", zlib.compress(body)),
        ("deflate", raw_deflate),
    ):
        seen: list[httpx.Request] = []
        answers = [_answer(202, data, content_encoding=encoding)]
        with httpx.Client(transport=_mock(answers, seen)) as client:
            result = monitor.wait(MONITOR, client=client, timeout=5)
        assert result.resource_id == "01G", encoding


# -- conclusions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "body"),
    [
        (202, b'{"status": null}'),
        (202, b"{}"),
        (200, b'{"error": {"code": "accessDenied"}}'),
        (200, b"[1, 2]"),
        (202, b"not json"),
        (200, b"[" * 60_000),
    ],
)
def test_a_2xx_without_a_status_is_no_success(code: int, body: bytes) -> None:
    """A 2xx body with no text status that is not the item: a MonitorError naming the answer,
    never outcome success (check calls the same body missing-status)."""
    seen: list[httpx.Request] = []
    client = httpx.Client(transport=_mock([_answer(code, body)], seen))
    with client, pytest.raises(MonitorError, match=f"HTTP {code} with neither"):
        monitor.wait(MONITOR, client=client, timeout=5)


def test_the_item_at_the_monitor_is_the_completion() -> None:
    """The monitor answering with the finished item (an id, no status): success, and the id is
    the resource id."""
    seen: list[httpx.Request] = []
    answers = [_json(200, {"id": "01ITEM", "name": "a.txt"})]
    with httpx.Client(transport=_mock(answers, seen)) as client:
        result = monitor.wait(MONITOR, client=client, timeout=5)
    assert (result.outcome, result.resource_id) == ("success", "01ITEM")


@pytest.mark.parametrize("code", [301, 302, 307, 308])
def test_only_303_is_the_completion(code: int) -> None:
    """Another redirect is not the documented completion: not followed, a MonitorError."""
    seen: list[httpx.Request] = []
    answers = [_answer(code, location="/elsewhere")]
    client = httpx.Client(transport=_mock(answers, seen))
    with client, pytest.raises(MonitorError, match=f"HTTP {code}: only 303"):
        monitor.wait(MONITOR, client=client, timeout=5)
    assert len(seen) == 1


def test_connection_failures_are_retried_then_a_monitor_error() -> None:
    """A refused connection is an error answer: retried, then MonitorError (not httpx's)."""
    with RawServer(silent) as server:
        url = f"{server.origin}/monitor/1"
    with pytest.raises(MonitorError, match="3 error answers in a row"):
        monitor.wait(url, timeout=5, interval=0.01, retries=2)


STATUS = st.sampled_from(["inProgress", "completed", "failed", "shiny", "cancelled"])
BODIES = st.one_of(
    st.none(),
    st.builds(lambda s: {"status": s}, STATUS),
    st.builds(lambda s: {"status": s, "resourceId": "01R"}, STATUS),
    st.just({"status": None}),
    st.just({}),
    st.just({"id": "01ITEM"}),
    st.just({"error": {"code": "operationNotFound"}}),
    st.just([1]),
)
ANSWERS = st.builds(
    lambda code, body, retry_after, location, raw: (code, body, retry_after, location, raw),
    st.sampled_from([200, 202, 303, 307, 401, 404, 429, 500, 503]),
    BODIES,
    st.one_of(st.none(), st.sampled_from(["0", "1" * 400, "9" * 5000, "soon", "-1"])),
    st.one_of(st.none(), st.sampled_from(["/items/1", "https://evil.example/x", "::", ""])),
    st.one_of(st.none(), st.binary(max_size=64)),
)


@given(st.lists(ANSWERS, min_size=1, max_size=8))
@settings(max_examples=150)
def test_any_answers_end_in_a_result_or_a_monitor_error(answers: list[Any]) -> None:
    """Generated answers (codes, bodies, junk bytes, huge Retry-After, odd Locations): wait()
    returns or raises MonitorError, and concludes success only if an answer it was served is one
    classify() calls a completion (a completed status, a 303, the item)."""
    responses = []
    for code, body, retry_after, location, raw in answers:
        headers = {k: v for k, v in (("retry_after", retry_after), ("location", location)) if v}
        content = raw if raw is not None else (b"" if body is None else orjson.dumps(body))
        responses.append((code, content, headers))
    seen: list[httpx.Request] = []
    made = [_answer(code, content, **headers) for code, content, headers in responses]
    with httpx.Client(transport=_mock(made, seen)) as client:
        try:
            result = monitor.wait(MONITOR, client=client, timeout=0.5, interval=0, max_interval=0)
        except MonitorError:
            return
    if result.outcome != "success":
        return
    polls = sum(1 for r in seen if r.url.path.startswith("/monitor/"))
    served = [responses[min(i, len(responses) - 1)] for i in range(polls)]
    kinds = [(classify(code, _body(content)), _body(content)) for code, content, _ in served]
    assert any(
        kind in ("see-other", "item") or (kind == "status" and body["status"] == "completed")
        for kind, body in kinds
    )


def _body(content: bytes) -> Any:
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return None


def test_error_answers_double_the_delay_once_each() -> None:
    """Each error answer doubles the delay once (up to max_interval); a Retry-After asks for
    more and is honoured, still capped."""
    p = monitor._poller("any", 10, 0.01, 1.0, 9, None, None, None)
    delays = []
    for _ in range(4):
        p.failed("HTTP 503")
        delays.append(p.delay)
    assert delays == [0.02, 0.04, 0.08, 0.16]
    p.failed("HTTP 429", 0.5)
    assert p.delay == 0.5
    p.failed("HTTP 429", 99.0)
    assert p.delay == 1.0
