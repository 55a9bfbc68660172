"""Reliability: interrupted runs (SIGINT, SIGTERM, SIGKILL) leave no partial output."""
