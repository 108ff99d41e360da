from django.urls import path

from . import views

app_name = "services"

urlpatterns = [
    path("", views.service_list, name="list"),
    path("lebenslagen/<slug:slug>/", views.life_situation, name="life_situation"),
    # A service's address depends on nothing an import or an editor can change.
    path("<int:pk>/", views.service_detail, name="service"),
]
