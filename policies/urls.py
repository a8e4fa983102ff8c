from django.urls import path

from policies.views import counter, hotline

counter_patterns = (
    [
        path("", counter.home, name="home"),
        path("person/<int:pk>/", counter.person, name="person"),
        path("person/<int:pk>/reveal/", counter.reveal, name="reveal"),
        path("vehicle/<int:pk>/renew/", counter.renew, name="renew"),
        path("policy/<int:pk>/", counter.confirmation, name="confirmation"),
        path("short-term/", counter.short_term, name="short_term"),
    ],
    "counter",
)

hotline_patterns = (
    [
        path("", hotline.home, name="home"),
        path("customer/<int:pk>/", hotline.customer, name="customer"),
        path("customer/<int:pk>/reveal/", hotline.reveal, name="reveal"),
    ],
    "hotline",
)
