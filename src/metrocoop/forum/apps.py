from django.utils.translation import gettext_lazy as _

from metrocoop.core import appconfig


class ForumConfig(appconfig.ModuleConfig):
    name = "metrocoop.forum"
    label = "forum"
    verbose_name = _("Forum, suggestions and research")
