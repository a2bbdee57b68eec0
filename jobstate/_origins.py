"""Where a client's credentials may go: origins, the trusted set, and requests stripped of them.

An origin is a scheme, a host and a port (RFC 6454): ``https://graph.example`` and
``http://graph.example`` are two origins, and so are ``https://a.example`` and
``https://a.example:8443``. Credentials (the client's ``auth=``, its default
``Authorization``, ``Proxy-Authorization``, ``Cookie`` and API-key headers, a client
certificate) go to a trusted origin or nowhere.

>>> origin_of("HTTPS://Graph.Example/v1.0/items/1")
('https', 'graph.example', 443)
>>> origin_of("graph.example:8443")
('https', 'graph.example', 8443)
>>> sorted(trusted(["https://a.example", "http://127.0.0.1:8765/x"], None))
[('http', '127.0.0.1', 8765), ('https', 'a.example', 443)]
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from jobstate._words import shortened
from jobstate.exceptions import OptionError

if TYPE_CHECKING:
    import httpx

__all__ = [
    "CREDENTIAL_HEADERS",
    "CREDENTIAL_PARAMS",
    "NOT_KEPT",
    "Origin",
    "masked_headers",
    "masked_query",
    "origin_of",
    "show",
    "strip_credentials",
    "trusted",
]

Origin = tuple[str, str, int]

CREDENTIAL_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "x-api-key",
        "api-key",
        "x-auth-token",
        "x-access-token",
        "ocp-apim-subscription-key",
    }
)
"""Request headers that carry a credential: never sent where the caller did not send them."""

CREDENTIAL_PARAMS = frozenset(
    {
        "access_token",
        "id_token",
        "refresh_token",
        "token",
        "code",
        "client_secret",
        "password",
        "api_key",
        "apikey",
        "key",
        "sig",
        "signature",
        "tempauth",
    }
)
"""Query parameters that carry a credential (OAuth tokens, SAS signatures, SharePoint's
``tempauth``): never written to a recording."""

NOT_KEPT = "(not kept)"
"""What a recording holds in place of a credential."""

_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str | httpx.URL) -> Origin:
    """The origin of an absolute URL (a bare ``host[:port]`` means ``https``).

    Raises :class:`OptionError` for a URL that is not ``http``/``https`` or has no host.
    """
    import httpx

    text = str(url)
    if "://" not in text:
        text = f"https://{text}"
    try:
        parsed = httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise OptionError(f"not a URL: {show(text)} ({exc})") from None
    scheme = parsed.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parsed.host:
        raise OptionError(f"not an http(s) URL with a host: {show(text)}")
    return (scheme, parsed.host.lower(), parsed.port or _DEFAULT_PORTS[scheme])


def trusted(
    given: Iterable[str] | None, client: httpx.Client | httpx.AsyncClient | None
) -> frozenset[Origin]:
    """The origins a client's credentials may go to: ``given`` if the caller named them, else
    the origin of the client's ``base_url`` (the host its API requests go to), else none."""
    if given is not None:
        if isinstance(given, str):
            raise OptionError("trusted_origins takes a list of origins, not one string")
        return frozenset(origin_of(o) for o in given)
    base = None if client is None else client.base_url
    if base is None or not base.host:
        return frozenset()
    return frozenset({origin_of(base)})


def strip_credentials(request: httpx.Request) -> httpx.Request:
    """``request`` without any credential header (the request is changed in place)."""
    for name in CREDENTIAL_HEADERS:
        request.headers.pop(name, None)
    return request


def masked_headers(headers: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    """HAR ``headers`` with every credential header's value replaced by :data:`NOT_KEPT`.

    >>> masked_headers([("Cookie", "s=1"), ("accept", "*/*")])
    [{'name': 'Cookie', 'value': '(not kept)'}, {'name': 'accept', 'value': '*/*'}]
    """
    return [
        {"name": k, "value": NOT_KEPT if k.lower() in CREDENTIAL_HEADERS else v} for k, v in headers
    ]


def masked_query(query: str) -> str:
    """A raw query string with the values of credential parameters replaced.

    >>> masked_query("a=1&access_token=eyJ.x&Sig=abc&b")
    'a=1&access_token=(not kept)&Sig=(not kept)&b'
    """
    from urllib.parse import unquote_plus

    parts = []
    for part in query.split("&"):
        name, eq, _ = part.partition("=")
        secret = eq and unquote_plus(name).strip().lower() in CREDENTIAL_PARAMS
        parts.append(f"{name}={NOT_KEPT}" if secret else part)
    return "&".join(parts)


def show(origin: Origin | str) -> str:
    """An origin or URL for a message: ``https://host:port``, shortened and inert."""
    if isinstance(origin, tuple):
        scheme, host, port = origin
        text = f"{scheme}://{host}" + ("" if _DEFAULT_PORTS[scheme] == port else f":{port}")
    else:
        text = origin
    return shortened(text, 200)
