from django.utils.translation import gettext_lazy as _

from metrocoop.core import appconfig


class SpatialConfig(appconfig.ModuleConfig):
    name = "metrocoop.spatial"
    label = "spatial"
    verbose_name = _("Spatial coordination")
