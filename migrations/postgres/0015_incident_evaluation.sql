-- What leaders evaluate beside status and times: how often an incident was sent back after
-- being resolved, and the resident's satisfaction once it is closed (copied from the
-- public report so the incident row carries every figure of the dashboard).
ALTER TABLE incidents ADD COLUMN returned_times BIGINT NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN satisfaction TEXT;
UPDATE incidents SET returned_times = r.n
  FROM (SELECT incident_id, count(*) AS n FROM incident_events WHERE action = 'return'
        GROUP BY incident_id) r
  WHERE r.incident_id = incidents.id;
UPDATE incidents SET satisfaction = p.rating
  FROM public_reports p
  WHERE p.incident_id = incidents.id AND p.rating IS NOT NULL;
-- The dashboard's periods and the working set are chosen by report time.
CREATE INDEX incidents_reported_at ON incidents (reported_at);
