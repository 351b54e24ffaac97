"""Time bounds against real local servers: every attempt, sync or async, http or https, ends within
``total_timeout`` whatever the server does; a whole call ends within
``RetryPolicy.worst_case_seconds``; ``Retry-After`` / ``x-acs-retry-after`` are honoured up to a cap.

The servers are raw sockets on 127.0.0.1 (optionally TLS), so they can trickle a response one byte
at a time anywhere in it: the status line, the headers, a body with or without ``Content-Length``,
or a chunked body.
"""

from __future__ import annotations

import contextlib
import json
import math
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import requests

from airflow_provider_mediajobs.catalog import alibaba as ali
from airflow_provider_mediajobs.catalog import tencent as ten
from airflow_provider_mediajobs.exceptions import ServerError, ThrottledError, TransportError
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.transport import (
    DEADLINE_SLACK,
    RETRY_AFTER_CEILING,
    AsyncClient,
    AsyncSender,
    Client,
    HttpRequest,
    HttpResponse,
    RetryPolicy,
    SyncSender,
    Timeouts,
    VendorProtocol,
    deadline_adapter,
    parse_retry_after,
)

TOTAL = 1.0
# The read timeout is longer than the whole attempt: only the total deadline can end these answers.
TIMEOUTS = Timeouts(connect=2.0, read=5.0, total=TOTAL)
ONE_TRY = RetryPolicy(attempts=1)
DRIP = 0.2  # seconds between two bytes: never silent long enough for the read timeout
# An upper bound that proves "does not hang", with room for a loaded CI machine.
NO_HANG = TOTAL + DEADLINE_SLACK + 2.0


# -- a raw socket server -----------------------------------------------------------------------


class Conn:
    """The server's side of one connection, for a script."""

    def __init__(self, sock: socket.socket, stop: threading.Event) -> None:
        self.sock = sock
        self.stop = stop

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def pause(self) -> bool:
        """Wait one drip interval; False when the server is stopping."""
        return not self.stop.wait(DRIP)

    def drip(self, data: bytes) -> bool:
        """Send ``data`` one byte per interval; False when the server is stopping."""
        for i in range(len(data)):
            if not self.pause():
                return False
            self.send(data[i : i + 1])
        return True

    def drip_forever(self, byte: bytes) -> None:
        while self.drip(byte):
            pass

    def hold(self) -> None:
        self.stop.wait()

    def read_request(self) -> bytes:
        """Read one request's head (the requests here carry no body)."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("client left")
            data += chunk
        return data


Script = Callable[[Conn, int], None]


class RawServer:
    """A TCP server on 127.0.0.1; each request runs ``script(conn, n)`` (``n``: its number, from 0).

    :param script: what to answer.
    :param tls: serve TLS with this context.
    :param raw: hand the script the bare connection, before any request is read (TLS or not).
    """

    def __init__(self, script: Script, tls: ssl.SSLContext | None = None, raw: bool = False) -> None:
        self.script = script
        self.tls = tls
        self.raw = raw
        self.stop_event = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.arrivals: list[float] = []  # monotonic time each request's head was read
        self.connections = 0
        self.lock = threading.Lock()
        self.socks: list[socket.socket] = []
        self.threads: list[threading.Thread] = []
        self.acceptor = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> RawServer:
        self.acceptor.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        self.acceptor.join(5)
        self.listener.close()
        with self.lock:
            socks = list(self.socks)
        for sock in socks:  # wake any script blocked on a read
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in self.threads:
            thread.join(5)

    def _accept(self) -> None:
        while not self.stop_event.is_set():
            try:
                sock, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _serve(self, sock: socket.socket) -> None:
        try:
            sock.settimeout(10)
            if self.tls is not None:
                sock = self.tls.wrap_socket(sock, server_side=True)
            with self.lock:
                self.socks.append(sock)
                self.connections += 1
            conn = Conn(sock, self.stop_event)
            if self.raw:
                self.arrivals.append(time.monotonic())
                self.script(conn, 0)
                return
            while not self.stop_event.is_set():
                conn.read_request()
                with self.lock:
                    n = len(self.arrivals)
                    self.arrivals.append(time.monotonic())
                self.script(conn, n)
        except (OSError, ConnectionError):
            pass  # the client left, as it should when its deadline passes
        finally:
            sock.close()


# -- what the servers do -------------------------------------------------------------------------

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"


def body_with_length(conn: Conn, n: int) -> None:
    conn.send(HEAD + b"Content-Length: 100000\r\n\r\n")
    conn.drip_forever(b" ")


def body_without_length(conn: Conn, n: int) -> None:
    conn.send(HEAD + b"Connection: close\r\n\r\n")
    conn.drip_forever(b" ")


def chunked_body(conn: Conn, n: int) -> None:
    conn.send(HEAD + b"Transfer-Encoding: chunked\r\n\r\n")
    while conn.pause():
        conn.send(b"1\r\n \r\n")


def slow_headers(conn: Conn, n: int) -> None:
    # The status line and the headers themselves arrive a byte at a time, and never end.
    if conn.drip(HEAD + b"X-Pad: "):
        conn.drip_forever(b"a")


def stall_after_headers(conn: Conn, n: int) -> None:
    conn.send(HEAD + b"Content-Length: 100\r\n\r\n")
    conn.hold()


def tls_handshake(conn: Conn, n: int) -> None:
    # A TLS handshake record header announcing 16 KiB, then its bytes one at a time: every read
    # brings something, so no socket timeout ever trips.
    conn.sock.recv(65536)  # the ClientHello
    if conn.drip(b"\x16\x03\x03\x40\x00"):
        conn.drip_forever(b"\x00")


def answer(status: int, body: bytes, *headers: str, close: bool = True) -> bytes:
    head = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}", *headers]
    if close:
        head.append("Connection: close")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


OK_JSON = json.dumps({"RequestId": "ok", "JobId": "j-1", "State": "Success"}).encode()

SLOW = {
    "body with Content-Length": body_with_length,
    "body without Content-Length": body_without_length,
    "chunked body": chunked_body,
    "status line and headers": slow_headers,
    "stall after headers": stall_after_headers,
}


# -- TLS -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, Path]:
    """A server context with a certificate for 127.0.0.1, and the CA file that trusts it."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder = tmp_path_factory.mktemp("tls")
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mediajobs test CA")])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ip_address("127.0.0.1")),
                                                    x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context, ca_file


