"""Airflow hooks: one per connection type."""
