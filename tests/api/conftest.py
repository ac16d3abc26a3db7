from support.books import book, engine, tenant_id  # noqa: F401
