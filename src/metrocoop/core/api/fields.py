"""Serializer fields shared by every app's API."""

from django.conf import settings
from rest_framework import serializers


class BoundedTextField(serializers.CharField):
    """A model TextField in the API: at most METROCOOP_MAX_TEXT_CHARS characters unless the model says less.

    Installed for every ModelSerializer by core's AppConfig, so that no free-text field anywhere takes an unbounded
    value (a megabyte of text once held a worker past its timeout while it was segmented)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", settings.METROCOOP_MAX_TEXT_CHARS)
        super().__init__(**kwargs)
