"""Request parsing shared by every API view: JSON nested too deep for Python's parser is a 400, not a 500."""

from django.conf import settings
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = "request body too large"


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; a document nested deeper than the interpreter's recursion limit (e.g. 5,000 brackets)
    is refused as malformed instead of raising RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and str(declared).isdigit() and int(declared) > settings.METROCOOP_MAX_JSON_BYTES:
            raise RequestTooLarge()
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply") from None


PARSER_CLASSES = [JSONParser, parsers.FormParser, parsers.MultiPartParser]
