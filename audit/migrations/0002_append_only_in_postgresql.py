"""On PostgreSQL the database itself keeps the trail append-only, against psql or another system
as much as against the application: an entry is never updated (except the user link set to
NULL when that user is deleted, the foreign key's SET_NULL), and none younger than 180 days is
deleted. TRUNCATE (the test suite's flush) fires no row trigger. SQLite, the laptop setup,
relies on the model's own refusal.
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.user_id IS NULL
           AND (NEW.id, NEW.at, NEW.username, NEW.ip_address, NEW.action, NEW.object_type,
                NEW.object_id, NEW.object_repr, NEW.changes::text)
               IS NOT DISTINCT FROM
               (OLD.id, OLD.at, OLD.username, OLD.ip_address, OLD.action, OLD.object_type,
                OLD.object_id, OLD.object_repr, OLD.changes::text) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit entries are never changed';
    END IF;
    IF OLD.at >= now() - interval '180 days' THEN
        RAISE EXCEPTION 'audit entries are kept at least 180 days';
    END IF;
    RETURN OLD;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
