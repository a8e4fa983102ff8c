from django.urls import path

from desks.counter import views as counter
from desks.hotline import call_views as hotline_calls
from desks.hotline import exports as hotline_exports
from desks.hotline import views as hotline

counter_patterns = (
    [
        path("", counter.home, name="home"),
        path("person/<int:pk>/", counter.person, name="person"),
        path("person/<int:pk>/reveal/", counter.reveal, name="reveal"),
        path("vehicle/<int:pk>/renew/", counter.renew, name="renew"),
        path("policy/<int:pk>/", counter.confirmation, name="confirmation"),
        path("policy/<int:pk>/cancel/", counter.cancel, name="cancel"),
        path("policy/<int:pk>/refund-note/", counter.refund_note, name="refund_note"),
        path("short-term/", counter.short_term, name="short_term"),
    ],
    "counter",
)

hotline_patterns = (
    [
        path("", hotline.home, name="home"),
        path("export/", hotline_exports.status_list, name="export"),
        path("customer/<int:pk>/", hotline.customer, name="customer"),
        path("customer/<int:pk>/reveal/", hotline.reveal, name="reveal"),
        path("calls/", hotline_calls.calls, name="calls"),
        path("calls/take/", hotline_calls.take, name="calls_take"),
        path("calls/<int:pk>/", hotline_calls.call, name="call"),
        path("calls/<int:pk>/outcome/", hotline_calls.call_outcome, name="call_outcome"),
        path("calls/team/", hotline_calls.team, name="team"),
        path("calls/team/export/", hotline_exports.call_list, name="team_export"),
        path("calls/team/spread/", hotline_calls.team_spread, name="team_spread"),
        path("calls/team/assign/", hotline_calls.team_assign, name="team_assign"),
    ],
    "hotline",
)
