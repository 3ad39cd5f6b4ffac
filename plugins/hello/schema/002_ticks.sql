-- Counts hello.tick jobs: the example of a job kind and a schedule.
ALTER TABLE hello_counts ADD COLUMN ticks INT NOT NULL DEFAULT 0;
