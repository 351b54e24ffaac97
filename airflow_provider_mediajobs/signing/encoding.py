"""Percent-encoding shared by both vendors.

Alibaba (ACS3 and V1) and Tencent (q-sign) agree on the unreserved set: ``A-Za-z0-9-_.~`` stay as
they are, every other UTF-8 byte becomes an uppercase ``%XX``. That is RFC 3986, and exactly what
``urllib.parse.quote`` does with ``safe="-_.~"``. A space is ``%20`` (never ``+``) and ``*`` is
``%2A``, which is where form-encoding helpers go wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import quote

Pairs = Mapping[str, str] | Iterable[tuple[str, str]]


def percent_encode(value: str) -> str:
    """Encode ``value`` the way both vendors' canonicalisation does.

    :param value: text to encode; encoded as UTF-8.
    :return: the encoded text.
    """
    return quote(value, safe="-_.~", encoding="utf-8", errors="strict")


def unique_pairs(params: Pairs) -> list[tuple[str, str]]:
    """Return ``params`` as a list of pairs, refusing a key that appears twice.

    Neither vendor defines which of two values with the same key wins, and a signer and a server
    that disagree about it produce a signature mismatch at best. So a repeated key is a bug in the
    caller and is refused here rather than silently collapsed.

    :param params: a mapping or an iterable of ``(key, value)`` pairs.
    :raises ValueError: a key appears more than once, or a key or value is not a string.
    """
    items = list(params.items()) if isinstance(params, Mapping) else list(params)
    seen: set[str] = set()
    for key, value in items:
        if not isinstance(key, str) or not isinstance(value, str):
            raise ValueError(f"query parameter {key!r} must be a string with a string value")
        if key in seen:
            raise ValueError(f"query parameter {key!r} is repeated; each key may appear once")
        seen.add(key)
    return items


def canonical_query(params: Pairs) -> str:
    """Alibaba's canonical query string: encoded ``k=v`` pairs sorted by key, joined with ``&``.

    Also the exact query string the sync and async senders put on the wire, so what was signed is
    byte for byte what is sent.

    :param params: the query parameters (no key repeated).
    """
    encoded = sorted((percent_encode(k), percent_encode(v)) for k, v in unique_pairs(params))
    return "&".join(f"{k}={v}" for k, v in encoded)
