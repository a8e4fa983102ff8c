from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models

from support import textsearch
from support.choices import Category


class Article(models.Model):
    """A knowledge-base answer agents search and insert into their replies."""

    title = models.CharField("标题", max_length=120)
    body = models.TextField("答复内容", help_text="插入回复时原样使用，请用对客户的口吻撰写")
    category = models.CharField("适用类别", max_length=20, choices=Category.choices, blank=True)
    keywords = models.CharField("关键词", max_length=200, blank=True, help_text="同义词、俗称，以空格分隔")
    is_published = models.BooleanField("已发布", default=True)
    # Bigram terms (see `support.textsearch`), kept in step with the text on every save.
    title_terms = models.TextField("标题检索词", blank=True, editable=False)
    body_terms = models.TextField("正文检索词", blank=True, editable=False)
    search_vector = SearchVectorField("检索向量", null=True, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="最后编辑人", on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+", db_index=False,
    )  # fmt: skip
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "知识库文章"
        verbose_name_plural = "知识库"
        ordering = ["title"]
        # A GIN index on search_vector (migration 0002) serves the search.

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.title_terms = textsearch.as_field(f"{self.title} {self.keywords}")
        self.body_terms = textsearch.as_field(self.body)
        super().save(*args, **kwargs)
        Article.objects.filter(pk=self.pk).update(search_vector=SEARCH_VECTOR)


# Title terms weigh more than body terms in PostgreSQL's ranking.
SEARCH_VECTOR = SearchVector("title_terms", weight="A", config="simple") + SearchVector(
    "body_terms", weight="B", config="simple"
)
