"""The fixed catalogue of the sample company: work codes, cost codes, cost types,
vendors and inventory parts. Only stock levels depend on the seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from ledgerbridge.sample.util import (
    Record,
    cents,
    email_slug,
    fmt_money,
    fmt_qty,
    make_address,
    phone,
    record,
)

COLON_ITEM = "Trip Charge: After Hours"
SHARED_NAME = "Cascade Supply Co"
ACCENT_VENDOR = "Société Générale Façades"


@dataclass(frozen=True)
class WorkCode:
    external_id: str
    name: str
    rate: Decimal | None
    item_kind: str
    cost_code: str
    cost_type: str


@dataclass(frozen=True)
class Part:
    external_id: str
    name: str
    cost: Decimal
    price: Decimal


@dataclass(frozen=True)
class Catalog:
    work_codes: tuple[WorkCode, ...]
    cost_codes: tuple[str, ...]
    cost_types: tuple[str, ...]
    vendors: tuple[str, ...]
    parts: tuple[Part, ...]

    def work_code(self, name: str) -> WorkCode:
        return next(w for w in self.work_codes if w.name == name)


COST_TYPES: tuple[tuple[str, str], ...] = (
    ("Labor", "Field and shop labor"),
    ("Materials", "Parts, pipe, fittings and consumables"),
    ("Equipment", "Major equipment and rentals"),
    ("Subcontractor", "Work by outside trades"),
    ("Other", "Permits, fees and everything else"),
)

#: (code, name, default cost type)
COST_CODES: tuple[tuple[str, str, str], ...] = (
    ("01-100", "Labor", "Labor"),
    ("01-200", "Supervision", "Labor"),
    ("02-100", "Equipment", "Equipment"),
    ("02-200", "Materials", "Materials"),
    ("03-100", "Ductwork", "Materials"),
    ("03-200", "Piping", "Materials"),
    ("04-100", "Controls", "Materials"),
    ("05-100", "Subcontract", "Subcontractor"),
    ("06-100", "Permits & Fees", "Other"),
    ("07-100", "Equipment Rental", "Equipment"),
    ("08-100", "Startup & Commissioning", "Labor"),
    ("09-100", "General Conditions", "Other"),
)

#: (name, description, rate, item kind, taxable, cost code)
WORK_CODES: tuple[tuple[str, str, str | None, str, bool, str], ...] = (
    ("Service Labor - Regular", "HVAC/plumbing technician, per hour", "125.00", "service",
     False, "01-100"),
    ("Service Labor - Overtime", "Evenings and Saturdays, per hour", "187.50", "service",
     False, "01-100"),
    ("Service Labor - Emergency", "Sundays and holidays, per hour", "250.00", "service",
     False, "01-100"),
    ("Apprentice Labor", "Apprentice helper, per hour", "65.00", "service", False, "01-100"),
    ("Master Plumber Labor", "Licensed master plumber, per hour", "145.00", "service", False,
     "01-100"),
    ("Project Labor", "Installation crew, per hour", "98.00", "service", False, "01-100"),
    ("Project Supervision", "Foreman / project manager, per hour", "115.00", "service", False,
     "01-200"),
    ("Trip Charge", "Standard dispatch within service area", "89.00", "service", False,
     "09-100"),
    (COLON_ITEM, "Dispatch between 6pm and 7am", "149.00", "service", False, "09-100"),
    ("Diagnostic Fee", "System diagnosis, waived with repair", "110.00", "service", False,
     "01-100"),
    ("Maintenance Agreement - Residential", "Two visits per year, 15% off repairs",
     "219.00", "service", False, "09-100"),
    ("Maintenance Agreement - Commercial", "Quarterly PM, per rooftop unit", "480.00",
     "service", False, "09-100"),
    ("Filter Change Service", "Replace filters, per unit", "45.00", "service", False,
     "01-100"),
    ("Drain Cleaning", "Cable main or branch line", "225.00", "service", False, "03-200"),
    ("Hydro Jetting", "High-pressure jetting, per hour", "395.00", "service", False,
     "03-200"),
    ("Camera Inspection", "Sewer camera with recording", "275.00", "service", False,
     "03-200"),
    ("Backflow Test", "Annual test and certification filing", "95.00", "service", False,
     "06-100"),
    ("Duct Cleaning", "Whole-system duct cleaning", "495.00", "service", False, "03-100"),
    ("Startup & Commissioning", "Equipment startup and report", "650.00", "service", False,
     "08-100"),
    ("Water Heater Install", "Remove and replace tank water heater", "850.00", "service",
     False, "03-200"),
    ("Refrigerant R-410A", "Per pound, recovered and recharged", "95.00", "non_inventory",
     True, "02-200"),
    ("Refrigerant R-454B", "Per pound, A2L refrigerant", "120.00", "non_inventory", True,
     "02-200"),
    ("Misc Materials", "Shop supplies and small fittings", None, "non_inventory", True,
     "02-200"),
    ("Permit Fee", "Municipal mechanical/plumbing permit", None, "non_inventory", False,
     "06-100"),
    ("Disposal Fee", "Haul-away of old equipment", "75.00", "non_inventory", False,
     "09-100"),
    ("Crane Rental", "Crane and operator for rooftop lifts", "1850.00", "non_inventory",
     False, "07-100"),
    ("Subcontract Electrical", "Electrical subcontractor pass-through", None,
     "non_inventory", False, "05-100"),
    ("Heat Pump 3 Ton Package", "Stocked 3-ton split heat pump system", "6800.00",
     "inventory", True, "02-100"),
    ("Tankless Water Heater 199k BTU", "Stocked condensing tankless unit", "2450.00",
     "inventory", True, "02-100"),
    ("Smart Thermostat Kit", "Wi-Fi thermostat with C-wire adapter", "289.00", "inventory",
     True, "04-100"),
)

#: (name, contact, notes)
VENDORS: tuple[tuple[str, str, str], ...] = (
    (SHARED_NAME, "Ruth Galloway", "Also buys service from us - see customer record."),
    (ACCENT_VENDOR, "Amélie Fournier", "Facade and sheet-metal subcontractor."),
    ("Northwest Pipe & Valve", "Dmitri Sokolov", "Net 30, PEX and copper."),
    ("Summit HVAC Distributors", "Lena Marchetti", "Equipment and refrigerant."),
    ("Evergreen Electrical Contractors", "Tom Okafor", "Electrical subcontractor."),
    ("Skyhook Crane Rental", "Barb Lindqvist", "Crane lifts, 4-hour minimum."),
    ("Ridgeline Sheet Metal", "Gus Halvorsen", "Custom duct fabrication."),
    ("Harbor Plumbing Wholesale", "Mei Nakamura", "Fixtures and water heaters."),
    ("Blue Flame Gas Supply", "Raúl Espinoza", "Gas fittings and venting."),
    ("Tri-County Permit Services", "Janet Coldwell", "Permit expediting."),
)

#: (name, sku, cost)
PARTS: tuple[tuple[str, str, str], ...] = (
    ("Pleated Air Filter 16x25x1 MERV 8", "FLT-16251-M8", "4.10"),
    ("Pleated Air Filter 20x25x1 MERV 8", "FLT-20251-M8", "4.60"),
    ("Pleated Air Filter 16x25x4 MERV 11", "FLT-16254-M11", "18.75"),
    ("Pleated Air Filter 20x25x4 MERV 13", "FLT-20254-M13", "24.30"),
    ("Run Capacitor 35/5 MFD 440V", "CAP-35-5-440", "14.20"),
    ("Run Capacitor 45/5 MFD 440V", "CAP-45-5-440", "16.85"),
    ("Run Capacitor 7.5 MFD 370V", "CAP-7.5-370", "8.90"),
    ("Start Capacitor 88-108 MFD", "CAP-S-88-108", "11.40"),
    ("Hard Start Kit 5-2 Wire", "HSK-52", "32.50"),
    ("Contactor 1-Pole 30A 24V Coil", "CON-1P-30A", "12.95"),
    ("Contactor 2-Pole 40A 24V Coil", "CON-2P-40A", "21.60"),
    ("Time Delay Relay 24V", "TDR-24", "18.15"),
    ("Transformer 40VA 120/24V", "XFMR-40VA", "15.70"),
    ("Condenser Fan Motor 1/4 HP", "MTR-CF-025", "118.00"),
    ("Blower Motor 1/2 HP ECM", "MTR-BL-050E", "389.00"),
    ("Inducer Motor Assembly", "MTR-IND-01", "176.40"),
    ("Hot Surface Igniter", "IGN-HSI-41", "24.80"),
    ("Flame Sensor Rod", "FS-ROD-01", "9.35"),
    ("Ignition Control Module", "ICM-50A", "142.00"),
    ("Pressure Switch -0.90 WC", "PSW-090", "27.65"),
    ("Thermocouple 24in", "TC-24", "7.25"),
    ("Filter Drier 3/8in Flare", "FD-38F", "11.80"),
    ("Thermal Expansion Valve 3 Ton", "TXV-3T", "96.50"),
    ("Line Set 3/8 x 3/4 x 25ft", "LS-3834-25", "148.00"),
    ("Condensate Pump 115V", "CP-115", "54.90"),
    ("Condensate Float Switch", "CFS-01", "16.40"),
    ("Secondary Drain Pan 30x60", "DP-3060", "38.70"),
    ("Programmable Thermostat 5-2 Day", "TSTAT-P52", "42.00"),
    ("Zone Damper 8in Round", "ZD-08", "84.20"),
    ("Flex Duct 6in x 25ft R8", "FLX-06-25", "36.90"),
    ("Foil Tape 2.5in x 60yd", "TAPE-FOIL", "8.60"),
    ("Duct Mastic 1 Gallon", "MASTIC-1G", "17.25"),
    ("Disconnect 60A Non-Fused", "DISC-60NF", "13.45"),
    ("AC Whip 3/4in x 6ft", "WHIP-34-6", "12.10"),
    ("PEX-A Tubing 1/2in x 100ft", "PEX-12-100", "42.60"),
    ("PEX-A Tubing 3/4in x 100ft", "PEX-34-100", "71.30"),
    ("PEX Crimp Elbow 1/2in", "PEX-EL-12", "0.92"),
    ("PEX Crimp Tee 1/2in", "PEX-TEE-12", "1.18"),
    ("PEX Crimp Tee 3/4in", "PEX-TEE-34", "2.05"),
    ("PEX Copper Crimp Ring 1/2in (100)", "PEX-RING-12", "14.40"),
    ("Copper Pipe Type L 3/4in x 10ft", "CU-L-34-10", "38.90"),
    ("Ball Valve 3/4in Sweat Full Port", "BV-34-SW", "15.60"),
    ("Quarter-Turn Stop 1/2 x 3/8 Comp", "STOP-12-38", "6.75"),
    ("T&P Relief Valve 3/4in", "TPV-34", "19.80"),
    ("Thermal Expansion Tank 2 Gal", "EXP-2G", "41.25"),
    ("Water Heater Element 4500W 240V", "WHE-4500", "13.90"),
    ("Water Heater Thermostat Upper", "WHT-UP", "21.35"),
    ("Magnesium Anode Rod 44in", "ANODE-44", "27.40"),
    ("Gas Flex Connector 1/2 x 24in", "GFC-12-24", "14.85"),
    ("Dielectric Union 3/4in", "DU-34", "9.70"),
    ("Toilet Fill Valve Universal", "TFV-U", "10.25"),
    ("Toilet Flapper 2in", "TFL-2", "4.95"),
    ("Wax Ring with Horn", "WAX-H", "3.80"),
    ("Faucet Cartridge Single-Handle", "FCART-SH", "22.60"),
    ("Garbage Disposal 1/2 HP", "GD-050", "98.00"),
    ("Sump Pump 1/3 HP Submersible", "SP-033", "139.00"),
    ("P-Trap 1-1/2in PVC", "PTRAP-15", "4.40"),
    ("Closet Flange PVC 3x4", "CFL-34", "7.95"),
    ("Backflow Test Kit Gasket Set", "BF-GSK", "12.30"),
    ("Pipe Thread Sealant 8oz", "PTS-8", "7.15"),
)

#: markup from cost to list price by cost band
_MARKUPS: tuple[tuple[Decimal, Decimal], ...] = (
    (Decimal("10"), Decimal("2.50")),
    (Decimal("50"), Decimal("2.00")),
    (Decimal("200"), Decimal("1.65")),
    (Decimal("1000000"), Decimal("1.40")),
)


def list_price(cost: Decimal) -> Decimal:
    markup = next(m for limit, m in _MARKUPS if cost < limit)
    return cents(cost * markup)


def build_catalog() -> Catalog:
    cost_type_of = {code: ctype for code, _, ctype in COST_CODES}
    work_codes = tuple(
        WorkCode(
            f"WC-{i:04d}", name, Decimal(rate) if rate else None, kind, cost_code,
            cost_type_of[cost_code],
        )
        for i, (name, _, rate, kind, _, cost_code) in enumerate(WORK_CODES, 1)
    )
    parts = tuple(
        Part(f"PART-{i:04d}", name, Decimal(cost), list_price(Decimal(cost)))
        for i, (name, _, cost) in enumerate(PARTS, 1)
    )
    return Catalog(
        work_codes=work_codes,
        cost_codes=tuple(f"CC-{i:04d}" for i in range(1, len(COST_CODES) + 1)),
        cost_types=tuple(name for name, _ in COST_TYPES),
        vendors=tuple(f"VEND-{i:04d}" for i in range(1, len(VENDORS) + 1)),
        parts=parts,
    )


def cost_code_id(code: str) -> str:
    index = next(i for i, (c, _, _) in enumerate(COST_CODES, 1) if c == code)
    return f"CC-{index:04d}"


def cost_type_id(name: str) -> str:
    index = next(i for i, (n, _) in enumerate(COST_TYPES, 1) if n == name)
    return f"CT-{index:04d}"


def work_code_records() -> list[Record]:
    return [
        record(
            "work_code", f"WC-{i:04d}", name=name, description=description,
            rate=fmt_money(Decimal(rate)) if rate else None, item_kind=kind, taxable=taxable,
        )
        for i, (name, description, rate, kind, taxable, _) in enumerate(WORK_CODES, 1)
    ]


def cost_code_records() -> list[Record]:
    return [
        record("cost_code", cost_code_id(code), code=code, name=name,
               description=f"{code} {name}")
        for code, name, _ in COST_CODES
    ]


def cost_type_records() -> list[Record]:
    return [
        record("cost_type", cost_type_id(name), name=name, description=description)
        for name, description in COST_TYPES
    ]


def vendor_records(rng: random.Random) -> list[Record]:
    out: list[Record] = []
    for i, (name, contact, notes) in enumerate(VENDORS, 1):
        out.append(record(
            "vendor", f"VEND-{i:04d}", company_name=name, contact_name=contact,
            email=f"orders@{email_slug(name)}.example", phone=phone(rng),
            address=make_address(rng), notes=notes,
        ))
    return out


def part_records(rng: random.Random, catalog: Catalog) -> list[Record]:
    out: list[Record] = []
    for part, (_, sku, _) in zip(catalog.parts, PARTS, strict=True):
        on_hand = Decimal(rng.choice((0, 2, 4, 6, 10, 12, 24, 36, 50, 100)))
        out.append(record(
            "inventory_part", part.external_id, name=part.name, sku=sku,
            description=f"{part.name} (stock item)", quantity_on_hand=fmt_qty(on_hand),
            cost=fmt_money(part.cost), price=fmt_money(part.price),
        ))
    return out


def catalog_records(rng: random.Random, catalog: Catalog) -> list[Record]:
    return [
        *work_code_records(), *cost_code_records(), *cost_type_records(),
        *vendor_records(rng), *part_records(rng, catalog),
    ]
