"""The app's own URLconf plus the bare "ok" view, the ceiling every page is compared with."""

from django.urls import path

from partnering import urls as app_urls
from partnering.bench.views import ok

handler400 = app_urls.handler400
handler403 = app_urls.handler403
handler404 = app_urls.handler404
handler500 = app_urls.handler500

urlpatterns = [path("bench/ok", ok, name="bench-ok"), *app_urls.urlpatterns]
