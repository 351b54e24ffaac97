"""Tencent Cloud COS/CI request signing, ``q-sign-algorithm=sha1`` (XML API signature v5).

Step numbers refer to the numbered list in ``docs/vendor-behaviour.md#tencent-q-sign``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from airflow_provider_mediajobs.signing.encoding import Pairs, percent_encode, unique_pairs

# Headers the official SDK signs when present (step 4), besides every x-cos-* / x-ci-* header.
_SIGNED_HEADERS = frozenset({"host", "content-type", "content-length", "content-md5"})


def ci_headers_to_sign(headers: Mapping[str, str]) -> dict[str, str]:
    """Pick the headers the official SDK signs out of ``headers`` (step 4).

    :param headers: the request headers, any case.
    """
    picked: dict[str, str] = {}
    for name, value in headers.items():
        low = name.lower()
        if low in _SIGNED_HEADERS or low.startswith(("x-cos-", "x-ci-")):
            picked[name] = value
    return picked


def _encode_pairs(pairs: Pairs) -> tuple[str, str]:
    # Step 3: key encoded then lower-cased, value encoded, sorted by the encoded key.
    encoded = sorted((percent_encode(k).lower(), percent_encode(v)) for k, v in unique_pairs(pairs))
    return "&".join(f"{k}={v}" for k, v in encoded), ";".join(k for k, _ in encoded)


def q_signature(
    method: str,
    path: str,
    params: Pairs,
    headers: Mapping[str, str],
    secret_key: str,
    key_time: str,
) -> tuple[str, str, str]:
    """Compute the q-sign signature (steps 2-7).

    :param method: HTTP method, any case.
    :param path: the decoded URI path, e.g. ``/jobs/a,b``.
    :param params: every query parameter sent, empty values included.
    :param headers: the headers to sign (see :func:`ci_headers_to_sign`).
    :param secret_key: the SecretKey.
    :param key_time: ``"{start};{end}"`` in Unix seconds.
    :return: the hex signature, the header list and the url param list.
    """
    sign_key = hmac.new(secret_key.encode(), key_time.encode(), hashlib.sha1).hexdigest()
    http_parameters, url_param_list = _encode_pairs(params)
    http_headers, header_list = _encode_pairs(headers)
    http_string = f"{method.lower()}\n{path}\n{http_parameters}\n{http_headers}\n"
    string_to_sign = f"sha1\n{key_time}\n{hashlib.sha1(http_string.encode()).hexdigest()}\n"
    signature = hmac.new(sign_key.encode(), string_to_sign.encode(), hashlib.sha1).hexdigest()
    return signature, header_list, url_param_list


def q_sign_authorization(
    *,
    method: str,
    path: str,
    params: Pairs,
    headers: Mapping[str, str],
    secret_id: str,
    secret_key: str,
    key_time: str,
) -> str:
    """Return the ``Authorization`` header value for a CI request (step 8)."""
    signature, header_list, url_param_list = q_signature(method, path, params, headers, secret_key, key_time)
    return (
        f"q-sign-algorithm=sha1&q-ak={secret_id}&q-sign-time={key_time}&q-key-time={key_time}"
        f"&q-header-list={header_list}&q-url-param-list={url_param_list}&q-signature={signature}"
    )


def parse_q_authorization(value: str) -> dict[str, str]:
    """Split a q-sign ``Authorization`` header into its ``q-*`` fields.

    :raises ValueError: a required field is missing.
    """
    fields: dict[str, str] = {}
    for part in value.split("&"):
        key, _, val = part.partition("=")
        fields[key.strip()] = val
    required = {"q-sign-algorithm", "q-ak", "q-sign-time", "q-key-time", "q-header-list", "q-url-param-list",
                "q-signature"}
    missing = required - fields.keys()
    if missing:
        raise ValueError(f"q-sign authorization lacks {sorted(missing)}")
    return fields
