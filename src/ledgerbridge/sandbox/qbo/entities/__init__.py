"""QuickBooks Online entities: importing this package registers them all."""

from . import company, lists, names, payments, purchases, sales
from .base import REGISTRY, EntitySpec, by_name, by_path

__all__ = ["REGISTRY", "EntitySpec", "by_name", "by_path", "company", "lists", "names",
           "payments", "purchases", "sales"]