def _server(script: Script, scheme: str, tls: tuple[ssl.SSLContext, Path]) -> RawServer:
    return RawServer(script, tls[0] if scheme == "https" else None)


# -- clients -------------------------------------------------------------------------------------


def _alibaba(url: str) -> ali.AlibabaProtocol:
    return ali.AlibabaProtocol(ali.AlibabaCredentials("LTAIboundsKEY", "bounds-secret"), endpoint_url=url)


def _session(ca_file: Path | None = None) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    if ca_file is not None:
        session.verify = str(ca_file)
    return session


def _sync_client(url: str, ca_file: Path | None = None, policy: RetryPolicy = ONE_TRY,
                 protocol: VendorProtocol | None = None) -> Client:
    return Client(protocol or _alibaba(url), SyncSender(_session(ca_file), TIMEOUTS), policy)


def _async_client(url: str, ca_file: Path | None = None, policy: RetryPolicy = ONE_TRY,
                  protocol: VendorProtocol | None = None) -> AsyncClient:
    context = ssl.create_default_context(cafile=str(ca_file)) if ca_file else None
    connector = aiohttp.TCPConnector(ssl=context) if context else None
    session = aiohttp.ClientSession(trust_env=False, connector=connector)
    return AsyncClient(protocol or _alibaba(url), AsyncSender(session, TIMEOUTS), policy)


QUERY = (ali.QUERY_IPRODUCTION_JOB, {"JobId": "j-1"})
TOO_SLOW = rf"no complete answer within total_timeout={TOTAL}s"


# -- one attempt ---------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("behaviour", list(SLOW))
def test_sync_attempt_ends_within_total_timeout(tls: tuple[ssl.SSLContext, Path], behaviour: str,
                                                scheme: str) -> None:
    with _server(SLOW[behaviour], scheme, tls) as server:
        client = _sync_client(server.url, tls[1] if scheme == "https" else None)
        started = time.monotonic()
        with pytest.raises(TransportError, match=TOO_SLOW) as info:
            client.call(*QUERY)
        elapsed = time.monotonic() - started
    assert info.value.sent is True
    assert elapsed < NO_HANG


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("behaviour", list(SLOW))
async def test_async_attempt_ends_within_total_timeout(tls: tuple[ssl.SSLContext, Path], behaviour: str,
                                                       scheme: str) -> None:
    with _server(SLOW[behaviour], scheme, tls) as server:
        client = _async_client(server.url, tls[1] if scheme == "https" else None)
        started = time.monotonic()
        try:
            with pytest.raises(TransportError, match=TOO_SLOW) as info:
                await client.call(*QUERY)
        finally:
            await client.close()
        elapsed = time.monotonic() - started
    assert info.value.sent is True
    assert elapsed < NO_HANG


