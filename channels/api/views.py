"""The JSON API of the self-service channels (`/api/v1/`), as plain Django views.

Every endpoint goes through `api_endpoint`, which answers in this order: 405 for a
method other than POST, 413 for a declared body over 16 KiB, 401 without a valid key,
429 over the key's rate, 413 for an actual body over 16 KiB (a chunked one too: at most
16 KiB + 1 byte is read, `channels.api.body`), 400 for a body that does not parse or
validate — then the endpoint itself. Each request with a valid key is
counted for its channel's figures, whatever its outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from channels.api import auth, claim_schemas, errors, openapi, ratelimit, schemas, services
from channels.api.body import MalformedBody, declared_length, read_limited
from channels.api.errors import MAX_BODY_BYTES, ApiError, json_response
from channels.api.idempotency import idempotency_key, request_fingerprint
from channels.api.ratelimit import Limit, Rate
from channels.api.selectors import InsuredVehicle, insured_vehicle, quote_for, status_answer
from channels.models import ApiKey
from claims.services import claim_report
from core.clock import today
from policies.choices import RenewalStatus
from policies.identifiers import is_trailer_plate

Handler = Callable[..., HttpResponse]


def api_endpoint(name: str, body: schemas.Body) -> Callable[[Handler], Callable[[HttpRequest], HttpResponse]]:
    """Wrap `handler(request, *, key, data, raw)` with the checks every endpoint shares
    (`raw` is the body as read, `data` its cleaned fields)."""

    def decorator(handler: Handler) -> Callable[[HttpRequest], HttpResponse]:
        @csrf_exempt  # clients authenticate with a bearer key, never a cookie
        @login_not_required
        @wraps(handler)
        def view(request: HttpRequest) -> HttpResponse:
            try:
                if request.method != "POST":
                    raise ApiError(errors.METHOD_NOT_ALLOWED)
                if (declared_length(request) or 0) > MAX_BODY_BYTES:
                    raise ApiError(errors.BODY_TOO_LARGE)
                key = auth.authenticate(request)
            except ApiError as error:
                return error.response()
            try:
                _check_rate(Limit(f"key:{key.pk}", Rate(key.requests_per_minute, 60)), errors.RATE_LIMITED)
                raw = _read_body(request)
                data = body.parse(raw)
                response = handler(request, key=key, data=data, raw=raw)
            except ApiError as error:
                response = error.response()
            services.api_usage_record(key=key, endpoint=name, status=response.status_code)
            return response

        return view

    return decorator


def _read_body(request: HttpRequest) -> bytes:
    """At most 16 KiB + 1 byte of the body, with or without a Content-Length: enough to
    know it is too large."""
    try:
        raw = read_limited(request, MAX_BODY_BYTES)
    except MalformedBody:  # broken chunks, or the client went away mid-body
        raise ApiError(errors.MALFORMED_JSON) from None
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(errors.BODY_TOO_LARGE)
    return raw


def _check_rate(limit: Limit, kind: errors.ErrorKind) -> None:
    exceeded = ratelimit.hit(limit)
    if exceeded is not None:
        seconds = exceeded.retry_after
        raise ApiError(kind, kind.message % {"seconds": seconds}, retry_after=seconds)


def _insured_vehicle(data: dict) -> InsuredVehicle:
    """The vehicle of plate + VIN, counted against the plate's limit; one identical 404
    for an unknown plate and for a known plate with another VIN."""
    _check_rate(
        Limit(f"api-plate:{data['plate']}", Rate.parse(settings.API_PLATE_RATE)), errors.PLATE_RATE_LIMITED
    )
    insured = insured_vehicle(plate=data["plate"], vin=data["vin"])
    if insured is None:
        raise ApiError(errors.NOT_FOUND)
    return insured


@api_endpoint("renewal-status", schemas.VEHICLE_BODY)
def renewal_status(request: HttpRequest, *, key: ApiKey, data: dict, raw: bytes) -> HttpResponse:
    insured = _insured_vehicle(data)
    return json_response(schemas.status_body(status_answer(insured, day=today())))


@api_endpoint("quotes", schemas.VEHICLE_BODY)
def quotes(request: HttpRequest, *, key: ApiKey, data: dict, raw: bytes) -> HttpResponse:
    if is_trailer_plate(data["plate"]):
        raise ApiError(errors.NOT_INSURABLE)
    insured = _insured_vehicle(data)
    day = today()
    answer = status_answer(insured, day=day)
    if answer.status in (RenewalStatus.RENEWED, RenewalStatus.UPCOMING):
        message = f"该车已有 {answer.renewal_start:%Y-%m-%d} 起保的保单，无需再次报价。"
        raise ApiError(errors.ALREADY_RENEWED, message)
    if answer.status == RenewalStatus.CANCELLED:  # as at the counter: the vehicle left the road
        raise ApiError(errors.POLICY_CANCELLED)
    try:
        quote = quote_for(insured, day=day)
    except ValidationError as error:  # no tariff row for the category, no displacement for the tax, …
        raise ApiError(errors.QUOTE_UNAVAILABLE, error.messages[0]) from None
    return json_response(schemas.quote_body(quote))


@api_endpoint("claims-reports", claim_schemas.CLAIM_REPORT_BODY)
def claim_reports(request: HttpRequest, *, key: ApiKey, data: dict, raw: bytes) -> HttpResponse:
    """A first notice of loss from a channel, into the claims queue; a retry of the same
    request with the same Idempotency-Key answers with the first report's claim and creates
    nothing; the same key with another request is a 409."""
    dedupe = idempotency_key(request, key=key)
    insured = _insured_vehicle(data)
    try:
        claim = claim_report(
            vehicle=insured.vehicle.vin,
            accident_at=data["accident_at"],
            place=data["place"],
            description=data["description"],
            at_fault=data["at_fault"],
            parties=data["parties"],
            channel=key.channel,
            idempotency_key=dedupe,
            idempotency_fingerprint=request_fingerprint(request, raw),
            reporter_name=data.get("reporter_name", ""),
            reporter_phone=data.get("reporter_phone", ""),
        )
    except ValidationError as error:  # outside cover, in the future, an inconsistent party, …
        kind = errors.IDEMPOTENCY_CONFLICT if error.code == "idempotency_conflict" else errors.REPORT_REFUSED
        raise ApiError(kind, " ".join(error.messages)) from None
    response = json_response(claim_schemas.claim_body(claim), status=201)
    if claim.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


@csrf_exempt
@login_not_required
def openapi_json(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        error = {"code": errors.METHOD_NOT_ALLOWED.code, "message": "OpenAPI 文档只接受 GET 请求。"}
        response = json_response({"error": error}, status=405)
        response["Allow"] = "GET, HEAD"
        return response
    server = request.build_absolute_uri("/").rstrip("/")
    return JsonResponse(openapi.document(server=server), json_dumps_params={"ensure_ascii": False})


@login_not_required
@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    context = openapi.docs_context(server=request.build_absolute_uri("/").rstrip("/"))
    return render(request, "channels/docs.html", context)


@csrf_exempt
@login_not_required
def unknown_endpoint(request: HttpRequest, path: str = "") -> HttpResponse:
    return ApiError(errors.UNKNOWN_ENDPOINT).response()
