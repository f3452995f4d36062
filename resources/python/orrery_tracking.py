"""Log metrics, params, tags and artifacts to Orrery from a training script.

orrery_tracking is one file with no dependencies beyond the Python standard library (3.8+), for
training images that have no ``mlflow`` package. It speaks MLflow's tracking REST API, so it also
works against an MLflow tracking server that serves artifacts (``mlflow server``).

It is configured by the environment variables mlflow itself reads:

``MLFLOW_TRACKING_URI``
    ``http://127.0.0.1:PORT`` of the Orrery (default ``http://127.0.0.1:4780``).
``MLFLOW_TRACKING_TOKEN``
    sent as ``Authorization: Bearer <token>``.
``MLFLOW_RUN_ID``
    log to this existing run (Orrery sets it for the jobs it launches).
``MLFLOW_EXPERIMENT_ID`` / ``MLFLOW_EXPERIMENT_NAME``
    when there is no run id: create a run in this experiment (a name is created if it does not
    exist yet). With neither, runs go to the experiment named ``Default``.

Usage::

    # MLFLOW_TRACKING_URI=http://127.0.0.1:4780 MLFLOW_TRACKING_TOKEN=... \\
    # MLFLOW_EXPERIMENT_NAME=mnist python train.py
    import orrery_tracking as tracking

    tracking.log_params({"lr": 0.01, "batch_size": 64})
    tracking.set_tag("model", "resnet18")
    for step in range(1000):
        loss, acc = train_one_step()
        tracking.log_metrics({"loss": loss, "acc": acc}, step=step)
    tracking.log_artifact("checkpoints/")   # a file, or a folder with everything in it
    tracking.end_run()                      # optional: at exit the run is ended for you

or, explicitly, without environment variables::

    client = tracking.Client(tracking_uri="http://127.0.0.1:4780", token="...")
    client.start_run(experiment_name="mnist", run_name="baseline")
    client.log_metric("loss", 0.25, step=1)
    client.end_run()

Functions (each also a method of ``Client``): ``log_metric(key, value, step=None,
timestamp=None)``, ``log_metrics(dict, step=None)``, ``log_param(key, value)``,
``log_params(dict)``, ``set_tag(key, value)``, ``set_tags(dict)``, ``log_artifact(local_path,
artifact_path=None)``, ``log_artifacts(local_dir, artifact_path=None)``, ``start_run(run_id=None,
experiment_id=None, run_name=None, experiment_name=None, tags=None)``, ``end_run(status="FINISHED")``,
``flush(timeout=None)``, ``active_run_id()``; ``configure(...)`` sets up the default client.

How it behaves:

* Logging calls never raise and never wait on the network: metrics, params and tags go into an
  in-memory queue that a background thread sends as ``runs/log-batch`` requests about once a
  second (or as soon as 1000 items are waiting), within MLflow's limits per request. Problems are
  reported on stderr as lines starting with ``orrery_tracking:``.
* A run named by ``MLFLOW_EXPERIMENT_*`` (or ``start_run``) is created in the background too, so
  ``active_run_id()`` is ``None`` until the server has answered; ``active_run_id(timeout=5)``
  waits for it.
* When the server cannot be reached, or answers 5xx, items stay queued (up to 100,000; beyond that
  the oldest are dropped) and are retried with a backoff from 0.5 s to 30 s.
* A param logged again with the same value is sent once; with a different value the server refuses
  it (MLflow params are immutable): that item is dropped with a warning and logging goes on.
  Anything else the server refuses with a 4xx is dropped the same way, never retried.
* ``log_artifact`` uploads in the background as well: keep the file until ``flush()`` or
  ``end_run()`` has returned.
* ``flush()`` waits until everything logged so far is delivered, and returns ``False`` at once when
  a delivery fails; ``flush(timeout=60)`` keeps retrying for up to 60 s.
* At interpreter exit everything still queued gets up to 10 s to be delivered, then a run this
  module created (and that ``end_run`` did not end) is ended as FINISHED, or FAILED when the script
  is dying from an uncaught exception (KILLED for Ctrl-C). A run named by ``MLFLOW_RUN_ID`` is left
  running on a normal exit (its owner ends it) and marked FAILED on an uncaught exception. If the
  server is still unreachable, a warning says how many items were not delivered; the script's own
  exit status is unchanged. A process killed by a signal runs no exit handlers.
"""

from __future__ import annotations

import atexit
import collections
import getpass
import http.client
import json
import math
import os
import stat
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import weakref

__all__ = [
    "Client",
    "configure",
    "start_run",
    "end_run",
    "active_run_id",
    "log_metric",
    "log_metrics",
    "log_param",
    "log_params",
    "set_tag",
    "set_tags",
    "log_artifact",
    "log_artifacts",
    "flush",
]

__version__ = "0.1.0"

DEFAULT_TRACKING_URI = "http://127.0.0.1:4780"
DEFAULT_EXPERIMENT_NAME = "Default"

# MLflow's limits for one runs/log-batch request.
MAX_METRICS_PER_BATCH = 1000
MAX_PARAMS_PER_BATCH = 100
MAX_TAGS_PER_BATCH = 100
MAX_ITEMS_PER_BATCH = 1000

BACKOFF_MIN_S = 0.5
BACKOFF_MAX_S = 30.0
FLUSH_RETRY_S = 1.0  # retry at least this often while someone waits in flush()
OUTAGE_WARNING_EVERY_S = 30.0
MAX_DISTINCT_REFUSAL_WARNINGS = 50

