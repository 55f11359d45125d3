-- An invite carries a welcome sealed for the device that enrols with it (base64 text);
-- the relay keeps it unread.
ALTER TABLE invites ADD COLUMN welcome TEXT;
