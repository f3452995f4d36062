"""Train a linear classifier on scikit-learn's digits, one epoch at a time.

Logs per-epoch metrics to Orrery (through orrery_tracking when it is importable, else as
ORRERY_METRICS lines on stdout), and saves the model to the outputs folder, which Orrery
collects into the run's artifacts. Hyperparameters come from ORRERY_PARAMS.
"""
import json
import os
import pickle

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split

params = json.loads(os.environ.get("ORRERY_PARAMS", "{}"))
epochs = int(params.get("epochs", 20))
alpha = float(params.get("alpha", 1e-4))
seed = int(params.get("seed", 0))
outputs = os.environ.get("ORRERY_OUTPUTS_DIR", "/orrery/outputs")

try:
    import orrery_tracking as tracking
except ImportError:  # no client in this image: the documented stdout line works everywhere
    tracking = None


def log(step, **metrics):
    if tracking:
        tracking.log_metrics(metrics, step=step)
    print("ORRERY_METRICS " + json.dumps({"step": step, **metrics}), flush=True)


digits = load_digits()
x_train, x_val, y_train, y_val = train_test_split(digits.data / 16.0, digits.target, test_size=0.25, random_state=seed)
model = SGDClassifier(loss="log_loss", alpha=alpha, random_state=seed)
classes = np.unique(digits.target)
for epoch in range(epochs):
    model.partial_fit(x_train, y_train, classes=classes)
    val_acc = float(model.score(x_val, y_val))
    val_loss = float(log_loss(y_val, model.predict_proba(x_val), labels=classes))
    log(epoch, train_acc=float(model.score(x_train, y_train)), val_acc=val_acc, val_loss=val_loss)
    print(f"epoch {epoch}: val_acc={val_acc:.4f} val_loss={val_loss:.4f}", flush=True)

os.makedirs(outputs, exist_ok=True)
with open(os.path.join(outputs, "model.pkl"), "wb") as f:
    pickle.dump(model, f)
with open(os.path.join(outputs, "metrics.json"), "w") as f:
    json.dump({"val_acc": val_acc, "val_loss": val_loss}, f)
if tracking:
    tracking.end_run()
print("saved model.pkl", flush=True)
