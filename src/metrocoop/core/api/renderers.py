"""A JSON renderer backed by orjson: the same bytes as DRF's JSONRenderer for what our serializers produce (compact,
UTF-8, U+2028/U+2029 escaped), several times faster on large lists. Anything orjson cannot encode natively goes
through DRF's encoder (`default`), and anything it refuses outright (an integer wider than 64 bits, an indented
response asked for by `Accept: application/json; indent=2`) is rendered by DRF's renderer itself."""

from __future__ import annotations

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_encoder = JSONEncoder()
# Datetimes and dataclasses go through DRF's encoder, so a datetime in a plain APIView reads "…Z" as before.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS


class ORJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        renderer_context = renderer_context or {}
        if self.get_indent(accepted_media_type, renderer_context) or self.encoder_class is not JSONEncoder:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            out = orjson.dumps(data, default=_encoder.default, option=_OPTIONS)
        except (orjson.JSONEncodeError, TypeError):
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80\xa8" in out or b"\xe2\x80\xa9" in out:  # as DRF: safe to embed in a <script>
            out = out.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return out
