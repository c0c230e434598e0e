-- Placeholder scenario for `make demo` (to be replaced by the real one).
-- Run by test/demo/demo.sh as: psql -v ON_ERROR_STOP=1 -X -d demo -f test/demo/demo.sql
SELECT 'demo scenario goes here';
