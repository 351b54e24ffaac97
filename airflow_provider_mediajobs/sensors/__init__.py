"""Sensors: wait for a job to succeed or fail (poke, reschedule or deferrable)."""
