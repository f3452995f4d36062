"""Enforces an MLmodel column signature (signature.inputs) on parsed input, as MLflow's pyfunc does:
every required column present, each column cast to its type, the columns in the signature's order
(extra columns dropped). A failure is a 400 that names the column.
"""
import numpy as np
import pandas as pd

from .errors import invalid_value

# MLflow column type -> the numpy dtype it is cast to.
NUMERIC = {"double": np.float64, "float": np.float32, "long": np.int64, "integer": np.int32}


class ColumnSchema:
    def __init__(self, columns):
        self.columns = columns

    @staticmethod
    def of(input_schema):
        """The column schema, or None for no signature or a tensor signature (not enforced)."""
        if not input_schema or any(not isinstance(c, dict) or c.get("type") == "tensor" for c in input_schema):
            return None
        if not all(isinstance(c.get("name"), str) for c in input_schema):
            return None  # unnamed columns: MLflow matches them by position, which ndarray input already does
        return ColumnSchema(input_schema)

    def describe(self):
        return "[" + ", ".join(f"'{c['name']}': {c.get('type')}{'' if c.get('required', True) else ' (optional)'}" for c in self.columns) + "]"

    def enforce(self, data):
        frame = self._as_frame(data)
        required = [c["name"] for c in self.columns if c.get("required", True)]
        present = set(str(c) for c in frame.columns)
        missing = [name for name in required if name not in present]
        if missing:
            names = {c["name"] for c in self.columns}
            extra = [str(c) for c in frame.columns if str(c) not in names]
            note = f" Note that there were extra inputs: {extra}." if extra else ""
            raise invalid_value(f"Failed to enforce schema of data with schema {self.describe()}. Error: Model is missing inputs {missing}.{note}")
        if not all(isinstance(c, str) for c in frame.columns):
            frame.columns = [str(c) for c in frame.columns]
        columns = [c for c in self.columns if c["name"] in present]
        fast = _numeric_block(frame, columns)
        if fast is not None:
            return fast
        out = {}
        for column in columns:
            name = column["name"]
            series = frame[name]
            if column.get("required", True) and series.isna().any():
                _raise_missing_value(name, series.isna().to_numpy())
            out[name] = _cast(series, column.get("type"), name)
        return pd.DataFrame(out, index=frame.index)

    def _as_frame(self, data):
        if isinstance(data, pd.DataFrame):
            return data
        array = np.asarray(data)
        # A list of rows has no column names: they are the signature's, in its order.
        if array.ndim == 1 and len(self.columns) == 1:
            return pd.DataFrame({self.columns[0]["name"]: array})
        if array.ndim == 2 and array.shape[1] == len(self.columns):
            return pd.DataFrame(array, columns=[c["name"] for c in self.columns])
        shape = "x".join(str(n) for n in array.shape)
        raise invalid_value(
            f"Failed to enforce schema of data with schema {self.describe()}. Error: the input is an array of shape {shape} "
            f"without column names, and the signature has {len(self.columns)} columns; send rows of {len(self.columns)} "
            "values, or dataframe_split / dataframe_records with the column names."
        )


def _raise_missing_value(name, mask):
    row = int(np.flatnonzero(mask)[0])
    raise invalid_value(f"Column {name} is required but has a missing value (row {row}).")


def _numeric_block(frame, columns):
    """The common case in one numpy cast instead of one per column: every column of the signature
    is double or float, required, and arrives as a non-boolean number. None otherwise."""
    kinds = {c.get("type") for c in columns}
    if len(kinds) != 1 or not kinds <= {"double", "float"} or not all(c.get("required", True) for c in columns):
        return None
    names = [c["name"] for c in columns]
    block = frame[names]
    if not all(dtype.kind in "iuf" for dtype in block.dtypes):
        return None
    values = block.to_numpy(dtype=NUMERIC[kinds.pop()])
    holes = np.isnan(values)
    if holes.any():
        column = int(np.flatnonzero(holes.any(axis=0))[0])
        _raise_missing_value(names[column], holes[:, column])
    return pd.DataFrame(values, columns=names, index=frame.index)


def _incompatible(name, series, target, bad):
    return invalid_value(
        f"Incompatible input types for column {name}. Can not safely convert {series.dtype} to {target}: value {bad!r}."
    )


def _first_bad(series, ok_mask):
    return series[~ok_mask].iloc[0]


def _cast(series, kind, name):
    if kind in NUMERIC:
        return _cast_numeric(series, kind, name)
    if kind == "boolean":
        if series.dtype == bool:
            return series
        ok = series.map(lambda v: isinstance(v, (bool, np.bool_)))
        if not ok.all():
            raise _incompatible(name, series, "bool", _first_bad(series, ok))
        return series.astype(bool)
    if kind == "string":
        return series.map(lambda v: v if v is None or isinstance(v, str) else str(v))
    if kind == "datetime":
        try:
            return pd.to_datetime(series)
        except (ValueError, TypeError) as e:
            raise invalid_value(f"Incompatible input types for column {name}. Can not convert to datetime64: {e}") from None
    return series  # binary, and MLflow's array / object / map types, pass as they are


def _cast_numeric(series, kind, name):
    target = NUMERIC[kind]
    if series.dtype == bool or series.dtype == object and series.map(lambda v: isinstance(v, (bool, np.bool_))).any():
        raise _incompatible(name, series, np.dtype(target).name, series[series.map(lambda v: isinstance(v, (bool, np.bool_)))].iloc[0])
    values = series
    if not pd.api.types.is_numeric_dtype(series):
        numeric = pd.to_numeric(series, errors="coerce")
        bad = numeric.isna() & series.notna()
        if bad.any():
            raise _incompatible(name, series, np.dtype(target).name, _first_bad(series, ~bad))
        values = numeric
    if kind in ("double", "float"):
        return values.astype(target)
    # Whole numbers only, and within the type's range: 1.5 or a missing value is no long.
    floats = values.astype(np.float64)
    info = np.iinfo(target)
    ok = np.isfinite(floats) & (floats == np.floor(floats)) & (floats >= info.min) & (floats <= info.max)
    if not ok.all():
        raise _incompatible(name, series, np.dtype(target).name, _first_bad(series, ok))
    return values.astype(target)
