"""Staff routes the portal brought: a client's portal access (care team), and the printable
acknowledgement of the notice (consent:view; linked from the consent record)."""

from django.urls import path

from confide.portal import staff_views

app_name = "portal_staff"
urlpatterns = [
    path("clients/<uuid:client_id>/portal/", staff_views.portal_access, name="access"),
    path("clients/<uuid:client_id>/portal/end/", staff_views.portal_access_end, name="end"),
    path(
        "clients/<uuid:client_id>/portal/withdraw/",
        staff_views.portal_invitation_withdraw,
        name="withdraw",
    ),
    path(
        "acknowledgements/<uuid:acknowledgement_id>/pdf/",
        staff_views.acknowledgement_pdf,
        name="acknowledgement_pdf",
    ),
]
