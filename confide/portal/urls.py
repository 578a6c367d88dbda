"""The client portal's routes (/portal/). Ids in URLs are the client's own releases and
acknowledgements; anything else is not found."""

from django.urls import path

from confide.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("welcome/", views.welcome, name="welcome"),
    path("welcome/set-up/", views.set_up, name="set_up"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("notice/", views.notice, name="notice"),
    path(
        "notice/acknowledgements/<uuid:acknowledgement_id>/pdf/",
        views.acknowledgement_pdf,
        name="acknowledgement_pdf",
    ),
    path("releases/", views.release_list, name="release_list"),
    path("releases/<uuid:release_id>/", views.release_detail, name="release_detail"),
    path("releases/<uuid:release_id>/pdf/", views.release_copy, name="release_pdf"),
    path("releases/<uuid:release_id>/revoke/", views.release_revoke, name="release_revoke"),
]
