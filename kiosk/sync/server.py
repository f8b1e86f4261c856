"""The HTTP face of the reference back-end, and its command-line runner."""

from __future__ import annotations

import json
import logging
import signal
import socket
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kiosk.catalog import Catalog, load_catalog
from kiosk.sync.backend import (
    MAX_BODY,
    Answer,
    Fault,
    ReferenceBackend,
    parse_fault,
)
from kiosk.sync.services import services_document

logger = logging.getLogger(__name__)

CONTROL_PREFIX = "/_control/"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Idle keep-alive connections must not hold up shutdown.
    block_on_close = False

    def __init__(self, address: tuple[str, int], backend: ReferenceBackend) -> None:
        self.backend = backend
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that gave up (timeouts in the sync's tests) make writes
        # fail; that is their business, not a server fault.
        logger.debug("backend.connection.failed client=%s", client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 30

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in two writes; without NODELAY the second
        # waits for the client's delayed ACK, 40 ms on every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("backend.http %s", format % args)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        """Answer a GET."""
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        path = url.path
        backend = self.server.backend
        if path.startswith(CONTROL_PREFIX):
            self._send(self._control_get(path, query))
            return
        if not path.endswith(".json"):
            self._send(_error(400, "only the JSON format is served"))
            return
        name = path[:-5].strip("/")
        if name == "services":
            self._send(Answer(200, backend.service_list))
        elif name == "requests":
            self._send(backend.get_requests(query))
        elif name.startswith("services/"):
            self._send(backend.get_service(name[9:]))
        elif name.startswith("requests/"):
            self._send(backend.get_request(name[9:]))
        elif name.startswith("tokens/"):
            self._send(backend.get_token(name[7:]))
        else:
            self._send(_error(404, f"no such resource {path}"))

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        """Answer a POST."""
        body = self._body()
        if body is None:
            return
        path = urlsplit(self.path).path
        if path.startswith(CONTROL_PREFIX):
            self._send(self._control_post(path, body))
            return
        if path.strip("/") != "requests.json":
            self._send(_error(404, f"no such resource {path}"))
            return
        answer = self.server.backend.post_request(
            self.headers.get("Content-Type", ""),
            body,
            self.headers.get("Idempotency-Key"),
        )
        self._deliver(answer)

    def _body(self) -> bytes | None:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self._send(_error(411, "a Content-Length is required"))
            return None
        if int(length) > MAX_BODY:
            self._send(_error(413, "the body is too large"))
            return None
        return self.rfile.read(int(length))

    def _deliver(self, answer: Answer) -> None:
        backend = self.server.backend
        if answer.fault is Fault.DROP:
            self.close_connection = True
            return
        if answer.fault is Fault.SLOW:
            backend.stopping.wait(backend.slow_s)
        if answer.fault is Fault.TRUNCATED:
            whole = answer.encoded()
            answer.body = whole[: len(whole) // 2]
        self._send(answer)

    def _send(self, answer: Answer) -> None:
        body = answer.encoded()
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            logger.debug("backend.answer.failed path=%s", self.path)
            self.close_connection = True

    def _authorised(self, query: dict[str, list[str]]) -> bool:
        return query.get("api_key", [""])[0] == self.server.backend.api_key

    def _control_get(self, path: str, query: dict[str, list[str]]) -> Answer:
        if not self._authorised(query):
            return _error(403, "api_key is missing or not valid")
        if path == CONTROL_PREFIX + "stored":
            return Answer(200, self.server.backend.stored())
        return _error(404, f"no such control {path}")

    def _control_post(self, path: str, body: bytes) -> Answer:
        backend = self.server.backend
        if not self._authorised(parse_qs(urlsplit(self.path).query)):
            return _error(403, "api_key is missing or not valid")
        try:
            doc = json.loads(body or b"{}")
            if path == CONTROL_PREFIX + "faults":
                backend.set_faults(parse_fault(spec) for spec in doc["faults"])
                return Answer(200, {"ok": True})
            if path == CONTROL_PREFIX + "status":
                found = backend.set_status(
                    doc["service_request_id"], doc["status"], doc.get("status_notes")
                )
                return Answer(200 if found else 404, {"ok": found})
            if path == CONTROL_PREFIX + "resolve_tokens":
                return Answer(200, {"resolved": backend.resolve_tokens()})
        except (ValueError, KeyError, TypeError) as exc:
            return _error(400, f"bad control request: {exc}")
        return _error(404, f"no such control {path}")


def _error(status: int, description: str) -> Answer:
    return Answer(status, [{"code": status, "description": description}])


class ReferenceServer:
    """The reference back-end served over HTTP from a background thread."""

    def __init__(
        self, backend: ReferenceBackend, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.backend = backend
        self._httpd = _Server((host, port), backend)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL of the API, ending in a slash."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    def start(self) -> ReferenceServer:
        """Serve in a daemon thread; returns self."""
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="open311-backend",
            daemon=True,
        )
        self._thread.start()
        logger.info("Open311 reference back-end listening on %s", self.url)
        return self

    def serve_forever(self) -> None:
        """Serve on the calling thread until :meth:`shutdown` is called."""
        self._httpd.serve_forever()

    def shutdown(self) -> None:
        """Make :meth:`serve_forever` return (call from another thread)."""
        self._httpd.shutdown()

    def stop(self) -> None:
        """Stop serving and close the database."""
        self.backend.stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
        self.close()

    def close(self) -> None:
        """Close the listening socket and the database."""
        self._httpd.server_close()
        self.backend.close()

    def __enter__(self) -> ReferenceServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def run_backend(
    *,
    port: int,
    db_path: Path,
    api_key: str,
    faults: Iterable[tuple[Fault, int]] = (),
    catalog: Catalog | None = None,
    host: str = "127.0.0.1",
    **options: Any,
) -> None:
    """Serve until SIGTERM or SIGINT; prints the URL once listening."""
    backend = ReferenceBackend(
        db_path,
        services=services_document(catalog or load_catalog()),
        api_key=api_key,
        faults=faults,
        **options,
    )
    server = ReferenceServer(backend, host, port)

    def stop(signum: int, frame: FrameType | None) -> None:
        # shutdown() waits for serve_forever, so it must not run on the
        # thread that serves; a helper thread asks and returns at once.
        backend.stopping.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"Open311 reference back-end listening on {server.url}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.close()
