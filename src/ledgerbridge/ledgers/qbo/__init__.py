"""QuickBooks Online as a ledger: neutral fields <-> Accounting API JSON."""
