"""WSGI entry point. Refuses to start with demo passwords or DEBUG on unless in demo mode."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metrocoop.settings")
application = get_wsgi_application()

from metrocoop.core.safety import assert_safe_to_serve  # noqa: E402

assert_safe_to_serve()
