"""Who may use each endpoint: read by tests/test_access_matrix.py, which fails on any endpoint missing here.

Roles: "anonymous" (no sign-in, no token), "respondent" (holds a personal link's
token, not signed in), and the signed-in roles "volunteer", "analyst", "admin".
Whoever adds an endpoint adds its line here.
"""

ANONYMOUS, RESPONDENT, VOLUNTEER, ANALYST, ADMIN = "anonymous", "respondent", "volunteer", "analyst", "admin"
ROLES = (ANONYMOUS, RESPONDENT, VOLUNTEER, ANALYST, ADMIN)
EVERYONE = frozenset(ROLES)
TOKEN_HOLDER = frozenset({RESPONDENT})  # the link is the credential: without it, 404
ADMINS = frozenset({ADMIN})
VOLUNTEERS = frozenset({VOLUNTEER})
STAFF = frozenset({VOLUNTEER, ANALYST, ADMIN})
EDITORS = frozenset({ANALYST, ADMIN})  # analysts only on the surveys an admin allowed them to edit

ACCESS = {
    "static": EVERYONE,
    "home.index": EVERYONE,
    "media.survey_image": EVERYONE,  # a survey's images: public like the questions that show them  # what this instance is, and a link to sign in or to the role's home
    # auth
    "auth.login": EVERYONE,
    "auth.logout": EVERYONE,
    "auth.account": STAFF,  # your own account and API tokens
    "auth.account_token_revoke": STAFF,  # only your own tokens (404 otherwise: tests/test_api_tokens.py)
    "auth.account_language": STAFF,  # your own interface language
    # the respondent's journey (personal link /s/<token>; the public link /p/<key> works the same way)
    "respond.start": TOKEN_HOLDER,
    "respond.begin": TOKEN_HOLDER,
    "respond.page": TOKEN_HOLDER,
    "respond.check": TOKEN_HOLDER,
    "respond.submit": TOKEN_HOLDER,
    "respond.done": TOKEN_HOLDER,
    "respond.copy": TOKEN_HOLDER,  # "email me a copy of my answers" (a survey setting, off by default)
    "respond.language": TOKEN_HOLDER,  # the language switcher (keeps the answers; stored on the response)
    # admin: the survey list shows each signed-in person the surveys they may see
    "admin.index": STAFF,
    "admin.change_status": ADMINS,
    "admin.survey_import": ADMINS,
    "admin.survey": ADMINS,
    "admin.survey_definition": ADMINS,
    "admin.survey_xlsform": ADMINS,
    "admin.survey_disclosure": ADMINS,
    "admin.survey_settings": ADMINS,
    "admin.survey_images": ADMINS,  # upload images stored with the survey (checked, re-encoded, audited)
    "admin.survey_image_remove": ADMINS,  # reminders, closing date, public link: audited, no new version
    "admin.responses": ADMINS,
    "admin.void": ADMINS,
    "admin.users": ADMINS,
    "admin.user_create": ADMINS,
    "admin.user_deactivate": ADMINS,
    "admin.user_reactivate": ADMINS,
    "admin.user_assignments": ADMINS,
    "admin.user_editor_surveys": ADMINS,  # the surveys an analyst may edit in the editor
    "admin.user_tokens": ADMINS,
    "admin.user_token_revoke": ADMINS,
    "admin.audit_log": ADMINS,
    # contacts, invitations and email (issue 3): admins only
    "admin.contacts": ADMINS,
    "admin.contacts_import": ADMINS,
    "admin.contacts_upload": ADMINS,
    "admin.contacts_import_problems": ADMINS,
    "admin.contact_erase": ADMINS,
    "admin.invitations": ADMINS,
    "admin.invitations_create": ADMINS,
    "admin.invitations_queue": ADMINS,
    "admin.invitation_revoke": ADMINS,
    "admin.template_edit": ADMINS,
    "admin.outbox": ADMINS,
    "admin.outbox_retry_now": ADMINS,
    "admin.captured": ADMINS,
    # the questionnaire editor (issue 17): admins, and analysts an admin allowed on the survey (the matrix's
    # analyst is allowed on its survey; tests/test_editor_access.py tries one who is not)
    "editor.create": ADMINS,  # a new survey: admins only
    "editor.overview": EDITORS,
    "editor.details": EDITORS,
    "editor.page_add": EDITORS,
    "editor.page_edit": EDITORS,
    "editor.page_action": EDITORS,
    "editor.question_add": EDITORS,
    "editor.question_edit": EDITORS,
    "editor.question_action": EDITORS,
    "editor.publish": EDITORS,
    "editor.discard": EDITORS,
    "editor.draft_download": EDITORS,
    "editor.check_condition": EDITORS,  # JSON: the problems of a condition as it is typed
    "editor.preview": EDITORS,
    "editor.preview_page": EDITORS,
    "editor.preview_as_page": EDITORS,
    "editor.choice_lists_page": EDITORS,  # shared lists of answers: the list, and adding one
    "editor.choice_list_edit": EDITORS,
    "editor.choice_list_delete": EDITORS,
    "editor.question_choice_list": EDITORS,  # a question: use a shared list, its own copy, or share its answers  # "preview as" a contact: the contact picker for admins only
    "editor.changes": EDITORS,
    "editor.translations": EDITORS,
    "editor.preview_links_page": EDITORS,  # shareable preview links: list and create
    "editor.preview_link_revoke": EDITORS,
    # a preview link: the token is the credential (tests/test_preview_links.py: nothing is stored, revocable)
    "review.preview": TOKEN_HOLDER,
    "review.preview_page": TOKEN_HOLDER,
    # opting out is done with the personal link's token (RFC 8058 one-click included)
    "optout.page": TOKEN_HOLDER,
    "optout.one_click": TOKEN_HOLDER,
    # dashboards, exports and the JSON API (issue 5): co-chairs (analysts) and admins; non-responders admins only
    "dashboards.index": frozenset({ANALYST, ADMIN}),
    "dashboards.rates": frozenset({ANALYST, ADMIN}),
    "dashboards.results": frozenset({ANALYST, ADMIN}),
    "dashboards.free_text": frozenset({ANALYST, ADMIN}),
    "dashboards.report": frozenset({ANALYST, ADMIN}),
    "dashboards.report_pdf": frozenset({ANALYST, ADMIN}),
    "dashboards.exports": frozenset({ANALYST, ADMIN}),
    "dashboards.export": frozenset({ANALYST, ADMIN}),
    "dashboards.plotly_js": frozenset({ANALYST, ADMIN}),
    "dashboards.non_responders": ADMINS,
    "api.surveys": frozenset({ANALYST, ADMIN}),
    "api.stats": frozenset({ANALYST, ADMIN}),
    "api.results": frozenset({ANALYST, ADMIN}),
    "api.fhir_questionnaire": frozenset({ANALYST, ADMIN}),
    "api.fhir_responses": frozenset({ANALYST, ADMIN}),
    "api.xlsform": frozenset({ANALYST, ADMIN}),  # main added it without a line here (merge of main into preview)
    "api.openapi": EVERYONE,  # the API's description, no data
    # interviews: volunteers only, and only their own (checked per object in tests/test_access_matrix.py)
    "interviews.index": VOLUNTEERS,
    "interviews.new": VOLUNTEERS,
    "interviews.resume": VOLUNTEERS,
    "interviews.page": VOLUNTEERS,
    "interviews.check": VOLUNTEERS,
    "interviews.submit": VOLUNTEERS,
    "interviews.done": VOLUNTEERS,
    "interviews.withdraw": VOLUNTEERS,
    "interviews.declined": VOLUNTEERS,
    # report back sheets (issue 16): co-chairs (analysts) and admins, by the sheet's own survey
    "reports.index": frozenset({ANALYST, ADMIN}),
    "reports.new": frozenset({ANALYST, ADMIN}),
    "reports.edit": frozenset({ANALYST, ADMIN}),
    "reports.details": frozenset({ANALYST, ADMIN}),
    "reports.section_add": frozenset({ANALYST, ADMIN}),
    "reports.section_save": frozenset({ANALYST, ADMIN}),
    "reports.section_change": frozenset({ANALYST, ADMIN}),
    "reports.action_add": frozenset({ANALYST, ADMIN}),
    "reports.action_save": frozenset({ANALYST, ADMIN}),
    "reports.action_delete": frozenset({ANALYST, ADMIN}),
    "reports.finalise": frozenset({ANALYST, ADMIN}),
    "reports.duplicate": frozenset({ANALYST, ADMIN}),
    "reports.print_view": frozenset({ANALYST, ADMIN}),
    "reports.pdf": frozenset({ANALYST, ADMIN}),
    "reports.share_create": frozenset({ANALYST, ADMIN}),
    "reports.share_revoke": frozenset({ANALYST, ADMIN}),
    "reports.logo": EVERYONE,  # the organisation's logo (or the product's icon): printed on shared sheets
    # a report back's share link: the token is the credential (tests/test_report_backs.py: nothing else opens)
    "shared.view": TOKEN_HOLDER,
    "shared.plotly_js": EVERYONE,  # a public library, no data
}
