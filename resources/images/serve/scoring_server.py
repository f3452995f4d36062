"""Orrery's model server: serves the MLflow model folder at /opt/ml/model with MLflow's scoring
protocol (POST /invocations, GET /ping, /health, /version) under uvicorn.

Environment (Orrery sets these per replica):
  ORRERY_SERVE_PORT                      port to listen on (default 8080)
  ORRERY_SERVE_HOST                      address to listen on (default 127.0.0.1: containers use
                                         the host network, and only Orrery's gateway calls them)
  ORRERY_SERVE_MODEL_DIR                 the model folder (default /opt/ml/model)
  MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT  seconds a request may take before its 504 (default 60)
  ORRERY_SERVE_MAX_BODY_BYTES            largest request body; larger is a 413 (default 100 MB)
  ORRERY_SERVE_WORKERS                   processes, each with the model loaded (default 1)
  ORRERY_SERVE_THREADS                   requests each process predicts at once (default 8)

The socket listens before the model loads, so /ping answers 404 while it loads and 200 after.
A model that cannot be loaded is one log line with the reason, then exit status 1.
"""
import concurrent.futures
import os
import signal
import socket
import sys
import threading
import time
import warnings

from orrery_serve.asgi_app import ModelState, ScoringApp
from orrery_serve.settings import SettingsError, read_settings


def log(message):
    # One write per line, so lines from several workers do not interleave.
    sys.stderr.write(f"[orrery-serve] {message}\n")
    sys.stderr.flush()


def listen(settings):
    sock = socket.socket(socket.AF_INET6 if ":" in settings.host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.host, settings.port))
    except OSError as e:
        log(f"cannot listen on {settings.host}:{settings.port}: {e.strerror or e}")
        sys.exit(1)
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def load_in_background(settings, state):
    def load():
        started = time.monotonic()
        try:
            # Imported here so that the socket listens first: pandas and scikit-learn take a second.
            from orrery_serve.invocation import Invoker
            from orrery_serve.model_loading import load_model

            model = load_model(settings.model_dir)
            state.invoker = Invoker(model)
        except Exception as e:
            log(f"cannot load the model at {settings.model_dir}: {e}")
            os._exit(1)
        log(f"loaded {model.flavor} model {model.description} from {settings.model_dir} in {time.monotonic() - started:.2f} s; serving on {settings.host}:{settings.port}")

    threading.Thread(target=load, name="model-loader", daemon=True).start()


def serve(settings, sock):
    import uvicorn

    state = ModelState()
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=settings.threads, thread_name_prefix="predict")
    load_in_background(settings, state)
    config = uvicorn.Config(
        ScoringApp(settings, state, executor),
        log_level="warning",
        access_log=False,
        lifespan="on",
        # Longer than a gateway's idle upstream connections, as MLflow's nginx (75 s).
        timeout_keep_alive=75,
        server_header=False,
    )
    uvicorn.Server(config).run(sockets=[sock])
    # A predict thread that ran past its timeout must not hold the process open.
    os._exit(0)


def supervise(settings, sock):
    """Several workers: forked children share the socket; one failing ends them all."""
    children = []
    for _ in range(settings.workers):
        pid = os.fork()
        if pid == 0:
            serve(settings, sock)
        children.append(pid)

    def stop(signum, _frame):
        for child in children:
            try:
                os.kill(child, signum)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    status = 0
    while children:
        pid, raw = os.wait()
        if pid in children:
            children.remove(pid)
        code = os.waitstatus_to_exitcode(raw)
        if code != 0 and status == 0:
            status = 1
            stop(signal.SIGTERM, None)
    sys.exit(status)


def main():
    # scikit-learn warns when the request's column names differ from the fit's (a model fitted on
    # an array, served with the signature's names): MLflow's usual case, not worth a log line.
    warnings.filterwarnings("ignore", message="X has feature names, but")
    warnings.filterwarnings("ignore", message="X does not have valid feature names")
    try:
        settings = read_settings()
    except SettingsError as e:
        log(f"bad setting: {e}")
        sys.exit(2)
    sock = listen(settings)
    log(f"listening on {settings.host}:{settings.port}; loading the model from {settings.model_dir}")
    if settings.workers == 1:
        serve(settings, sock)
    else:
        supervise(settings, sock)


if __name__ == "__main__":
    main()
