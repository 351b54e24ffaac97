"""Tencent q-sign signing reproduces every known-answer vector in tests/data/tencent-vectors.txt.

The file records, for each request the official cos-python-sdk-v5 built (V1-V5), the request as
sent and the SDK's own intermediate values (SignKey, HttpString, StringToSign); its header adds a
batched GET (V6) and the vendor's doc example. Every test here reads its inputs and expected
values from that file, so the file and the code cannot drift apart unnoticed, but the last two,
which hold the same signatures written out as literals (with the file's host and KeyTime).
"""

from __future__ import annotations

import ast
import hashlib
import hmac
import re
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from airflow_provider_mediajobs.signing import (
    ci_headers_to_sign,
    parse_q_authorization,
    percent_encode,
    q_sign_authorization,
    q_signature,
)
from tests.helpers import DATA

VECTORS = DATA / "tencent-vectors.txt"
TEXT = VECTORS.read_text(encoding="utf-8")
HEADER = "".join(line + "\n" for line in TEXT.splitlines() if line.startswith("#"))


def _header(pattern: str) -> re.Match[str]:
    match = re.search(pattern, HEADER)
    assert match, pattern
    return match


SECRET_ID = _header(r'SecretId "(\w+)"').group(1)
SECRET_KEY = _header(r'SecretKey "(\w+)"').group(1)
KEY_TIME = _header(r"KeyTime (\d+;\d+),").group(1)
HOST, SIGN_KEY = _header(r"host (\S+?)\. SignKey = (\w+)\.").groups()


def _unbytes(value: str) -> str:
    """The SDK logged some header values as Python bytes literals (``b'tokentest'``)."""
    return str(ast.literal_eval(value).decode()) if re.fullmatch(r"b'[^']*'", value) else value


def _requests() -> dict[str, dict[str, Any]]:
    """The ``=== Vn`` blocks: method, URL, headers as sent (Authorization apart), body."""
    first_check = re.search(r"^V\d+ MATCH", TEXT, re.M)
    assert first_check
    out: dict[str, dict[str, Any]] = {}
    for block in re.split(r"^=== ", TEXT[: first_check.start()], flags=re.M)[1:]:
        lines = block.rstrip("\n").split("\n")
        method, url = lines[1].split(" ", 1)
        headers: dict[str, str] = {}
        body: str | None = None
        for n, line in enumerate(lines[2:], start=2):
            if line.startswith("  BODY: "):
                body = "\n".join([line.removeprefix("  BODY: "), *lines[n + 1 :]])
                break
            name, _, value = line.strip().partition(": ")
            headers[name] = _unbytes(value)
        out[lines[0].split()[0]] = {"title": lines[0], "method": method, "url": url, "headers": headers,
                                    "body": body}
    return out


def _checks() -> dict[str, dict[str, str]]:
    """The ``Vn MATCH`` blocks: the SDK's SignKey, HttpString, StringToSign and Authorization."""
    pattern = re.compile(
        r"^(V\d+) MATCH \n SignKey= (\w+) \n HttpString= ('.*?') \n StringToSign= ('.*?') \n (q-sign-\S+)$", re.M
    )
    return {
        m.group(1): {"sign_key": m.group(2), "http_string": ast.literal_eval(m.group(3)),
                     "string_to_sign": ast.literal_eval(m.group(4)), "authorization": m.group(5)}
        for m in pattern.finditer(TEXT)
    }


REQUESTS = _requests()
CHECKS = _checks()


def _query_pairs(query: str) -> list[tuple[str, str]]:
    # Decoded with unquote, not unquote_plus: the SDK sends a space as %20, and "+" is data.
    pairs = []
    for part in query.split("&") if query else []:
        key, _, value = part.partition("=")
        pairs.append((unquote(key), unquote(value)))
    return pairs


def test_the_vector_file_has_five_sdk_requests_each_with_its_intermediate_values() -> None:
    assert list(REQUESTS) == ["V1", "V2", "V3", "V4", "V5"]
    assert list(CHECKS) == list(REQUESTS)
    assert hmac.new(SECRET_KEY.encode(), KEY_TIME.encode(), hashlib.sha1).hexdigest() == SIGN_KEY


