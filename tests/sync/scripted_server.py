"""A tiny loopback HTTP server whose answers a test writes byte by byte."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answerer = Callable[[BaseHTTPRequestHandler, threading.Event], None]
"""Writes the whole answer to one request; stops early once the event is set."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.close_connection = True
        try:
            self.server.answer(self, self.server.stopping)
        except OSError:
            pass  # the client gave up, which is what the tests want

    do_GET = do_POST = _answer  # noqa: N815 (http.server's naming)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, answer: Answerer) -> None:
        self.answer = answer
        self.stopping = threading.Event()
        super().__init__(("127.0.0.1", 0), _Handler)


class ScriptedServer:
    """Serves ``answer`` on 127.0.0.1 from a thread; use it as a context."""

    def __init__(self, answer: Answerer) -> None:
        self._httpd = _Server(answer)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="scripted-server",
            daemon=True,
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._httpd.stopping.set()
        self._httpd.shutdown()
        self._thread.join()
        self._httpd.server_close()


def json_answer(body: bytes, status: int = 200) -> Answerer:
    """An answerer that sends ``body`` as JSON with ``status``."""

    def answer(handler: BaseHTTPRequestHandler, stopping: threading.Event) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return answer


def dripping_answer(length: int = 100_000, every_s: float = 1.0) -> Answerer:
    """Announces ``length`` bytes of JSON, then sends one byte per ``every_s``."""

    def answer(handler: BaseHTTPRequestHandler, stopping: threading.Event) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(length))
        handler.end_headers()
        handler.wfile.flush()
        for _ in range(length):
            if stopping.wait(every_s):
                return
            handler.wfile.write(b" ")
            handler.wfile.flush()

    return answer


def huge_answer(declared: int | None) -> Answerer:
    """Streams zeros fast; announces ``declared`` bytes, or none (until close)."""

    def answer(handler: BaseHTTPRequestHandler, stopping: threading.Event) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        if declared is not None:
            handler.send_header("Content-Length", str(declared))
        else:
            handler.send_header("Connection", "close")
        handler.end_headers()
        block = b"0" * 65536
        # 400 MB at most, so a client that never stops still ends the test.
        for _ in range(400_000_000 // len(block)):
            if stopping.is_set():
                return
            handler.wfile.write(block)

    return answer


class CountingBackend:
    """An Open311 back-end that ignores Idempotency-Key and counts POSTs.

    A POST is answered only once ``gate`` is set, so a test can start a
    second run while the first one is sure to be in the middle of its work.
    """

    def __init__(self, services: bytes, post_delay_s: float = 0.0) -> None:
        self.post_delay_s = post_delay_s
        """Seconds each POST takes once the gate is open."""
        self.answered = 0
        """POSTs answered in full."""
        self.gate = threading.Event()
        self.posts: Counter[str] = Counter()
        self.first_post = threading.Event()
        self._lock = threading.Lock()
        self._services = services

    def answer(
        self, handler: BaseHTTPRequestHandler, stopping: threading.Event
    ) -> None:
        if handler.command == "POST":
            with self._lock:
                self.posts[handler.headers.get("Idempotency-Key", "")] += 1
                number = sum(self.posts.values())
            self.first_post.set()
            while not self.gate.wait(0.05):
                if stopping.is_set():
                    return
            if stopping.wait(self.post_delay_s):
                return
            body = json.dumps([{"service_request_id": f"S-{number}"}]).encode()
        elif handler.path.startswith("/services.json"):
            body = self._services
        else:
            body = b"[]"
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
        if handler.command == "POST":
            with self._lock:
                self.answered += 1
