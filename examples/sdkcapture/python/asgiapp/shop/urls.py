from django.urls import path

from . import views

urlpatterns = [
    path("ok/", views.ok),
    path("orders/<int:order_id>/", views.order),
]
