"""Interface language: Chinese first. English only when the person chose it: a signed-in user's choice is kept on
their account, an anonymous visitor's in a cookie. The browser's Accept-Language is not consulted, so an
official's English-language browser still shows the Chinese interface the mechanism works in."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            language = user.language
        else:
            language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


# Database unavailable (PostgreSQL restarting, SQLite locked past its busy timeout): a 503 with Retry-After, in JSON
# for the API and as a short page for people, never a 500 traceback. The API's exception handler answers its own
# views; this middleware catches what happens outside them (sessions, the signed-in user, pages).
UNAVAILABLE_ZH = "数据库暂时不可用，请稍后重试。"
UNAVAILABLE_EN = "The database is temporarily unavailable; please retry shortly."
RETRY_AFTER_SECONDS = 5


def is_database_unavailable(exc: BaseException | None) -> bool:
    from django.db import InterfaceError, OperationalError

    return isinstance(exc, OperationalError | InterfaceError)


def unavailable_response(request):
    import json

    from django.http import HttpResponse

    if request.path.startswith("/api/"):
        body = json.dumps(
            {"code": "service_unavailable", "message": UNAVAILABLE_ZH, "message_en": UNAVAILABLE_EN},
            ensure_ascii=False,
        )
        response = HttpResponse(body, status=503, content_type="application/json")
    else:
        page = (
            '<!doctype html><html lang="zh-hans"><meta charset="utf-8"><title>503</title>'
            f"<h1>{UNAVAILABLE_ZH}</h1><p lang=en>{UNAVAILABLE_EN}</p></html>"
        )
        response = HttpResponse(page, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _mark_unavailable(sender, request=None, **kwargs) -> None:
    import sys

    if request is not None and is_database_unavailable(sys.exc_info()[1]):
        request._metrocoop_database_unavailable = True


class DatabaseUnavailableMiddleware:
    """Outermost: an exception raised inside another middleware has already become Django's 500 by the time it
    reaches here, so `got_request_exception` marks the request and the 500 is replaced by the 503."""

    def __init__(self, get_response):
        from django.core.signals import got_request_exception

        self.get_response = get_response
        got_request_exception.connect(_mark_unavailable, dispatch_uid="metrocoop.database_unavailable")

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "_metrocoop_database_unavailable", False):
            return unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if is_database_unavailable(exception):
            return unavailable_response(request)
        return None
