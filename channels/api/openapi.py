"""The OpenAPI 3.1 document of `/api/v1/` and the docs page's content, from one source.

Request bodies come from `schemas` (the declarations that also parse requests), errors
from `errors.CATALOGUE`; the response schemas are written here and checked against real
responses by the schema tests (schemathesis), so the document cannot drift unnoticed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings

from channels.api import claim_schemas, errors, schemas
from channels.api.errors import ErrorKind
from channels.api.idempotency import IDEMPOTENCY_KEY_PATTERN
from channels.api.ratelimit import Rate
from channels.models import ApiKey
from core.clock import today
from policies.choices import FloatingReason, RenewalStatus
from policies.tariffs import advance_window_words

VERSION = "1.0.0"


@dataclass(frozen=True)
class Operation:
    path: str
    operation_id: str
    summary: str
    description: str
    body: schemas.Body
    request: str  # the request body's schema name in components
    success: str  # the answer's schema name in components
    success_example: dict
    errors: tuple[ErrorKind, ...]
    tag: str = "续保"
    success_status: int = 200
    parameters: tuple[dict, ...] = ()
    success_headers: dict | None = None


REQUEST_ERRORS = (
    errors.MALFORMED_JSON, errors.INVALID_BODY, errors.MISSING_FIELD, errors.INVALID_TYPE,
    errors.UNKNOWN_FIELD, errors.FIELD_TOO_LONG, errors.INVALID_PLATE, errors.INVALID_VIN,
    errors.MISSING_API_KEY, errors.INVALID_API_KEY, errors.REVOKED_API_KEY, errors.NOT_FOUND,
    errors.METHOD_NOT_ALLOWED, errors.BODY_TOO_LARGE, errors.RATE_LIMITED, errors.PLATE_RATE_LIMITED,
)  # fmt: skip

STATUS_EXAMPLE = {
    "status": "due",
    "cover_end": "2027-02-28",
    "days_left": 45,
    "renewal_start": None,
    "plate": "苏A***45",
    "channels": [
        {"code": "website", "name": "官网"},
        {"code": "app", "name": "APP"},
        {"code": "mini_program", "name": "微信小程序"},
        {"code": "counter", "name": "柜面（南京中山路营业部）"},
    ],
}
CLAIM_EXAMPLE = {
    "claim_number": "LP202600000042",
    "state": "reported",
    "state_name": "报案",
    "plate": "苏A***45",
    "accident_at": "2026-11-20T14:30:00+08:00",
    "reported_at": "2026-11-20T15:02:11.204316+08:00",
    "message": "报案已受理，赔案号 LP202600000042。理赔人员将在 1 日内告知需提供的索赔单证，"
    "请保留事故认定书或协议书、损失清单及费用票据。",
}
QUOTE_EXAMPLE = {
    "base_premium": "950.00",
    "floating_group": "E",
    "floating_reason": "A3",
    "floating_rate": "-0.30",
    "premium": "665.00",
    "vehicle_tax": "300.00",
    "total": "965.00",
    "explanation": (
        "基础保费：家庭自用汽车 6座以下，每年 950.00 元。浮动费率：承保网点所在地江苏适用浮动方案 E；"
        "该车连续 3 个保单年度未发生有责道路交通事故（A3），保费下浮 30%。"
        "交强险保费 = 950.00 × (1 − 30%) = 665.00 元。车船税：乘用车排量 1.0–1.6 升（含），年税额 300.00 元。"
        "合计应缴 665.00 + 300.00 = 965.00 元。"
    ),
}

OPERATIONS = (
    Operation(
        path="/api/v1/renewal-status",
        operation_id="renewalStatus",
        summary="查询续保状态",
        description=(
            "按号牌号码和车辆识别代号查询车辆的交强险续保状态（与柜面使用同一计算）。"
            "号牌未知与号牌存在但车辆识别代号不符，应答完全相同（404），不能借此探知车辆是否存在。"
        ),
        body=schemas.VEHICLE_BODY,
        request="VehicleRequest",
        success="RenewalStatus",
        success_example=STATUS_EXAMPLE,
        errors=REQUEST_ERRORS,
    ),
    Operation(
        path="/api/v1/quotes",
        operation_id="renewalQuote",
        summary="续保报价",
        description=(
            "按柜面的续保报价规则报价：浮动方案取签发该车当前保单的营业网点所在地区，"
            "浮动原因按该车历年有责事故记录（A0–A6）。与柜面报价始终一致。"
        ),
        body=schemas.VEHICLE_BODY,
        request="VehicleRequest",
        success="Quote",
        success_example=QUOTE_EXAMPLE,
        errors=(
            *REQUEST_ERRORS,
            errors.ALREADY_RENEWED,
            errors.POLICY_CANCELLED,
            errors.NOT_INSURABLE,
            errors.QUOTE_UNAVAILABLE,
        ),  # fmt: skip
    ),
    Operation(
        path="/api/v1/claims/reports",
        operation_id="claimReport",
        summary="报案",
        description=(
            "客户在 APP 等渠道报案（第一次损失通知），进入理赔待办。须带 Idempotency-Key 请求头："
            "网络超时后用同一个键重试，只会生成一笔报案，应答与第一次相同（另带 Idempotent-Replayed: true）。"
            "号牌号码与车辆识别代号不匹配时的 404 与查询续保状态相同。"
        ),
        body=claim_schemas.CLAIM_REPORT_BODY,
        request="ClaimReportRequest",
        success="ClaimReport",
        success_example=CLAIM_EXAMPLE,
        errors=(
            *REQUEST_ERRORS,
            errors.INVALID_FIELD,
            errors.INVALID_IDEMPOTENCY_KEY,
            errors.IDEMPOTENCY_CONFLICT,
            errors.REPORT_REFUSED,
        ),  # fmt: skip
        tag="理赔",
        success_status=201,
        parameters=(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": True,
                "description": "客户端为每一笔报案生成的唯一键（如 UUID），重试时键与请求体都不变（同一键配不同请求体返回 409）；"
                "8–64 位字母、数字、“-”或“_”",
                "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
                "example": "0b8f6c1e-5d7a-4f3e-9c2b-7a1d4e6f8a90",
            },
        ),
        success_headers={"Idempotent-Replayed": {"$ref": "#/components/headers/IdempotentReplayed"}},
    ),
)

STATUS_TEXT = {
    200: "成功",
    201: "报案已受理（用同一 Idempotency-Key 重试时返回同一赔案）",
    400: "请求体或字段不正确",
    401: "缺少、无效或已停用的 API 密钥",
    404: "未找到（号牌与车辆识别代号不匹配，或无投保记录）",
    405: "请求方法不是 POST",
    409: "该车已续保或已退保，不报价；或 Idempotency-Key 已用于另一笔报案",
    413: "请求体超过 16 KiB",
    422: "依法不能或暂时无法报价；或报案未受理（如出险时间不在保险期间内）",
    429: "请求过于频繁",
}

MONEY = {"type": "string", "pattern": r"^[0-9]+\.[0-9]{2}$", "description": "金额（元），两位小数的字符串"}
DATE_OR_NULL = {"type": ["string", "null"], "format": "date"}


def _component_schemas() -> dict:
    statuses = [s.value for s in RenewalStatus]
    status_words = "；".join(f"{s.value}＝{s.label}" for s in RenewalStatus)
    return {
        "VehicleRequest": schemas.VEHICLE_BODY.json_schema(),
        "ClaimReportRequest": claim_schemas.CLAIM_REPORT_BODY.json_schema(),
        "ClaimReport": {
            "type": "object",
            "required": list(CLAIM_EXAMPLE),
            "additionalProperties": False,
            "properties": {
                "claim_number": {"type": "string", "description": "赔案号"},
                "state": {"type": "string", "enum": ["reported"], "description": "赔案状态：reported 已报案"},
                "state_name": {"type": "string", "description": "状态的中文名称"},
                "plate": {"type": "string", "description": "部分隐藏的号牌号码"},
                "accident_at": {
                    "type": "string",
                    "format": "date-time",
                    "description": "出险时间（北京时间）",
                },
                "reported_at": {
                    "type": "string",
                    "format": "date-time",
                    "description": "报案受理时间（北京时间）",
                },
                "message": {"type": "string", "description": "给客户看的受理说明"},
            },
            "examples": [CLAIM_EXAMPLE],
        },
        "RenewChannel": {
            "type": "object",
            "required": ["code", "name"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string", "enum": ["website", "app", "mini_program", "counter"]},
                "name": {"type": "string", "description": "渠道名称；柜面附签发网点名称"},
            },
        },
        "RenewalStatus": {
            "type": "object",
            "required": ["status", "cover_end", "days_left", "renewal_start", "plate", "channels"],
            "additionalProperties": False,
            "properties": {
                "status": {"type": "string", "enum": statuses, "description": f"续保状态：{status_words}"},
                "cover_end": {
                    **DATE_OR_NULL,
                    "description": "当前（或最近一张）保单的保险止期，至该日二十四时；退保的为退保生效日。"
                    "仅当该车首张保单尚未起保时为 null",
                },
                "days_left": {
                    "type": ["integer", "null"],
                    "description": "保险止期减今天的天数：止期当天为 0，脱保第一天为 -1（脱保时为负数）。"
                    "与 cover_end 同时为 null",
                },
                "renewal_start": {**DATE_OR_NULL, "description": "已续保时续保保单的起保日，否则为 null"},
                "plate": {"type": "string", "description": "部分隐藏的号牌号码，如 苏A***45"},
                "channels": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/RenewChannel"},
                    "description": "可办理续保的渠道：待续保、已脱保时为线上渠道和签发网点柜面；"
                    "已退保时仅柜面；保障中（尚未进入续保期：止期前的天数按签发网点所在省份的规定，"
                    "见 /api/v1/docs）和已续保时为空",
                },
            },
            "examples": [STATUS_EXAMPLE],
        },
        "Quote": {
            "type": "object",
            "required": list(QUOTE_EXAMPLE),
            "additionalProperties": False,
            "properties": {
                "base_premium": {**MONEY, "description": "基础保费（元/年）"},
                "floating_group": {
                    "type": "string",
                    "enum": ["A", "B", "C", "D", "E"],
                    "description": "浮动方案（签发当前保单的网点所在地区）",
                },
                "floating_reason": {
                    "type": "string",
                    "enum": list(FloatingReason.values),
                    "description": "浮动原因：" + "；".join(f"{r.value} {r.label}" for r in FloatingReason),
                },
                "floating_rate": {
                    "type": "string",
                    "pattern": r"^(0\.00|[+-][0-9]\.[0-9]{2})$",
                    "description": '浮动比率，带符号的两位小数：下浮为负（"-0.30"），上浮带加号（"+0.10"），'
                    '不浮动为 "0.00"。保费 = 基础保费 × (1 + 浮动比率)',
                },
                "premium": {**MONEY, "description": "交强险保费"},
                "vehicle_tax": {**MONEY, "description": "代收车船税"},
                "total": {**MONEY, "description": "合计 = 保费 + 车船税"},
                "explanation": {"type": "string", "description": "报价说明（中文，可直接展示给客户）"},
            },
            "examples": [QUOTE_EXAMPLE],
        },
        "Error": {
            "type": "object",
            "required": ["error"],
            "additionalProperties": False,
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "additionalProperties": False,
                    "properties": {
                        "code": {"type": "string", "enum": [k.code for k in errors.CATALOGUE]},
                        "message": {"type": "string", "description": "中文说明，可直接展示给客户"},
                        "field": {"type": "string", "description": "出错的字段（仅字段错误时）"},
                    },
                }
            },
        },
    }


def _example(kind: ErrorKind) -> dict:
    return {"summary": kind.when, "value": {"error": {"code": kind.code, "message": kind.sample()}}}


def _responses(operation: Operation) -> dict:
    success = {
        "description": STATUS_TEXT[operation.success_status],
        "content": {
            "application/json": {
                "schema": {"$ref": f"#/components/schemas/{operation.success}"},
                "example": operation.success_example,
            }
        },
    }
    if operation.success_headers:
        success["headers"] = operation.success_headers
    responses = {str(operation.success_status): success}
    for status in sorted({k.status for k in operation.errors}):
        kinds = [k for k in operation.errors if k.status == status]
        response = {
            "description": STATUS_TEXT[status],
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/Error"},
                    "examples": {k.code: _example(k) for k in kinds},
                }
            },
        }
        if status == 429:
            response["headers"] = {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}}
        if status == 405:
            response["headers"] = {"Allow": {"$ref": "#/components/headers/Allow"}}
        if status == 401:
            response["headers"] = {"WWW-Authenticate": {"$ref": "#/components/headers/WWWAuthenticate"}}
        responses[str(status)] = response
    return responses


def document(*, server: str) -> dict:
    """The OpenAPI 3.1 document, with `server` (this deployment's origin) as its server."""
    paths = {
        op.path: {
            "post": {
                "operationId": op.operation_id,
                "summary": op.summary,
                "description": op.description,
                "tags": [op.tag],
                **({"parameters": list(op.parameters)} if op.parameters else {}),
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/{op.request}"},
                            "example": op.body.example,
                        }
                    },
                },
                "responses": _responses(op),
            }
        }
        for op in OPERATIONS
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "交强险自助服务 API",
            "version": VERSION,
            "description": (
                "供官网、APP、微信小程序调用的交强险续保状态查询、续保报价与报案接口。"
                "所有请求须带 Authorization: Bearer <密钥>；所有错误均以 JSON 返回："
                '{"error": {"code": "…", "message": "中文说明"}}。'
                f"请求体不超过 {errors.MAX_BODY_BYTES // 1024} KiB。"
            ),
        },
        "servers": [{"url": server, "description": "本环境"}],
        "security": [{"bearerAuth": []}],
        "tags": [
            {"name": "续保", "description": "续保状态与续保报价"},
            {"name": "理赔", "description": "报案（第一次损失通知）"},
        ],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "jqx_<8 位前缀>_<43 位密钥>",
                    "description": "每个渠道（官网、APP、微信小程序）各有密钥，由总公司主管发放，可随时停用。",
                }
            },
            "headers": {
                "RetryAfter": {
                    "description": "需等待的秒数，之后可重试",
                    "schema": {"type": "integer", "minimum": 1},
                },
                "Allow": {"description": "允许的请求方法", "schema": {"type": "string", "const": "POST"}},
                "IdempotentReplayed": {
                    "description": "为 true 时表示这是用同一 Idempotency-Key 重试的应答，没有新建报案",
                    "schema": {"type": "string", "const": "true"},
                },
                "WWWAuthenticate": {
                    "description": "认证方式（RFC 6750）",
                    "schema": {"type": "string", "const": 'Bearer realm="jqx-api"'},
                },
            },
            "schemas": _component_schemas(),
        },
    }


