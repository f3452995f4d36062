"""Errors a request can end in, each with its HTTP status and MLflow-style error_code."""


class RequestError(Exception):
    def __init__(self, status, error_code, message, model_error=False):
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message
        # The model's own predict raised: MLflow answers 400 as for bad input, so the answer
        # carries X-Orrery-Model-Error for the gateway to count it as the version's error.
        self.model_error = model_error


def bad_request(message):
    return RequestError(400, "BAD_REQUEST", message)


def invalid_value(message):
    return RequestError(400, "INVALID_PARAMETER_VALUE", message)


class ModelLoadError(Exception):
    """The model folder cannot be served; the message says why."""
