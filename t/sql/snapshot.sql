-- t/sql/snapshot.sql: one line per table, its row count and an md5 of its
-- rows in a stable order: what must be the same after a restore or pg_upgrade.
SELECT 'partner ' || count(*) || ' ' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM multipartner.partner t
UNION ALL SELECT 'customer ' || count(*) || ' ' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM multipartner.customer t
UNION ALL SELECT 'partner_member ' || count(*) || ' ' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM multipartner.partner_member t
UNION ALL SELECT 'customer_member ' || count(*) || ' ' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM multipartner.customer_member t
UNION ALL SELECT 'relationship ' || count(*) || ' ' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM multipartner.relationship t
UNION ALL SELECT 'subscription ' || count(*) || ' ' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM multipartner.subscription t
UNION ALL SELECT 'tenant ' || count(*) || ' ' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM multipartner.tenant t
UNION ALL SELECT 'admin_role ' || count(*) || ' ' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM multipartner.admin_role t
UNION ALL SELECT 'admin_relationship ' || count(*) || ' ' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM multipartner.admin_relationship t
UNION ALL SELECT 'access_assignment ' || count(*) || ' ' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM multipartner.access_assignment t
UNION ALL SELECT 'expiry_notice ' || count(*) || ' ' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM multipartner.expiry_notice t
UNION ALL SELECT 'audit_log ' || count(*) || ' ' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM multipartner.audit_log t;
