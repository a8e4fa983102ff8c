"""Refusals the policies app gives in more than one place, worded once (in Chinese, as read
out to the customer)."""

# docs/regulation.md §1: trailers have not been insured under 交强险 since 2013-03-01 (条例 Art. 42).
TRAILER_REFUSAL = "挂车自 2013 年 3 月 1 日起不再投保交强险（条例第四十二条），不予承保。"
NO_BRANCH_FOR_QUOTE = "您的账号未设置所属网点，无法按网点所在地报价。请联系主管。"
NO_BRANCH_FOR_ISSUE = "您的账号未设置所属网点，不能出单。请联系主管。"
NO_BRANCH_FOR_CALLS = "您的账号未设置所属网点，无法领取外呼。请联系主管。"
