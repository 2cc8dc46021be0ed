"""Activity: poll target job (shared/activities.py)."""

from shared import activities

main = activities.poll_target_job
