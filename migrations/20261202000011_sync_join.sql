-- A laptop that joined a team with an invite. `member_id`: whose laptop it is (its recovery
-- key opens it as that member, never as a lead). `joining`: until the team's data has
-- arrived, what the invite's welcome said and the short code this laptop's screen shows
-- (JSON); NULL once joined.
ALTER TABLE sync_state ADD COLUMN member_id TEXT;
ALTER TABLE sync_state ADD COLUMN joining TEXT;
