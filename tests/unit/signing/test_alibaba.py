"""Alibaba signing reproduces every known-answer vector in tests/data/alibaba-vectors.txt."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from typing import Any

import pytest

from airflow_provider_mediajobs.signing import (
    EMPTY_SHA256,
    acs3_canonical_request,
    acs3_sign_headers,
    acs3_signature,
    canonical_query,
    parse_acs3_authorization,
    percent_encode,
    v1_sign_params,
    v1_signature,
)
from tests.helpers import DATA

VECTORS = DATA / "alibaba-vectors.txt"
SECRET = "testsecret"
KEY_ID = "testid"
NONCE = "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
TIME = "2024-01-01T00:00:00Z"
TOKEN = "testststoken"


def _sections() -> list[dict[str, Any]]:
    text = VECTORS.read_text(encoding="utf-8")
    out = []
    for chunk in text.split("\n### ")[1:]:
        title, _, body = chunk.partition("\n")
        out.append({"title": title.strip(), "body": body})
    return out


def _field(body: str, name: str) -> str:
    match = re.search(rf"^{re.escape(name)}: (.*)$", body, re.M)
    assert match, name
    return match.group(1)


def _block(body: str, name: str, until: str) -> str:
    start = body.index(f"{name}:\n") + len(name) + 2
    return body[start : body.index(f"\n{until}", start)]


def _v1_cases() -> list[Any]:
    return [pytest.param(s, id=s["title"]) for s in _sections() if s["title"].startswith("V1 ")]


def _v3_cases() -> list[Any]:
    return [pytest.param(s, id=s["title"]) for s in _sections() if s["title"].startswith("V3 ")]


def test_the_vector_file_has_four_cases_per_scheme() -> None:
    assert len(_v1_cases()) == 4
    assert len(_v3_cases()) == 4
    assert any("STS" in s["title"] for s in _sections() if s["title"].startswith("V1"))
    assert any("STS" in s["title"] for s in _sections() if s["title"].startswith("V3"))


@pytest.mark.parametrize("case", _v1_cases())
def test_v1_vector(case: dict[str, Any]) -> None:
    body = case["body"]
    method = _field(body, "method")
    params: dict[str, str] = json.loads(_field(body, "params"))
    expected = _field(body, "Signature").split(" | ")[0]
    sdk = _field(body, "Signature").split(" | ")[1].removeprefix("SDK get_rpcsignature: ")
    assert expected == sdk

    # The canonical query and the string to sign, as given.
    assert canonical_query(params) == _field(body, "CanonicalizedQueryString")
    string_to_sign = f"{method}&%2F&{percent_encode(canonical_query(params))}"
    assert string_to_sign == _field(body, "StringToSign")
    assert v1_signature(method, params, SECRET) == expected
    # Signature itself never takes part in the signature.
    assert v1_signature(method, {**params, "Signature": "x"}, SECRET) == expected

    # Built from the business parameters the way the protocol builds it.
    common = {"AccessKeyId", "Action", "Format", "SecurityToken", "SignatureMethod", "SignatureNonce",
              "SignatureVersion", "Timestamp", "Version"}
    business = {k: v for k, v in params.items() if k not in common}
    signed = v1_sign_params(
        method=method, action=params["Action"], version=params["Version"], params=business,
        access_key_id=KEY_ID, access_key_secret=SECRET, security_token=params.get("SecurityToken"),
        timestamp=TIME, nonce=NONCE,
    )
    assert signed.pop("Signature") == expected
    assert signed == params


def test_v1_reserved_names_are_refused() -> None:
    with pytest.raises(ValueError, match="reserved"):
        v1_sign_params(method="GET", action="A", version="1", params={"Timestamp": "x"},
                       access_key_id=KEY_ID, access_key_secret=SECRET, timestamp=TIME, nonce=NONCE)


def test_v1_wrong_secret_or_method_changes_the_signature() -> None:
    params = json.loads(_field(_v1_cases()[0].values[0]["body"], "params"))
    good = v1_signature("GET", params, SECRET)
    assert v1_signature("GET", params, SECRET + "x") != good
    assert v1_signature("POST", params, SECRET) != good


@pytest.mark.parametrize("case", _v3_cases())
def test_v3_vector(case: dict[str, Any]) -> None:
    body = case["body"]
    method = "GET" if " GET" in case["title"] else "POST"
    query: dict[str, str] = json.loads(_field(body, "query"))
    headers: dict[str, str] = json.loads(_field(body, "headers sent (all signed)"))
    canonical = _block(body, "CanonicalRequest", "StringToSign:")
    string_to_sign = _block(body, "StringToSign", "Authorization:")
    authorization = _field(body, "Authorization")
    sdk = _field(body, "SDK get_authorization").split(" | ")[0]
    assert authorization == sdk

    request, names = acs3_canonical_request(method, query, headers, EMPTY_SHA256)
    assert request == canonical
    assert f"ACS3-HMAC-SHA256\n{hashlib.sha256(request.encode()).hexdigest()}" == string_to_sign
    expected = parse_acs3_authorization(authorization)
    signature, signed_names = acs3_signature(method, query, headers, EMPTY_SHA256, SECRET)
    assert signature == expected["Signature"]
    assert signed_names == names == expected["SignedHeaders"]
    assert expected["Credential"] == KEY_ID
    # An independent HMAC over the given StringToSign agrees.
    assert hmac.new(SECRET.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest() == signature

    sent = acs3_sign_headers(
        method=method, host=headers["host"], action=headers["x-acs-action"], version=headers["x-acs-version"],
        query=query, access_key_id=KEY_ID, access_key_secret=SECRET,
        security_token=headers.get("x-acs-security-token"), timestamp=TIME, nonce=NONCE,
    )
    assert sent.pop("Authorization") == authorization
    assert sent == headers


def test_v3_sts_token_is_a_signed_header() -> None:
    sts = next(c.values[0] for c in _v3_cases() if "STS" in c.values[0]["title"])
    headers = json.loads(_field(sts["body"], "headers sent (all signed)"))
    assert headers["x-acs-security-token"] == TOKEN
    assert "x-acs-security-token" in parse_acs3_authorization(_field(sts["body"], "Authorization"))[
        "SignedHeaders"
    ].split(";")


def test_v3_body_hash_and_content_type_are_signed() -> None:
    headers = acs3_sign_headers(
        method="POST", host="h", action="A", version="v", query={}, access_key_id=KEY_ID,
        access_key_secret=SECRET, body=b"a=1", content_type="application/x-www-form-urlencoded",
        timestamp=TIME, nonce=NONCE,
    )
    assert headers["x-acs-content-sha256"] == hashlib.sha256(b"a=1").hexdigest()
    assert "content-type" in parse_acs3_authorization(headers["Authorization"])["SignedHeaders"].split(";")


@pytest.mark.parametrize(
    "value",
    ["", "ACS3-HMAC-SHA256 ", "ACS3-HMAC-SHA256 Credential=a", "HMAC-SHA1 Credential=a,SignedHeaders=b,Signature=c"],
)
def test_parse_acs3_authorization_refuses_garbage(value: str) -> None:
    with pytest.raises(ValueError):
        parse_acs3_authorization(value)


def test_v1_signature_is_base64_of_hmac_sha1_with_ampersand_key() -> None:
    # Step 4 of docs/vendor-behaviour.md#alibaba-v1, computed by hand for one tiny input.
    sts = "GET&%2F&" + percent_encode("A=1")
    digest = hmac.new(b"k&", sts.encode(), hashlib.sha1).digest()
    assert v1_signature("GET", {"A": "1"}, "k") == base64.b64encode(digest).decode()
