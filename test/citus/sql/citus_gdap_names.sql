-- citus_gdap_names: R15 (a partner's display names are unique among all its
-- admin relationships, of any customer) on Citus (SPEC §9, §11).  In a
-- database of its own (mp_dist_names on every node): a populated install
-- with an admin relationship, taken to Citus with CALL
-- multipartner.distribute(), which claims its name in
-- admin_relationship_name (a reference table).  Then, with customers whose
-- shards are on different workers: create_admin_relationship() and
-- rename_admin_relationship() refuse a name the partner uses at another
-- customer with the single-node SQLSTATE and message, at the single-node
-- place among the rules; names are per partner; a rename frees the old name
-- for the next admin relationship; a direct INSERT or rename that skipped
-- the claim is refused (42501); a claim cannot be taken from a holder that
-- still has the name, nor changed, deleted, or made by a role that may not
-- create admin relationships; claims are not audited, admin relationships
-- are, once.
\set mp_db mp_dist_names
\i test/citus/own_db.psql

\i test/citus/refusal.psql
-- the claims as every node's placement has them (one line: every node has
-- the same), each admin relationship id by its label in pg_temp.ids
CREATE TEMP TABLE ids (id uuid PRIMARY KEY, label text);
CREATE FUNCTION pg_temp.claims() RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(DISTINCT r.result, ' | ')
      FROM (SELECT (SELECT coalesce(string_agg(c.name || ' -> ' || coalesce(i.label, 'unknown'), ', ' ORDER BY c.name, i.label), 'none')
                      FROM unnest(string_to_array(n.result, ',')) e(claim),
                           LATERAL (SELECT split_part(e.claim, '=', 1) AS name, split_part(e.claim, '=', 2)::uuid AS id) c
                      LEFT JOIN pg_temp.ids i ON i.id = c.id) AS result
              FROM run_command_on_all_nodes($c$SELECT string_agg(n.display_name || '=' || n.admin_relationship_id, ',')
                                                  FROM multipartner.admin_relationship_name n$c$) n) r
$$;

-- before distribution: partners P1 and P2, LOGIN roles, customers C1..C3
-- (their ids are their tenant ids), an admin relationship 'helpdesk' of P1 at C1
\set p1 '11111111-1111-4111-8111-0000000000a1'
\set p2 '11111111-1111-4111-8111-0000000000a2'
\set c1 '44444444-4444-4444-8444-0000000000a1'
\set c2 '44444444-4444-4444-8444-0000000000a2'
\set c3 '44444444-4444-4444-8444-0000000000a3'
\set c4 '44444444-4444-4444-8444-0000000000a4'
\set ar1 'aaaaaaaa-aaaa-4aaa-8aaa-0000000000a1'
INSERT INTO multipartner.partner (partner_id, name, cloud, csp_tenant_id) VALUES
  (:'p1', 'Names P1', 'commercial', '22222222-2222-4222-8222-0000000000a1'),
  (:'p2', 'Names P2', 'commercial', '22222222-2222-4222-8222-0000000000a2');
CREATE ROLE regress_names_p1_ga LOGIN;
CREATE ROLE regress_names_p1_sa LOGIN;
CREATE ROLE regress_names_p2_ga LOGIN;
CREATE ROLE regress_names_c2_ga LOGIN;
GRANT multipartner_partner_app TO regress_names_p1_ga, regress_names_p1_sa, regress_names_p2_ga;
GRANT multipartner_customer_app TO regress_names_c2_ga;
INSERT INTO multipartner.partner_member VALUES
  ('regress_names_p1_ga', :'p1', 'global_admin'), ('regress_names_p1_sa', :'p1', 'sales_agent'),
  ('regress_names_p2_ga', :'p2', 'global_admin');
INSERT INTO multipartner.customer (customer_id, tenant_id, name, cloud) VALUES
  (:'c1', :'c1', 'Names C1', 'commercial'), (:'c2', :'c2', 'Names C2', 'commercial'),
  (:'c3', :'c3', 'Names C3', 'commercial'), (:'c4', :'c4', 'Names C4', 'commercial');
INSERT INTO multipartner.relationship (customer_id, partner_id, status) VALUES
  (:'c1', :'p1', 'active'), (:'c2', :'p1', 'active'), (:'c3', :'p1', 'active'),
  (:'c1', :'p2', 'active'), (:'c2', :'p2', 'active');
INSERT INTO multipartner.customer_member VALUES ('regress_names_c2_ga', :'c2', 'global_admin');
SET ROLE regress_names_p1_ga;
\set role_hd '729827e3-9c14-49f7-bb1b-9608f156bbb8'
INSERT INTO multipartner.admin_relationship (admin_relationship_id, customer_id, display_name, roles)
VALUES (:'ar1', :'c1', 'helpdesk', ARRAY[:'role_hd']::uuid[]);
RESET ROLE;
SELECT count(*) AS claims_before FROM multipartner.admin_relationship_name;
CALL multipartner.distribute();
INSERT INTO pg_temp.ids VALUES (:'ar1', 'ar1');

