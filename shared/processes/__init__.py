"""What the pools of worker processes share (local run workers, compile workers): workers that
live beside the host and below it, and the fair order in which clients' work waits for them.

A leaf: it imports nothing else of qjobs, so every layer may use it.
"""
