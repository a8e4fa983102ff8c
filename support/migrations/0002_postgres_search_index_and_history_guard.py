"""The GIN index the knowledge-base search uses, and a trigger that keeps
ticket history append-only (no UPDATE or DELETE of support_ticketevent rows)."""

from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS support_article_search_idx ON support_article USING gin (search_vector)",
    """
    CREATE OR REPLACE FUNCTION support_ticketevent_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '工单记录只能新增，不能修改或删除';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER support_ticketevent_append_only
    BEFORE UPDATE OR DELETE ON support_ticketevent
    FOR EACH ROW EXECUTE FUNCTION support_ticketevent_append_only()
    """,
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS support_ticketevent_append_only ON support_ticketevent",
    "DROP FUNCTION IF EXISTS support_ticketevent_append_only()",
    "DROP INDEX IF EXISTS support_article_search_idx",
]


class Migration(migrations.Migration):
    dependencies = [("support", "0001_tickets_queues_sla_knowledge_surveys")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
