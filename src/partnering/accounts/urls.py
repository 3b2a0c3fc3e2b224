from django.contrib.auth import views as auth_views
from django.urls import path

from partnering.accounts import sso, views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password-reset/complete/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("settings/", views.settings_view, name="settings"),
    path("settings/tokens/<uuid:token_uuid>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("two-factor/", views.two_factor_setup_view, name="two_factor_setup"),
    path("two-factor/verify/", views.two_factor_verify_view, name="two_factor_verify"),
    path("two-factor/backup-codes/", views.backup_codes_view, name="two_factor_backup_codes"),
    path("sso/start/", sso.start_view, name="sso_start"),
    path("sso/callback/", sso.callback_view, name="sso_callback"),
]
