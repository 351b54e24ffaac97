"""Repository tooling (the demo and the throwaway Airflow the end-to-end tests use); not shipped in
the wheel. Run from the repository root: ``python -m scripts.run_demo``."""