def test_sync_trickled_tls_handshake_ends_within_total_timeout() -> None:
    with RawServer(tls_handshake, raw=True) as server:
        client = _sync_client(server.url.replace("http://", "https://"))
        started = time.monotonic()
        with pytest.raises(TransportError, match=TOO_SLOW):
            client.call(*QUERY)
        assert time.monotonic() - started < NO_HANG


async def test_async_trickled_tls_handshake_ends_within_total_timeout() -> None:
    with RawServer(tls_handshake, raw=True) as server:
        client = _async_client(server.url.replace("http://", "https://"))
        started = time.monotonic()
        try:
            with pytest.raises(TransportError, match=TOO_SLOW):
                await client.call(*QUERY)
        finally:
            await client.close()
        assert time.monotonic() - started < NO_HANG


def test_the_hooks_session_carries_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    with RawServer(body_with_length) as server:
        conn = {"conn_type": "alibaba_cloud_media", "login": "LTAIboundsKEY", "password": "bounds-secret",
                "extra": {"endpoint_url": server.url, "total_timeout": TOTAL, "read_timeout": 5}}
        monkeypatch.setenv("AIRFLOW_CONN_ALI_BOUNDS", json.dumps(conn))
        hook = AlibabaCloudMediaHook("ali_bounds", retry_policy=ONE_TRY)
        assert type(hook.session.adapters["https://"]) is type(deadline_adapter())
        assert hook.session.adapters["http://"] is hook.session.adapters["https://"]
        started = time.monotonic()
        with pytest.raises(TransportError, match=TOO_SLOW):
            hook.query_iproduction_job("j-1")
        assert time.monotonic() - started < NO_HANG


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_normal_answers_still_share_one_pooled_connection(tls: tuple[ssl.SSLContext, Path], scheme: str) -> None:
    def keep_alive(conn: Conn, n: int) -> None:
        conn.send(answer(200, OK_JSON, "Content-Type: application/json", close=False))

    with _server(keep_alive, scheme, tls) as server:
        client = _sync_client(server.url, tls[1] if scheme == "https" else None)
        for _ in range(3):
            assert client.call(*QUERY)["JobId"] == "j-1"
        assert len(server.arrivals) == 3
        assert server.connections == 1


# -- a whole call ---------------------------------------------------------------------------------

RETRIES = RetryPolicy(attempts=3, initial=0.1, max_wait=0.2)


def test_sync_call_with_retries_ends_within_the_documented_bound() -> None:
    with RawServer(body_with_length) as server:
        started = time.monotonic()
        with pytest.raises(TransportError, match=TOO_SLOW):
            _sync_client(server.url, policy=RETRIES).call(*QUERY)
        elapsed = time.monotonic() - started
        assert len(server.arrivals) == 3  # every attempt was made, and each was cut off
    assert elapsed < RETRIES.worst_case_seconds(TOTAL)


async def test_async_call_with_retries_ends_within_the_documented_bound() -> None:
    with RawServer(slow_headers) as server:
        client = _async_client(server.url, policy=RETRIES)
        started = time.monotonic()
        try:
            with pytest.raises(TransportError, match=TOO_SLOW):
                await client.call(*QUERY)
        finally:
            await client.close()
        elapsed = time.monotonic() - started
        assert len(server.arrivals) == 3
    assert elapsed < RETRIES.worst_case_seconds(TOTAL)


def test_max_elapsed_stops_retries_that_would_start_too_late() -> None:
    policy = RetryPolicy(attempts=10, initial=0.05, max_wait=0.1, max_elapsed=1.5)
    with RawServer(body_with_length) as server:
        started = time.monotonic()
        with pytest.raises(TransportError, match=TOO_SLOW):
            _sync_client(server.url, policy=policy).call(*QUERY)
        elapsed = time.monotonic() - started
        attempts = len(server.arrivals)
    assert 1 < attempts < 10  # each attempt takes a whole second: the third would start too late
    assert elapsed < policy.worst_case_seconds(TOTAL) == 1.5 + TOTAL + DEADLINE_SLACK


