"""Page URLs. Every object id in a URL is an opaque UUID; nothing confidential is in a URL
(names and dates of birth travel only in POST bodies)."""

from django.urls import path

from confide.web.views import access, account, admin, home, records, session

app_name = "web"
urlpatterns = [
    path("", home.dashboard, name="dashboard"),
    path("sign-in/", session.sign_in, name="sign_in"),
    path("sign-in/code/", session.sign_in_code, name="sign_in_code"),
    path("sign-in/enrol/", session.enrol, name="enrol"),
    path("sign-out/", session.sign_out, name="sign_out"),
    path("reauth/", session.reauth, name="reauth"),
    path(
        "notifications/<uuid:notification_id>/read/",
        home.notification_read,
        name="notification_read",
    ),
    path("notifications/read-all/", home.notifications_read_all, name="notifications_read_all"),
    # the record
    path("clients/search/", records.client_search, name="client_search"),
    path("clients/<uuid:client_id>/", records.client_detail, name="client_detail"),
    path("cases/<uuid:case_id>/notes/new/", records.note_new, name="note_new"),
    path("notes/<uuid:note_id>/", records.note_detail, name="note_detail"),
    path("notes/<uuid:note_id>/save/", records.note_save, name="note_save"),
    path("notes/<uuid:note_id>/sign/", records.note_sign, name="note_sign"),
    path("notes/<uuid:note_id>/addendum/", records.note_addendum, name="note_addendum"),
    path("notes/<uuid:note_id>/attachments/", records.attachment_upload, name="attachment_upload"),
    path(
        "attachments/<uuid:attachment_id>/",
        records.attachment_download,
        name="attachment_download",
    ),
    # access: emergencies, reviews, restrictions
    path("emergency/", access.emergency, name="emergency"),
    path("grants/<uuid:grant_id>/end/", access.grant_end, name="grant_end"),
    path("review/grants/", access.grant_queue, name="grant_queue"),
    path("review/grants/<uuid:grant_id>/", access.grant_review, name="grant_review"),
    path("review/open/", access.review_open, name="review_open"),
    path("review/restrictions/", access.restriction_queue, name="restriction_queue"),
    path(
        "review/restrictions/<uuid:restriction_id>/decide/",
        access.restriction_decide,
        name="restriction_decide",
    ),
    path(
        "review/restrictions/<uuid:restriction_id>/end/",
        access.restriction_end,
        name="restriction_end",
    ),
    path(
        "clients/<uuid:client_id>/restrictions/new/",
        access.restriction_new,
        name="restriction_new",
    ),
    # the staff member's own settings
    path("account/tokens/", account.tokens, name="tokens"),
    path("account/tokens/<uuid:token_id>/revoke/", account.token_revoke, name="token_revoke"),
    path("account/relationships/", account.relationships, name="relationships"),
    # administration
    path("walls/", admin.walls_page, name="walls"),
    path("walls/<uuid:wall_id>/remove/", admin.wall_remove, name="wall_remove"),
    path("staff/", admin.staff_list, name="staff_list"),
    path("staff/<uuid:user_id>/", admin.staff_detail, name="staff_detail"),
    path("staff/<uuid:user_id>/training/", admin.staff_training, name="staff_training"),
    path("staff/<uuid:user_id>/role/", admin.staff_role, name="staff_role"),
    path("agency/settings/", admin.agency_settings, name="agency_settings"),
]
