"""The Django app that holds the partnership's web models, views and templates."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "cspkit.web"
    label = "web"
    verbose_name = "Partnership web app"
    default_auto_field = "django.db.models.BigAutoField"