class _FailingSender:
    """Fails every attempt at once with a throttling answer; records when each attempt started."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        self.starts: list[float] = []
        self.timeouts = TIMEOUTS

    def send(self, request: HttpRequest) -> HttpResponse:
        self.starts.append(time.monotonic())
        raise ThrottledError("slow down", retry_after=self.retry_after)


def test_max_elapsed_counts_the_wait_before_an_attempt() -> None:
    # Waits of 0.2 s (the Retry-After floor): attempts at about 0, 0.2 and 0.4 s; the next would
    # start at 0.6 s, past max_elapsed, so the call stops without sleeping towards it.
    policy = RetryPolicy(attempts=50, initial=0.0, max_wait=0.0, retry_after_cap=1.0, max_elapsed=0.5)
    sender = _FailingSender(retry_after=0.2)
    client = Client(_alibaba("http://127.0.0.1:9"), sender, policy)  # type: ignore[arg-type]
    started = time.monotonic()
    with pytest.raises(ThrottledError):
        client.call(*QUERY)
    assert 1 < len(sender.starts) < 50
    assert all(t - started <= policy.max_elapsed for t in sender.starts)  # type: ignore[operator]


def test_worst_case_seconds_states_the_bound() -> None:
    # The defaults: 5 attempts of 60 s (+1 s slack) and 4 waits of at most 20 s.
    assert RetryPolicy().worst_case_seconds(Timeouts().total) == 5 * 61 + 4 * 20 == 385
    assert RetryPolicy(max_elapsed=100).worst_case_seconds(60) == 100 + 61
    # Without a Retry-After cap above them, the waits are the jitter ceilings 0.5, 1, 2, 4...
    assert RetryPolicy(attempts=3, initial=0.5, max_wait=20, retry_after_cap=0).worst_case_seconds(10) == 3 * 11 + 1.5
    assert RetryPolicy(attempts=1).worst_case_seconds(7) == 8


# -- Retry-After ---------------------------------------------------------------------------------

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": " 120 "}, 120.0),
        ({"retry-after": "0"}, 0.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after": format_datetime(NOW + timedelta(seconds=10), usegmt=True)}, 10.0),
        ({"retry-after": "Sunday, 01-Mar-26 12:00:30 GMT"}, 30.0),  # RFC 850, obsolete but allowed
        ({"retry-after": "Sun Mar  1 12:01:00 2026"}, 60.0),  # asctime
        ({"retry-after": format_datetime(NOW - timedelta(hours=1), usegmt=True)}, 0.0),  # in the past
        ({"retry-after": "Fri, 31 Dec 9999 23:59:59 GMT"}, RETRY_AFTER_CEILING),
        ({"retry-after": "9" * 5000}, RETRY_AFTER_CEILING),  # int() would refuse this many digits
        ({"retry-after": "1" + "0" * 400}, RETRY_AFTER_CEILING),
        ({"x-acs-retry-after": "2500"}, 2.5),
        ({"x-acs-retry-after": "2500", "retry-after": "1"}, 2.5),  # the longer wait wins
        ({"x-acs-retry-after": "100", "retry-after": "4"}, 4.0),
        ({"x-acs-retry-after": "garbage", "retry-after": "4"}, 4.0),
        ({"x-acs-retry-after": "9" * 400}, RETRY_AFTER_CEILING),
    ],
)
def test_retry_after_is_parsed(headers: dict[str, str], seconds: float) -> None:
    assert parse_retry_after(HttpResponse(503, headers, b""), now=NOW) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "value",
    ["", " ", "-5", "-0.5", "nan", "NaN", "inf", "-inf", "1e400", "1e3", "0x10", "soon", "3 seconds", "+3",
     "Fri, 31 Dec 99999 23:59:59 GMT", "Mon, 32 Foo 2026 99:99:99 GMT", "\x00\xff",
     "\uff11\uff12"],  # fullwidth digits: not the ASCII DIGIT of RFC 9110
)
@pytest.mark.parametrize("header", ["retry-after", "x-acs-retry-after"])
def test_garbage_retry_after_is_ignored(header: str, value: str) -> None:
    assert parse_retry_after(HttpResponse(503, {header: value}, b""), now=NOW) is None


def test_no_retry_after_is_none() -> None:
    assert parse_retry_after(HttpResponse(503, {}, b"")) is None


@pytest.mark.parametrize(
    ("retry_after", "floor"),
    [(None, 0.0), (math.nan, 0.0), (-3.0, 0.0), (0.0, 0.0), (1.5, 1.5), (2.0, 2.0), (3600.0, 2.0),
     (math.inf, 2.0), (10**400, 2.0), (1e308, 2.0), ("5", 0.0), (True, 0.0)],
)
def test_backoff_honours_retry_after_up_to_the_cap(retry_after: Any, floor: float) -> None:
    policy = RetryPolicy(attempts=10, initial=0.5, max_wait=20.0, retry_after_cap=2.0, rng=random.Random(3))
    error = ThrottledError("t")
    error.retry_after = retry_after
    assert policy.retry_after_floor(error) == floor
    for attempt in (1, 2, 5, 9, 10_000):  # a huge attempt number must not overflow the exponent
        wait = policy.backoff(attempt, error)
        assert floor <= wait <= max(policy.ceiling(attempt), 2.0)
        assert math.isfinite(wait)


def test_the_retry_after_cap_defaults_to_max_wait() -> None:
    assert RetryPolicy().retry_after_limit == RetryPolicy().max_wait == 20.0
    assert RetryPolicy(max_wait=4).backoff(1, ThrottledError("t", retry_after=3600)) == 4.0
    assert RetryPolicy(max_wait=4, retry_after_cap=30).backoff(1, ThrottledError("t", retry_after=3600)) == 30.0


def test_both_vendors_read_retry_after() -> None:
    alibaba = _alibaba("http://127.0.0.1:9")
    body = json.dumps({"Code": "ServiceUnavailable", "Message": "busy", "RequestId": "r"}).encode()
    with pytest.raises(ServerError) as info:
        alibaba.parse(ali.QUERY_IPRODUCTION_JOB, HttpResponse(503, {"retry-after": "7"}, body))
    assert info.value.retry_after == 7.0
    with pytest.raises(ThrottledError) as throttled:
        alibaba.parse(ali.QUERY_IPRODUCTION_JOB, HttpResponse(429, {"x-acs-retry-after": "nan"}, b"<html/>"))
    assert throttled.value.retry_after is None

    tencent = ten.TencentProtocol(ten.TencentCredentials("id", "key"), "ap-beijing", "b-1250000000")
    xml = b"<Error><Code>SlowDown</Code><Message>slow</Message><RequestId>r</RequestId></Error>"
    with pytest.raises(ThrottledError) as slow:
        tencent.parse(ten.GET_JOBS, HttpResponse(503, {"retry-after": "4"}, xml))
    assert slow.value.retry_after == 4.0
    with pytest.raises(ServerError) as html:  # an HTML gateway page still carries the header's wait
        tencent.parse(ten.GET_JOBS, HttpResponse(502, {"retry-after": "2"}, b"<html>bad gateway"))
    assert html.value.retry_after == 2.0


def test_sync_call_waits_as_retry_after_says() -> None:
    def busy_then_ok(conn: Conn, n: int) -> None:
        error = json.dumps({"Code": "ServiceUnavailable", "Message": "busy", "RequestId": "r"}).encode()
        conn.send(answer(503, error, "Retry-After: 1") if n == 0 else answer(200, OK_JSON))

    # No jitter at all: only the Retry-After can make the client wait.
    policy = RetryPolicy(attempts=2, initial=0.0, max_wait=0.0, retry_after_cap=5.0)
    with RawServer(busy_then_ok) as server:
        assert _sync_client(server.url, policy=policy).call(*QUERY)["JobId"] == "j-1"
        first, second = server.arrivals
    assert second - first >= 0.9


def test_sync_call_caps_a_huge_retry_after() -> None:
    def busy_then_ok(conn: Conn, n: int) -> None:
        conn.send(answer(503, b"", "Retry-After: 3600", "x-acs-retry-after: 3600000") if n == 0
                  else answer(200, OK_JSON))

    policy = RetryPolicy(attempts=2, initial=0.0, max_wait=0.0, retry_after_cap=0.3)
    with RawServer(busy_then_ok) as server:
        started = time.monotonic()
        assert _sync_client(server.url, policy=policy).call(*QUERY)["JobId"] == "j-1"
        assert time.monotonic() - started < 0.3 + 3  # not an hour
        first, second = server.arrivals
    assert second - first >= 0.25


async def test_async_call_waits_until_the_retry_after_date() -> None:
    def busy_then_ok(conn: Conn, n: int) -> None:
        if n == 0:
            # An HTTP-date has whole seconds: two seconds ahead is at least one second of wait.
            when = format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
            xml = b"<Error><Code>SlowDown</Code><Message>slow</Message><RequestId>r</RequestId></Error>"
            conn.send(answer(503, xml, f"Retry-After: {when}", "Content-Type: application/xml"))
        else:
            conn.send(answer(200, b"<Response><JobsDetail><JobId>j-1</JobId></JobsDetail></Response>",
                             "Content-Type: application/xml"))

    policy = RetryPolicy(attempts=2, initial=0.0, max_wait=0.0, retry_after_cap=5.0)
    with RawServer(busy_then_ok) as server:
        protocol = ten.TencentProtocol(ten.TencentCredentials("id", "key"), "ap-beijing", "b-1250000000",
                                       endpoint_url=server.url)
        client = _async_client(server.url, policy=policy, protocol=protocol)
        try:
            result = await client.call(ten.GET_JOBS, {"jobIds": "j-1"})
        finally:
            await client.close()
        first, second = server.arrivals
    assert result["JobsDetail"]
    assert second - first >= 0.9
