-- Feed photos arrive as URLs (source_url) and are fetched into media by the
-- properties.photo_fetch job: 'pending' until fetched (then NULL), 'failed'
-- with the reason until the next sync retries it, 'purge' once the feed
-- dropped the photo (the job removes the row and its files).
ALTER TABLE property_media
  ADD fetch_state ENUM('pending','failed','purge') NULL,
  ADD fetch_error VARCHAR(255) NULL,
  ADD fetch_attempts INT NOT NULL DEFAULT 0,
  ADD fetch_tried_at DATETIME NULL,
  ADD KEY fetch_queue (tenant_id, fetch_state, property_id, position);
