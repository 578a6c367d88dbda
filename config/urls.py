"""Top-level URL map: the web pages and the JSON API."""

from django.urls import include, path

from confide.api.api import api

urlpatterns = [
    path("api/", api.urls),
    path("ledger/", include("confide.ledger.urls")),
    path("portal/", include("confide.portal.urls")),
    path("", include("confide.portal.staff_urls")),
    path("", include("confide.web.urls")),
]
handler404 = "confide.web.views.not_found"
