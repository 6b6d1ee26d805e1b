from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "metrocoop.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from metrocoop.core import audit, exports, policies  # noqa: F401  (audited models, job handlers, policies)
        from metrocoop.core.api import caching

        caching.connect()  # the cache table is made by every `migrate`, and writes invalidate cached views

        from django.db import models
        from rest_framework import serializers

        from metrocoop.core.api.fields import BoundedTextField

        # every model serializer of every app maps a TextField to a bounded field (DRF's documented mapping table)
        serializers.ModelSerializer.serializer_field_mapping[models.TextField] = BoundedTextField
