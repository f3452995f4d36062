"""The HTTP side of the model server, a plain ASGI app: /ping, /health, /version, /invocations.

It answers /ping 404 until the model has loaded (in a background thread) and 200 after, so
Orrery can tell a replica that listens from one that serves.
"""
import asyncio
import json
import os
import sys

from .errors import RequestError
from .request_parsing import media_type

VERSION = "orrery-serve 1.0 (MLflow scoring protocol)"
MODEL_ERROR_HEADER = (b"x-orrery-model-error", b"1")
JSON = (b"content-type", b"application/json")


class ModelState:
    """Filled in by the loader thread; read by requests."""

    def __init__(self):
        self.invoker = None


def _error_body(error_code, message):
    return json.dumps({"error_code": error_code, "message": message}).encode("utf-8")


async def _respond(send, status, body, headers=(JSON,)):
    await send({"type": "http.response.start", "status": status, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _read_body(scope, receive, limit):
    """The whole body, or None when it is over the limit (stopped reading at the limit)."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                if int(value) > limit:
                    return None
            except ValueError:
                pass
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ConnectionResetError("the client went away")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _header(scope, wanted):
    for name, value in scope["headers"]:
        if name == wanted:
            return value.decode("latin-1")
    return None


class ScoringApp:
    def __init__(self, settings, state, executor):
        self.settings = settings
        self.state = state
        self.executor = executor
        # Predictions still running after their 504: Python cannot stop a thread, so each holds one
        # of the pool's threads until the model returns.
        self.overdue = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        path, method = scope["path"], scope["method"]
        if path in ("/ping", "/health") and method in ("GET", "HEAD"):
            if self.overdue >= self.settings.threads:
                return await _respond(send, 503, b"\n")
            return await _respond(send, 200 if self.state.invoker is not None else 404, b"\n")
        if path == "/version" and method in ("GET", "HEAD"):
            return await _respond(send, 200, VERSION.encode(), ((b"content-type", b"text/plain; charset=utf-8"),))
        if path != "/invocations":
            return await _respond(send, 404, b"{}")
        if method != "POST":
            return await _respond(send, 405, _error_body("BAD_REQUEST", f"{method} is not allowed on /invocations: send POST"))
        try:
            await self._invocations(scope, receive, send)
        except ConnectionResetError:
            return

    def _count_overdue(self, job, loop):
        """Counts a timed-out prediction until its thread really returns (the asyncio wrapper is
        cancelled at once; the thread's own future is not)."""
        self.overdue += 1

        def finished():
            self.overdue -= 1

        job.add_done_callback(lambda _: loop.call_soon_threadsafe(finished))

    async def _invocations(self, scope, receive, send):
        limit = self.settings.max_body_bytes
        body = await _read_body(scope, receive, limit)
        if body is None:
            # Answered before the rest arrives; uvicorn discards the remainder of the body.
            return await _respond(send, 413, _error_body("REQUEST_LIMIT_EXCEEDED", f"The request body is over the limit of {limit} bytes (ORRERY_SERVE_MAX_BODY_BYTES)."))
        try:
            mime = media_type(_header(scope, b"content-type"))
        except RequestError as e:
            return await _respond(send, e.status, e.message.encode("utf-8"), ((b"content-type", b"text/plain; charset=utf-8"),))
        invoker = self.state.invoker
        if invoker is None:
            return await _respond(send, 503, _error_body("TEMPORARILY_UNAVAILABLE", "The model is still loading; GET /ping answers 200 once it is ready."))
        loop = asyncio.get_running_loop()
        try:
            job = self.executor.submit(invoker, mime, body)
            result = await asyncio.wait_for(asyncio.wrap_future(job), timeout=self.settings.timeout_seconds)
        except asyncio.TimeoutError:
            # The thread cannot be stopped; it finishes in the background and its result is dropped.
            self._count_overdue(job, loop)
            await _respond(send, 504, _error_body("DEADLINE_EXCEEDED", "Request processing time exceeded limit"))
            if self.overdue >= self.settings.threads:
                # Every thread is stuck in predict: this process can never answer again. Exit, so
                # that Orrery restarts the replica (and routes around it meanwhile).
                print(f"[orrery-serve] all {self.settings.threads} prediction threads are stuck past the timeout; exiting so the replica is restarted", file=sys.stderr, flush=True)
                await asyncio.sleep(0.3)  # let the 504s already sent leave the socket buffers
                os._exit(3)
            return
        except RequestError as e:
            headers = (JSON, MODEL_ERROR_HEADER) if e.model_error else (JSON,)
            return await _respond(send, e.status, _error_body(e.error_code, e.message), headers)
        except Exception as e:  # a fault in the server itself
            return await _respond(send, 500, _error_body("INTERNAL_ERROR", f"{type(e).__name__}: {e}"))
        await _respond(send, 200, result)
