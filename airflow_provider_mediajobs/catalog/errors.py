"""Turn a vendor error answer into the shared typed errors; one table per vendor, one function."""

from __future__ import annotations

from collections.abc import Mapping

from airflow_provider_mediajobs.exceptions import (
    AuthError,
    ClockSkewError,
    ExpiredCredentialsError,
    InvalidParameterError,
    NotFoundError,
    ServerError,
    ThrottledError,
    VendorError,
)

ErrorTable = Mapping[str, type[VendorError]]

_HINTS: Mapping[type[VendorError], str] = {
    ClockSkewError: "the request time is too far from the vendor's clock: check this machine's clock (NTP)",
    ExpiredCredentialsError: "the temporary credentials expired: renew security_token (and the key pair) "
    "in the Airflow connection",
}


def vendor_error(
    *,
    vendor: str,
    status: int,
    code: str | None,
    message: str | None,
    request_id: str | None,
    table: ErrorTable,
    prefixes: Mapping[str, type[VendorError]] = {},
    retry_after: float | None = None,
) -> VendorError:
    """Pick the error class for ``code`` (exact, then prefix, then by HTTP status) and build it.

    :param vendor: ``Alibaba Cloud`` or ``Tencent Cloud CI``, for the message.
    :param table: exact vendor codes to classes.
    :param prefixes: code prefixes to classes (``Throttling.`` covers ``Throttling.User``).
    """
    cls: type[VendorError] | None = table.get(code or "")
    if cls is None and code:
        cls = next((c for p, c in prefixes.items() if code.startswith(p)), None)
        if cls is None and code.endswith(("NotFound", "NotExist", ".NotExists")):
            cls = NotFoundError
    if cls is None:
        if status == 429:
            cls = ThrottledError
        elif status >= 500:
            cls = ServerError
        elif status == 404:
            cls = NotFoundError
        elif status in (401, 403):
            cls = AuthError
        elif status == 400:
            cls = InvalidParameterError
        else:
            cls = VendorError
    text = f"{vendor} refused the request: {code or 'HTTP ' + str(status)}"
    if message:
        text += f": {message}"
    hint = _HINTS.get(cls)
    if hint:
        text += f". Hint: {hint}"
    return cls(text, status=status, code=code, vendor_message=message, request_id=request_id,
               retry_after=retry_after)
