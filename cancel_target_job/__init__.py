"""Activity: cancel target job (shared/activities.py)."""

from shared import activities

main = activities.cancel_target_job
