"""Every error the API answers: a code, an HTTP status and a Chinese message.

The catalogue is the single source of the OpenAPI schema's error documentation and of
the docs page's error table. Every error body has one shape:
`{"error": {"code": "...", "message": "...", "field": "..."?}}`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.http import HttpResponse

from policies.refusals import TRAILER_REFUSAL

MAX_BODY_BYTES = 16 * 1024  # 16 KiB: a status or quote request is under 200 bytes


@dataclass(frozen=True)
class ErrorKind:
    code: str
    status: int
    message: str  # the message when the error carries none of its own
    when: str  # for the docs: what causes it

    def sample(self, seconds: int | str = 30) -> str:
        """The message as a client sees it (rate limits with a number of seconds filled in)."""
        return self.message % {"seconds": seconds} if "%(seconds)s" in self.message else self.message


MALFORMED_JSON = ErrorKind(
    "malformed_json", 400, "请求体不是有效的 JSON，请使用 UTF-8 编码的 JSON 对象。", "请求体无法按 JSON 解析"
)
INVALID_BODY = ErrorKind(
    "invalid_body", 400, "请求体应为 JSON 对象，例如 {\"plate\": \"苏A12345\", \"vin\": \"…\"}。",
    "请求体为空，或不是 JSON 对象（如数组、字符串）",
)  # fmt: skip
MISSING_FIELD = ErrorKind("missing_field", 400, "缺少必填字段。", "缺少必填字段")
INVALID_TYPE = ErrorKind("invalid_type", 400, "字段类型不正确。", "字段类型不对（如数字、null 代替字符串）")
UNKNOWN_FIELD = ErrorKind(
    "unknown_field", 400, "请求中含有不支持的字段。", "请求含有接口未定义的字段（多为拼写错误）"
)
FIELD_TOO_LONG = ErrorKind("field_too_long", 400, "字段内容过长。", "字段超过最大长度")
INVALID_PLATE = ErrorKind("invalid_plate", 400, "号牌号码格式不正确。", "号牌号码不符合 GA 36 格式")
INVALID_FIELD = ErrorKind(
    "invalid_field", 400, "字段内容不正确。", "报案：出险时间、手机号、金额、类别等字段格式不正确"
)
INVALID_IDEMPOTENCY_KEY = ErrorKind(
    "invalid_idempotency_key", 400, "请在 Idempotency-Key 请求头中提供 8–64 位字母、数字、“-”或“_”（如 UUID）。",
    "报案：Idempotency-Key 请求头缺失或格式不正确",
)  # fmt: skip
INVALID_VIN = ErrorKind(
    "invalid_vin", 400, "车辆识别代号格式不正确。", "车辆识别代号不是 17 位、含 I/O/Q，或国产车校验位错误"
)
MISSING_API_KEY = ErrorKind(
    "missing_api_key", 401, "请在请求头中提供 API 密钥：Authorization: Bearer <密钥>。",
    "未带 Authorization 请求头，或不是 Bearer 方式",
)  # fmt: skip
INVALID_API_KEY = ErrorKind("invalid_api_key", 401, "API 密钥无效，请核对密钥。", "密钥不存在或不正确")
REVOKED_API_KEY = ErrorKind(
    "revoked_api_key", 401, "该 API 密钥已停用，请联系总公司主管申请新密钥。", "密钥已被主管停用"
)
NOT_FOUND = ErrorKind(
    "not_found", 404, "未找到与该号牌号码和车辆识别代号相符的投保记录，请核对行驶证后重试。",
    "号牌号码与车辆识别代号不匹配，或本公司没有该车的投保记录（两种情况的应答完全相同）",
)  # fmt: skip
UNKNOWN_ENDPOINT = ErrorKind(
    "unknown_endpoint", 404, "接口不存在，请核对地址。", "请求的地址不是已发布的接口"
)
METHOD_NOT_ALLOWED = ErrorKind("method_not_allowed", 405, "该接口只接受 POST 请求。", "请求方法不是 POST")
IDEMPOTENCY_CONFLICT = ErrorKind(
    "idempotency_conflict", 409, "该 Idempotency-Key 已用于另一笔报案，请更换。",
    "报案：同一 Idempotency-Key 用于了内容不同的报案请求（重试须发送与首次相同的请求体）",
)  # fmt: skip
ALREADY_RENEWED = ErrorKind(
    "already_renewed",
    409,
    "该车已续保，无需再次报价。",
    "报价：该车已有续保保单（续保起期见 renewal-status）",
)
POLICY_CANCELLED = ErrorKind(
    "policy_cancelled", 409, "该车保单已退保（车辆停驶、注销或被盗抢），恢复上路前请到柜面重新投保。",
    "报价：该车最近的保单已退保，与柜面一样不在线报价",
)  # fmt: skip
BODY_TOO_LARGE = ErrorKind(
    "body_too_large", 413, f"请求体不能超过 {MAX_BODY_BYTES // 1024} KiB。", "请求体超过 16 KiB"
)
NOT_INSURABLE = ErrorKind("not_insurable", 422, TRAILER_REFUSAL, "报价：挂车等依法不投保交强险的车辆")
REPORT_REFUSED = ErrorKind(
    "report_refused", 422, "报案未受理，请核对后重试或拨打客服热线。",
    "报案：出险时间不在保险期间内、晚于当前时间，或当事方信息不完整等",
)  # fmt: skip
QUOTE_UNAVAILABLE = ErrorKind(
    "quote_unavailable", 422, "暂时无法为该车报价，请到柜面办理。", "报价：费率表缺少该车类别或车船税所需资料"
)
RATE_LIMITED = ErrorKind(
    "rate_limited", 429, "请求过于频繁，请在 %(seconds)s 秒后重试。", "该密钥的请求超过每分钟上限"
)
PLATE_RATE_LIMITED = ErrorKind(
    "plate_rate_limited",
    429,
    "该号牌查询过于频繁，请在 %(seconds)s 秒后重试。",
    "同一号牌的查询超过上限（防止批量试探）",
)

CATALOGUE: tuple[ErrorKind, ...] = (
    MALFORMED_JSON, INVALID_BODY, MISSING_FIELD, INVALID_TYPE, UNKNOWN_FIELD, FIELD_TOO_LONG, INVALID_PLATE,
    INVALID_VIN, INVALID_FIELD, INVALID_IDEMPOTENCY_KEY, MISSING_API_KEY, INVALID_API_KEY, REVOKED_API_KEY,
    NOT_FOUND, UNKNOWN_ENDPOINT, METHOD_NOT_ALLOWED, ALREADY_RENEWED, POLICY_CANCELLED, IDEMPOTENCY_CONFLICT,
    BODY_TOO_LARGE, NOT_INSURABLE, QUOTE_UNAVAILABLE, REPORT_REFUSED, RATE_LIMITED, PLATE_RATE_LIMITED,
)  # fmt: skip


class ApiError(Exception):
    """Raised anywhere in a request's handling; the endpoint wrapper turns it into a response."""

    def __init__(
        self, kind: ErrorKind, message: str | None = None, *, field: str | None = None, retry_after: int = 0
    ):
        super().__init__(kind.code)
        self.kind = kind
        self.message = message or kind.message
        self.field = field
        self.retry_after = retry_after

    def response(self) -> HttpResponse:
        error = {"code": self.kind.code, "message": self.message}
        if self.field:
            error["field"] = self.field
        response = json_response({"error": error}, status=self.kind.status)
        if self.retry_after:
            response["Retry-After"] = str(self.retry_after)
        if self.kind is METHOD_NOT_ALLOWED:
            response["Allow"] = "POST"
        if self.kind.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="jqx-api"'  # RFC 6750
        return response


def json_response(data: dict, *, status: int = 200) -> HttpResponse:
    """UTF-8 JSON with Chinese left readable. Every string in `data` is valid Unicode:
    inputs with lone surrogates are refused before they can be echoed."""
    body = json.dumps(data, ensure_ascii=False, separators=(", ", ": "))
    return HttpResponse(body.encode(), status=status, content_type="application/json; charset=utf-8")
