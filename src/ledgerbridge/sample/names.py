"""Word lists for the sample company: original, made-up names of people, firms,
streets and sites in the Pacific Northwest. Nothing here is a real business."""

from __future__ import annotations

FIRST_NAMES: tuple[str, ...] = (
    "Avery", "Brenda", "Carlos", "Dana", "Elliot", "Farah", "Gideon", "Hana", "Isaac",
    "Jolene", "Kiran", "Lorenzo", "Marisol", "Nolan", "Opal", "Priya", "Quentin", "Rosa",
    "Silas", "Tamsin", "Umar", "Vera", "Wesley", "Ximena", "Yusuf", "Greta", "Hector",
    "Ingrid", "Jasper", "Leona", "Malcolm", "Nadia", "Oscar", "Petra", "Rhett", "Soren",
)

LAST_NAMES: tuple[str, ...] = (
    "Abernathy", "Baptiste", "Castellano", "Delacroix", "Eriksen", "Fairbanks", "Galloway",
    "Halvorsen", "Ishikawa", "Jankowski", "Kowalczyk", "Lindqvist", "Marchetti", "Nakamura",
    "Okonkwo", "Pellegrino", "Quintero", "Rasmussen", "Sokolov", "Thibodeaux", "Underhill",
    "Vasquez", "Whitcombe", "Yamada", "Zielinski", "Brannigan", "Coldwell", "Drummond",
    "Espinoza", "Fitzgerald", "Greenleaf", "Holloway", "Iverson", "Kessler", "Lockhart",
)

#: Commercial customers (each used at most once per company).
COMMERCIAL_CUSTOMERS: tuple[str, ...] = (
    "Alder Creek Veterinary Clinic", "Bayside Cold Storage", "Brightwater Brewing Co",
    "Cedar Hollow Apartments", "Copperline Fitness Studio", "Driftwood Dental Arts",
    "Elmwood Elementary PTA", "Fernridge Senior Living", "Foxglove Florist",
    "Granite Peak Climbing Gym", "Harborview Marine Supply", "Hazelnut Grove Bakery",
    "Ironbark Tattoo Parlor", "Juniper Ridge Golf Club", "Kestrel Aviation Hangars",
    "Lakeshore Laundromat", "Larkspur Montessori School", "Maplewood Animal Shelter",
    "Meridian Print Shop", "Mossy Rock Coffee Roasters", "Northgate Self Storage",
    "Oakhaven Community Church", "Orchard Street Deli", "Pinecrest Medical Offices",
    "Quarry Lane Auto Body", "Rainier View Motel", "Redtail Dance Academy",
    "Riverbend Credit Union", "Saltmarsh Seafood Market", "Silverleaf Yoga Loft",
    "Skyline Chiropractic", "Stonebridge Law Group", "Thistle & Thyme Catering",
    "Timberline Lumber Yard", "Tidewater Hotel", "Umpqua Street Pharmacy",
    "Vinewood Wine Bar", "Westbrook Office Park", "Wildflower Day Spa",
    "Willow Bend Pet Grooming", "Yarrow Hill Vineyards", "Zephyr Bike Works",
)

#: Site labels for a commercial customer's locations.
COMMERCIAL_SITES: tuple[str, ...] = (
    "Main Building", "North Warehouse", "Downtown Storefront", "East Annex",
    "Distribution Center", "Kitchen & Dining", "Admin Office", "Clubhouse", "Garage Bay",
    "Second Floor Suites", "Mechanical Room", "Tasting Room", "Back Lot Shop",
)

STREETS: tuple[str, ...] = (
    "SE Alder St", "NE Broadway", "SW Corbett Ave", "N Denver Ave", "NE Fremont St",
    "SE Hawthorne Blvd", "NW Irving St", "SE Juniper Ln", "N Killingsworth St",
    "SW Lombard Way", "NE Mason St", "NW Northrup St", "SE Oak Grove Rd", "SW Pine Ct",
    "NE Quimby Pl", "SE Rhine St", "NW Savier St", "SE Tacoma St", "NE Union Ave",
    "SW Vermont St", "NW Wilson St", "SE Yamhill St", "Main St", "Cedar Hills Blvd",
    "Mill Plain Blvd", "Fourth Plain Rd", "River Rd", "Canyon Rd", "Orchard Ln",
)

#: (city, state, postal code)
CITIES: tuple[tuple[str, str, str], ...] = (
    ("Portland", "OR", "97202"), ("Portland", "OR", "97211"), ("Portland", "OR", "97214"),
    ("Beaverton", "OR", "97005"), ("Gresham", "OR", "97030"), ("Hillsboro", "OR", "97123"),
    ("Lake Oswego", "OR", "97034"), ("Tigard", "OR", "97223"), ("Milwaukie", "OR", "97222"),
    ("Vancouver", "WA", "98661"), ("Vancouver", "WA", "98683"), ("Camas", "WA", "98607"),
)

#: Job kinds: (name, typical contract value in dollars)
JOB_KINDS: tuple[tuple[str, int], ...] = (
    ("Rooftop Unit Replacement", 38000), ("Boiler Retrofit", 52000),
    ("Tenant Improvement Plumbing", 24000), ("Water Heater Replacement", 3800),
    ("Ductwork Redesign", 14000), ("Heat Pump Conversion", 16500),
    ("Walk-in Cooler Refrigeration", 21000), ("Restroom Remodel Rough-in", 9800),
    ("Sewer Line Repair", 7400), ("Ductless Mini-Split Install", 8200),
    ("Hydronic Radiant Floor", 19000), ("Backflow Assembly Upgrade", 2600),
    ("Make-up Air Unit Install", 27000), ("Repipe Domestic Water", 12500),
    ("Controls & BAS Upgrade", 31000), ("Grease Interceptor Install", 11800),
    ("Furnace & Coil Replacement", 9400), ("Gas Line Extension", 4300),
)

TICKET_SUMMARIES: tuple[str, ...] = (
    "No heat - furnace short cycling", "AC not cooling, outdoor unit humming",
    "Water heater leaking at base", "Kitchen sink drain backed up",
    "Spring maintenance visit", "Fall furnace tune-up", "Thermostat blank after power outage",
    "Toilet running constantly", "Low water pressure upstairs", "Burning smell from vents",
    "Ice on refrigerant lines", "Sewer odor in basement", "Rooftop unit tripping breaker",
    "Walk-in cooler above temp", "Garbage disposal jammed", "Backflow annual test",
    "Noisy blower motor", "Pilot light won't stay lit", "Condensate overflow in attic",
    "Frozen pipe in crawlspace",
)

INVOICE_MEMOS: tuple[str, ...] = (
    "Thank you for your business!", "Net 30. Please reference invoice number on payment.",
    "Tech notes attached to work order.", "Warranty parts supplied at no charge.",
    "Customer declined recommended repairs.", "Follow-up visit scheduled.",
)

CREDIT_REASONS: tuple[str, ...] = (
    "Credit - returned unused materials", "Credit - duplicate trip charge",
    "Credit - warranty labor reimbursement", "Goodwill credit - repeat visit",
    "Credit - maintenance agreement prorate",
)
