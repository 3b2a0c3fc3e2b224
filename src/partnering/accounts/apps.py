from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "partnering.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from partnering.accounts.two_factor import on_user_logged_in

        user_logged_in.connect(on_user_logged_in, dispatch_uid="partnering.accounts.two_factor")