-- C1 and C2 are on different workers, C3 with one of them
SELECT count(DISTINCT nodeport) AS c1_c2_nodes
  FROM (SELECT get_shard_id_for_distribution_column('multipartner.customer', c) AS shardid
          FROM unnest(ARRAY[:'c1', :'c2']::uuid[]) c) s
  JOIN pg_dist_shard_placement p USING (shardid);
-- distribute() claimed the name, in every node's placement
SELECT pg_temp.claims() AS claims_after_distribute;

-------------------------------------------------------------------------------
-- create_admin_relationship()
-------------------------------------------------------------------------------
SELECT count(*) AS audit_before FROM multipartner.audit_log WHERE table_name = 'admin_relationship' \gset
SET ROLE regress_names_p1_ga;
-- the name P1 uses at C1, at C2 (another worker): R15, the single-node answer
SELECT replace(pg_temp.refusal(format($$SELECT multipartner.create_admin_relationship(%L, 'helpdesk', ARRAY['Helpdesk Administrator'])$$, :'c2')),
               :'p1', '<P1>') AS taken_at_other_customer;
-- at the single-node place among the rules: a customer without a relationship is MP001 first
SELECT replace(replace(pg_temp.refusal(format($$SELECT multipartner.create_admin_relationship(%L, 'helpdesk', ARRAY['Helpdesk Administrator'])$$, :'c4')),
               :'p1', '<P1>'), :'c4', '<C4>') AS no_relationship_first;
-- a new name: made, claimed
SELECT multipartner.create_admin_relationship(:'c2', 'support', ARRAY['Helpdesk Administrator']) AS ar2 \gset
RESET ROLE;
INSERT INTO pg_temp.ids VALUES (:'ar2', 'ar2');
SELECT pg_temp.claims() AS support_claimed;
-- names are per partner: P2 may use 'helpdesk' at C2
SET ROLE regress_names_p2_ga;
SELECT multipartner.create_admin_relationship(:'c2', 'helpdesk', ARRAY['Helpdesk Administrator']) AS ar_p2 \gset
RESET ROLE;
INSERT INTO pg_temp.ids VALUES (:'ar_p2', 'ar_p2');
SELECT pg_temp.claims() AS p2_helpdesk_claimed;
-- a role that may not create admin relationships claims nothing and gets the single-node refusal
SET ROLE regress_names_p1_sa;
SELECT replace(pg_temp.refusal(format($$SELECT multipartner.create_admin_relationship(%L, 'sales', ARRAY['Helpdesk Administrator'])$$, :'c2')),
               :'p1', '<P1>') AS sales_agent;
RESET ROLE;
SELECT count(*) AS claims FROM multipartner.admin_relationship_name;
-- the admin relationships made are audited once each; claims never
SELECT (SELECT count(*) FROM multipartner.audit_log WHERE table_name = 'admin_relationship') - :audit_before AS audited,
       (SELECT count(*) FROM multipartner.audit_log WHERE table_name = 'admin_relationship_name') AS claims_audited;

-------------------------------------------------------------------------------
-- rename_admin_relationship()
-------------------------------------------------------------------------------
SET ROLE regress_names_p1_ga;
SELECT replace(pg_temp.refusal(format($$SELECT multipartner.rename_admin_relationship(%L, %L, 'helpdesk')$$, :'c2', :'ar2')),
               :'p1', '<P1>') AS rename_to_taken;
SELECT pg_temp.refusal(format($$SELECT multipartner.rename_admin_relationship(%L, %L, 'support 2')$$, :'c2', :'ar2')) AS renamed;
-- the old name now passes to the next admin relationship of P1 given it (C3)
SELECT multipartner.create_admin_relationship(:'c3', 'support', ARRAY['Helpdesk Administrator']) AS ar3 \gset
RESET ROLE;
INSERT INTO pg_temp.ids VALUES (:'ar3', 'ar3');
SELECT display_name FROM multipartner.admin_relationship WHERE customer_id = :'c2' AND admin_relationship_id = :'ar2';
SELECT pg_temp.claims() AS support_passed_to_ar3;
-- the customer: R16, the single-node answer
SET ROLE regress_names_c2_ga;
SELECT replace(pg_temp.refusal(format($$SELECT multipartner.rename_admin_relationship(%L, %L, 'mine')$$, :'c2', :'ar2')), :'ar2', '<AR2>') AS customer_renames;
RESET ROLE;

-------------------------------------------------------------------------------
-- direct DML
-------------------------------------------------------------------------------
SET ROLE regress_names_p1_ga;
BEGIN;
-- a name not claimed
SELECT pg_temp.refusal(format($$INSERT INTO multipartner.admin_relationship (customer_id, display_name, roles)
    VALUES (%L, 'direct', ARRAY[%L]::uuid[])$$, :'c2', :'role_hd')) AS direct_unclaimed;
