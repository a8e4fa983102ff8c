"""`{% export_buttons "app:export" %}`: the export links of a list, with the list's filters."""

from django import template
from django.urls import reverse

from core.exports import CSV, NOT_FILTERS, XLSX, can_export_full, can_export_lists

register = template.Library()


@register.inclusion_tag("core/_export_buttons.html", takes_context=True)
def export_buttons(context, url_name: str, *args, push: bool = True) -> dict:
    """`push`: pushed to the right end of a flex row (ms-auto)."""
    request = context["request"]
    if not can_export_lists(request.user):
        return {"links": []}
    params = request.GET.copy()
    for name in NOT_FILTERS:
        params.pop(name, None)
    base = reverse(url_name, args=args)

    def link(fmt: str, full: bool = False) -> str:
        query = params.copy()
        query["export"] = fmt
        if full:
            query["full"] = "1"
        return f"{base}?{query.urlencode()}"

    links = [("导出 CSV", link(CSV), "export-csv"), ("导出 Excel", link(XLSX), "export-xlsx")]
    full = []
    if can_export_full(request.user):
        full = [
            ("CSV（完整个人信息）", link(CSV, True), "export-csv-full"),
            ("Excel（完整个人信息）", link(XLSX, True), "export-xlsx-full"),
        ]
    return {"links": links, "full_links": full, "push": push}
