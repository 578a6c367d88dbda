"""Staff routes of the portal: a client's portal access (care team)."""

from django.urls import path

from confide.portal import staff_views

app_name = "portal_staff"
urlpatterns = [
    path("clients/<uuid:client_id>/portal/", staff_views.portal_access, name="access"),
    path("clients/<uuid:client_id>/portal/end/", staff_views.portal_access_end, name="end"),
]
