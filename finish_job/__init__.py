"""Activity: finish job (shared/activities.py)."""

from shared import activities

main = activities.finish_job
