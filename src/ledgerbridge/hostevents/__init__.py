"""Events for the host app: QuickBooks-side changes taken into the book and the outcome
of every sync, readable as a feed and pushed to signed webhook subscriptions."""
