"""Local, faithful QuickBooks stand-ins. Never imports the sync engine."""
