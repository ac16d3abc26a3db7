"""A small demo company (``--seed-demo``): customers, a job, a vendor, items, an invoice."""

from __future__ import annotations

from . import operations
from .runtime import QboSandbox

DEMO_REALM = "9130355555555555"


def seed_demo_company(sandbox: QboSandbox) -> str:
    """Create the demo company through QuickBooks' own rules; returns its realm id."""
    company = sandbox.create_company(name="Craig's Design and Landscaping (sandbox)",
                                     realm_id=DEMO_REALM, tax_agency="California",
                                     preferences={"class_tracking_per_line": True})
    ctx = sandbox.context(company)
    amy = operations.create(ctx, "Customer", {"DisplayName": "Amy's Bird Sanctuary",
                                              "GivenName": "Amy", "FamilyName": "Lauterbach"})
    operations.create(ctx, "Customer", {"DisplayName": "Cool Cars"})
    operations.create(ctx, "Customer", {"DisplayName": "Garden Refresh", "Job": True,
                                        "ParentRef": {"value": amy["Id"]}})
    operations.create(ctx, "Vendor", {"DisplayName": "Norton Lumber and Building Materials"})
    operations.create(ctx, "Employee", {"GivenName": "John", "FamilyName": "Johnson"})
    operations.create(ctx, "Class", {"Name": "Labor"})
    service = operations.create(ctx, "Item", {"Name": "Gardening", "Type": "Service",
                                              "UnitPrice": 25, "IncomeAccountRef": {"value": "1"}})
    operations.create(ctx, "Invoice", {
        "CustomerRef": {"value": amy["Id"]},
        "Line": [{"Amount": 100, "DetailType": "SalesItemLineDetail",
                  "SalesItemLineDetail": {"ItemRef": {"value": service["Id"]}, "Qty": 4,
                                          "UnitPrice": 25}}]})
    sandbox.commit(ctx)
    return company.realm_id
