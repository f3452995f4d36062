"""Log to Orrery with nothing but the MLflow REST API and the standard library.

Reads the run from MLFLOW_RUN_ID (Orrery sets it for its jobs) and the server from
MLFLOW_TRACKING_URI / MLFLOW_TRACKING_TOKEN, then logs a decaying loss with runs/log-batch.
Hyperparameters: ORRERY_PARAMS {"steps": 50, "plateau_after": null, "sleep": 0}.
A plateau_after makes the loss stop improving from that step on (for early-stopping demos).
"""
import json
import os
import time
import urllib.request

uri = os.environ["MLFLOW_TRACKING_URI"].rstrip("/")
token = os.environ.get("MLFLOW_TRACKING_TOKEN", "")
run_id = os.environ["MLFLOW_RUN_ID"]
params = json.loads(os.environ.get("ORRERY_PARAMS", "{}"))
steps = int(params.get("steps", 50))
plateau_after = params.get("plateau_after")
sleep = float(params.get("sleep", 0))


def call(path, body):
    request = urllib.request.Request(
        f"{uri}/api/2.0/mlflow/{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"{}")


call("runs/log-batch", {"run_id": run_id, "params": [{"key": "script", "value": "rest_logger"}]})
for step in range(steps):
    effective = step if plateau_after is None else min(step, int(plateau_after))
    loss = 1.0 / (1 + effective)
    call("runs/log-batch", {"run_id": run_id, "metrics": [{"key": "loss", "value": loss, "timestamp": int(time.time() * 1000), "step": step}]})
    print(f"step {step} loss {loss:.4f}", flush=True)
    time.sleep(sleep)
print("done", flush=True)
