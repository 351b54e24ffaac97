"""Alibaba Cloud RPC-style signing: ACS3-HMAC-SHA256 (V3, the default) and HMAC-SHA1 (V1).

Step numbers refer to the numbered lists of ``docs/vendor-behaviour.md``: section ``#alibaba-v3``
for the V3 functions, ``#alibaba-v1`` for the V1 ones.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime

from airflow_provider_mediajobs.signing.encoding import Pairs, canonical_query, percent_encode, unique_pairs

ACS3_ALGORITHM = "ACS3-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def acs_timestamp(when: datetime | None = None) -> str:
    """Format ``when`` (default: now) as the UTC ``YYYY-MM-DDThh:mm:ssZ`` both schemes expect.

    :param when: an aware datetime; naive values are refused because a silent local-time
        interpretation is the classic cause of ``InvalidTimeStamp.Expired``.
    """
    if when is None:
        when = datetime.now(UTC)
    if when.tzinfo is None:
        raise ValueError("when must be timezone-aware")
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def acs3_canonical_request(
    method: str,
    query: Pairs,
    signed_headers: Mapping[str, str],
    payload_sha256: str,
    path: str = "/",
) -> tuple[str, str]:
    """Build the V3 canonical request (step 3 of ``docs/vendor-behaviour.md#alibaba-v3``).

    :param method: HTTP method, upper case.
    :param query: every query parameter sent.
    :param signed_headers: the headers to sign; names are lower-cased, values trimmed.
    :param payload_sha256: hex SHA-256 of the body.
    :param path: the URI path; always ``/`` for the RPC-style APIs.
    :return: the canonical request and the ``;``-joined signed header names.
    """
    headers = sorted((k.lower().strip(), v.strip()) for k, v in signed_headers.items())
    canonical_headers = "".join(f"{k}:{v}\n" for k, v in headers)
    names = ";".join(k for k, _ in headers)
    request = "\n".join([method.upper(), path, canonical_query(query), canonical_headers, names, payload_sha256])
    return request, names


def acs3_signature(
    method: str,
    query: Pairs,
    signed_headers: Mapping[str, str],
    payload_sha256: str,
    access_key_secret: str,
) -> tuple[str, str]:
    """Compute the V3 signature (steps 3-5 of ``docs/vendor-behaviour.md#alibaba-v3``).

    :return: the hex signature and the signed header names.
    """
    request, names = acs3_canonical_request(method, query, signed_headers, payload_sha256)
    string_to_sign = f"{ACS3_ALGORITHM}\n{hashlib.sha256(request.encode()).hexdigest()}"
    digest = hmac.new(access_key_secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
    return digest, names


def acs3_authorization(access_key_id: str, signed_header_names: str, signature: str) -> str:
    """Format the V3 ``Authorization`` header (step 6 of ``docs/vendor-behaviour.md#alibaba-v3``)."""
    return (
        f"{ACS3_ALGORITHM} Credential={access_key_id},"
        f"SignedHeaders={signed_header_names},Signature={signature}"
    )


def parse_acs3_authorization(value: str) -> dict[str, str]:
    """Split a V3 ``Authorization`` header into ``Credential``, ``SignedHeaders``, ``Signature``.

    :raises ValueError: the header is not an ACS3 authorization.
    """
    prefix = ACS3_ALGORITHM + " "
    if not value.startswith(prefix):
        raise ValueError("not an ACS3-HMAC-SHA256 authorization")
    fields: dict[str, str] = {}
    for part in value[len(prefix) :].split(","):
        key, sep, val = part.strip().partition("=")
        if not sep:
            raise ValueError("malformed ACS3 authorization")
        fields[key] = val
    if not {"Credential", "SignedHeaders", "Signature"} <= fields.keys():
        raise ValueError("incomplete ACS3 authorization")
    return fields


def acs3_sign_headers(
    *,
    method: str,
    host: str,
    action: str,
    version: str,
    query: Pairs,
    access_key_id: str,
    access_key_secret: str,
    security_token: str | None = None,
    body: bytes = b"",
    content_type: str | None = None,
    timestamp: str,
    nonce: str,
) -> dict[str, str]:
    """Return every header a V3-signed RPC request carries, ``Authorization`` included (steps 1-6 of
    ``docs/vendor-behaviour.md#alibaba-v3``).

    :param timestamp: ``acs_timestamp()`` of this attempt; each retry needs a fresh one.
    :param nonce: unique per attempt (``SignatureNonceUsed`` otherwise).
    """
    headers = {
        "host": host,
        "x-acs-action": action,
        "x-acs-version": version,
        "x-acs-date": timestamp,
        "x-acs-signature-nonce": nonce,
        "x-acs-content-sha256": hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256,
    }
    if security_token:
        headers["x-acs-security-token"] = security_token
    if content_type:
        headers["content-type"] = content_type
    signature, names = acs3_signature(
        method, query, headers, headers["x-acs-content-sha256"], access_key_secret
    )
    headers["Authorization"] = acs3_authorization(access_key_id, names, signature)
    return headers


def v1_signature(method: str, params: Pairs, access_key_secret: str) -> str:
    """Compute the V1 ``Signature`` over every parameter but ``Signature`` itself (steps 2-4 of
    ``docs/vendor-behaviour.md#alibaba-v1``)."""
    pairs = [(k, v) for k, v in unique_pairs(params) if k != "Signature"]
    string_to_sign = f"{method.upper()}&%2F&{percent_encode(canonical_query(pairs))}"
    digest = hmac.new(f"{access_key_secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


#: The parameters V1 signing adds (and ``SecurityToken``, ``Signature``): an API's own never take these names.
RESERVED_PARAMS = frozenset({"Action", "Version", "Format", "AccessKeyId", "SignatureMethod", "SignatureVersion",
                             "SignatureNonce", "Timestamp", "SecurityToken", "Signature"})


def v1_sign_params(
    *,
    method: str,
    action: str,
    version: str,
    params: Pairs,
    access_key_id: str,
    access_key_secret: str,
    security_token: str | None = None,
    timestamp: str,
    nonce: str,
) -> dict[str, str]:
    """Return the business parameters plus the V1 common parameters and ``Signature`` (steps 1-4 of
    ``docs/vendor-behaviour.md#alibaba-v1``).

    :param params: the API's own parameters, already serialized to strings.
    """
    signed = dict(unique_pairs(params))
    common = {
        "Action": action,
        "Version": version,
        "Format": "JSON",
        "AccessKeyId": access_key_id,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "SignatureNonce": nonce,
        "Timestamp": timestamp,
    }
    if security_token:
        common["SecurityToken"] = security_token
    clash = RESERVED_PARAMS & signed.keys()
    if clash:
        raise ValueError(f"parameters {sorted(clash)} are reserved for V1 signing")
    signed.update(common)
    signed["Signature"] = v1_signature(method, signed, access_key_secret)
    return signed
