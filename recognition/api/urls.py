from django.urls import path

from recognition.api import (
    corrections, events, export, keys, metrics, organise, outputs, recognize, regions, search, uploads, vocabulary,
)

urlpatterns = [
    path("api/uploads/", uploads.UploadListCreate.as_view(), name="api-upload-list"),
    path("api/uploads/zip/", uploads.UploadZip.as_view(), name="api-upload-zip"),
    path("api/uploads/<int:pk>/", uploads.UploadDetail.as_view(), name="api-upload-detail"),
    path("api/uploads/<int:pk>/versions/", corrections.UploadVersions.as_view(), name="api-upload-versions"),
    path("api/uploads/<int:pk>/versions/<int:number>/", corrections.UploadVersionDetail.as_view(),
         name="api-upload-version"),
    path("api/uploads/<int:pk>/versions/<int:number>/revert/", corrections.UploadVersionRevert.as_view(),
         name="api-upload-version-revert"),
    path("api/uploads/<int:pk>/image/", uploads.UploadImage.as_view(), name="api-upload-image"),
    path("api/uploads/<int:pk>/rerun/", uploads.UploadRerun.as_view(), name="api-upload-rerun"),
    path("api/uploads/<int:pk>/pin/", uploads.UploadPin.as_view(), name="api-upload-pin"),
    path("api/uploads/<int:pk>/region/", regions.UploadRegion.as_view(), name="api-upload-region"),
    path("api/uploads/<int:pk>/region/<str:task>/", regions.UploadRegionReading.as_view(),
         name="api-upload-region-reading"),
    # Outputs: tables of a result.
    path("api/uploads/<int:pk>/tables/", outputs.UploadTables.as_view(), name="api-upload-tables"),
    path("api/uploads/<int:pk>/tables/file/", outputs.UploadTableFile.as_view(), name="api-upload-table-file"),
    path("api/teams/<slug:slug>/events/", events.TeamEvents.as_view(), name="api-team-events"),
    path("api/teams/<slug:slug>/vocabulary/", vocabulary.VocabularyList.as_view(), name="api-vocabulary-list"),
    path("api/teams/<slug:slug>/vocabulary/csv/", vocabulary.VocabularyCsv.as_view(), name="api-vocabulary-csv"),
    path("api/teams/<slug:slug>/vocabulary/<int:pk>/", vocabulary.VocabularyDetail.as_view(),
         name="api-vocabulary-detail"),
    path("api/search/", search.SearchView.as_view(), name="api-search"),
    # Organising: tags, notes, notifications, saved searches, bulk actions.
    path("api/teams/<slug:slug>/tags/", organise.TagList.as_view(), name="api-tag-list"),
    path("api/teams/<slug:slug>/tags/<int:pk>/", organise.TagDetail.as_view(), name="api-tag-detail"),
    path("api/uploads/<int:pk>/tags/", organise.UploadTags.as_view(), name="api-upload-tags"),
    path("api/uploads/<int:pk>/notes/", organise.UploadNotes.as_view(), name="api-upload-notes"),
    path("api/uploads/<int:pk>/notes/<int:note_id>/", organise.UploadNoteDetail.as_view(), name="api-upload-note"),
    path("api/notifications/", organise.NotificationList.as_view(), name="api-notifications"),
    path("api/notifications/read/", organise.NotificationsRead.as_view(), name="api-notifications-read"),
    path("api/teams/<slug:slug>/saved-searches/", organise.SavedSearchList.as_view(), name="api-saved-search-list"),
    path("api/teams/<slug:slug>/saved-searches/<int:pk>/", organise.SavedSearchDetail.as_view(),
         name="api-saved-search-detail"),
    path("api/teams/<slug:slug>/bulk/", organise.Bulk.as_view(), name="api-bulk"),
    path("api/export/", export.ExportView.as_view(), name="api-export"),
    path(".well-known/jwks.json", keys.jwks, name="signing-keys"),
    path("metrics", metrics.metrics, name="metrics"),
    path("ocr/recognize", recognize.recognize, name="ocr-recognize"),
    path("ocr/recognize/", recognize.recognize),
]
