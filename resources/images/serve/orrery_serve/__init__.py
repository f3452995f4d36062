"""Orrery's model server (MLflow scoring protocol); the entry point is /opt/orrery/scoring_server.py."""
