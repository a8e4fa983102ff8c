"""SMS segments as the agent's reply will be billed: Chinese 70 in one message, 67 per part
when split; pure ASCII 160 / 153 — counted over the whole SMS, fixed words included."""

import pytest

from support.notifications import reply_text, sms_reply_frame, sms_size


@pytest.mark.parametrize(
    ("text", "chars", "segments", "encoding"),
    [
        ("", 0, 1, "gsm"),
        ("a" * 160, 160, 1, "gsm"),
        ("a" * 161, 161, 2, "gsm"),
        ("a" * 306, 306, 2, "gsm"),
        ("a" * 307, 307, 3, "gsm"),
        ("保" * 70, 70, 1, "ucs2"),
        ("保" * 71, 71, 2, "ucs2"),
        ("保" * 134, 134, 2, "ucs2"),
        ("保" * 135, 135, 3, "ucs2"),
        ("a" * 100 + "保", 101, 2, "ucs2"),  # one Chinese character makes the whole text UCS-2
    ],
)
def test_sms_size(text, chars, segments, encoding):
    size = sms_size(text)
    assert (size.chars, size.segments, size.encoding) == (chars, segments, encoding)


def test_the_frame_is_the_fixed_words_around_the_reply():
    before, after = sms_reply_frame("T2026120500001")
    _, text = reply_text(number="T2026120500001", body="您好", channel="sms")
    assert text == before + "您好" + after
    assert sms_size(before + "保" * 391 + after).segments == 7  # the 391-character reply