@pytest.mark.parametrize("name", list(REQUESTS))
def test_sdk_request_vector(name: str) -> None:
    request = REQUESTS[name]
    sent = dict(request["headers"])
    authorization = sent.pop("Authorization")
    url = urlsplit(request["url"])
    assert url.netloc == HOST
    path = unquote(url.path)
    params = _query_pairs(url.query)
    if request["body"] is not None:
        assert len(request["body"].encode()) == int(sent["Content-Length"])

    fields = parse_q_authorization(authorization)
    assert fields["q-ak"] == SECRET_ID
    assert fields["q-sign-time"] == fields["q-key-time"] == KEY_TIME
    # requests adds Host itself; the rest is what the SDK logged. The provider picks the signed ones.
    to_sign = ci_headers_to_sign({"Host": url.netloc, **sent})
    rebuilt = q_sign_authorization(
        method=request["method"], path=path, params=params, headers=to_sign, secret_id=SECRET_ID,
        secret_key=SECRET_KEY, key_time=KEY_TIME,
    )
    assert rebuilt == authorization == CHECKS[name]["authorization"]


@pytest.mark.parametrize("name", list(CHECKS))
def test_sdk_intermediate_values(name: str) -> None:
    """Steps 2-7 of docs/vendor-behaviour.md#tencent-q-sign, against what the SDK computed."""
    check, request = CHECKS[name], REQUESTS[name]
    assert check["sign_key"] == SIGN_KEY
    method, path, http_parameters, http_headers, tail = check["http_string"].split("\n")
    assert tail == ""
    assert method == request["method"].lower()
    url = urlsplit(request["url"])
    assert path == unquote(url.path)
    # Step 3 rebuilt from the public percent_encode: lower-cased encoded keys, encoded values, sorted.
    pairs = sorted((percent_encode(k).lower(), percent_encode(v)) for k, v in _query_pairs(url.query))
    assert http_parameters == "&".join(f"{k}={v}" for k, v in pairs)
    digest = hashlib.sha1(check["http_string"].encode()).hexdigest()
    assert check["string_to_sign"] == f"sha1\n{KEY_TIME}\n{digest}\n"
    signature = hmac.new(SIGN_KEY.encode(), check["string_to_sign"].encode(), hashlib.sha1).hexdigest()
    fields = parse_q_authorization(check["authorization"])
    assert signature == fields["q-signature"]
    assert http_headers.count("=") == len(fields["q-header-list"].split(";"))
    # And the provider's signer, given the same inputs, lands on the same signature.
    sent = {k: v for k, v in request["headers"].items() if k != "Authorization"}
    ours, header_list, url_param_list = q_signature(
        request["method"], path, _query_pairs(url.query), ci_headers_to_sign({"Host": url.netloc, **sent}),
        SECRET_KEY, KEY_TIME,
    )
    assert (ours, header_list, url_param_list) == (
        fields["q-signature"], fields["q-header-list"], fields["q-url-param-list"]
    )


def test_batched_get_vector() -> None:
    """V6: several ids in one path; the comma goes on the wire as %2C and is signed raw."""
    path, expected = _header(r"V6 is GET (/jobs/\S+) \(.*\n#\s+q-signature=(\w+)").groups()
    assert "," in path
    signature, header_list, url_param_list = q_signature("GET", path, {}, {"Host": HOST}, SECRET_KEY, KEY_TIME)
    assert (signature, header_list, url_param_list) == (expected, "host", "")
    # Signing the encoded form instead gives another signature: the path must be signed decoded.
    assert q_signature("GET", path.replace(",", "%2C"), {}, {"Host": HOST}, SECRET_KEY, KEY_TIME)[0] != expected


# The file's one-line summary of the vendor doc example names its object, headers and key but not
# the query it carries; the doc example ("Request Signature" page of COS) downloads with these two
# response-* parameters, and only with them is the recorded signature reproduced.
DOC_QUERY = {"response-content-type": "application/octet-stream", "response-cache-control": "max-age=600"}
# The file records only the SignKey of that page's upload example; this is the example's KeyTime.
DOC_UPLOAD_KEY_TIME = "1557989151;1557996351"


def _doc() -> dict[str, str]:
    match = _header(
        r"AK (\w+), SK (\w+), KeyTime (\d+;\d+),\n#\s+GET (\S+) on host (\S+), signed headers\n"
        r"#\s+Date: (.+?) and Host -> SignKey (\w+),\n#\s+signature (\w+)\."
    )
    keys = ("ak", "sk", "key_time", "path", "host", "date", "sign_key", "signature")
    return dict(zip(keys, match.groups(), strict=True))


