"""Request parsing shared by every API view: JSON nested too deep for Python's parser is a 400, not a 500."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; a document nested deeper than the interpreter's recursion limit (e.g. 5,000 brackets)
    is refused as malformed instead of raising RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply") from None


PARSER_CLASSES = [JSONParser, parsers.FormParser, parsers.MultiPartParser]
