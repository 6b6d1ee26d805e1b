"""The OpenAPI schema says what the API really answers: every operation documents the error answers the core
exception handler can give, all in one bilingual shape (`Error`).

A drf-spectacular post-processing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) adds them, so no viewset
repeats them and a new app's operations are documented the day they exist:

- every operation: 401 (no or expired credentials), 403 (the user may not), 429 (throttled), 503 (the database is
  unavailable for a moment; retry);
- operations with parameters, a body or a path id: 400 (invalid input, fields named) and 404;
- writes (POST, PUT, PATCH, DELETE): 409 (conflicts with what is recorded: a repeat, a closed period, a protected
  row);
- every operation: 405 is not listed: the router offers only the methods an operation has.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An error, in Chinese and English. A validation error names each field in `fields`.",
    "properties": {
        "code": {"type": "string", "description": "machine-readable code, e.g. invalid, permission_denied"},
        "message": {"type": "string", "description": "Chinese message"},
        "message_en": {"type": "string", "description": "English message"},
        "detail": {"type": "string", "description": "what exactly went wrong, when there is more to say"},
        "fields": {
            "type": "object",
            "additionalProperties": True,
            "description": "field name -> the reasons it was refused (validation errors only)",
        },
    },
    "required": ["code", "message", "message_en"],
}


class ErrorSerializer(serializers.Serializer):
    """For operations that answer either their own report or an error (drf-spectacular's component "Error")."""

    code = serializers.CharField()
    message = serializers.CharField()
    message_en = serializers.CharField()
    detail = serializers.CharField(required=False)
    fields = serializers.DictField(required=False)


DESCRIPTIONS = {
    "400": "Invalid input (fields named) / 输入有误",
    "401": "Not signed in, or the token expired / 未登录或令牌已过期",
    "403": "Not permitted for this user / 无权执行",
    "404": "Not found, or not visible to this user / 未找到",
    "409": "Conflicts with what is already recorded / 与已有记录冲突",
    "413": "The request body is too large / 请求过大",
    "429": "Too many requests; try again later / 请求过于频繁",
    "503": "The database is briefly unavailable; retry / 服务暂不可用，请重试",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def _error_response(code: str) -> dict[str, Any]:
    return {
        "description": DESCRIPTIONS[code],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Post-processing hook: the bilingual `Error` component and the error answers of every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in WRITE_METHODS | {"get", "head"} or not isinstance(operation, dict):
                continue
            codes = ["401", "403", "429", "503"]
            if operation.get("parameters") or "requestBody" in operation or "{" in path:
                codes += ["400", "404"]
            if method in WRITE_METHODS:
                codes += ["400", "409", "413"]
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, _error_response(code))
    return result


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema with one correction: a read-only choice field over a model column that may be blank
    or null is documented as such. DRF drops `allow_blank` from fields named in `read_only_fields`, so the schema
    promised one of the choices where the API answers "" (a suggestion not yet declined has no reason)."""

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if isinstance(field, serializers.ChoiceField) and field.read_only:
            model_field = _model_field_of(field)
            if model_field is not None:
                field.allow_blank = field.allow_blank or bool(getattr(model_field, "blank", False))
                field.allow_null = field.allow_null or bool(getattr(model_field, "null", False))
        return super()._map_serializer_field(field, direction, bypass_extensions)


def _model_field_of(field: serializers.Field):
    model = getattr(getattr(getattr(field, "parent", None), "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source or field.source == "*":
        return None
    try:
        return model._meta.get_field(field.source)
    except Exception:  # a property or a method: no column
        return None
