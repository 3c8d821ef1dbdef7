from django.urls import path

from . import views

urlpatterns = [
    path("ok/", views.ok),
    path("zero/", views.zero),
    path("template/", views.missing_template),
    path("handled/", views.handled),
    path("message/", views.message),
    path("integrity/", views.integrity),
    path("signal/", views.signal),
]
