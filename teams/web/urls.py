from django.contrib.auth import views as auth_views
from django.urls import path

from teams.web import accounts, sign_on, teams, tokens, twofactor

urlpatterns = [
    path("", teams.home, name="home"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/login/", accounts.SignInView.as_view(), name="login"),
    # OpenID Connect sign-in through allauth's views (names as allauth reverses them).
    path("accounts/oidc/<str:provider_id>/login/", sign_on.oidc_login, name="openid_connect_login"),
    path("accounts/oidc/<str:provider_id>/login/callback/", sign_on.oidc_callback, name="openid_connect_callback"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/2fa/", twofactor.setup, name="2fa-setup"),
    path("accounts/2fa/verify/", twofactor.verify, name="2fa-verify"),
    path("accounts/2fa/disable/", twofactor.disable, name="2fa-disable"),
    path("accounts/tokens/", tokens.account_tokens, name="account-tokens"),
    path("accounts/tokens/<int:pk>/revoke/", tokens.account_token_revoke, name="account-token-revoke"),
    path("teams/", teams.team_list, name="team-list"),
    path("t/<slug:slug>/settings/", teams.team_settings, name="team-settings"),
    path("t/<slug:slug>/invitations/", teams.invitation_create, name="invitation-create"),
    path("t/<slug:slug>/invitations/<int:invitation_id>/revoke/", teams.invitation_revoke, name="invitation-revoke"),
    path("t/<slug:slug>/members/<int:user_id>/role/", teams.member_role, name="member-role"),
    path("t/<slug:slug>/members/<int:user_id>/remove/", teams.member_remove, name="member-remove"),
    path("t/<slug:slug>/tokens/<int:pk>/revoke/", tokens.team_token_revoke, name="team-token-revoke"),
    path("invite/<str:token>/", teams.invitation_accept, name="invitation-accept"),
]
