"""The back-end check that gates card payments, against a loopback server."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kiosk.payments.reachability import BackendProbe
from tests.helpers.ui import FakeClock


class _Handler(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.hits += 1  # type: ignore[attr-defined]
        self.send_response(self.server.status)  # type: ignore[attr-defined]
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"[]")

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.hits = 0  # type: ignore[attr-defined]
    httpd.status = 200  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def _endpoint(httpd: ThreadingHTTPServer) -> str:
    host, port = httpd.server_address[:2]
    return f"http://{host!s}:{port}/"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_back_end_that_answers_is_reachable_and_asked_once(
    server: ThreadingHTTPServer,
) -> None:
    clock = FakeClock()
    probe = BackendProbe(_endpoint(server), clock=clock)
    assert probe() and probe()
    assert server.hits == 1  # type: ignore[attr-defined]
    clock.advance(probe.ttl_s)
    assert probe()
    assert server.hits == 2  # type: ignore[attr-defined]


def test_the_answer_is_believed_until_it_is_stale(
    server: ThreadingHTTPServer,
) -> None:
    clock = FakeClock()
    probe = BackendProbe(_endpoint(server), clock=clock)
    assert probe()
    server.status = 503  # type: ignore[attr-defined]
    clock.advance(probe.ttl_s - 1)
    assert probe()
    clock.advance(1)
    assert not probe()


def test_nothing_listening_is_unreachable_within_the_timeout(
    caplog: pytest.LogCaptureFixture,
) -> None:
    probe = BackendProbe(f"http://127.0.0.1:{_closed_port()}/", timeout_s=2.0)
    assert not probe()
    assert "Back-end unreachable" in caplog.text


def test_forget_makes_the_next_call_ask_again(server: ThreadingHTTPServer) -> None:
    probe = BackendProbe(_endpoint(server), clock=FakeClock())
    probe()
    probe.forget()
    probe()
    assert server.hits == 2  # type: ignore[attr-defined]