RUN_STATUSES = ("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED")

_DATA_KINDS = ("metric", "param", "tag")

_PREFIX = "orrery_tracking: "


def _warn(message: str) -> None:
    try:
        sys.stderr.write(_PREFIX + message + "\n")
        sys.stderr.flush()
    except Exception:  # stderr closed at shutdown, or replaced by something odd
        pass


def _now_ms() -> int:
    return int(time.time() * 1000)


def _metric_value(value):
    """A float for JSON, or the protobuf-JSON strings for NaN and the infinities."""
    number = float(value)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    return number


def _plural(count: int, word: str) -> str:
    return "%d %s%s" % (count, word, "" if count == 1 else "s")


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _artifact_parts(artifact_path) -> list:
    """Splits a relative artifact path into segments; raises ValueError for paths that escape."""
    if artifact_path is None:
        return []
    text = str(artifact_path).replace("\\", "/")
    if text.startswith("/"):
        raise ValueError("artifact_path %r must be relative" % (artifact_path,))
    parts = [part for part in text.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise ValueError("artifact_path %r must not contain '..'" % (artifact_path,))
    return parts


class _Retryable(Exception):
    """The server was unreachable, timed out or answered 5xx/429: try again later."""


class _Refused(Exception):
    """The server answered a 4xx: retrying the same request cannot help."""

    def __init__(self, status: int, error_code: str, message: str):
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message


class _PutBack(Exception):
    """Delivery stopped on a retryable error; these items go back to the front of the queue."""

    def __init__(self, items: list, reason: str):
        super().__init__(reason)
        self.items = items
        self.reason = reason


class _Run:
    """One run as this module knows it; run_id stays None until the server has created it."""

    def __init__(self, run_id=None, experiment_id=None, experiment_name=None, run_name=None, tags=None):
        self.run_id = run_id
        self.experiment_id = experiment_id
        self.experiment_name = experiment_name
        self.run_name = run_name
        self.tags = dict(tags or {})
        self.start_time = _now_ms()
        self.owned = run_id is None  # created by this module: ended by it at exit
        self.artifact_root = None  # path under /api/2.0/mlflow-artifacts/artifacts/, once known
        self.error = None  # set when the run cannot be used (not found, creation refused)
        self.end_queued = False
        self.params = {}  # key -> value the server has accepted


class _Item:
    __slots__ = ("kind", "run", "key", "value", "timestamp", "step", "contents_only", "files", "cursor")

    def __init__(self, kind, run, key=None, value=None, timestamp=None, step=None):
        self.kind = kind
        self.run = run
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.step = step
        self.contents_only = False  # artifacts: a folder's contents without the folder's name
        self.files = None  # artifacts: [(local file, [artifact path segments])], listed when sent
        self.cursor = 0  # artifacts: how many of those files are uploaded


class Client:
    """A connection to one tracking server with its own queue and background sender.

    Arguments left out are read from the MLFLOW_* environment variables. If any of ``run_id``,
    ``experiment_id`` or ``experiment_name`` is given, the environment's run and experiment are
    ignored. No method raises: problems are reported on stderr.
    """

    def __init__(
        self,
        tracking_uri=None,
        token=None,
        run_id=None,
        experiment_id=None,
        experiment_name=None,
        run_name=None,
        flush_interval=1.0,
        max_buffer=100000,
        request_timeout=10.0,
        exit_timeout=10.0,
    ):
        self._lock = threading.Lock()
        self._cv = threading.Condition(self._lock)
        self._send_lock = threading.Lock()
        self._queue = collections.deque()
        self._reset_state()
        self._disabled = None
        self._flush_interval = max(0.01, float(flush_interval))
        self._max_buffer = max(1, int(max_buffer))
        self._request_timeout = float(request_timeout)
        self._exit_timeout = max(0.0, float(exit_timeout))
        self._warned = set()
        self._refusal_warnings = 0

        env = os.environ
        uri = tracking_uri if tracking_uri is not None else env.get("MLFLOW_TRACKING_URI", "").strip()
        if not uri:
            uri = DEFAULT_TRACKING_URI
            _warn("MLFLOW_TRACKING_URI is not set; logging to %s (Orrery's default port)" % uri)
        self._uri = str(uri).rstrip("/")
        parsed = urllib.parse.urlsplit(self._uri)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            self._disabled = "tracking URI %r is not an http(s) address; nothing will be logged" % self._uri
            _warn(self._disabled)
        self._token = token if token is not None else env.get("MLFLOW_TRACKING_TOKEN") or None
        host = (parsed.hostname or "").lower() if self._disabled is None else ""
        if host in ("localhost", "::1") or host.startswith("127."):
            # Never send loopback traffic through an HTTP(S)_PROXY from the environment.
            self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        else:
            self._opener = urllib.request.build_opener()

        if run_id is None and experiment_id is None and experiment_name is None:
            run_id = env.get("MLFLOW_RUN_ID") or None
            experiment_id = env.get("MLFLOW_EXPERIMENT_ID") or None
            experiment_name = env.get("MLFLOW_EXPERIMENT_NAME") or None
        self._cfg_run_id = None if run_id is None else str(run_id)
        self._cfg_experiment_id = None if experiment_id is None else str(experiment_id)
        self._cfg_experiment_name = None if experiment_name is None else str(experiment_name)
        self._cfg_run_name = None if run_name is None else str(run_name)
        _clients.add(self)

    def _reset_state(self) -> None:
        self._queue.clear()
        self._added = 0  # items ever queued
        self._settled = 0  # items delivered, refused or dropped
        self._active = None
        self._worker = None
        self._stopping = False
        self._flush_waiters = 0
        self._fail_gen = 0  # bumped on every retryable failure
        self._last_reason = None
        self._outage = False
        self._outage_warned = False
        self._last_outage_warning = None
        self._inflight = []  # what the sender holds right now (for the exit summary)
        self._evicted = 0
        self._refused = 0
        self._exit_wait_spent = 0.0
        self._closed = False
        self._forked_child = False

    # ------------------------------------------------------------------ public API

    @property
    def tracking_uri(self) -> str:
        return self._uri

    def start_run(self, run_id=None, experiment_id=None, run_name=None, experiment_name=None, tags=None):
        """Makes a run the active one: an existing ``run_id``, or a new run in an experiment.

        With no arguments the configured (environment) run or experiment is used. A run this
        client created that is still active is ended as FINISHED first. Returns the run id when it
        is already known (attaching), else None: the run is created in the background.
        """
        try:
            with self._lock:
                run = self._start_locked(run_id, experiment_id, run_name, experiment_name, tags)
            return None if run is None else run.run_id
        except Exception as error:
            self._internal_error("start_run", error)
            return None

    def active_run_id(self, timeout=0):
        """The active run's id; None when there is none or the server has not created it yet.

        With ``timeout`` (seconds), waits up to that long for the run to be created.
        """
        try:
            with self._cv:
                run = self._active
                if run is None:
                    return self._cfg_run_id if self._disabled is None else None
                deadline = time.monotonic() + max(0.0, float(timeout or 0))
                while run.run_id is None and run.error is None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._flush_waiters += 1
                    self._ensure_worker_locked()
                    self._cv.notify_all()
                    try:
                        self._cv.wait(min(left, FLUSH_RETRY_S))
                    finally:
                        self._flush_waiters -= 1
                return run.run_id
        except Exception as error:
            self._internal_error("active_run_id", error)
            return None

    def log_metric(self, key, value, step=None, timestamp=None) -> None:
        """Queues one metric point. NaN and infinities are allowed; step defaults to 0."""
        try:
            self._enqueue([self._metric_item(key, value, step, timestamp)])
        except Exception as error:
            self._bad_call("log_metric(%r)" % (key,), error)

    def log_metrics(self, metrics, step=None, timestamp=None) -> None:
        """Queues several metric points with one step and timestamp."""
        try:
            if timestamp is None:
                timestamp = _now_ms()
            items = []
            for key, value in dict(metrics).items():
                try:
                    items.append(self._metric_item(key, value, step, timestamp))
                except Exception as error:
                    self._bad_call("log_metrics(%r)" % (key,), error)
            self._enqueue(items)
        except Exception as error:
            self._bad_call("log_metrics", error)

    def log_param(self, key, value) -> None:
        """Queues a param (values are sent as strings; a param cannot change once logged)."""
        self.log_params({key: value})

    def log_params(self, params) -> None:
        try:
            self._enqueue([_Item("param", None, str(key), str(value)) for key, value in dict(params).items()])
        except Exception as error:
            self._bad_call("log_params", error)

    def set_tag(self, key, value) -> None:
        """Queues a tag (the last value set wins)."""
        self.set_tags({key: value})

    def set_tags(self, tags) -> None:
        try:
            self._enqueue([_Item("tag", None, str(key), str(value)) for key, value in dict(tags).items()])
        except Exception as error:
            self._bad_call("set_tags", error)

    def log_artifact(self, local_path, artifact_path=None) -> None:
        """Queues the upload of a file, or of a folder and everything under it.

        A file lands at ``<artifact_path>/<its name>``; a folder at ``<artifact_path>/<folder
        name>/...``. The upload runs in the background: keep the files until flush() returns.
        """
        self._queue_artifact(local_path, artifact_path, contents_only=False, caller="log_artifact")

    def log_artifacts(self, local_dir, artifact_path=None) -> None:
        """Like mlflow.log_artifacts: uploads what is inside ``local_dir`` under ``artifact_path``."""
        self._queue_artifact(local_dir, artifact_path, contents_only=True, caller="log_artifacts")

    def flush(self, timeout=None) -> bool:
        """Waits until everything queued so far is delivered (or refused by the server).

        With no timeout, returns False as soon as a delivery fails (server unreachable); with a
        timeout in seconds, keeps retrying until then. True when everything was delivered.
        """
        try:
            return self._flush(timeout)
        except Exception as error:
            self._internal_error("flush", error)
            return False

    def end_run(self, status="FINISHED", timeout=None) -> bool:
        """Delivers what is queued, then sets the active run's status and end time.

        Waits up to ``timeout`` seconds (default 10); if the server is unreachable, the update
        stays queued and is retried in the background and at exit. True when it was delivered.
        """
        try:
            status = str(status).upper()
            if status not in RUN_STATUSES:
                self._warn_once("status:" + status, "end_run(status=%r): not one of %s; using FINISHED" % (status, ", ".join(RUN_STATUSES)))
                status = "FINISHED"
            with self._lock:
                run = self._active
                self._active = None
                if self._disabled is not None:
                    return False
                if run is None:
                    return True  # no active run: nothing to end, as with mlflow.end_run()
                self._queue_end_locked(run, status)
            wait = self._exit_timeout if timeout is None else max(0.0, float(timeout))
            started = time.monotonic()
            ok = self._flush(wait)
            if not ok:
                self._exit_wait_spent += time.monotonic() - started
            return ok
        except Exception as error:
            self._internal_error("end_run", error)
            return False

    def close(self, timeout=None) -> bool:
        """What happens at interpreter exit: deliver for up to ``timeout`` s (default 10), end the run."""
        try:
            return self._close(timeout, exiting=False)
        except Exception as error:
            self._internal_error("close", error)
            return False

    # ------------------------------------------------------------------ queueing

    def _metric_item(self, key, value, step, timestamp) -> _Item:
        return _Item(
            "metric",
            None,
            str(key),
            _metric_value(value),
            _now_ms() if timestamp is None else int(timestamp),
            0 if step is None else int(step),
        )

    def _queue_artifact(self, local_path, artifact_path, contents_only, caller) -> None:
        try:
            path = os.fspath(local_path)
            parts = _artifact_parts(artifact_path)
            if not os.path.exists(path):
                _warn("%s(%r): no such file or folder; nothing uploaded" % (caller, path))
                return
            if contents_only and not os.path.isdir(path):
                _warn("%s(%r): not a folder; nothing uploaded" % (caller, path))
                return
            item = _Item("artifact", None, os.path.abspath(path), parts)
            item.contents_only = contents_only
            self._enqueue([item])
        except Exception as error:
            self._bad_call(caller, error)

    def _enqueue(self, items: list) -> None:
        if not items:
            return
        with self._lock:
            if self._disabled is not None or self._closed:
                return
            run = self._active or self._start_locked(None, None, None, None, None)
            for item in items:
                item.run = run
                self._append_locked(item)
            self._wake_locked()

    def _append_locked(self, item: _Item) -> None:
        self._queue.append(item)
        self._added += 1
        if len(self._queue) > self._max_buffer:
            self._evict_locked()

    def _evict_locked(self) -> None:
        """Drops the oldest metric, param, tag or artifact (never a run start or end)."""
        while len(self._queue) > self._max_buffer:
            index = next((i for i, item in enumerate(self._queue) if item.kind not in ("start", "end")), None)
            if index is None:
                return
            del self._queue[index]
            self._settled += 1
            self._evicted += 1
            if self._evicted == 1:
                _warn(
                    "more than %d items are waiting to be delivered to %s; dropping the oldest ones"
                    % (self._max_buffer, self._uri)
                )

    def _wake_locked(self) -> None:
        self._ensure_worker_locked()
        length = len(self._queue)
        if length == 1 or length >= MAX_ITEMS_PER_BATCH or self._flush_waiters:
            self._cv.notify_all()

    def _start_locked(self, run_id, experiment_id, run_name, experiment_name, tags):
        if self._disabled is not None:
            return None
        if run_id is None and experiment_id is None and experiment_name is None:
            run_id = self._cfg_run_id
            experiment_id = self._cfg_experiment_id
            experiment_name = self._cfg_experiment_name
        if run_id is None and experiment_id is None and experiment_name is None:
            experiment_name = DEFAULT_EXPERIMENT_NAME
        if run_name is None:
            run_name = self._cfg_run_name
        previous = self._active
        if previous is not None and previous.owned and not previous.end_queued:
            self._queue_end_locked(previous, "FINISHED")
        run = _Run(
            None if run_id is None else str(run_id),
            None if experiment_id is None else str(experiment_id),
            None if experiment_name is None else str(experiment_name),
            None if run_name is None else str(run_name),
            tags,
        )
        self._active = run
        self._append_locked(_Item("start", run))
        self._wake_locked()
        return run

    def _queue_end_locked(self, run: _Run, status: str) -> None:
        run.end_queued = True
        self._append_locked(_Item("end", run, value=status, timestamp=_now_ms()))
        self._wake_locked()

    def _ensure_worker_locked(self) -> None:
        if self._worker is not None and self._worker.is_alive():
            return
        if self._stopping:
            return
        worker = threading.Thread(target=self._worker_main, name="orrery_tracking", daemon=True)
        try:
            worker.start()
        except RuntimeError:  # "can't create new thread at interpreter shutdown": flush sends inline
            self._worker = None
            return
        self._worker = worker

    def _worker_alive(self) -> bool:
        return self._worker is not None and self._worker.is_alive()

    # ------------------------------------------------------------------ the sender

    def _worker_main(self) -> None:
        delay = BACKOFF_MIN_S
        while True:
            with self._cv:
                while not self._queue:
                    if self._stopping:
                        return
                    self._cv.wait()
                if not self._urgent_locked():
                    deadline = time.monotonic() + self._flush_interval
                    while not self._urgent_locked():
                        left = deadline - time.monotonic()
                        if left <= 0:
                            break
                        self._cv.wait(left)
            delivered = self._drain()
            if self._stopping:
                return  # closed: what is left was reported as undelivered
            if delivered:
                delay = BACKOFF_MIN_S
                continue
            self._backoff(delay)
            delay = min(delay * 2, BACKOFF_MAX_S)

    def _urgent_locked(self) -> bool:
        return len(self._queue) >= MAX_ITEMS_PER_BATCH or self._flush_waiters > 0 or self._stopping

    def _backoff(self, delay: float) -> None:
        started = time.monotonic()
        with self._cv:
            while not self._stopping:
                limit = min(delay, FLUSH_RETRY_S) if self._flush_waiters else delay
                left = limit - (time.monotonic() - started)
                if left <= 0:
                    return
                self._cv.wait(left)

    def _drain(self) -> bool:
        """Sends until the queue is empty (True) or a retryable failure stops it (False)."""
        with self._send_lock:
            while True:
                with self._lock:
                    unit = self._take_locked()
                    if unit is None:
                        return True
                    kind, items = unit
                    self._inflight = items
                try:
                    self._deliver(kind, items)
                except _PutBack as stop:
                    with self._cv:
                        self._inflight = []
                        self._queue.extendleft(reversed(stop.items))
                        if len(self._queue) > self._max_buffer:
                            self._evict_locked()
                    self._note_failure(stop.reason)
                    return False
                except Exception as error:  # a bug here must not kill the sender or loop forever
                    self._internal_error("sending", error)
                    self._settle(items, refused=True)
                    continue
                finally:
                    self._inflight = []
                self._note_success()

    def _take_locked(self):
        """Pops the next unit of work: one batch of data items of one run, or one other item."""
        queue = self._queue
        while queue:
            first = queue[0]
            if first.run.error is not None:
                queue.popleft()
                self._settled += 1
                self._refused += 1
                continue
            if first.kind not in _DATA_KINDS:
                return first.kind, [queue.popleft()]
            return "batch", self._take_batch_locked(first.run)
        return None

    def _take_batch_locked(self, run: _Run) -> list:
        queue = self._queue
        taken = []
        metrics = 0
        params = {}
        tags = set()
        while queue and len(taken) < MAX_ITEMS_PER_BATCH:
            item = queue[0]
            if item.run is not run or item.kind not in _DATA_KINDS:
                break
            if item.kind == "metric":
                if metrics >= MAX_METRICS_PER_BATCH:
                    break
                metrics += 1
            elif item.kind == "param":
                in_batch = params.get(item.key)
                accepted = run.params.get(item.key)
                if in_batch is not None or accepted is not None:
                    if (in_batch if in_batch is not None else accepted) == item.value:
                        queue.popleft()  # the same value again: nothing to send
                        self._settled += 1
                        continue
                    if taken:
                        break  # a changed value travels alone, so only it is refused
                    queue.popleft()
                    taken.append(item)
                    break
                if len(params) >= MAX_PARAMS_PER_BATCH:
                    break
                params[item.key] = item.value
            else:
                if item.key not in tags:
                    if len(tags) >= MAX_TAGS_PER_BATCH:
                        break
                    tags.add(item.key)
            queue.popleft()
            taken.append(item)
        return taken

    def _settle(self, items: list, refused: bool = False) -> None:
        with self._cv:
            self._settled += len(items)
            if refused:
                self._refused += len(items)
            self._cv.notify_all()

    def _note_failure(self, reason: str) -> None:
        with self._cv:
            self._fail_gen += 1
            self._last_reason = reason
            self._outage = True
            pending = self._added - self._settled
            self._cv.notify_all()
            now = time.monotonic()
            due = self._last_outage_warning is None or now - self._last_outage_warning >= OUTAGE_WARNING_EVERY_S
            if due:
                self._last_outage_warning = now
                self._outage_warned = True
        if due:
            _warn(
                "cannot deliver to %s (%s); keeping %s queued and retrying"
                % (self._uri, reason, _plural(pending, "item"))
            )

    def _note_success(self) -> None:
        if not self._outage:
            return
        with self._lock:
            self._outage = False
            tell = self._outage_warned
            self._outage_warned = False
        if tell:
            _warn("reached %s again; delivering what was queued" % self._uri)

    def _deliver(self, kind: str, items: list) -> None:
        item = items[0]
        run = item.run
        if kind == "start":
            try:
                self._resolve(run)
            except _Retryable as error:
                raise _PutBack(items, str(error))
            self._settle(items)
        elif kind == "batch":
            self._deliver_batch(run, items)
        elif kind == "end":
            self._deliver_end(run, item)
        elif kind == "artifact":
            self._deliver_artifact(run, item)
        else:
            self._settle(items)

    # ------------------------------------------------------------------ requests

    def _request(self, method: str, path: str, body=None, query=None, data=None, headers=None):
        url = self._uri + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        all_headers = {"Accept": "application/json", "User-Agent": "orrery_tracking/" + __version__}
        if self._token:
            all_headers["Authorization"] = "Bearer " + self._token
        if body is not None:
            data = json.dumps(body, allow_nan=False).encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        request = urllib.request.Request(url, data=data, headers=all_headers, method=method)
        try:
            with self._opener.open(request, timeout=self._request_timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            try:
                raw = error.read()
            except Exception:
                raw = b""
            finally:
                error.close()
            self._raise_for(error.code, raw)
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as error:
            reason = getattr(error, "reason", None) or error
            raise _Retryable("cannot connect: %s" % _short(reason, 200))
        if not raw:
            return {}
        try:
            return json.loads(raw.decode("utf-8"))
        except ValueError:
            return {}

    def _raise_for(self, status: int, raw: bytes) -> None:
        error_code, message = "", ""
        try:
            parsed = json.loads(raw.decode("utf-8"))
            if isinstance(parsed, dict):
                error_code = str(parsed.get("error_code") or "")
                message = str(parsed.get("message") or "")
        except (ValueError, UnicodeDecodeError):
            pass
        if not message:
            message = _short(raw.decode("utf-8", "replace")) or "(no message)"
        if status >= 500 or status in (408, 429):
            raise _Retryable("HTTP %d %s: %s" % (status, error_code, _short(message, 200)))
        raise _Refused(status, error_code, message)

    def _resolve(self, run: _Run) -> None:
        """Creates the run (or looks up an attached one) so its id and artifact root are known."""
        if run.error is not None:
            return
        if run.run_id is not None:
            if run.artifact_root is not None:
                return
            try:
                info = self._request("GET", "/api/2.0/mlflow/runs/get", query={"run_id": run.run_id})["run"]["info"]
            except _Refused as error:
                run.error = error.message
                self._warn_refusal("cannot use run %s, dropping what is logged to it" % run.run_id, error, key="run:" + run.run_id)
                return
            self._take_info(run, info)
            return
        try:
            experiment_id = run.experiment_id
            if experiment_id is None:
                experiment_id = self._get_or_create_experiment(run.experiment_name)
                run.experiment_id = experiment_id
            body = {"experiment_id": experiment_id, "start_time": run.start_time, "tags": self._run_tags(run)}
            if run.run_name:
                body["run_name"] = run.run_name
            info = self._request("POST", "/api/2.0/mlflow/runs/create", body=body)["run"]["info"]
        except _Refused as error:
            where = run.experiment_id if run.experiment_id is not None else repr(run.experiment_name)
            run.error = error.message
            self._warn_refusal("cannot create a run in experiment %s, dropping what is logged to it" % where, error, key="create:%s" % where)
            return
        run.run_id = str(info.get("run_id") or info.get("run_uuid"))
        self._take_info(run, info)
        with self._cv:
            self._cv.notify_all()  # active_run_id(timeout) waits for this

    def _take_info(self, run: _Run, info: dict) -> None:
        if info.get("experiment_id") is not None:
            run.experiment_id = str(info["experiment_id"])
        uri = str(info.get("artifact_uri") or "")
        root = None
        if uri.startswith("mlflow-artifacts:"):
            rest = uri[len("mlflow-artifacts:") :]
            if rest.startswith("//"):  # mlflow-artifacts://host:port/path
                rest = "/" + rest[2:].partition("/")[2]
            root = [urllib.parse.unquote(part) for part in rest.split("/") if part]
        if not root and run.experiment_id is not None:
            root = [run.experiment_id, run.run_id, "artifacts"]
        run.artifact_root = root

    def _run_tags(self, run: _Run) -> list:
        tags = {"mlflow.source.type": "LOCAL"}
        source = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
        if source:
            tags["mlflow.source.name"] = source
        try:
            tags["mlflow.user"] = getpass.getuser()
        except Exception:  # no passwd entry for the container's uid
            pass
        if run.run_name:
            tags["mlflow.runName"] = run.run_name
        tags.update({str(k): str(v) for k, v in run.tags.items()})
        return [{"key": k, "value": v} for k, v in tags.items()]

    def _get_or_create_experiment(self, name: str) -> str:
        try:
            found = self._request("GET", "/api/2.0/mlflow/experiments/get-by-name", query={"experiment_name": name})
            return str(found["experiment"]["experiment_id"])
        except _Refused as error:
            if error.status != 404:
                raise
        try:
            return str(self._request("POST", "/api/2.0/mlflow/experiments/create", body={"name": name})["experiment_id"])
        except _Refused as error:
            if error.status not in (400, 409) or "EXISTS" not in error.error_code:
                raise
        # Someone else created it meanwhile.
        found = self._request("GET", "/api/2.0/mlflow/experiments/get-by-name", query={"experiment_name": name})
        return str(found["experiment"]["experiment_id"])

    def _deliver_batch(self, run: _Run, items: list) -> None:
        if run.run_id is None:
            try:
                self._resolve(run)
            except _Retryable as error:
                raise _PutBack(items, str(error))
            if run.error is not None:
                self._settle(items, refused=True)
                return
        parts = [items]
        while parts:
            part = parts.pop()
            try:
                self._request("POST", "/api/2.0/mlflow/runs/log-batch", body=self._batch_body(run, part))
            except _Retryable as error:
                rest = [item for later in reversed(parts) for item in later]
                raise _PutBack(part + rest, str(error))
            except _Refused as error:
                if error.status in (400, 413, 422) and len(part) > 1:
                    # One bad item spoils the request: halve until it stands alone.
                    middle = len(part) // 2
                    parts.append(part[middle:])
                    parts.append(part[:middle])
                    continue
                if error.status == 404 and error.error_code == "RESOURCE_DOES_NOT_EXIST":
                    run.error = error.message
                self._warn_refusal("dropped " + self._describe(part), error)
                self._settle(part, refused=True)
                continue
            for item in part:
                if item.kind == "param":
                    run.params.setdefault(item.key, item.value)
            self._settle(part)

    def _batch_body(self, run: _Run, items: list) -> dict:
        metrics, params, tags = [], {}, {}
        for item in items:
            if item.kind == "metric":
                metrics.append({"key": item.key, "value": item.value, "timestamp": item.timestamp, "step": item.step})
            elif item.kind == "param":
                params.setdefault(item.key, item.value)
            else:
                tags[item.key] = item.value
        body = {"run_id": run.run_id}
        if metrics:
            body["metrics"] = metrics
        if params:
            body["params"] = [{"key": k, "value": v} for k, v in params.items()]
        if tags:
            body["tags"] = [{"key": k, "value": v} for k, v in tags.items()]
        return body

    @staticmethod
    def _describe(items: list) -> str:
        if len(items) == 1:
            item = items[0]
            if item.kind == "metric":
                return "metric %r (step %d)" % (item.key, item.step)
            if item.kind == "param":
                return "param %r=%r" % (item.key, item.value)
            return "tag %r" % (item.key,)
        return _plural(len(items), "item")

    def _deliver_end(self, run: _Run, item: _Item) -> None:
        if run.run_id is None:
            try:
                self._resolve(run)
            except _Retryable as error:
                raise _PutBack([item], str(error))
        if run.error is not None or run.run_id is None:
            self._settle([item], refused=True)
            return
        body = {"run_id": run.run_id, "status": item.value, "end_time": item.timestamp}
        try:
            self._request("POST", "/api/2.0/mlflow/runs/update", body=body)
        except _Retryable as error:
            raise _PutBack([item], str(error))
        except _Refused as error:
            self._warn_refusal("run %s was not set to %s" % (run.run_id, item.value), error)
            self._settle([item], refused=True)
            return
        self._settle([item])

    def _deliver_artifact(self, run: _Run, item: _Item) -> None:
        try:
            if run.run_id is None or run.artifact_root is None:
                self._resolve(run)
        except _Retryable as error:
            raise _PutBack([item], str(error))
        if run.error is not None or run.artifact_root is None:
            self._settle([item], refused=True)
            return
        if item.files is None:
            item.files = self._list_files(item.key, item.value, item.contents_only)
        refused = False
        while item.cursor < len(item.files):
            local, parts = item.files[item.cursor]
            try:
                self._upload(run, local, parts)
            except _Retryable as error:
                raise _PutBack([item], str(error))
            except _Refused as error:
                refused = True
                self._warn_refusal("artifact %s was not uploaded" % "/".join(parts), error)
            except OSError as error:
                refused = True
                self._warn_once("read:" + local, "could not read %s for upload: %s" % (local, error))
            item.cursor += 1
        self._settle([item], refused=refused)

    @staticmethod
    def _list_files(local: str, prefix: list, contents_only: bool) -> list:
        if not os.path.isdir(local):
            return [(local, prefix + [os.path.basename(local)])]
        base = prefix if contents_only else prefix + [os.path.basename(local.rstrip(os.sep)) or "root"]
        files = []
        for folder, dirs, names in os.walk(local):
            dirs.sort()
            relative = os.path.relpath(folder, local)
            sub = [] if relative == os.curdir else relative.split(os.sep)
            for name in sorted(names):
                path = os.path.join(folder, name)
                try:
                    if not stat.S_ISREG(os.stat(path).st_mode):
                        continue  # sockets, FIFOs, dangling links
                except OSError:
                    continue
                files.append((path, base + sub + [name]))
        return files

    def _upload(self, run: _Run, local: str, parts: list) -> None:
        segments = list(run.artifact_root) + parts
        path = "/api/2.0/mlflow-artifacts/artifacts/" + "/".join(urllib.parse.quote(s, safe="") for s in segments)
        with open(local, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            headers = {"Content-Type": "application/octet-stream", "Content-Length": str(size)}
            self._request("PUT", path, data=handle if size else b"", headers=headers)

    # ------------------------------------------------------------------ flushing and exit

    def _flush(self, timeout) -> bool:
        deadline = None if timeout is None else time.monotonic() + max(0.0, float(timeout))
        with self._cv:
            target = self._added
            if self._settled >= target:
                return True
            failures = self._fail_gen
            self._flush_waiters += 1
            try:
                self._ensure_worker_locked()
                self._cv.notify_all()
                while self._settled < target:
                    if timeout is None and self._fail_gen != failures:
                        return False
                    left = None if deadline is None else deadline - time.monotonic()
                    if left is not None and left <= 0:
                        return False
                    if not self._worker_alive():
                        break
                    self._cv.wait(FLUSH_RETRY_S if left is None else min(left, FLUSH_RETRY_S))
                else:
                    return True
            finally:
                self._flush_waiters -= 1
        # No background thread (interpreter shutting down): send from this thread.
        while True:
            if self._drain():
                with self._lock:
                    if self._settled >= target:
                        return True
            if deadline is None:
                return False
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(left, FLUSH_RETRY_S))

    def _close(self, timeout, exiting: bool) -> bool:
        with self._lock:
            if self._closed:
                return True
            run = self._active
            if run is not None and not run.end_queued and self._disabled is None and not self._forked_child:
                status = _uncaught_status if exiting else None
                if status is not None:
                    self._queue_end_locked(run, status)
                elif run.owned:
                    self._queue_end_locked(run, "FINISHED")
            self._active = None
        if timeout is None:
            timeout = max(1.0, self._exit_timeout - self._exit_wait_spent) if exiting else self._exit_timeout
        ok = self._flush(timeout)
        with self._cv:
            self._closed = True
            self._stopping = True
            self._cv.notify_all()
            pending = list(self._inflight) + list(self._queue)
            undelivered = self._added - self._settled
            reason = self._last_reason
            evicted = self._evicted
        if not ok and undelivered > 0:
            _warn(
                "%s not delivered to %s%s (last error: %s)"
                % (self._summarize(pending, len(pending) or undelivered), self._uri, "" if exiting else " on close", reason or "timed out")
            )
        if evicted:
            _warn("%s dropped because the queue was full" % ("1 item was" if evicted == 1 else "%d items were" % evicted))
        return ok

    @staticmethod
    def _summarize(pending: list, total: int) -> str:
        counts = collections.Counter(item.kind for item in pending)
        words = [
            ("metric", "metric point"),
            ("param", "param"),
            ("tag", "tag"),
            ("artifact", "artifact upload"),
            ("start", "run start"),
            ("end", "run status update"),
        ]
        details = ", ".join(_plural(counts[kind], word) for kind, word in words if counts.get(kind))
        return "%s%s %s" % (_plural(total, "item"), " (%s)" % details if details else "", "was" if total == 1 else "were")

    def _at_exit(self) -> None:
        try:
            self._close(None, exiting=True)
        except Exception as error:
            self._internal_error("exit", error)

    def _after_fork_in_child(self) -> None:
        # The parent's thread, locks and queue are not ours: start empty, and never end the
        # parent's run from this process.
        self._lock = threading.Lock()
        self._cv = threading.Condition(self._lock)
        self._send_lock = threading.Lock()
        active = self._active
        self._queue = collections.deque()
        self._reset_state()
        self._forked_child = True
        if active is not None:
            active.owned = False
            self._active = active

    # ------------------------------------------------------------------ warnings

    def _warn_once(self, key: str, message: str) -> None:
        if key in self._warned:
            return
        self._warned.add(key)
        _warn(message)

    def _warn_refusal(self, what: str, error: _Refused, key=None) -> None:
        key = key or "%d:%s:%s" % (error.status, error.error_code, error.message)
        if key in self._warned:
            return
        if self._refusal_warnings >= MAX_DISTINCT_REFUSAL_WARNINGS:
            self._warn_once("refusals:more", "the server refused more items; further refusals are not reported")
            return
        self._refusal_warnings += 1
        self._warned.add(key)
        code = (" " + error.error_code) if error.error_code else ""
        _warn("%s: the server answered HTTP %d%s: %s" % (what, error.status, code, _short(error.message, 500)))

    def _bad_call(self, what: str, error: Exception) -> None:
        self._warn_once("call:%s:%s" % (what, type(error).__name__), "%s ignored: %s" % (what, error))

    def _internal_error(self, what: str, error: Exception) -> None:
        self._warn_once("internal:" + what, "internal error in %s (ignored): %r" % (what, error))


# ---------------------------------------------------------------------- module level

_clients = weakref.WeakSet()
_default_client = None
_default_lock = threading.Lock()
_uncaught_status = None


def _client() -> Client:
    global _default_client
    client = _default_client
    if client is None:
        with _default_lock:
            if _default_client is None:
                _default_client = Client()
            client = _default_client
    return client


def configure(
    tracking_uri=None,
    token=None,
    run_id=None,
    experiment_id=None,
    experiment_name=None,
    run_name=None,
    **options,
) -> Client:
    """Replaces the default client used by the module-level functions and returns it.

    Arguments left out come from the MLFLOW_* environment variables; ``options`` are the other
    Client arguments (flush_interval, max_buffer, request_timeout, exit_timeout). A previous default
    client is closed first (its queue delivered for up to its exit timeout, its own run ended).
    """
    global _default_client
    with _default_lock:
        previous = _default_client
        _default_client = None
    if previous is not None:
        previous.close()
    client = Client(tracking_uri, token, run_id, experiment_id, experiment_name, run_name, **options)
    with _default_lock:
        _default_client = client
    return client


def start_run(run_id=None, experiment_id=None, run_name=None, experiment_name=None, tags=None):
    """See Client.start_run."""
    return _client().start_run(run_id, experiment_id, run_name, experiment_name, tags)


def end_run(status="FINISHED", timeout=None) -> bool:
    """See Client.end_run."""
    return _client().end_run(status, timeout)


def active_run_id(timeout=0):
    """See Client.active_run_id."""
    return _client().active_run_id(timeout)


def log_metric(key, value, step=None, timestamp=None) -> None:
    _client().log_metric(key, value, step, timestamp)


def log_metrics(metrics, step=None, timestamp=None) -> None:
    _client().log_metrics(metrics, step, timestamp)


def log_param(key, value) -> None:
    _client().log_param(key, value)


def log_params(params) -> None:
    _client().log_params(params)


def set_tag(key, value) -> None:
    _client().set_tag(key, value)


def set_tags(tags) -> None:
    _client().set_tags(tags)


def log_artifact(local_path, artifact_path=None) -> None:
    _client().log_artifact(local_path, artifact_path)


def log_artifacts(local_dir, artifact_path=None) -> None:
    _client().log_artifacts(local_dir, artifact_path)


def flush(timeout=None) -> bool:
    """See Client.flush."""
    return _client().flush(timeout)


def _excepthook(exc_type, exc_value, exc_traceback):
    global _uncaught_status
    interactive = hasattr(sys, "ps1") or bool(getattr(sys.flags, "interactive", 0))
    if not interactive:
        _uncaught_status = "KILLED" if issubclass(exc_type, KeyboardInterrupt) else "FAILED"
    _previous_excepthook(exc_type, exc_value, exc_traceback)


def _exit_all() -> None:
    for client in list(_clients):
        client._at_exit()


def _after_fork_in_child() -> None:
    global _default_lock
    _default_lock = threading.Lock()
    for client in list(_clients):
        client._after_fork_in_child()


_previous_excepthook = sys.excepthook
sys.excepthook = _excepthook
atexit.register(_exit_all)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
