from django.urls import path

from recognition import views

urlpatterns = [
    path("uploads/<int:upload_id>/image/", views.upload_image, name="upload-image"),
    path("uploads/<int:upload_id>/thumbnail/", views.upload_thumbnail, name="upload-thumbnail"),
]
