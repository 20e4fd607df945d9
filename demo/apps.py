from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Jinchang's facts from seeds/, the demo data and accounts, and the benchmark's scale
    data: everything that loads data from outside the app, above every app it fills."""

    name = "demo"
    verbose_name = _("种子与示例数据")
