"""OParl 1.1 under /oparl/v1/: the version in the address, so a later one can live beside it."""

from django.urls import path

from . import oparl_views as views

urlpatterns = [
    path("v1/", views.system, name="oparl_system"),
    path("v1/bodies/", views.bodies, name="oparl_bodies"),
    path("v1/body/", views.body, name="oparl_body"),
    path("v1/body/organizations/", views.organizations, name="oparl_organizations"),
    path("v1/body/persons/", views.persons, name="oparl_persons"),
    path("v1/body/meetings/", views.meetings, name="oparl_meetings"),
    path("v1/body/papers/", views.papers, name="oparl_papers"),
    path("v1/body/files/", views.files, name="oparl_files"),
    path("v1/organization/<int:pk>/", views.organization, name="oparl_organization"),
    path(
        "v1/organization/<int:pk>/meetings/",
        views.organization_meetings,
        name="oparl_organization_meetings",
    ),
    path("v1/meeting/<int:pk>/", views.meeting, name="oparl_meeting"),
    path("v1/paper/<int:pk>/", views.paper, name="oparl_paper"),
    path("v1/file/<int:pk>/", views.file, name="oparl_file"),
]
