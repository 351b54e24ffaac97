"""Property tests of the shared percent-encoding and of both Alibaba signatures."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import string
from urllib.parse import unquote

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from airflow_provider_mediajobs.signing import (
    EMPTY_SHA256,
    acs3_signature,
    canonical_query,
    percent_encode,
    unique_pairs,
    v1_signature,
)

UNRESERVED = set(string.ascii_letters + string.digits + "-_.~")
ENCODED = re.compile(r"(?:[A-Za-z0-9\-_.~]|%[0-9A-F]{2})*")
# Text without lone surrogates (they are not encodable as UTF-8, and no caller has them).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
EDGE = st.sampled_from([" ", "*", "~", "/", "+", "=", "&", "%", "中", "é", "😀", "", "a b", "%20"])
VALUES = st.one_of(TEXT, EDGE, st.lists(EDGE, max_size=5).map("".join))
KEYS = st.one_of(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12), EDGE.filter(bool))
PARAMS = st.dictionaries(KEYS, VALUES, max_size=8)
settings.register_profile("mediajobs", max_examples=150, deadline=None)
settings.load_profile("mediajobs")


def reference_encode(value: str) -> str:
    """A deliberately plain implementation of step 2 of docs/vendor-behaviour.md#alibaba-v3, byte by byte."""
    out = []
    for byte in value.encode("utf-8"):
        char = chr(byte)
        out.append(char if char in UNRESERVED else f"%{byte:02X}")
    return "".join(out)


def reference_query(params: dict[str, str]) -> str:
    pairs = sorted((reference_encode(k), reference_encode(v)) for k, v in params.items())
    return "&".join(f"{k}={v}" for k, v in pairs)


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [(" ", "%20"), ("*", "%2A"), ("~", "~"), ("/", "%2F"), ("+", "%2B"), ("=", "%3D"), ("中", "%E4%B8%AD"),
     ("", ""), ("a-b_c.d", "a-b_c.d"), ("%", "%25")],
)
def test_percent_encode_edge_cases(raw: str, encoded: str) -> None:
    assert percent_encode(raw) == encoded


@given(VALUES)
@example(" *~/+=中")
@example("")
def test_percent_encode_output_is_unreserved_or_hex_and_round_trips(value: str) -> None:
    encoded = percent_encode(value)
    assert ENCODED.fullmatch(encoded)
    for char in "+ *":
        assert char not in encoded
    assert unquote(encoded, encoding="utf-8", errors="strict") == value
    assert encoded == reference_encode(value)


@given(PARAMS)
def test_canonical_query_is_sorted_and_agrees_with_a_plain_implementation(params: dict[str, str]) -> None:
    query = canonical_query(params)
    assert query == reference_query(params)
    if params:
        pairs = [p.split("=", 1) for p in query.split("&")]
        keys = [k for k, _ in pairs]
        assert keys == sorted(keys)
        assert {unquote(k): unquote(v) for k, v in pairs} == params
        # An empty value keeps its '=': "k=".
        assert all(len(p) == 2 for p in pairs)
    else:
        assert query == ""


@given(PARAMS)
def test_canonical_query_does_not_depend_on_input_order(params: dict[str, str]) -> None:
    assert canonical_query(list(reversed(params.items()))) == canonical_query(params)


@given(KEYS, VALUES, VALUES)
def test_unique_pairs_refuses_repeated_keys(key: str, first: str, second: str) -> None:
    with pytest.raises(ValueError, match="repeated"):
        unique_pairs([(key, first), ("other-key", "x"), (key, second)])
    with pytest.raises(ValueError, match="repeated"):
        canonical_query([(key, first), (key, second)])
    with pytest.raises(ValueError, match="repeated"):
        v1_signature("GET", [(key, first), (key, second)], "secret")


@pytest.mark.parametrize("bad", [[("a", 1)], [(1, "a")], [("a", None)]])
def test_unique_pairs_refuses_non_strings(bad: list[tuple[object, object]]) -> None:
    with pytest.raises(ValueError, match="string"):
        unique_pairs(bad)  # type: ignore[arg-type]


@given(PARAMS, st.text(min_size=1, max_size=20), st.sampled_from(["GET", "POST"]))
def test_v1_signature_agrees_with_a_plain_implementation(params: dict[str, str], secret: str, method: str) -> None:
    # The signature covers every parameter but Signature itself (a verifier holds the signed query).
    signed = {k: v for k, v in params.items() if k != "Signature"}
    string_to_sign = f"{method}&{reference_encode('/')}&{reference_encode(reference_query(signed))}"
    digest = hmac.new((secret + "&").encode(), string_to_sign.encode(), hashlib.sha1).digest()
    assert v1_signature(method, params, secret) == base64.b64encode(digest).decode()


@given(PARAMS, st.text(min_size=1, max_size=20), st.sampled_from(["GET", "POST"]), st.booleans())
def test_acs3_signature_agrees_with_a_plain_implementation(
    params: dict[str, str], secret: str, method: str, sts: bool
) -> None:
    headers = {
        "host": "ice.cn-shanghai.aliyuncs.com",
        "x-acs-action": "ListSmartJobs",
        "x-acs-version": "2020-11-09",
        "x-acs-date": "2024-01-01T00:00:00Z",
        "x-acs-signature-nonce": "n",
        "x-acs-content-sha256": EMPTY_SHA256,
    }
    if sts:
        headers["x-acs-security-token"] = "tok"
    names = sorted(headers)
    canonical = "\n".join([
        method, "/", reference_query(params), "".join(f"{n}:{headers[n]}\n" for n in names), ";".join(names),
        EMPTY_SHA256,
    ])
    string_to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    expected = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
    assert acs3_signature(method, params, headers, EMPTY_SHA256, secret) == (expected, ";".join(names))


@given(PARAMS, VALUES)
def test_a_changed_value_changes_the_v1_signature(params: dict[str, str], value: str) -> None:
    params = dict(params)
    before = v1_signature("GET", {**params, "K": value}, "s")
    after = v1_signature("GET", {**params, "K": value + " "}, "s")
    assert before != after
