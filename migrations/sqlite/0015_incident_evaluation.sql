-- What leaders evaluate beside status and times: how often an incident was sent back after
-- being resolved, and the resident's satisfaction once it is closed (copied from the
-- public report so the incident row carries every figure of the dashboard).
ALTER TABLE incidents ADD COLUMN returned_times INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN satisfaction TEXT;
UPDATE incidents SET returned_times =
  (SELECT count(*) FROM incident_events e WHERE e.incident_id = incidents.id AND e.action = 'return');
UPDATE incidents SET satisfaction =
  (SELECT p.rating FROM public_reports p WHERE p.incident_id = incidents.id);
-- The dashboard's periods and the working set are chosen by report time.
CREATE INDEX incidents_reported_at ON incidents (reported_at);
