"""QuickBooks Online: connections, OAuth 2, tokens, a budgeted batched client."""
