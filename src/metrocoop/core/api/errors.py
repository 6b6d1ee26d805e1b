"""API errors as JSON with a code and a message in both languages; validation errors name the field."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, InterfaceError, OperationalError
from django.db.models import ProtectedError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from metrocoop.core.errors import Conflict as ServiceConflict
from metrocoop.core.explain import BilingualError

MESSAGES = {
    "not_authenticated": ("请先登录。", "Authentication credentials were not provided or are invalid."),
    "authentication_failed": ("身份验证失败。", "Authentication failed."),
    "permission_denied": ("您无权执行此操作。", "You do not have permission to perform this action."),
    "not_found": ("未找到。", "Not found."),
    "method_not_allowed": ("不允许此方法。", "Method not allowed."),
    "invalid": ("输入有误，请检查各字段。", "The input is invalid; see the fields."),
    "protected": (
        "该记录仍被其他记录引用，不能删除。",
        "This record is still referred to by others and cannot be deleted.",
    ),
    "conflict": ("与已有记录冲突。", "This conflicts with an existing record."),
    "throttled": ("请求过于频繁。", "Too many requests."),
    "parse_error": ("请求格式错误。", "Malformed request."),
    "too_large": ("请求内容过大。", "The request body is too large."),
    "unstorable": (
        "输入含有无法保存的字符（如 NUL）。",
        "The input contains characters that cannot be stored (such as NUL).",
    ),
    "service_unavailable": (
        "数据库暂时不可用，请稍后重试。",
        "The database is temporarily unavailable; please retry shortly.",
    ),
}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "conflict"


def _bilingual(code: str, detail=None) -> dict:
    text = str(detail) if detail is not None else code
    zh, en = MESSAGES.get(code, (text, text))
    return {"code": code, "message": zh, "message_en": en}


def exception_handler(exc, context):
    if isinstance(exc, DataError):
        # a value the database refuses as such (PostgreSQL: a NUL character in text): bad input, not a server error
        set_rollback()
        return Response(_bilingual("unstorable"), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, OperationalError | InterfaceError):
        # PostgreSQL restarting or SQLite locked past its busy timeout: retry shortly, not a 500.
        set_rollback()
        response = Response(_bilingual("service_unavailable"), status=status.HTTP_503_SERVICE_UNAVAILABLE)
        response["Retry-After"] = "5"
        return response
    if isinstance(exc, BilingualError):
        # an engine's refusal that reached the API unconverted: bad input, said in both languages
        exc = exceptions.ValidationError({"non_field_errors": [exc.both]})
    elif isinstance(exc, ServiceConflict):
        exc = Conflict(detail="; ".join(exc.messages))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, ProtectedError):
        return Response(_bilingual("protected"), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = _bilingual("invalid")
        body["fields"] = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
    else:
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = code if isinstance(code, str) else "error"
        body = _bilingual(code, getattr(exc, "detail", None))
        detail = getattr(exc, "detail", None)
        if detail is not None and str(detail) not in (body["message"], body["message_en"]):
            body["detail"] = str(detail)
    response.data = body
    return response


def not_found(request, exception=None):
    """The site's 404 (urls.handler404): a URL under /api/ that no route matches answers in the API's own bilingual
    JSON shape, as every other API error does; any other URL gets the page."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse(_bilingual("not_found"), status=status.HTTP_404_NOT_FOUND)
    return page_not_found(request, exception)
