"""Train a linear classifier on scikit-learn's digits, one epoch at a time.

Logs per-epoch metrics to Orrery (through orrery_tracking when it is importable, else as
ORRERY_METRICS lines on stdout), and saves the model to the outputs folder, which Orrery
collects into the run's artifacts: model.pkl, and model/, an MLflow-format model folder (MLmodel
with the sklearn flavor, a signature and an input example) that can be registered and deployed.
Hyperparameters come from ORRERY_PARAMS: epochs, alpha, seed, and data (optional: CSV files,
comma-separated, with one column per pixel, 0..16, and a `target` column, as prepare_digits.py
writes them; without it, scikit-learn's bundled digits).
"""
import json
import os
import pickle
import platform

import numpy as np
import sklearn
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split

params = json.loads(os.environ.get("ORRERY_PARAMS", "{}"))
epochs = int(params.get("epochs", 20))
alpha = float(params.get("alpha", 1e-4))
seed = int(params.get("seed", 0))
data = str(params.get("data", ""))
outputs = os.environ.get("ORRERY_OUTPUTS_DIR", "/orrery/outputs")

try:
    import orrery_tracking as tracking
except ImportError:  # no client in this image: the documented stdout line works everywhere
    tracking = None


def log(step, **metrics):
    # One way or the other, never both: each would store the point, and the run would hold it twice.
    if tracking:
        tracking.log_metrics(metrics, step=step)
    else:
        print("ORRERY_METRICS " + json.dumps({"step": step, **metrics}), flush=True)


def load_csv(files):
    """Pixel columns and `target` from CSV files that share one header."""
    tables = []
    for file in files:
        with open(file) as f:
            header = f.readline().strip().split(",")
        tables.append(np.loadtxt(file, delimiter=",", skiprows=1, ndmin=2))
    target = header.index("target")
    table = np.vstack(tables)
    return np.delete(table, target, axis=1), table[:, target].astype(int), [h for h in header if h != "target"]


if data:
    pixels, labels, feature_names = load_csv([f.strip() for f in data.split(",") if f.strip()])
else:
    digits = load_digits()
    pixels, labels = digits.data, digits.target
    feature_names = list(getattr(digits, "feature_names", None) or [f"pixel_{i // 8}_{i % 8}" for i in range(64)])
x_train, x_val, y_train, y_val = train_test_split(pixels / 16.0, labels, test_size=0.25, random_state=seed)
model = SGDClassifier(loss="log_loss", alpha=alpha, random_state=seed)
classes = np.arange(10)  # all ten digits, even where a small CSV lacks one


def save_mlflow_model(folder, features, example_rows):
    """The folder mlflow.sklearn.save_model writes, without needing mlflow: MLmodel, model.pkl and
    input_example.json. Inputs are the 64 pixel intensities scaled to 0..1, as in training."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "model.pkl"), "wb") as f:
        pickle.dump(model, f)
    with open(os.path.join(folder, "input_example.json"), "w") as f:
        json.dump({"columns": features, "data": example_rows.tolist()}, f)
    inputs = json.dumps([{"type": "double", "name": name, "required": True} for name in features])
    outputs = json.dumps([{"type": "long", "required": True}])
    with open(os.path.join(folder, "MLmodel"), "w") as f:
        f.write(
            "artifact_path: model\n"
            "flavors:\n"
            "  python_function:\n"
            "    loader_module: mlflow.sklearn\n"
            "    model_path: model.pkl\n"
            "    predict_fn: predict\n"
            f"    python_version: {platform.python_version()}\n"
            "  sklearn:\n"
            "    code: null\n"
            "    pickled_model: model.pkl\n"
            "    serialization_format: pickle\n"
            f"    sklearn_version: {sklearn.__version__}\n"
            "saved_input_example_info:\n"
            "  artifact_path: input_example.json\n"
            "  pandas_orient: split\n"
            "  type: dataframe\n"
            "signature:\n"
            f"  inputs: '{inputs}'\n"
            f"  outputs: '{outputs}'\n"
        )


def save_outputs():
    """model.pkl, metrics.json and the MLflow model folder model/, for the best epoch so far: a job
    that early stopping ends (or that is cancelled) still leaves its best model behind."""
    os.makedirs(outputs, exist_ok=True)
    with open(os.path.join(outputs, "model.pkl"), "wb") as f:
        pickle.dump(model, f)
    with open(os.path.join(outputs, "metrics.json"), "w") as f:
        json.dump({"val_acc": val_acc, "val_loss": val_loss}, f)
    save_mlflow_model(os.path.join(outputs, "model"), feature_names, x_val[:2])


best_loss = float("inf")
for epoch in range(epochs):
    model.partial_fit(x_train, y_train, classes=classes)
    val_acc = float(model.score(x_val, y_val))
    val_loss = float(log_loss(y_val, model.predict_proba(x_val), labels=classes))
    log(epoch, train_acc=float(model.score(x_train, y_train)), val_acc=val_acc, val_loss=val_loss)
    print(f"epoch {epoch}: val_acc={val_acc:.4f} val_loss={val_loss:.4f}", flush=True)
    if val_loss < best_loss:
        best_loss = val_loss
        save_outputs()

if tracking:
    tracking.end_run()
print("saved model.pkl and the MLflow model folder model/ (best epoch)", flush=True)
