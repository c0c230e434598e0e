-- refusals: without multipartner in shared_preload_libraries (as in both runs
-- of this suite) there are no shared counters, and multipartner.refusals says
-- so with an error rather than showing nothing: 55000, as pg_stat_statements
-- does.  The reset says the same.  Refusals still happen and the write path
-- does not care.  The counting itself is tested on a preloaded cluster
-- (t/020_refusals.pl).  The grants hold either way: operators only.
\i test/setup.psql
\i test/fixtures.psql
\i test/fixtures_subscription.psql
\i test/fixtures_done.psql

SELECT plan(13);

SELECT is(current_setting('shared_preload_libraries') ~ 'multipartner', false,
    'this suite runs without multipartner in shared_preload_libraries');
SELECT throws_ok('SELECT * FROM multipartner.refusals', '55000',
    'multipartner must be loaded via shared_preload_libraries to count refusals',
    'the view says it has no counters instead of showing none');
SELECT throws_ok('SELECT multipartner.refusals_reset()', '55000',
    'multipartner must be loaded via shared_preload_libraries to count refusals',
    'so does the reset');
SELECT is(current_setting('multipartner.refusals_max', true), NULL,
    'multipartner.refusals_max exists only with the library preloaded');
SELECT throws_ok('SET multipartner.refusals_max = 10', '42602', NULL,
    'and cannot be set without it (the prefix multipartner is reserved)');

-- a refusal goes through as ever (nothing to count it into)
SET ROLE regress_office_ga;
SELECT throws_ok($$UPDATE multipartner.subscription SET offer_id = 'O365_E5'
                   WHERE subscription_id = '66666666-6666-4666-8666-000000000001'$$,
    'MP004', NULL, 'a refusal is raised as before without the counters');
RESET ROLE;
SELECT lives_ok('SELECT * FROM multipartner.lookup_counts()',
    'lookup_counts() (per backend) works without preloading');

-- operators only, preloaded or not
SET ROLE regress_operator;
SELECT throws_ok('SELECT * FROM multipartner.refusals', '55000', NULL,
    'an operator may read the view (and learns it has no counters)');
SELECT throws_ok('SELECT multipartner.refusals_reset()', '55000', NULL,
    'an operator may reset');
SET ROLE regress_office_ga;
SELECT throws_ok('SELECT * FROM multipartner.refusals', '42501', NULL,
    'a partner application role may not read the view');
SELECT throws_ok('SELECT multipartner.refusals_reset()', '42501', NULL,
    'nor reset it');
SELECT throws_ok('SELECT * FROM multipartner.refusal_counts()', '42501', NULL,
    'nor call the function behind it');
SET ROLE regress_contoso_ga;
SELECT throws_ok('SELECT * FROM multipartner.refusals', '42501', NULL,
    'a customer application role may not read the view');
RESET ROLE;

SELECT * FROM finish();
\i test/teardown.psql
