-- Budget counters are rewritten by every message, call and sign-in, and many requests share a row
-- (an organization's daily agent replies): as a logged table each increment waited for its WAL
-- flush while holding that row. Unlogged, an increment commits without a flush, about five times
-- as many per second on one row. What is given up: after a crash of the database server, or on a
-- promoted replica, the counters start again from zero, which lets a budget's window restart once.
ALTER TABLE rate_limits SET UNLOGGED;
