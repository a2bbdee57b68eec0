"""Origins and the credentials policy's small parts: what an origin is, how one is shown, and
which inputs the trusted set refuses."""

from __future__ import annotations

import httpx
import pytest

from jobstate._origins import masked_headers, masked_query, origin_of, show, trusted
from jobstate.exceptions import OptionError


def test_an_origin_is_scheme_host_and_port() -> None:
    """Default ports are made explicit, hosts lower-cased, a bare host means https."""
    assert origin_of("https://A.example") == ("https", "a.example", 443)
    assert origin_of("https://a.example:443/x") == ("https", "a.example", 443)
    assert origin_of("http://a.example/x") == ("http", "a.example", 80)
    assert origin_of("a.example:8443") == ("https", "a.example", 8443)
    assert origin_of(httpx.URL("http://127.0.0.1:8765/m")) == ("http", "127.0.0.1", 8765)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://a.example", "not an http(s) URL with a host: ftp://a.example"),
        ("https://", "not an http(s) URL with a host: https://"),
        ("http://[::1", "not a URL: http://[::1"),
    ],
)
def test_what_is_no_origin_says_so(url: str, message: str) -> None:
    """A URL that names no http(s) origin is an OptionError quoting it."""
    with pytest.raises(OptionError) as caught:
        origin_of(url)
    assert str(caught.value).startswith(message)


def test_origins_are_shown_with_their_port_only_when_not_the_default() -> None:
    """show() writes an origin as a person would, and cuts a long URL with its length."""
    assert show(("https", "a.example", 443)) == "https://a.example"
    assert show(("http", "a.example", 80)) == "http://a.example"
    assert show(("https", "a.example", 80)) == "https://a.example:80"
    assert show("x" * 500) == "x" * 200 + "… (500 characters)"


def test_the_trusted_set() -> None:
    """Given origins win; else the client's base_url; else none; one string is refused."""
    client = httpx.Client(base_url="https://graph.example/v1.0")
    assert trusted(None, client) == {("https", "graph.example", 443)}
    assert trusted(["http://b.example"], client) == {("http", "b.example", 80)}
    assert trusted(None, httpx.Client()) == frozenset() and trusted(None, None) == frozenset()
    with pytest.raises(OptionError, match="a list of origins, not one string"):
        trusted("https://graph.example", None)


def test_masking_keeps_what_is_not_a_credential() -> None:
    """Credential headers and query parameters read '(not kept)', any case; the rest stays."""
    assert masked_headers([("X-API-Key", "s"), ("Accept", "a")]) == [
        {"name": "X-API-Key", "value": "(not kept)"},
        {"name": "Accept", "value": "a"},
    ]
    assert masked_query("ACCESS_TOKEN=s&page=2&flag&sig=") == (
        "ACCESS_TOKEN=(not kept)&page=2&flag&sig=(not kept)"
    )
    assert masked_query("a%5Ftoken=1&access%5Ftoken=s") == "a%5Ftoken=1&access%5Ftoken=(not kept)"
