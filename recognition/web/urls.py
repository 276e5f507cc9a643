"""Browser routes for the team space, uploads, results and search (JSON lives under api/)."""

from django.urls import path

from recognition.web import (
    corrections, feed, files, organise, results, search, share, share_links, teaching, vocabulary,
)

urlpatterns = [
    path("t/<slug:slug>/", feed.team_space, name="team-space"),
    path("uploads/<int:upload_id>/image/", files.upload_image, name="upload-image"),
    path("uploads/<int:upload_id>/thumbnail/", files.upload_thumbnail, name="upload-thumbnail"),
    path("uploads/<int:upload_id>/pages/<int:number>/", files.upload_page, name="upload-page"),
    path("uploads/<int:upload_id>/", results.result_page, name="upload-result"),
    path("uploads/<int:upload_id>/rerun/", results.rerun, name="upload-rerun"),
    path("uploads/<int:upload_id>/pin/", results.pin, name="upload-pin"),
    path("uploads/<int:upload_id>/delete/", results.delete, name="upload-delete"),
    path("uploads/<int:upload_id>/download/<str:fmt>/", results.download, name="upload-download"),
    path("uploads/<int:upload_id>/text/", corrections.save_text, name="upload-text"),
    path("uploads/<int:upload_id>/history/", corrections.history_page, name="upload-history"),
    path("uploads/<int:upload_id>/history/<int:number>/revert/", corrections.revert, name="upload-revert"),
    path("t/<slug:slug>/search/", search.search_page, name="team-search"),
    path("share/", share.share_target, name="share-target"),
    # Read-only share links: made and revoked by members; opened by anyone with the token.
    path("uploads/<int:upload_id>/links/", share_links.create_link, name="share-link-create"),
    path("uploads/<int:upload_id>/links/<int:pk>/revoke/", share_links.revoke_link, name="share-link-revoke"),
    path("s/<str:token>/", share_links.shared_result, name="shared-result"),
    path("s/<str:token>/image/", share_links.shared_image, name="shared-image"),
    path("s/<str:token>/download/<str:fmt>/", share_links.shared_download, name="shared-download"),
    path("t/<slug:slug>/vocabulary/", vocabulary.vocabulary, name="team-vocabulary"),
    path("t/<slug:slug>/vocabulary/import/", vocabulary.vocabulary_import, name="vocabulary-import"),
    path("t/<slug:slug>/vocabulary/export/", vocabulary.vocabulary_export, name="vocabulary-export"),
    path("t/<slug:slug>/vocabulary/<int:pk>/delete/", vocabulary.term_delete, name="vocabulary-delete"),
    # The team's fine-tuned recognizers: members look, admins and owners train and choose.
    path("t/<slug:slug>/models/", teaching.models_page, name="team-models"),
    path("t/<slug:slug>/models/progress/", teaching.models_progress, name="team-models-progress"),
    path("t/<slug:slug>/models/train/", teaching.train, name="team-models-train"),
    path("t/<slug:slug>/models/activate/", teaching.activate, name="team-models-activate"),
    # Organising: bulk actions, saved searches, tags, notes, notifications.
    path("t/<slug:slug>/bulk/", organise.bulk_action, name="team-bulk"),
    path("t/<slug:slug>/saved-searches/", organise.saved_search_create, name="saved-search-create"),
    path("t/<slug:slug>/saved-searches/<int:pk>/delete/", organise.saved_search_delete, name="saved-search-delete"),
    path("t/<slug:slug>/tags/", organise.tags_page, name="team-tags"),
    path("t/<slug:slug>/tags/<int:pk>/", organise.tag_update, name="tag-update"),
    path("t/<slug:slug>/tags/<int:pk>/delete/", organise.tag_delete, name="tag-delete"),
    path("uploads/<int:upload_id>/tags/", organise.upload_tags, name="upload-tags"),
    path("uploads/<int:upload_id>/notes/", organise.note_add, name="upload-note-add"),
    path("uploads/<int:upload_id>/notes/<int:note_id>/delete/", organise.note_delete, name="upload-note-delete"),
    path("notifications/", organise.notifications_page, name="notifications"),
    path("notifications/read/", organise.notifications_read, name="notifications-read"),
]
