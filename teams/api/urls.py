from django.urls import path

from teams.api import tokens, views

urlpatterns = [
    path("api/teams/", views.TeamList.as_view(), name="api-team-list"),
    path("api/teams/<slug:slug>/", views.TeamDetail.as_view(), name="api-team-detail"),
    path("api/teams/<slug:slug>/members/", views.MemberList.as_view(), name="api-member-list"),
    path("api/teams/<slug:slug>/members/<int:user_id>/", views.MemberDetail.as_view(), name="api-member-detail"),
    path("api/teams/<slug:slug>/invitations/", views.InvitationList.as_view(), name="api-invitation-list"),
    path("api/teams/<slug:slug>/invitations/<int:pk>/", views.InvitationDetail.as_view(), name="api-invitation-detail"),
    path("api/teams/<slug:slug>/tokens/", tokens.TeamAccessTokenList.as_view(), name="api-team-token-list"),
    path("api/teams/<slug:slug>/tokens/<int:pk>/", tokens.TeamAccessTokenDetail.as_view(), name="api-team-token-detail"),
    path("api/tokens/", tokens.AccessTokenList.as_view(), name="api-access-token-list"),
    path("api/tokens/<int:pk>/", tokens.AccessTokenDetail.as_view(), name="api-access-token-detail"),
]
