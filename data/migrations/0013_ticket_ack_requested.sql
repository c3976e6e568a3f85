-- A ticket's acknowledgement deadline (initial handling, from the SLA
-- policy's per-rule "ack" limit) and the owner's requested deadline (the
-- resolution deadline is the sooner of it and the policy's). Both NULL on
-- tickets opened before: no acknowledgement deadline, nothing requested.
ALTER TABLE tickets ADD COLUMN ack_due INTEGER;
ALTER TABLE tickets ADD COLUMN requested_due INTEGER;
