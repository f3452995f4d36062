"""Loads an MLflow model folder into one predict function, as MLflow's pyfunc loaders do.

Which flavor serves a folder is decided the way electron/services/serving/model-flavors.ts
decides it (keep the two in step): the python_function flavor's loader_module when there is one
(mlflow.sklearn and mlflow.xgboost map to those flavors, any other non-MLflow module is a custom
loader), else the sklearn flavor, else the xgboost flavor.
"""
import importlib
import inspect
import json
import os
import sys
from dataclasses import dataclass
from typing import Any, Callable, Optional

import yaml

from .errors import ModelLoadError

SERVED = ("sklearn", "xgboost", "python_function")
SERVED_TEXT = (
    "Orrery serves sklearn (pickle or cloudpickle), xgboost, and python_function with a custom "
    "loader_module (or loader_module mlflow.sklearn / mlflow.xgboost)"
)


@dataclass
class LoadedModel:
    flavor: str
    # What was loaded, for the log line: the estimator's class or the loader module.
    description: str
    # predict(model_input, params) -> predictions
    predict: Callable[[Any, Optional[dict]], Any]
    # MLmodel signature.inputs, parsed (a list of column specs), or None.
    input_schema: Optional[list]


def read_mlmodel(model_dir):
    path = os.path.join(model_dir, "MLmodel")
    if not os.path.isfile(path):
        listing = sorted(os.listdir(model_dir))[:20] if os.path.isdir(model_dir) else None
        where = f"it holds {listing}" if listing is not None else "the folder does not exist (is it mounted?)"
        raise ModelLoadError(f"no MLmodel file in {model_dir}: {where}. Serve an MLflow-format model folder.")
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        raise ModelLoadError(f"cannot read {path}: {e}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("flavors"), dict) or not doc["flavors"]:
        raise ModelLoadError(f"{path} has no flavors: it is not an MLflow model file")
    return doc


def choose_flavor(flavors):
    """(served flavor, the flavor's settings, the python_function settings or {})."""
    pyfunc = flavors.get("python_function")
    if isinstance(pyfunc, dict) and pyfunc.get("loader_module"):
        loader = str(pyfunc["loader_module"])
        if loader == "mlflow.sklearn":
            return "sklearn", flavors.get("sklearn") or {}, pyfunc
        if loader == "mlflow.xgboost":
            return "xgboost", flavors.get("xgboost") or {}, pyfunc
        if not loader.startswith("mlflow."):
            return "python_function", pyfunc, pyfunc
    # Another MLflow loader (mlflow.pyfunc.model needs MLflow itself): a native flavor still serves.
    if isinstance(flavors.get("sklearn"), dict):
        return "sklearn", flavors["sklearn"], {}
    if isinstance(flavors.get("xgboost"), dict):
        return "xgboost", flavors["xgboost"], {}
    detail = ""
    if isinstance(pyfunc, dict) and pyfunc.get("loader_module"):
        detail = f" (python_function's loader_module is {pyfunc['loader_module']}, which needs MLflow itself)"
    raise ModelLoadError(f"the model's flavors are {', '.join(flavors)}{detail}; {SERVED_TEXT}")


def _inside(model_dir, relative, what):
    if not isinstance(relative, str) or relative == "":
        raise ModelLoadError(f"MLmodel does not say where the {what} is")
    path = os.path.normpath(os.path.join(model_dir, relative))
    if not os.path.exists(path):
        raise ModelLoadError(f"the {what} {relative} named in MLmodel is not in the model folder")
    return path


def _load_sklearn(model_dir, conf, pyfunc):
    fmt = conf.get("serialization_format", "pickle")
    if fmt not in ("pickle", "cloudpickle"):
        raise ModelLoadError(f"sklearn serialization_format {fmt!r} is not served; Orrery loads pickle and cloudpickle")
    path = _inside(model_dir, conf.get("pickled_model") or pyfunc.get("model_path"), "pickled model")
    if fmt == "cloudpickle":
        import cloudpickle as loader
    else:
        import pickle as loader
    with open(path, "rb") as f:
        model = loader.load(f)
    if not callable(getattr(model, "predict", None)):
        raise ModelLoadError(f"the object in {os.path.basename(path)} ({type(model).__name__}) has no predict method")
    # MLflow's sklearn pyfunc wrapper accepts params and ignores them.
    return type(model).__name__, lambda data, params: model.predict(data)


def _load_xgboost(model_dir, conf, pyfunc):
    import xgboost as xgb

    path = _inside(model_dir, conf.get("data") or pyfunc.get("data"), "xgboost model file")
    fmt = conf.get("model_format", "xgb")
    if fmt not in ("json", "ubj", "xgb"):
        raise ModelLoadError(f"xgboost model_format {fmt!r} is not one of json, ubj, xgb")
    module_name, _, class_name = str(conf.get("model_class", "xgboost.core.Booster")).rpartition(".")
    if not module_name.startswith("xgboost"):
        raise ModelLoadError(f"xgboost model_class {conf.get('model_class')!r} is not an xgboost class")
    model = getattr(importlib.import_module(module_name), class_name)()
    model.load_model(path)
    if isinstance(model, xgb.Booster):
        return "Booster", lambda data, params: model.predict(xgb.DMatrix(data), **(params or {}))
    return type(model).__name__, lambda data, params: model.predict(data, **(params or {}))


def _load_custom(model_dir, conf):
    code = conf.get("code")
    if code:
        sys.path.insert(0, _inside(model_dir, code, "code folder"))
    data_path = _inside(model_dir, conf["data"], "data") if conf.get("data") else model_dir
    module_name = str(conf["loader_module"])
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise ModelLoadError(f"cannot import loader_module {module_name}: {e}") from None
    if not callable(getattr(module, "_load_pyfunc", None)):
        raise ModelLoadError(f"loader_module {module_name} has no _load_pyfunc(data_path) function")
    model = module._load_pyfunc(data_path)
    predict = getattr(model, "predict", None)
    if not callable(predict):
        raise ModelLoadError(f"{module_name}._load_pyfunc returned a {type(model).__name__}, which has no predict method")
    try:
        takes_params = "params" in inspect.signature(predict).parameters
    except (TypeError, ValueError):
        takes_params = False
    if takes_params:
        return f"{module_name} ({type(model).__name__})", lambda data, params: predict(data, params=params)
    return f"{module_name} ({type(model).__name__})", lambda data, params: predict(data)


def _input_schema(doc):
    raw = (doc.get("signature") or {}).get("inputs") if isinstance(doc.get("signature"), dict) else None
    if raw is None:
        return None
    try:
        schema = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError as e:
        raise ModelLoadError(f"MLmodel signature.inputs is not valid JSON: {e}") from None
    if not isinstance(schema, list):
        raise ModelLoadError("MLmodel signature.inputs is not a list of columns")
    return schema


def load_model(model_dir):
    doc = read_mlmodel(model_dir)
    flavor, conf, pyfunc = choose_flavor(doc["flavors"])
    schema = _input_schema(doc)
    try:
        if flavor == "sklearn":
            description, predict = _load_sklearn(model_dir, conf, pyfunc)
        elif flavor == "xgboost":
            description, predict = _load_xgboost(model_dir, conf, pyfunc)
        else:
            description, predict = _load_custom(model_dir, conf)
    except ModelLoadError:
        raise
    except Exception as e:  # unpickling or the model's own loader failed
        raise ModelLoadError(f"loading the {flavor} model failed: {type(e).__name__}: {e}") from e
    return LoadedModel(flavor=flavor, description=description, predict=predict, input_schema=schema)
