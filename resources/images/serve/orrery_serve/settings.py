"""The model server's settings, from environment variables (Orrery sets them per replica)."""
import os
from dataclasses import dataclass

DEFAULT_PORT = 8080
DEFAULT_TIMEOUT_SECONDS = 60.0
DEFAULT_MAX_BODY_BYTES = 100 * 1024 * 1024
DEFAULT_THREADS = 8


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    model_dir: str
    host: str
    port: int
    # Seconds one /invocations request may take (parsing, predict, serialising) before its 504.
    timeout_seconds: float
    max_body_bytes: int
    # Processes sharing the listening socket; each loads the model.
    workers: int
    # Requests each process predicts at once (numpy and most estimators release the GIL).
    threads: int


def _number(env, name, default, kind, minimum):
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = kind(raw.strip())
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a {'whole ' if kind is int else ''}number") from None
    if value < minimum:
        raise SettingsError(f"{name}={raw!r} must be at least {minimum}")
    return value


def read_settings(env=os.environ):
    port = _number(env, "ORRERY_SERVE_PORT", DEFAULT_PORT, int, 1)
    if port > 65535:
        raise SettingsError(f"ORRERY_SERVE_PORT={port} is not a TCP port (1-65535)")
    return Settings(
        model_dir=env.get("ORRERY_SERVE_MODEL_DIR") or "/opt/ml/model",
        host=env.get("ORRERY_SERVE_HOST") or "127.0.0.1",
        port=port,
        timeout_seconds=_number(env, "MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT", DEFAULT_TIMEOUT_SECONDS, float, 0.001),
        max_body_bytes=_number(env, "ORRERY_SERVE_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, int, 1),
        workers=_number(env, "ORRERY_SERVE_WORKERS", 1, int, 1),
        threads=_number(env, "ORRERY_SERVE_THREADS", DEFAULT_THREADS, int, 1),
    )