def test_vendor_doc_download_example() -> None:
    doc = _doc()
    recorded = dict(re.findall(r"^DOC (\w+) (\w+) True$", TEXT, re.M))
    assert recorded["download"] == doc["sign_key"]
    assert hmac.new(doc["sk"].encode(), doc["key_time"].encode(), hashlib.sha1).hexdigest() == doc["sign_key"]
    authorization = q_sign_authorization(
        method="GET", path=doc["path"], params=DOC_QUERY, headers={"Date": doc["date"], "Host": doc["host"]},
        secret_id=doc["ak"], secret_key=doc["sk"], key_time=doc["key_time"],
    )
    fields = parse_q_authorization(authorization)
    assert fields["q-signature"] == doc["signature"]
    assert fields["q-header-list"] == "date;host"
    assert fields["q-url-param-list"] == "response-cache-control;response-content-type"


def test_vendor_doc_upload_sign_key() -> None:
    """Step 2 alone: the file keeps the upload example's SignKey, computed from the same SecretKey."""
    recorded = dict(re.findall(r"^DOC (\w+) (\w+) True$", TEXT, re.M))
    sign_key = hmac.new(_doc()["sk"].encode(), DOC_UPLOAD_KEY_TIME.encode(), hashlib.sha1).hexdigest()
    assert sign_key == recorded["upload"]


# The same requests' signatures (V1-V6) and the vendor's doc example, written out as literals.
def _sign(method: str, path: str, params: dict[str, str], headers: dict[str, str]) -> str:
    return q_sign_authorization(
        method=method,
        path=path,
        params=params,
        headers=headers,
        secret_id="AKIDtest",
        secret_key="secrettest",
        key_time=KEY_TIME,
    )


@pytest.mark.parametrize(
    ("method", "path", "params", "headers", "signature"),
    [
        (
            "GET",
            "/jobs",
            {
                "tag": "SpeechRecognition",
                "orderByTime": "Desc",
                "states": "Success,Failed",
                "size": "100",
                "nextToken": "",
                "queueId": "p8b2c7e6a1d3f4e5a9b0c1d2e3f4a5b6c",
                "startCreationTime": "2023-11-14T00:00:00+0800",
                "endCreationTime": "2023-11-15T00:00:00+0800",
            },
            {"Host": HOST},
            "4a389f2247367e30c4dde6852e4f1fb9369452f1",
        ),
        (
            "GET",
            "/jobs/a8d121820f5e411ec926ef19d53ba9c6f",
            {},
            {"Host": HOST},
            "d01e7322f9c0c16e220dcddafd58ed40a5e4f82f",
        ),
        (
            "GET",
            "/jobs",
            {
                "tag": "Translation",
                "orderByTime": "Desc",
                "states": "All",
                "size": "10",
                "nextToken": "a/b+c=d",
                "queueId": "p893bcda225bf4945a378da6662e81a89",
            },
            {"Host": HOST},
            "e7ead401556fb93f9532cccaeb8ebba3dd71efd1",
        ),
        (
            "GET",
            "/jobs/a8d121820f5e411ec926ef19d53ba9c6f",
            {},
            {"Host": HOST, "x-ci-security-token": "tokentest"},
            "8f57dc86d18a5382338dc76160ad440220923fc1",
        ),
        ("POST", "/jobs", {}, {"Host": HOST, "Content-Length": "335"}, "b746f922cd7fb6de851514c14f501fd8e3e5667f"),
        (
            "GET",
            "/jobs/a8d121820f5e411ec926ef19d53ba9c6f,s886c0a7c2a6611ed847a618901112dcf",
            {},
            {"Host": HOST},
            "2f5393d32bd0feeee8cc7e1058c3a218ac209bfc",
        ),
    ],
    ids=["V1 list", "V2 get", "V3 token", "V4 sts", "V5 submit", "V6 batch"],
)
def test_reference_vectors(
    method: str, path: str, params: dict[str, str], headers: dict[str, str], signature: str
) -> None:
    auth = parse_q_authorization(_sign(method, path, params, headers))
    assert auth["q-signature"] == signature
    assert auth["q-key-time"] == KEY_TIME


def test_vendor_doc_example() -> None:
    signature, header_list, params = q_signature(
        "get",
        "/exampleobject(腾讯云)",
        {"response-content-type": "application/octet-stream", "response-cache-control": "max-age=600"},
        {"Date": "Thu, 16 May 2019 06:55:53 GMT", "Host": "examplebucket-1250000000.cos.ap-beijing.myqcloud.com"},
        "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz",
        "1557989753;1557996953",
    )
    assert signature == "01681b8c9d798a678e43b685a9f1bba0f6c0e012"
    assert header_list == "date;host"
    assert params == "response-cache-control;response-content-type"
