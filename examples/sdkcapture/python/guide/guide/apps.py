from django.apps import AppConfig


class GuideConfig(AppConfig):
    name = "guide"
    default_auto_field = "django.db.models.AutoField"

    def ready(self):
        # Importing connects the receivers, as Django's docs recommend
        # doing in ready() rather than in models.py.
        from . import signals  # noqa: F401