def rate_words(rate: Rate) -> str:
    """Rate(30, 3600) → "每小时 30 次"."""
    for seconds, unit in ((3600, "小时"), (60, "分钟"), (1, "秒")):
        if rate.period % seconds == 0:
            amount = rate.period // seconds
            return f"每{'' if amount == 1 else f' {amount} '}{unit} {rate.count} 次"
    raise AssertionError("unreachable")


def _pretty(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def docs_context(*, server: str) -> dict:
    """What the docs page shows: the same operations, fields, errors and limits."""
    operations = [
        {
            "op": op,
            "fields": op.body.fields,
            "item_fields": [
                (f.name, f.item.fields) for f in op.body.fields if isinstance(f, schemas.ListField)
            ],
            "request": _pretty(op.body.example),
            "response": _pretty(op.success_example),
            "curl": (
                f"curl -sS -X POST {server}{op.path} \\\n"
                '  -H "Authorization: Bearer $JQX_API_KEY" \\\n'
                + ('  -H "Idempotency-Key: $(uuidgen)" \\\n' if op.parameters else "")
                + '  -H "Content-Type: application/json" \\\n'
                f"  -d '{json.dumps(op.body.example, ensure_ascii=False)}'"
            ),
            "statuses": [(op.success_status, STATUS_TEXT[op.success_status])]
            + [(s, STATUS_TEXT[s]) for s in sorted({k.status for k in op.errors})],
        }
        for op in OPERATIONS
    ]
    return {
        "server": server,
        "version": VERSION,
        "operations": operations,
        "advance_window": advance_window_words(today()),
        "errors": sorted(errors.CATALOGUE, key=lambda k: k.status),
        "max_body_kib": errors.MAX_BODY_BYTES // 1024,
        "plate_rate": rate_words(Rate.parse(settings.API_PLATE_RATE)),
        "default_key_rate": ApiKey._meta.get_field("requests_per_minute").default,
        "not_found_body": _pretty(
            {"error": {"code": errors.NOT_FOUND.code, "message": errors.NOT_FOUND.message}}
        ),
        "limited_body": _pretty(
            {"error": {"code": errors.RATE_LIMITED.code, "message": errors.RATE_LIMITED.sample(42)}}
        ),
    }
