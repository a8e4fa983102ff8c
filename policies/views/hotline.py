from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@permission_required("policies.use_hotline_desk", raise_exception=True)
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "policies/hotline/home.html")
