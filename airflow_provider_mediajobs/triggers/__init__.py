"""Triggers: the async polling side of the sensors, run by the triggerer."""
