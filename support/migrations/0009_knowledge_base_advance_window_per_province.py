"""The seeded answers said renewal opens "保险止期前 90 天" everywhere; the window is a
per-province setting (ProvinceRule.advance_renewal_days, docs/regulation.md §4), 90 days by
default. Each sentence is rewritten only where the article still has the seeded words, so an
answer a supervisor has edited since is left as they wrote it; the search terms follow."""

from django.contrib.postgres.search import SearchVector
from django.db import migrations

from support import textsearch

WINDOW = "（个别省份的提前期不同，以当地规定为准）"
CHANGES = {
    "交强险到期没有及时续保（脱保）会有什么后果？": [
        (
            "· 提前续保：交强险可在保险止期前 90 天内办理续保，",
            f"· 提前续保：交强险一般可在保险止期前 90 天内办理续保{WINDOW}，",
        ),
    ],
    "如何查询交强险的续保状态？": [
        (
            "· 保障中：保单有效，距保险止期还有 90 天以上；\n· 待续保：已进入保险止期前 90 天（含止期当天），现在即可办理续保；",
            "· 保障中：保单有效，尚未进入可续保期（一般为保险止期前 90 天，个别省份不同）；\n"
            "· 待续保：已进入可续保期（含止期当天），现在即可办理续保；",
        ),
    ],
    "哪些线上渠道可以购买交强险？": [
        (
            "· 交强险可在保险止期前 90 天内办理续保，",
            f"· 交强险一般可在保险止期前 90 天内办理续保{WINDOW}，",
        ),
    ],
}


def _rewrite(apps, pairs_of):
    Article = apps.get_model("support", "Article")
    changed = []
    for article in Article.objects.filter(title__in=list(CHANGES)):
        body = article.body
        for old, new in pairs_of(CHANGES[article.title]):
            body = body.replace(old, new)
        if body != article.body:
            article.body = body
            article.body_terms = textsearch.as_field(body)
            article.save(update_fields=["body", "body_terms"])
            changed.append(article.pk)
    Article.objects.filter(pk__in=changed).update(
        search_vector=SearchVector("title_terms", weight="A", config="simple")
        + SearchVector("body_terms", weight="B", config="simple")
    )


def forwards(apps, schema_editor):
    _rewrite(apps, lambda pairs: pairs)


def backwards(apps, schema_editor):
    _rewrite(apps, lambda pairs: [(new, old) for old, new in pairs])


class Migration(migrations.Migration):
    dependencies = [("support", "0008_ticket_subject_bigram_index")]
    operations = [migrations.RunPython(forwards, backwards)]
