"""Activity: submit target job (shared/activities.py)."""

from shared import activities

main = activities.submit_target_job