-- a name another admin relationship holds
SELECT replace(pg_temp.refusal(format($$INSERT INTO multipartner.admin_relationship (customer_id, display_name, roles)
    VALUES (%L, 'helpdesk', ARRAY[%L]::uuid[])$$, :'c2', :'role_hd')), :'p1', '<P1>') AS direct_taken;
-- a rename by UPDATE that skipped the claim
SELECT pg_temp.refusal(format($$UPDATE multipartner.admin_relationship SET display_name = 'direct rename' WHERE customer_id = %L AND admin_relationship_id = %L$$,
                              :'c2', :'ar2')) AS direct_rename_unclaimed;
-- claimed first, then written: accepted
\set ar4 'aaaaaaaa-aaaa-4aaa-8aaa-0000000000a4'
INSERT INTO multipartner.admin_relationship_name (display_name, customer_id, admin_relationship_id) VALUES ('direct', :'c2', :'ar4');
SELECT pg_temp.refusal(format($$INSERT INTO multipartner.admin_relationship (admin_relationship_id, customer_id, display_name, roles)
    VALUES (%L, %L, 'direct', ARRAY[%L]::uuid[])$$, :'ar4', :'c2', :'role_hd')) AS direct_claimed;
COMMIT;
RESET ROLE;
INSERT INTO pg_temp.ids VALUES (:'ar4', 'ar4');
SET ROLE regress_names_p1_ga;
-- the claims themselves: not taken from a holder that still has the name (the holder's node says so) ...
SELECT replace(pg_temp.refusal(format($$UPDATE multipartner.admin_relationship_name SET customer_id = %L, admin_relationship_id = %L
    WHERE display_name = 'helpdesk'$$, :'c2', :'ar2')), :'p1', '<P1>') AS claim_taken_in_use;
SELECT replace(pg_temp.refusal(format($$INSERT INTO multipartner.admin_relationship_name (display_name, customer_id, admin_relationship_id)
    VALUES ('helpdesk', %L, %L) ON CONFLICT (partner_id, display_name) DO UPDATE SET customer_id = EXCLUDED.customer_id,
    admin_relationship_id = EXCLUDED.admin_relationship_id$$, :'c2', :'ar2')), :'p1', '<P1>') AS claim_upsert_in_use;
-- ... nor changed, nor deleted (no privilege; the superuser: refused), nor another partner's
SELECT replace(pg_temp.refusal($$UPDATE multipartner.admin_relationship_name SET display_name = 'other' WHERE display_name = 'support 2'$$), :'p1', '<P1>') AS claim_renamed;
SELECT pg_temp.refusal($$DELETE FROM multipartner.admin_relationship_name WHERE display_name = 'support 2'$$) AS claim_deleted_by_partner;
SELECT replace(pg_temp.refusal(format($$INSERT INTO multipartner.admin_relationship_name (partner_id, display_name, customer_id, admin_relationship_id)
    VALUES (%L, 'squat', %L, %L)$$, :'p2', :'c2', :'ar2')), :'p2', '<P2>') AS claim_for_other_partner;
SET ROLE regress_names_p1_sa;
SELECT replace(pg_temp.refusal(format($$INSERT INTO multipartner.admin_relationship_name (display_name, customer_id, admin_relationship_id)
    VALUES ('squat', %L, %L)$$, :'c2', :'ar2')), :'p1', '<P1>') AS claim_by_sales_agent;
RESET ROLE;
SELECT pg_temp.refusal($$DELETE FROM multipartner.admin_relationship_name WHERE display_name = 'helpdesk'$$) AS claim_deleted_by_superuser;
SELECT replace(pg_temp.refusal($$UPDATE multipartner.admin_relationship_name SET display_name = 'other' WHERE display_name = 'support 2'$$), :'p1', '<P1>') AS claim_renamed_by_superuser;
SELECT pg_temp.claims() AS claims_at_end;
SELECT display_name, count(*) FROM multipartner.admin_relationship WHERE partner_id = :'p1' GROUP BY 1 ORDER BY 1;
-- the view admin_relationships read by the partner over its admin
-- relationships at several customers (several shards), plain and
-- aggregated: partner's policy is not an equality on partner_id, so the
-- view's outer join to partner gets no one-time filter, which Citus does
-- not plan on PostgreSQL 15 ("outer joins and pseudoconstant quals")
SELECT count(DISTINCT get_shard_id_for_distribution_column('multipartner.admin_relationship', customer_id)) > 1 AS several_shards
  FROM multipartner.admin_relationship WHERE partner_id = :'p1';
SET ROLE regress_names_p1_ga;
SELECT count(*) AS seen, count(partner_name) AS named FROM multipartner.admin_relationships;
SELECT display_name, partner_name, count(*) FROM multipartner.admin_relationships GROUP BY 1, 2 ORDER BY 1;
RESET ROLE;
