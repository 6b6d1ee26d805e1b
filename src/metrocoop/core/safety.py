"""Start-up guard: outside demo mode the platform refuses to serve with DEBUG on, the demo key or demo passwords."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def unsafe_reasons() -> list[str]:
    """Why serving would be unsafe right now (empty when it is safe, or in demo mode)."""
    if settings.DEMO_MODE:
        return []
    reasons = []
    if settings.DEBUG:
        reasons.append("DEBUG is on (METROCOOP_DEBUG=1)")
    if settings.SECRET_KEY == settings.DEMO_SECRET_KEY:
        reasons.append("METROCOOP_SECRET_KEY is not set")
    from metrocoop.core.models import User

    demo_users = list(
        User.objects.filter(is_active=True, has_demo_password=True)
        .order_by("username")
        .values_list("username", flat=True)
    )
    if demo_users:
        more = f" and {len(demo_users) - 10} more" if len(demo_users) > 10 else ""
        names = ", ".join(demo_users[:10])
        reasons.append(f"{len(demo_users)} active accounts still have the demo password: {names}{more}")
    return reasons


def assert_safe_to_serve() -> None:
    reasons = unsafe_reasons()
    if reasons:
        raise ImproperlyConfigured(
            "MetroCoop refuses to start outside demo mode: " + "; ".join(reasons) + ". "
            "Use `metrocoop demo` for a demonstration."
        )
