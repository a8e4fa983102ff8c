"""The customer's satisfaction survey, behind the one-time link of their message."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from support import access
from support.forms import SurveyForm
from support.models import Survey
from support.services import survey_answer
from support.services.surveys import survey_for_token


@never_cache
@login_not_required
def survey(request: HttpRequest, token: str) -> HttpResponse:
    if not access.can_answer_survey(request.user):
        return render(request, "support/survey_refused.html", {"reason": access.SURVEY_BY_STAFF}, status=403)
    try:
        found = survey_for_token(token)
    except Survey.DoesNotExist:
        raise Http404("评价链接无效。") from None
    if found.answered_at is not None:
        return render(request, "support/survey_done.html", {"survey": found, "again": True})
    if timezone.now() > found.expires_at:
        return render(request, "support/survey_done.html", {"survey": found, "expired": True}, status=410)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            answered = survey_answer(
                token=token,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "support/survey_done.html", {"survey": answered})
    return render(request, "support/survey.html", {"form": form, "survey": found})
