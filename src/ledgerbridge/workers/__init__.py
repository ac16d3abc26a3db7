"""Running syncs without a person: the embedded scheduler (one machine)."""
