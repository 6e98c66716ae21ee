-- A call is written down before it is made (a reservation), and the row is moved to the instant
-- the call ended once it has: a sender that takes a chat over from a replica killed mid-call then
-- counts that call too. The id names the reservation the call's end updates.
ALTER TABLE notifier.chat_send ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
