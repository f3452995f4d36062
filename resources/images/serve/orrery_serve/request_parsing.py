"""Turns an /invocations body into model input, as MLflow's scoring server parses it.

JSON: an object with exactly one of dataframe_split, dataframe_records, instances, inputs, and
optionally params. CSV: a table with a header row (pandas.DataFrame.to_csv).
"""
import io
import json

import numpy as np
import pandas as pd

from .errors import RequestError, bad_request

CONTENT_TYPES = ("application/json", "text/csv")
FORMATS = ("dataframe_split", "dataframe_records", "instances", "inputs")
# MLflow prints its Python set of the four keys here.
REQUIRED_INPUT_FORMAT = (
    "The input must be a JSON dictionary with exactly one of the input fields "
    "{'dataframe_split', 'dataframe_records', 'instances', 'inputs'}"
)


def media_type(content_type):
    """The lower-case media type of a Content-Type header, or raises a 415 RequestError."""
    if content_type is None:
        raise RequestError(415, "BAD_REQUEST", f"This predictor only supports the following content types: {list(CONTENT_TYPES)}. Got no Content-Type.")
    parts = [p.strip() for p in content_type.split(";")]
    mime = parts[0].lower()
    parameters = {}
    for part in parts[1:]:
        if part == "":
            continue  # a trailing ";"
        key, _, value = part.partition("=")
        parameters[key.strip().lower()] = value.strip().strip('"')
    if mime not in CONTENT_TYPES:
        raise RequestError(415, "BAD_REQUEST", f"This predictor only supports the following content types: {list(CONTENT_TYPES)}. Got '{content_type}'.")
    if parameters.get("charset", "utf-8").lower() != "utf-8":
        raise RequestError(415, "BAD_REQUEST", "The scoring server only supports UTF-8")
    unexpected = sorted(set(parameters) - {"charset"})
    if unexpected:
        raise RequestError(415, "BAD_REQUEST", f"Unrecognized content type parameters: {', '.join(unexpected)}.")
    return mime


def _text(body):
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise bad_request(f"The request body is not valid UTF-8: {e}") from None


def parse_csv(body):
    try:
        return pd.read_csv(io.StringIO(_text(body)))
    except Exception as e:
        raise bad_request(
            "Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid "
            f"CSV-formatted Pandas DataFrame produced using the `pandas.DataFrame.to_csv()` method. Error: '{e}'"
        ) from None


def parse_json(body):
    """(model input, params or None)."""
    try:
        decoded = json.loads(_text(body))
    except ValueError as e:
        raise bad_request(f"Failed to parse input from JSON. Ensure that input is a valid JSON formatted string. Error: '{e}'") from None
    if isinstance(decoded, list):
        raise bad_request(f"{REQUIRED_INPUT_FORMAT}. Received a list.")
    if not isinstance(decoded, dict):
        raise bad_request(f"{REQUIRED_INPUT_FORMAT}. Received unexpected input type '{type(decoded).__name__}'.")
    keys = [k for k in decoded if k in FORMATS]
    if len(keys) != 1:
        raise bad_request(f"{REQUIRED_INPUT_FORMAT}. Received dictionary with input fields: {list(decoded)}.")
    params = decoded.get("params")
    if params is not None and not isinstance(params, dict):
        raise bad_request(f"params must be a JSON object of parameter names and values; got {type(params).__name__}")
    key = keys[0]
    value = decoded[key]
    if key == "dataframe_split":
        return _dataframe_split(value), params
    if key == "dataframe_records":
        return _dataframe_records(value), params
    return _tf_serving(key, value), params


def _dataframe_split(value):
    if not isinstance(value, dict) or "data" not in value:
        raise bad_request("dataframe_split must be an object with `columns` and `data` (pandas orient 'split')")
    try:
        # Rows of plain numbers become one numpy block at once (much faster than pandas per cell).
        array = np.asarray(value["data"]) if isinstance(value["data"], list) else None
        if array is not None and array.ndim == 2 and array.dtype.kind in "iuf":
            return pd.DataFrame(array, columns=value.get("columns"), index=value.get("index"))
        return pd.DataFrame(data=value["data"], columns=value.get("columns"), index=value.get("index"))
    except Exception as e:
        raise bad_request(
            "Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid JSON-formatted "
            f"Pandas DataFrame with the `split` orient produced using the `pandas.DataFrame.to_json(..., orient='split')` method. Error: '{e}'"
        ) from None


def _dataframe_records(value):
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        raise bad_request("dataframe_records must be a list of row objects (pandas orient 'records')")
    return pd.DataFrame.from_records(value) if value else pd.DataFrame()


def _tf_serving(key, value):
    """TF-Serving forms: a list of rows (instances or inputs) or an object of columns (inputs)."""
    try:
        if isinstance(value, dict):
            if key == "instances":
                raise bad_request("instances must be a list of rows")
            if all(not isinstance(v, (list, dict)) for v in value.values()):
                return pd.DataFrame([value])
            return pd.DataFrame({k: v for k, v in value.items()})
        if not isinstance(value, list):
            raise bad_request(f"{key} must be a list of rows or an object of columns")
        if value and all(isinstance(row, dict) for row in value):
            return pd.DataFrame.from_records(value)
        return np.array(value)
    except RequestError:
        raise
    except Exception as e:
        raise bad_request(f"Failed to parse data as TF serving input. Ensure that the input is a valid JSON-formatted list or dictionary. Error: '{e}'") from None
