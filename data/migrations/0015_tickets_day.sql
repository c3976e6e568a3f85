-- A new ticket's number is the next of its device's day (tickets.go,
-- openTicketTx): without an index each one read every ticket, and a
-- 5,000-row ledger import read 12.5 million rows.
CREATE INDEX tickets_device_day ON tickets (device_id, day, seq);
