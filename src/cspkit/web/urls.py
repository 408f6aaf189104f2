"""Every URL of the web app. Assessment pages live under /a/<slug>/ and check role and membership
with ``access.for_roles``; the residents' survey under /survey/<slug>/ is public."""

from django.contrib import admin
from django.urls import include, path

from cspkit.web.views import accounts, documents, focus, members, scoring, survey

assessment_urls = [
    path("", documents.dashboard, name="dashboard"),
    path("charts/<slug:key>.png", documents.chart, name="chart"),
    path("map/boundaries.geojson", documents.boundaries, name="boundaries"),
    path("scoring/", scoring.scoring, name="scoring"),
    path("scoring/submit/", scoring.submit_scores, name="submit_scores"),
    path("scoring/<str:issue_id>/", scoring.score_issue, name="score_issue"),
    path("scoring/<str:issue_id>/<str:part_id>/", scoring.score_part, name="score_part"),
    path("round/", scoring.round_view, name="round"),
    path("round/audit/", scoring.audit_log, name="audit"),
    path("round/<str:action>/", scoring.change_round, name="change_round"),
    path("results/", scoring.results, name="results"),
    path("focus/", focus.focus, name="focus"),
    path("focus/vote/", focus.vote, name="vote"),
    path("focus/result/", focus.result, name="focus_result"),
    path("members/invite/", members.invite, name="invite"),
    path("members/<int:member_id>/resend/", members.resend, name="resend_invitation"),
    path("members/<int:member_id>/remove/", members.remove, name="remove_member"),
    path("survey/", survey.responses, name="survey_admin"),
    path("survey/review/", survey.review_held, name="survey_review"),
    path("survey/export.csv", survey.export_responses, name="survey_export"),
    path("documents/", documents.documents, name="documents"),
    path("documents/build/", documents.build, name="build"),
    path("documents/<int:job_id>/", documents.job, name="job"),
    path("documents/<int:job_id>/<str:name>", documents.download, name="download"),
]

web_urls = [
    path("", accounts.home, name="home"),
    path("accounts/login/", accounts.ThrottledLoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.sign_out, name="logout"),
    path("accounts/password-reset/", accounts.ResetRequestView.as_view(), name="password_reset"),
    path("accounts/password-reset/sent/", accounts.ResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", accounts.ChoosePasswordView.as_view(), name="password_reset_confirm"),
    path("accounts/reset/done/", accounts.ResetCompleteView.as_view(), name="password_reset_complete"),
    path("accessibility/", accounts.accessibility, name="accessibility"),
    path("privacy/", accounts.privacy, name="privacy"),
    path("a/<slug:slug>/", include(assessment_urls)),
    path("survey/<slug:slug>/", survey.start, name="survey_start"),
    path("survey/<slug:slug>/check/", survey.check, name="survey_check"),
    path("survey/<slug:slug>/done/", survey.done, name="survey_done"),
    path("survey/<slug:slug>/<str:question_id>/", survey.question, name="survey_question"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include((web_urls, "web"))),
]
