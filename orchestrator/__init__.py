"""Orchestrator: one job's lifecycle (shared/orchestration.py)."""

import azure.durable_functions as df

from shared.orchestration import run_job

main = df.Orchestrator.create(run_job)
