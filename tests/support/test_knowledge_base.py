"""The knowledge base answers agents' questions in Chinese: the seeded FAQ is found by the
words customers use, with PostgreSQL's index and with the LIKE fallback of the demo."""

import pytest

from support import textsearch
from support.models import Article
from support.selectors import kb_for_category, kb_search

pytestmark = pytest.mark.django_db

LATE_RENEWAL = "交强险到期没有及时续保（脱保）会有什么后果？"
CHECK_STATUS = "如何查询交强险的续保状态？"
PREMIUM_ROSE = "续保时交强险保费为什么上涨了？我该怎么办？"
CLAIM_COSTS = "保险公司如何控制交强险的理赔成本？"
ONLINE = "哪些线上渠道可以购买交强险？"


def titles(query, **kwargs):
    return [hit.article.title for hit in kb_search(query, **kwargs)]


def test_chinese_is_indexed_as_overlapping_bigrams():
    assert textsearch.terms("保费上涨") == ["保费", "费上", "上涨"]
    assert textsearch.terms("脱保") == ["脱保"]
    assert textsearch.terms("APP 续保，１２３") == ["app", "续保", "123"]
    assert textsearch.as_field("脱保了") == " 脱保 保了 "


@pytest.mark.parametrize(
    ("query", "best"),
    [
        ("脱保", LATE_RENEWAL),
        ("保费上涨", PREMIUM_ROSE),
        ("保费为什么涨了", PREMIUM_ROSE),
        ("续保状态", CHECK_STATUS),
        ("怎么查保单到期", CHECK_STATUS),
        ("理赔成本", CLAIM_COSTS),
        ("网上买交强险", ONLINE),
        ("小程序 购买", ONLINE),
        ("赔多少", "交强险的赔偿限额是多少？"),
        ("报废退保", "什么情况下可以退保交强险？能退多少钱？"),
    ],
)
def test_the_seeded_faq_answers_customers_words(query, best):
    assert titles(query)[0] == best


def test_unrelated_or_too_short_queries_find_nothing():
    assert titles("天气预报") == []
    assert titles("") == []
    assert titles("，。！") == []


def test_the_seeded_answers_state_the_regulations_numbers():
    late = Article.objects.get(title=LATE_RENEWAL).body
    assert "两倍的罚款" in late and "1,900 元" in late  # docs/regulation.md §4
    # the advance window is the province's (ProvinceRule), 90 days by default (§4)
    assert "一般可在保险止期前 90 天内办理续保（个别省份的提前期不同" in late
    rose = Article.objects.get(title=PREMIUM_ROSE).body
    assert "1,235 元" in rose and "665 元" in rose and "475 元" in rose  # docs/regulation.md §2
    costs = Article.objects.get(title=CLAIM_COSTS).body
    assert "1 日内" in costs and "5 日内" in costs and "10 日内" in costs  # docs/regulation.md §6


def test_an_edited_article_is_found_by_its_new_words(supervisor):
    article = Article.objects.get(title=ONLINE)
    article.keywords += " 支付宝"
    article.save()
    assert titles("支付宝")[0] == ONLINE


def test_unpublished_articles_are_not_offered():
    Article.objects.filter(title=LATE_RENEWAL).update(is_published=False)
    assert LATE_RENEWAL not in titles("脱保")


def test_a_category_offers_its_usual_answers():
    assert {a.title for a in kb_for_category("premium")} == {PREMIUM_ROSE, ONLINE}


def test_no_seeded_answer_says_the_advance_window_is_90_days_everywhere():
    for article in Article.objects.filter(title__in=[LATE_RENEWAL, CHECK_STATUS, ONLINE]):
        assert "个别省份" in article.body, article.title
        assert "止期前 90 天内办理续保，" not in article.body and "还有 90 天以上" not in article.body
    assert kb_search("个别省份提前期")  # the search terms follow the new words


def test_the_advance_window_rewrite_leaves_an_edited_answer_alone():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, rewrite = ("support", "0008_ticket_subject_bigram_index"), (
        "support", "0009_knowledge_base_advance_window_per_province"
    )  # fmt: skip
    MigrationExecutor(connection).migrate([before])
    assert "止期前 90 天内办理续保，" in Article.objects.get(title=ONLINE).body  # the seeded words again
    Article.objects.filter(title=LATE_RENEWAL).update(body="本店自定义答复：止期前 60 天内可续保。")
    MigrationExecutor(connection).migrate([rewrite])
    assert Article.objects.get(title=LATE_RENEWAL).body == "本店自定义答复：止期前 60 天内可续保。"
    assert "个别省份" in Article.objects.get(title=ONLINE).body
