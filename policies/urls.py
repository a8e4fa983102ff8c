from django.urls import path

from policies.views import counter, hotline

counter_patterns = (
    [
        path("", counter.home, name="home"),
    ],
    "counter",
)

hotline_patterns = (
    [
        path("", hotline.home, name="home"),
    ],
    "hotline",
)
