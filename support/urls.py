from django.urls import path

from support import exports
from support.views import knowledge, reports, survey, tickets

app_name = "support"

urlpatterns = [
    path("", tickets.my_tickets, name="mine"),
    path("queue/", tickets.QueueView.as_view(), name="queue"),
    path("queue/export/", exports.queue_export, name="queue_export"),
    path("tickets/new/", tickets.ticket_new, name="ticket_new"),
    path("tickets/log-call/", tickets.ticket_log_call, name="log_call"),
    path("tickets/<int:pk>/", tickets.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/customer/", tickets.ticket_customer, name="ticket_customer"),
    path("tickets/<int:pk>/reply/", tickets.ticket_reply, name="ticket_reply"),
    path("tickets/<int:pk>/note/", tickets.ticket_note, name="ticket_note"),
    path("tickets/<int:pk>/assign/", tickets.ticket_assign, name="ticket_assign"),
    path("tickets/<int:pk>/take/", tickets.ticket_take, name="ticket_take"),
    path("tickets/<int:pk>/transition/", tickets.ticket_transition, name="ticket_transition"),
    path("tickets/<int:pk>/reclassify/", tickets.ticket_reclassify, name="ticket_reclassify"),
    path("tickets/<int:pk>/merge/", tickets.ticket_merge, name="ticket_merge"),
    path("kb/", knowledge.kb_search, name="kb_search"),
    path("reports/", reports.support_reports, name="reports"),
    path("s/<str:token>/", survey.survey, name="survey"),
]
