"""PostgreSQL triggers that keep the claims invariants in the database itself:

- the event log and the ledger are append-only (no UPDATE, no DELETE);
- each event continues its claim's chain (sequence + 1, from the previous event's state);
- a claim's state changes only to what its latest event says;
- the ledger never takes a category past the claim's limit.
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION claims_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'integrity_constraint_violation';
END $$;

CREATE TRIGGER claims_claimevent_append_only BEFORE UPDATE OR DELETE ON claims_claimevent
  FOR EACH ROW EXECUTE FUNCTION claims_append_only();
CREATE TRIGGER claims_ledgerentry_append_only BEFORE UPDATE OR DELETE ON claims_ledgerentry
  FOR EACH ROW EXECUTE FUNCTION claims_append_only();

CREATE OR REPLACE FUNCTION claims_event_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE prev_to varchar; prev_seq integer;
BEGIN
  SELECT to_state, seq INTO prev_to, prev_seq FROM claims_claimevent
    WHERE claim_id = NEW.claim_id ORDER BY seq DESC LIMIT 1;
  IF prev_seq IS NULL THEN
    IF NEW.seq <> 1 OR NEW.from_state <> '' THEN
      RAISE EXCEPTION 'claim %: the first event must be the report', NEW.claim_id USING ERRCODE = 'check_violation';
    END IF;
  ELSIF NEW.seq <> prev_seq + 1 OR NEW.from_state <> prev_to THEN
    RAISE EXCEPTION 'claim %: event % does not follow event % (state %)', NEW.claim_id, NEW.seq, prev_seq, prev_to
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER claims_claimevent_chain BEFORE INSERT ON claims_claimevent
  FOR EACH ROW EXECUTE FUNCTION claims_event_chain();

CREATE OR REPLACE FUNCTION claims_state_follows_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE last_from varchar; last_to varchar;
BEGIN
  IF NEW.state IS DISTINCT FROM OLD.state THEN
    SELECT from_state, to_state INTO last_from, last_to FROM claims_claimevent
      WHERE claim_id = NEW.id ORDER BY seq DESC LIMIT 1;
    IF last_to IS DISTINCT FROM NEW.state OR last_from IS DISTINCT FROM OLD.state THEN
      RAISE EXCEPTION 'claim %: state % -> % has no matching event', NEW.number, OLD.state, NEW.state
        USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER claims_claim_state_follows_event BEFORE UPDATE OF state ON claims_claim
  FOR EACH ROW EXECUTE FUNCTION claims_state_follows_event();

CREATE OR REPLACE FUNCTION claims_ledger_within_limit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE total numeric; cap numeric;
BEGIN
  SELECT COALESCE(SUM(amount), 0) INTO total FROM claims_ledgerentry
    WHERE claim_id = NEW.claim_id AND category = NEW.category;
  SELECT CASE NEW.category
           WHEN 'death_disability' THEN limit_death_disability
           WHEN 'medical' THEN limit_medical
           ELSE limit_property END
    INTO cap FROM claims_claim WHERE id = NEW.claim_id;
  IF total > cap OR total < 0 THEN
    RAISE EXCEPTION 'claim %: ledger % total % outside 0..%', NEW.claim_id, NEW.category, total, cap
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER claims_ledgerentry_within_limit AFTER INSERT ON claims_ledgerentry
  FOR EACH ROW EXECUTE FUNCTION claims_ledger_within_limit();
"""

DROP = """
DROP TRIGGER IF EXISTS claims_ledgerentry_within_limit ON claims_ledgerentry;
DROP TRIGGER IF EXISTS claims_claim_state_follows_event ON claims_claim;
DROP TRIGGER IF EXISTS claims_claimevent_chain ON claims_claimevent;
DROP TRIGGER IF EXISTS claims_ledgerentry_append_only ON claims_ledgerentry;
DROP TRIGGER IF EXISTS claims_claimevent_append_only ON claims_claimevent;
DROP FUNCTION IF EXISTS claims_ledger_within_limit();
DROP FUNCTION IF EXISTS claims_state_follows_event();
DROP FUNCTION IF EXISTS claims_event_chain();
DROP FUNCTION IF EXISTS claims_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_claims_workflow_ledger_and_limits")]
    operations = [migrations.RunPython(create, drop)]
