"""Page URLs. Every object id in a URL is an opaque UUID; nothing confidential is in a URL
(names and dates of birth travel only in POST bodies)."""

from django.urls import path

from confide.web.views import access, account, admin, disclosures, home, records, retention, session
from confide.web.views import consent as consent_views
from confide.web.views import releases as release_views

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
    path(
        "notifications/<uuid:notification_id>/open/",
        home.notification_open,
        name="notification_open",
    ),
    path("notifications/read-all/", home.notifications_read_all, name="notifications_read_all"),
    # the record
    path("clients/search/", records.client_search, name="client_search"),
    path("clients/new/", records.client_register, name="client_register"),
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
    # disclosures: requests, review, packets, releases; the recipient's one-time link (public)
    path(
        "clients/<uuid:client_id>/disclosures/new/",
        disclosures.request_new,
        name="disclosure_new",
    ),
    path(
        "clients/<uuid:client_id>/disclosures/",
        disclosures.client_requests,
        name="client_disclosures",
    ),
    path("disclosures/review/", disclosures.review_queue, name="disclosure_queue"),
    path("disclosures/profile/", disclosures.profile, name="disclosure_profile"),
    path("disclosures/<uuid:request_id>/", disclosures.request_detail, name="disclosure_detail"),
    path(
        "disclosures/<uuid:request_id>/review/",
        disclosures.request_review,
        name="disclosure_review",
    ),
    path(
        "disclosures/<uuid:request_id>/packet/",
        disclosures.packet_build,
        name="disclosure_packet_build",
    ),
    path(
        "disclosures/<uuid:request_id>/release/",
        disclosures.release_send,
        name="disclosure_release",
    ),
    path(
        "disclosures/<uuid:request_id>/verbal/",
        disclosures.release_verbal,
        name="disclosure_verbal",
    ),
    path(
        "disclosures/<uuid:request_id>/instrument/",
        disclosures.instrument_download,
        name="disclosure_instrument",
    ),
    path("disclosures/packets/<uuid:packet_id>/", disclosures.packet_detail, name="packet_detail"),
    path("r/<str:token>/", disclosures.link_open, name="release_link"),
    # consent: notices, contacts, communication preferences, representatives, disclosure limits
    path(
        "clients/<uuid:client_id>/consent/",
        consent_views.consent_record,
        name="consent_record",
    ),
    path(
        "clients/<uuid:client_id>/consent/preferences/",
        consent_views.preference_set,
        name="consent_preference",
    ),
    path(
        "clients/<uuid:client_id>/notice/",
        consent_views.notice_acknowledge,
        name="notice_acknowledge",
    ),
    path(
        "clients/<uuid:client_id>/consent/contacts/new/",
        consent_views.contact_new,
        name="contact_new",
    ),
    path(
        "contacts/<uuid:contact_id>/decision/",
        consent_views.contact_decide,
        name="contact_decide",
    ),
    path("contacts/<uuid:contact_id>/end/", consent_views.contact_end, name="contact_end"),
    path(
        "clients/<uuid:client_id>/consent/representatives/new/",
        consent_views.representative_new,
        name="representative_new",
    ),
    path(
        "representatives/<uuid:representative_id>/end/",
        consent_views.representative_end,
        name="representative_end",
    ),
    path(
        "clients/<uuid:client_id>/consent/disclosure-limits/new/",
        consent_views.disclosure_restriction_new,
        name="disclosure_restriction_new",
    ),
    path(
        "review/disclosure-limits/",
        consent_views.disclosure_restriction_queue,
        name="disclosure_restriction_queue",
    ),
    path(
        "review/disclosure-limits/<uuid:restriction_id>/decide/",
        consent_views.disclosure_restriction_decide,
        name="disclosure_restriction_decide",
    ),
    path(
        "review/disclosure-limits/<uuid:restriction_id>/end/",
        consent_views.disclosure_restriction_end,
        name="disclosure_restriction_end",
    ),
    path("minors/consent-by-state/", consent_views.minor_consent, name="minor_consent"),
    path("notice/", consent_views.notice_publish, name="notice_publish"),
    # releases of information (consents): list, record, sign, revoke, client copy, FHIR
    path("clients/<uuid:client_id>/releases/", release_views.roi_list, name="roi_list"),
    path("clients/<uuid:client_id>/releases/new/", release_views.roi_new, name="roi_new"),
    path("releases/<uuid:release_id>/", release_views.roi_detail, name="roi_detail"),
    path("releases/<uuid:release_id>/sign/", release_views.roi_sign, name="roi_sign"),
    path("releases/<uuid:release_id>/revoke/", release_views.roi_revoke, name="roi_revoke"),
    path("releases/<uuid:release_id>/expiry-event/", release_views.roi_expiry, name="roi_expiry"),
    path("releases/<uuid:release_id>/pdf/", release_views.roi_pdf, name="roi_pdf"),
    path("releases/<uuid:release_id>/fhir/", release_views.roi_fhir, name="roi_fhir"),
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
    # retention: schedule, due list and approval, legal holds (privacy officers)
    path("retention/", retention.due, name="retention"),
    path("retention/approve/", retention.approve, name="retention_approve"),
    path("retention/schedule/", retention.schedule, name="retention_schedule"),
    path("retention/holds/", retention.holds, name="retention_holds"),
    path("retention/holds/release/", retention.hold_release, name="retention_hold_release"),
]
