"""Request signing for both vendors: pure functions, no I/O and no Airflow imports.

The emulator verifies signatures with the very same functions the hooks use to produce them, and
the known-answer tests pin both against the official SDKs' output.
"""

from airflow_provider_mediajobs.signing.alibaba import (
    ACS3_ALGORITHM,
    EMPTY_SHA256,
    acs3_authorization,
    acs3_canonical_request,
    acs3_sign_headers,
    acs3_signature,
    acs_timestamp,
    parse_acs3_authorization,
    v1_sign_params,
    v1_signature,
)
from airflow_provider_mediajobs.signing.encoding import canonical_query, percent_encode, unique_pairs
from airflow_provider_mediajobs.signing.tencent import (
    ci_headers_to_sign,
    parse_q_authorization,
    q_sign_authorization,
    q_signature,
)

__all__ = [
    "ACS3_ALGORITHM",
    "EMPTY_SHA256",
    "acs3_authorization",
    "acs3_canonical_request",
    "acs3_sign_headers",
    "acs3_signature",
    "acs_timestamp",
    "canonical_query",
    "ci_headers_to_sign",
    "parse_acs3_authorization",
    "parse_q_authorization",
    "percent_encode",
    "q_sign_authorization",
    "q_signature",
    "unique_pairs",
    "v1_sign_params",
    "v1_signature",
]
