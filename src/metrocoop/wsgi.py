"""WSGI entry point. Refuses to start with demo passwords or DEBUG on unless in demo mode.

Once the platform is loaded (settings, apps, every module the URL configuration imports), what is in memory stays
for the process's life, so it is moved out of the garbage collector's reach (`gc.freeze()`): Python's full
collections otherwise walk those objects again and again while serving, about a tenth of a small API read's time
(profiled on `/api/cities/`; docs/performance.md). Nothing is kept from being freed: frozen objects are the ones
that live as long as the process anyway, and objects made while serving are collected as before."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metrocoop.settings")
application = get_wsgi_application()

from metrocoop.core.safety import assert_safe_to_serve  # noqa: E402

assert_safe_to_serve()

get_resolver().url_patterns  # noqa: B018 -- imports every view module now, not on the first request
gc.collect()
gc.freeze()
