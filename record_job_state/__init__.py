"""Activity: record job state (shared/activities.py)."""

from shared import activities

main = activities.record_job_state
