"""One /invocations request, start to finish, off the event loop: parse, enforce the signature,
predict, serialise. Returns the JSON body; raises RequestError for every answer but 200.
"""
import datetime
import json
import math

import numpy as np
import pandas as pd

from .errors import RequestError
from .request_parsing import parse_csv, parse_json
from .signature import ColumnSchema


class Invoker:
    def __init__(self, model):
        self.model = model
        self.schema = ColumnSchema.of(model.input_schema)

    def __call__(self, mime, body):
        if mime == "text/csv":
            data, params = parse_csv(body), None
        else:
            data, params = parse_json(body)
        if self.schema is not None:
            data = self.schema.enforce(data)
        try:
            predictions = self.model.predict(data, params)
        except Exception as e:
            raise RequestError(
                400,
                "BAD_REQUEST",
                "Encountered an unexpected error while evaluating the model. Verify that the serialized input "
                f"Dataframe is compatible with the model for inference. Error: {type(e).__name__}: {e}",
                model_error=True,
            ) from None
        return encode_predictions(predictions)


def _jsonable(value):
    """Predictions as JSON values: a DataFrame as a list of records, a Series or array as a list."""
    if isinstance(value, pd.DataFrame):
        return value.to_dict(orient="records")
    if isinstance(value, (pd.Series, pd.Index)):
        return value.tolist()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def _default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (np.ndarray, pd.Series)):
        return value.tolist()
    if isinstance(value, pd.DataFrame):
        return value.to_dict(orient="records")
    if isinstance(value, (datetime.datetime, datetime.date, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    raise TypeError(f"the model returned a {type(value).__name__}, which has no JSON form")


def _without_nan(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_without_nan(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_nan(v) for k, v in value.items()}
    return value


def encode_predictions(predictions):
    document = {"predictions": _jsonable(predictions)}
    try:
        text = json.dumps(document, default=_default, allow_nan=False)
    except ValueError:
        # NaN and infinities are not JSON (MLflow writes the bare word NaN): they become null.
        text = json.dumps(_without_nan(json.loads(json.dumps(document, default=_default))))
    except TypeError as e:
        raise RequestError(500, "INTERNAL_ERROR", f"Cannot serialise the predictions: {e}", model_error=True) from None
    return text.encode("utf-8")
