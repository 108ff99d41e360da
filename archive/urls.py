from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/", views.document_detail, name="archive_document"),
]
