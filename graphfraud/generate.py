"""Synthetic marketplace: honest traffic, planted fraud rings and benign look-alikes.

``write_marketplace`` writes the five input tables graphfraud loads (accounts, devices,
addresses, payment instruments, orders) plus three answer keys: ``labels.csv`` (one row per
planted ring member), ``ring_windows.csv`` (when each ring's fraud runs: ``active_from`` ..
``active_to``, so time to detection can be measured from the fraud, not from an ordinary
order a member placed earlier) and ``lookalikes.csv`` (one row per member of a planted benign
group that shares identifiers the way rings do). Everything is drawn from
``numpy.random.default_rng(seed)``: the same seed gives byte-identical files.

Nothing is a constant that a detector could learn: country mix, seller popularity, order
volumes, status rates, ring sizes and evasions, and look-alike densities are drawn per
seed from ranges (``_Params``). Rings and look-alikes differ statistically (burstiness,
account age, status mix, seller concentration), never by a flag.

Example
-------
>>> import tempfile, pathlib
>>> counts = write_marketplace(pathlib.Path(tempfile.mkdtemp()), buyers=300, seed=1)
>>> sorted(counts)[:3]
['account_addresses', 'account_devices', 'account_payment_instruments']
"""

from __future__ import annotations

import errno
import gzip
import ipaddress
import json
import os
import shutil
import unicodedata
import uuid
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .errors import GraphfraudError, UsageError
from .signals import deferred

__all__ = ["write_marketplace", "TABLES", "FORMATS", "TYPOLOGIES", "LOOKALIKE_KINDS"]

TABLES = {
    "accounts": ("account_id", "role", "created_at", "country", "status"),
    "account_devices": ("account_id", "device_id", "first_seen", "last_seen", "ip"),
    "account_addresses": ("account_id", "address", "kind", "country"),
    "account_payment_instruments": ("account_id", "instrument_id", "card_number", "kind", "bin", "last4"),
    "orders": ("order_id", "buyer_id", "seller_id", "amount", "currency", "created_at", "status",
               "device_id", "address", "instrument_id", "promo_code"),
    "labels": ("account_id", "ring_id", "typology"),
    "ring_windows": ("ring_id", "typology", "active_from", "active_to"),
    "lookalikes": ("account_id", "group_id", "kind"),
}
FORMATS = ("csv", "csv.gz", "parquet", "jsonl")
_EARLIER = {f"{name}.{ext}" for name in TABLES for ext in FORMATS}   # what --force replaces: any marketplace's files
TYPOLOGIES = ("brushing", "promo_abuse", "chargeback", "collusion")
LOOKALIKE_KINDS = ("household", "student_flat", "family_local_shop", "office", "parcel_locker",
                   "internet_cafe", "small_business", "loyal_customers", "power_buyer")

_DAY = 86_400
_ROLES = ("buyer", "seller", "both")
_ACCOUNT_STATUSES = ("active", "suspended", "closed")
_ORDER_STATUSES = ("completed", "refunded", "chargeback", "cancelled")
_ADDRESS_KINDS = ("shipping", "billing", "home")
_INSTRUMENT_KINDS = ("credit_card", "debit_card", "prepaid_card", "paypal", "bank_account")
COMPLETED, REFUNDED, CHARGEBACK, CANCELLED = range(4)
BUYER, SELLER, BOTH = range(3)
SHIPPING, BILLING, HOME = range(3)
# Place kinds.
RESIDENTIAL, LOCKER, OFFICE, BUSINESS = range(4)

# --------------------------------------------------------------------------- countries

_CC = ("US", "GB", "DE", "FR", "NL", "ES", "IT", "PL", "CA", "AU")
_SHARE = np.array([0.30, 0.12, 0.12, 0.09, 0.05, 0.07, 0.07, 0.06, 0.06, 0.06])
_CURRENCY = ("USD", "GBP", "EUR", "EUR", "EUR", "EUR", "EUR", "PLN", "CAD", "AUD")
_FX = np.array([1.0, 0.79, 0.92, 0.92, 0.92, 0.92, 0.92, 3.95, 1.37, 1.53])  # per USD
_TZ = np.array([-6, 0, 1, 1, 1, 1, 1, 1, -5, 10])  # hours from UTC, no DST
# Local hour-of-day shape of online shopping: quiet nights, lunch bump, evening peak.
_HOURS = np.array([.30, .18, .11, .08, .08, .12, .25, .45, .65, .80, .90, 1.0,
                   1.15, 1.05, .95, .95, 1.0, 1.1, 1.3, 1.55, 1.75, 1.7, 1.3, .7])

_EN_TYPES = {
    "St": ("post", ("Street", "St", "St.")), "Ave": ("post", ("Avenue", "Ave", "Ave.", "Av.")),
    "Rd": ("post", ("Road", "Rd", "Rd.")), "Blvd": ("post", ("Boulevard", "Blvd", "Blvd.")),
    "Dr": ("post", ("Drive", "Dr", "Dr.")), "Ln": ("post", ("Lane", "Ln", "Ln.")),
    "Pl": ("post", ("Place", "Pl", "Pl.")), "Ct": ("post", ("Court", "Ct", "Ct.")),
    "Tce": ("post", ("Terrace", "Tce", "Terr.")), "Gdns": ("post", ("Gardens", "Gdns")),
    "Pde": ("post", ("Parade", "Pde", "Pde.")), "Gr": ("post", ("Grove", "Gr")),
    "Cres": ("post", ("Crescent", "Cres", "Cres.")), "Hwy": ("post", ("Highway", "Hwy")),
}
_DE_TYPES = {
    "str": ("glue", ("straße", "str.", "strasse", "str")), "Str": ("post", ("Straße", "Str.", "Strasse")),
    "Strh": ("glue", ("Straße", "Str.", "Strasse")), "allee": ("glue", ("allee",)),
    "Allee": ("post", ("Allee",)), "weg": ("glue", ("weg",)), "platz": ("glue", ("platz", "pl.")),
    "ring": ("glue", ("ring",)), "damm": ("glue", ("damm",)),
}
_NL_TYPES = {
    "straat": ("glue", ("straat", "str", "str.")), "weg": ("glue", ("weg",)), "laan": ("glue", ("laan",)),
    "gracht": ("glue", ("gracht",)), "plein": ("glue", ("plein",)), "kade": ("glue", ("kade",)),
    "singel": ("glue", ("singel",)),
}
_FR_TYPES = {
    "rue": ("pre", ("rue", "Rue", "R.")), "av": ("pre", ("avenue", "Avenue", "av.", "Av.", "Ave")),
    "bd": ("pre", ("boulevard", "Boulevard", "bd", "Bd.", "boul.")), "pl": ("pre", ("place", "Place", "pl.")),
    "imp": ("pre", ("impasse", "Impasse", "imp.")), "quai": ("pre", ("quai", "Quai")),
    "all": ("pre", ("allée", "Allée", "all.")),
}
_ES_TYPES = {
    "calle": ("pre", ("Calle", "C/", "c/", "Cl.", "calle")), "av": ("pre", ("Avenida", "Avda.", "Av.", "Avda")),
    "paseo": ("pre", ("Paseo", "Pº", "P.º", "Pso.")), "plaza": ("pre", ("Plaza", "Pza.", "Pl.")),
    "ronda": ("pre", ("Ronda", "Rda.")),
}
_IT_TYPES = {
    "via": ("pre", ("Via", "V.", "v.")), "viale": ("pre", ("Viale", "V.le")),
    "piazza": ("pre", ("Piazza", "P.za", "P.zza")), "corso": ("pre", ("Corso", "C.so")),
    "largo": ("pre", ("Largo", "L.go")),
}
_PL_TYPES = {
    "ul": ("pre", ("ul.", "ulica", "ul", "Ul.")), "al": ("pre", ("al.", "aleja", "Al.", "al")),
    "pl": ("pre", ("pl.", "plac")), "os": ("pre", ("os.", "osiedle")),
}

# Per country: cities (name, region, postcode prefixes), streets (name, type), street
# types, unit (probability, forms), layout, locker label forms, company suffixes.
_ADDR = {
    "US": dict(
        cities=(("New York", "NY", ("100", "101", "102")), ("Los Angeles", "CA", ("900", "900")),
                ("Chicago", "IL", ("606",)), ("Houston", "TX", ("770",)), ("Phoenix", "AZ", ("850",)),
                ("Philadelphia", "PA", ("191",)), ("San Antonio", "TX", ("782",)), ("San Diego", "CA", ("921",)),
                ("Dallas", "TX", ("752",)), ("Austin", "TX", ("787",)), ("Seattle", "WA", ("981",)),
                ("Denver", "CO", ("802",)), ("Boston", "MA", ("021",)), ("Atlanta", "GA", ("303",)),
                ("Miami", "FL", ("331",)), ("Portland", "OR", ("972",)), ("Columbus", "OH", ("432",)),
                ("Springfield", "IL", ("627",)), ("Minneapolis", "MN", ("554",)), ("Brooklyn", "NY", ("112",))),
        streets=(("Main", "St"), ("Maple", "Ave"), ("Oak", "St"), ("Park", "Ave"), ("Washington", "Blvd"),
                 ("Lake", "Dr"), ("Sunset", "Blvd"), ("Elm", "St"), ("Pine", "St"), ("Cedar", "Ln"),
                 ("Hill", "Rd"), ("Lincoln", "Ave"), ("Broadway", None), ("Market", "St"), ("Jefferson", "St"),
                 ("River", "Rd"), ("Highland", "Ave"), ("Madison", "Ave"), ("Church", "St"), ("Spring", "St"),
                 ("Martin Luther King Jr", "Blvd"), ("Willow", "Ct"), ("Forest", "Dr"), ("Union", "St")),
        types=_EN_TYPES, unit=(0.3, ("Apt {u}", "Apt. {u}", "#{u}", "Unit {u}", "Apartment {u}")),
        layout="us", locker=("Parcel Locker {c}", "Parcel Locker #{c}", "parcel locker {c}"),
        company=("Inc", "Inc.", "Inc")),
    "GB": dict(
        cities=(("London", "", ("SW1A", "NW1", "E1", "N1", "SE1", "W2", "EC1V", "WC2H", "SW11", "E14")),
                ("Manchester", "", ("M1", "M4", "M13", "M20")), ("Birmingham", "", ("B1", "B5", "B15")),
                ("Leeds", "", ("LS1", "LS6")), ("Glasgow", "", ("G1", "G12")), ("Edinburgh", "", ("EH1", "EH3")),
                ("Bristol", "", ("BS1", "BS8")), ("Liverpool", "", ("L1", "L8")), ("Cardiff", "", ("CF10", "CF24")),
                ("Nottingham", "", ("NG1", "NG7")), ("Sheffield", "", ("S1", "S10")), ("Brighton", "", ("BN1", "BN2"))),
        streets=(("Baker", "St"), ("High", "St"), ("Station", "Rd"), ("Church", "Rd"), ("Victoria", "Rd"),
                 ("Park", "Ave"), ("Queen's", "Rd"), ("King", "St"), ("Mill", "Ln"), ("Green", "Ln"),
                 ("Manor", "Rd"), ("Albert", "Rd"), ("Oxford", "St"), ("Kingsway", None), ("Grove", "Tce"),
                 ("Abbey", "Rd"), ("Clarence", "Gdns"), ("Elm", "Gr"), ("St John's", "Rd"), ("London", "Rd"),
                 ("Cromwell", "Cres"), ("Princes", "St")),
        types=_EN_TYPES, unit=(0.35, ("Flat {u}", "Flat {u}", "F{u}", "Flat {u}", "F{u}", "Flat no. {u}")),
        layout="gb", locker=("Parcel Locker {c}", "Parcel locker {c}", "PARCEL LOCKER {c}"),
        company=("Ltd", "Ltd.", "Limited")),
    "DE": dict(
        cities=(("Berlin", "", ("10", "12", "13")), ("Hamburg", "", ("20", "22")), ("München", "", ("80", "81")),
                ("Köln", "", ("50", "51")), ("Frankfurt am Main", "", ("60",)), ("Stuttgart", "", ("70",)),
                ("Düsseldorf", "", ("40",)), ("Leipzig", "", ("04",)), ("Dresden", "", ("01",)),
                ("Nürnberg", "", ("90",)), ("Bremen", "", ("28",)), ("Hannover", "", ("30",))),
        streets=(("Haupt", "str"), ("Bahnhof", "str"), ("Schiller", "str"), ("Goethe", "str"), ("Linden", "str"),
                 ("Garten", "str"), ("Kirch", "str"), ("Schul", "str"), ("Müller", "str"), ("Friedrich", "str"),
                 ("Rosen", "str"), ("Berliner", "Str"), ("Karl-Marx-", "Strh"), ("Konrad-Adenauer-", "Strh"),
                 ("Schönhauser", "Allee"), ("Birken", "weg"), ("Kastanien", "allee"), ("Marien", "platz"),
                 ("Tal", "str"), ("Königs", "weg"), ("Kurfürsten", "damm"), ("Grüner", "Str"),
                 ("Hohenzollern", "ring"), ("Gärtner", "str")),
        types=_DE_TYPES, unit=(0.0, ("",)), layout="de", locker=("Packstation {c}",),
        company=("GmbH", "GmbH", "Gmbh")),
    "FR": dict(
        cities=(("Paris", "", ("7500", "7501")), ("Lyon", "", ("6900",)), ("Marseille", "", ("130",)),
                ("Toulouse", "", ("310",)), ("Nice", "", ("060",)), ("Nantes", "", ("440",)),
                ("Strasbourg", "", ("670",)), ("Bordeaux", "", ("330",)), ("Lille", "", ("590",)),
                ("Montpellier", "", ("340",)), ("Rennes", "", ("350",)), ("Saint-Étienne", "", ("420",))),
        streets=(("de la Paix", "rue"), ("Victor Hugo", "av"), ("de l'Église", "rue"), ("Jean Jaurès", "av"),
                 ("de la République", "rue"), ("des Champs-Élysées", "av"), ("Saint-Michel", "bd"),
                 ("Voltaire", "bd"), ("de Rivoli", "rue"), ("Gambetta", "rue"), ("Pasteur", "rue"),
                 ("de Verdun", "av"), ("Émile Zola", "rue"), ("des Lilas", "imp"), ("du Maréchal Foch", "av"),
                 ("de la Liberté", "pl"), ("des Tilleuls", "all"), ("du Faubourg Saint-Honoré", "rue"),
                 ("des Célestins", "quai"), ("Nationale", "rue")),
        types=_FR_TYPES, unit=(0.25, ("Appt {u}", "Apt {u}", "Appartement {u}", "appt {u}")),
        layout="fr", locker=("Consigne Pickup {c}", "consigne pickup {c}"), company=("SAS", "S.A.S.", "SAS")),
    "NL": dict(
        cities=(("Amsterdam", "", ("10",)), ("Rotterdam", "", ("30",)), ("Den Haag", "", ("25",)),
                ("Utrecht", "", ("35",)), ("Eindhoven", "", ("56",)), ("Groningen", "", ("97",)),
                ("Tilburg", "", ("50",)), ("Almere", "", ("13",)), ("Breda", "", ("48",)), ("Nijmegen", "", ("65",))),
        streets=(("Kalver", "straat"), ("Keizers", "gracht"), ("Heren", "gracht"), ("Prinsen", "gracht"),
                 ("Stations", "weg"), ("Kerk", "straat"), ("Molen", "straat"), ("Vondel", "straat"),
                 ("Beethoven", "straat"), ("Dorps", "straat"), ("Wilhelmina", "laan"), ("Juliana", "laan"),
                 ("Markt", "plein"), ("Haven", "kade"), ("Nieuwe", "singel"), ("School", "straat"),
                 ("Berg", "weg"), ("Leidse", "plein")),
        types=_NL_TYPES, unit=(0.3, ("{n}-{u}", "{n} {u}", "{n}{u}", "{n}-{u}")),
        layout="nl", locker=("Pakketautomaat {c}", "pakketautomaat {c}"), company=("B.V.", "BV", "B.V.")),
    "ES": dict(
        cities=(("Madrid", "", ("280",)), ("Barcelona", "", ("080",)), ("Valencia", "", ("460",)),
                ("Sevilla", "", ("410",)), ("Zaragoza", "", ("500",)), ("Málaga", "", ("290",)),
                ("Bilbao", "", ("480",)), ("Alicante", "", ("030",)), ("Córdoba", "", ("140",)),
                ("Valladolid", "", ("470",))),
        streets=(("Mayor", "calle"), ("de Alcalá", "calle"), ("de la Castellana", "paseo"), ("de Gracia", "paseo"),
                 ("Diagonal", "av"), ("de Serrano", "calle"), ("de Atocha", "calle"), ("de Colón", "plaza"),
                 ("de Andalucía", "av"), ("San Vicente", "calle"), ("de la Constitución", "av"), ("Real", "calle"),
                 ("Nueva", "calle"), ("del Carmen", "calle"), ("de España", "plaza"), ("de Valencia", "ronda"),
                 ("del Prado", "paseo"), ("de Toledo", "calle"), ("Gran Vía", None)),
        types=_ES_TYPES, unit=(0.6, ("{f}º {d}", "{f}º{d}", "{f} {d}", "{f}º {d}", "{f}° {d}")),
        layout="es", locker=("Citypaq {c}", "CityPaq {c}"), company=("S.L.", "SL", "S.L.")),
    "IT": dict(
        cities=(("Roma", "RM", ("001",)), ("Milano", "MI", ("201",)), ("Napoli", "NA", ("801",)),
                ("Torino", "TO", ("101",)), ("Firenze", "FI", ("501",)), ("Bologna", "BO", ("401",)),
                ("Genova", "GE", ("161",)), ("Palermo", "PA", ("901",)), ("Bari", "BA", ("701",)),
                ("Verona", "VR", ("371",))),
        streets=(("Roma", "via"), ("Garibaldi", "via"), ("Nazionale", "via"), ("Vittorio Emanuele II", "corso"),
                 ("Dante", "via"), ("Mazzini", "via"), ("Cavour", "via"), ("della Libertà", "via"),
                 ("XX Settembre", "via"), ("Manzoni", "via"), ("dei Mille", "viale"), ("San Giovanni", "via"),
                 ("Regina Margherita", "viale"), ("del Popolo", "piazza"), ("del Duomo", "piazza"),
                 ("Colombo", "corso"), ("Verdi", "via"), ("della Repubblica", "piazza"), ("Cairoli", "largo"),
                 ("Niccolò Tommaseo", "via")),
        types=_IT_TYPES, unit=(0.25, ("int. {u}", "interno {u}", "int {u}")),
        layout="it", locker=("Locker {c}", "locker {c}"), company=("S.r.l.", "Srl", "S.R.L.")),
    "PL": dict(
        cities=(("Warszawa", "", ("00", "01", "02", "03", "04")), ("Kraków", "", ("30", "31")),
                ("Wrocław", "", ("50", "51")), ("Poznań", "", ("60", "61")), ("Gdańsk", "", ("80",)),
                ("Łódź", "", ("90", "91")), ("Szczecin", "", ("70", "71")), ("Lublin", "", ("20",)),
                ("Katowice", "", ("40",)), ("Białystok", "", ("15",))),
        streets=(("Marszałkowska", "ul"), ("Żelazna", "ul"), ("Świętokrzyska", "ul"), ("Jerozolimskie", "al"),
                 ("Długa", "ul"), ("Krakowska", "ul"), ("Piotrkowska", "ul"), ("Mickiewicza", "ul"),
                 ("Słowackiego", "ul"), ("Kościuszki", "ul"), ("Wojska Polskiego", "al"), ("Grunwaldzki", "pl"),
                 ("Polna", "ul"), ("Leśna", "ul"), ("Ogrodowa", "ul"), ("Zamoyskiego", "ul"), ("3 Maja", "ul"),
                 ("Solidarności", "al"), ("Kopernika", "ul"), ("Sobieskiego", "os")),
        types=_PL_TYPES, unit=(0.55, ("{n}/{u}", "{n} m. {u}", "{n} m {u}", "{n}/{u}", "{n} lok. {u}")),
        layout="pl", locker=("Paczkomat {c}", "paczkomat {c}", "PACZKOMAT {c}"),
        company=("Sp. z o.o.", "sp. z o.o.", "Sp. z o.o")),
    "CA": dict(
        cities=(("Toronto", "ON", ("M5V", "M4C", "M6G", "M5A")), ("Montréal", "QC", ("H2X", "H3B", "H2T")),
                ("Vancouver", "BC", ("V6B", "V5K")), ("Calgary", "AB", ("T2P", "T3A")),
                ("Ottawa", "ON", ("K1A", "K1P", "K2P")), ("Edmonton", "AB", ("T5J",)), ("Winnipeg", "MB", ("R3C",)),
                ("Halifax", "NS", ("B3H",)), ("Québec", "QC", ("G1R",)), ("Victoria", "BC", ("V8W",))),
        streets=(("King", "St"), ("Queen", "St"), ("Yonge", "St"), ("Bloor", "St"), ("Dundas", "St"),
                 ("Main", "St"), ("Rideau", "St"), ("Bank", "St"), ("Jasper", "Ave"), ("Portage", "Ave"),
                 ("Granville", "St"), ("Robson", "St"), ("Sainte-Catherine", "St"), ("Saint-Laurent", "Blvd"),
                 ("Wellington", "St"), ("Spring Garden", "Rd"), ("Lakeshore", "Blvd"), ("Maple", "Cres")),
        types=_EN_TYPES, unit=(0.3, ("Unit {u}", "Apt {u}", "#{u}", "{u}-")),
        layout="us", locker=("Parcel Locker {c}", "parcel locker {c}"), company=("Inc", "Inc.", "Ltd")),
    "AU": dict(
        cities=(("Sydney", "NSW", ("20",)), ("Melbourne", "VIC", ("30",)), ("Brisbane", "QLD", ("40",)),
                ("Perth", "WA", ("60",)), ("Adelaide", "SA", ("50",)), ("Canberra", "ACT", ("26",)),
                ("Hobart", "TAS", ("70",)), ("Gold Coast", "QLD", ("42",)), ("Newcastle", "NSW", ("23",)),
                ("Geelong", "VIC", ("32",))),
        streets=(("George", "St"), ("Pitt", "St"), ("Collins", "St"), ("Flinders", "St"), ("Queen", "St"),
                 ("Hay", "St"), ("King William", "St"), ("Oxford", "St"), ("Parramatta", "Rd"), ("Chapel", "St"),
                 ("Bourke", "St"), ("Anzac", "Pde"), ("Beach", "Rd"), ("Victoria", "Rd"), ("Brunswick", "St"),
                 ("Northbourne", "Ave"), ("Smith", "St"), ("Pacific", "Hwy")),
        types=_EN_TYPES, unit=(0.3, ("Unit {u}", "U{u}", "Unit {u}", "{u}/")),
        layout="au", locker=("Parcel Locker {c}", "parcel locker {c}"), company=("Pty Ltd", "Pty. Ltd.", "Pty Ltd")),
}
_COMPANIES = ("Northwind", "Bluefin", "Kestrel", "Lumen", "Brightside", "Oakridge", "Polaris", "Vantage",
              "Meridian", "Harbor", "Cobalt", "Juniper", "Summit", "Ironbark", "Redwood", "Silverline", "Fjord",
              "Atlas", "Nimbus", "Quarry", "Tidewater", "Copperleaf", "Greyhawk", "Sundial")
_PL_LOCKER_CITY = ("WAW", "KRA", "WRO", "POZ", "GDA", "LOD", "SZC", "LUB", "KAT", "BIA")
_DIRECTIONS = (("N", "N.", "North"), ("S", "S.", "South"), ("E", "E.", "East"), ("W", "W.", "West"))
_GB_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_CA_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"
_TRANSLIT_DE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
_NO_ACCENT = str.maketrans({"ł": "l", "Ł": "L", "ß": "ss", "ø": "o", "œ": "oe", "º": "º", "°": "°"})

# Seller categories: name, typical basket in USD, chargeback propensity, share weight.
_CATEGORIES = (("food", 17.0, 0.3, 1.2), ("fashion", 45.0, 0.9, 2.0), ("home", 60.0, 0.8, 1.4),
               ("electronics", 230.0, 2.0, 1.0), ("beauty", 28.0, 0.7, 1.0), ("books", 16.0, 0.4, 0.7),
               ("toys", 30.0, 0.7, 0.7), ("sports", 55.0, 0.9, 0.8), ("wholesale", 380.0, 1.0, 0.3),
               ("digital", 40.0, 3.0, 0.4))
_CAT = {name: i for i, (name, *_rest) in enumerate(_CATEGORIES)}

# Public campaign codes: code, countries (None = all), (month, day) start, (month, day) end, weight.
_CAMPAIGNS = (
    ("FREESHIP", None, (1, 1), (12, 31), 1.0),
    ("SAVE10", ("US", "GB", "CA", "AU"), (1, 1), (12, 31), 0.6),
    ("BLACKFRIDAY20", ("US", "GB", "CA", "AU"), (11, 20), (11, 30), 6.0),
    ("BLACKFRIDAY", ("DE", "FR", "NL", "ES", "IT", "PL"), (11, 20), (11, 30), 6.0),
    ("CYBERMONDAY15", ("US", "CA"), (11, 28), (12, 3), 4.0),
    ("SINGLESDAY11", None, (11, 10), (11, 12), 3.0),
    ("XMAS10", ("US", "GB", "CA", "AU"), (12, 1), (12, 22), 2.5),
    ("WEIHNACHTEN10", ("DE",), (12, 1), (12, 22), 2.5), ("NOEL10", ("FR",), (12, 1), (12, 22), 2.5),
    ("KERST10", ("NL",), (12, 1), (12, 22), 2.5), ("NAVIDAD10", ("ES",), (12, 1), (12, 22), 2.5),
    ("NATALE10", ("IT",), (12, 1), (12, 22), 2.5), ("SWIETA10", ("PL",), (12, 1), (12, 22), 2.5),
    ("BOXINGDAY", ("GB", "CA", "AU"), (12, 26), (12, 31), 3.0),
    ("NEWYEAR15", None, (1, 1), (1, 10), 2.0),
    ("SOLDES20", ("FR",), (1, 8), (2, 4), 2.5), ("REBAJAS15", ("ES",), (1, 7), (2, 28), 2.0),
    ("SALDI20", ("IT",), (1, 5), (2, 28), 2.0), ("WYPRZEDAZ", ("PL",), (1, 2), (1, 31), 2.0),
    ("SPRING10", None, (3, 15), (4, 30), 1.5), ("SUMMER15", None, (6, 10), (8, 20), 1.5),
    ("BACK2SCHOOL", ("US", "CA", "GB"), (8, 10), (9, 15), 2.0), ("AUTUMN10", None, (9, 20), (10, 31), 1.2),
    ("HALLOWEEN", ("US", "CA", "GB"), (10, 20), (10, 31), 1.5),
)
_WELCOME = ("WELCOME10", "WELCOME10", "WILLKOMMEN10", "BIENVENUE10", "WELKOM10", "BIENVENIDA10",
            "BENVENUTO10", "WITAJ10", "WELCOME10", "WELCOME10")


# --------------------------------------------------------------------------- per-seed parameters

@dataclass
class _Params:
    """Everything a seed decides before any entity is drawn; ranges are in ``_draw_params``."""

    country_w: np.ndarray
    seller_ratio: float          # buyers per seller
    seller_pop_sigma: float      # lognormal sigma of seller popularity (heavy tail)
    seller_both: float           # share of sellers who also buy
    category_w: np.ndarray
    cross_border: float
    orders_median: float
    orders_sigma: float
    inactive: float              # buyers with no order in the span
    power_share: float
    new_share: float             # accounts created during the span
    quick_first: float           # new accounts whose first order follows sign-up within hours
    item_sigma: float
    p_chargeback: float
    p_refund: float
    p_cancel: float
    promo_rate: float
    welcome_rate: float
    referral_rate: float
    household_share: float       # buyers living in a multi-account household
    family_device: float
    family_card: float
    dev_w: np.ndarray            # P(1, 2, 3 personal devices)
    card_w: np.ndarray           # P(1, 2, 3 cards)
    second_address: float
    p_raw_card: float
    p_retoken: float
    p_wallet: float
    p_ipv6: float
    p_mobile: float
    p_vpn: float
    dev_upper: float
    dev_hyphen: float
    dev_dash_prefix: float
    fresh_variant: float
    addr_lower: float
    addr_upper: float
    addr_strip: float
    addr_nocomma: float
    addr_space: float
    addr_pc_compact: float
    no_device_on_order: float
    p_closed: float
    p_suspended: float
    ring_share: float
    typology_w: np.ndarray
    p_no_shared_device: float
    p_no_shared_card: float
    p_addr_variants: float
    p_aged: float
    p_camouflage: float
    camouflage_share: tuple
    p_unit_jitter: float
    ip_mode_w: np.ndarray        # subnet, same ip, residential proxy, mobile carrier
    offices_per_k: float
    lockers_per_10k: float
    cafes_per_10k: float
    businesses_per_k: float
    loyal_per_k: float
    family_shop: float
    student_flats: float
    weekend: float


def _draw_params(rng: np.random.Generator) -> _Params:
    u = rng.uniform
    dev_w = rng.dirichlet([u(9, 13), u(5, 7), u(1, 3)])
    card_w = rng.dirichlet([u(10, 14), u(4, 6), u(1, 2)])
    return _Params(
        country_w=rng.dirichlet(_SHARE * u(40, 120)),
        seller_ratio=u(16, 24), seller_pop_sigma=u(1.2, 2.0), seller_both=u(0.08, 0.25),
        category_w=rng.dirichlet(np.array([c[3] for c in _CATEGORIES]) * u(15, 40)),
        cross_border=u(0.04, 0.14), orders_median=u(2.0, 4.0), orders_sigma=u(0.8, 1.2),
        inactive=u(0.05, 0.15), power_share=u(0.003, 0.01), new_share=u(0.12, 0.3), quick_first=u(0.35, 0.7),
        item_sigma=u(0.4, 0.7), p_chargeback=u(0.003, 0.008), p_refund=u(0.02, 0.05), p_cancel=u(0.01, 0.03),
        promo_rate=u(0.03, 0.09), welcome_rate=u(0.2, 0.5), referral_rate=u(0.03, 0.1),
        household_share=u(0.1, 0.22), family_device=u(0.3, 0.6), family_card=u(0.1, 0.35),
        dev_w=dev_w, card_w=card_w, second_address=u(0.1, 0.3),
        p_raw_card=u(0.2, 0.4), p_retoken=u(0.3, 0.7), p_wallet=u(0.04, 0.12),
        p_ipv6=u(0.05, 0.2), p_mobile=u(0.1, 0.3), p_vpn=u(0.005, 0.03),
        dev_upper=u(0.03, 0.12), dev_hyphen=u(0.03, 0.12), dev_dash_prefix=u(0.0, 0.05),
        fresh_variant=u(0.02, 0.08),
        addr_lower=u(0.1, 0.25), addr_upper=u(0.02, 0.08), addr_strip=u(0.15, 0.4), addr_nocomma=u(0.1, 0.3),
        addr_space=u(0.03, 0.1), addr_pc_compact=u(0.1, 0.4), no_device_on_order=u(0.005, 0.02),
        p_closed=u(0.01, 0.03), p_suspended=u(0.003, 0.015),
        ring_share=u(0.02, 0.04), typology_w=rng.dirichlet(np.full(4, u(3, 8))),
        p_no_shared_device=u(0.15, 0.4), p_no_shared_card=u(0.2, 0.45), p_addr_variants=u(0.4, 0.85), p_aged=u(0.1, 0.35),
        p_camouflage=u(0.3, 0.7), camouflage_share=(u(0.05, 0.15), u(0.3, 0.55)), p_unit_jitter=u(0.1, 0.3),
        ip_mode_w=rng.dirichlet([u(3, 5), u(1, 2), u(1.5, 3), u(1, 2)]),
        offices_per_k=u(0.4, 1.2), lockers_per_10k=u(0.5, 2.0), cafes_per_10k=u(0.3, 1.5),
        businesses_per_k=u(0.2, 0.6), loyal_per_k=u(0.1, 0.4), family_shop=u(0.05, 0.2), student_flats=u(0.03, 0.1),
        weekend=u(0.85, 1.25),
    )


# --------------------------------------------------------------------------- column store

class _Cols:
    """A table grown by appending rows into doubling buffers; columns are views of the rows so far."""

    def __init__(self, defaults=None, **dtypes):
        self.dtypes = dtypes
        self.defaults = defaults or {}
        self.data = {k: np.empty(1024, dt) for k, dt in dtypes.items()}
        self.n = 0

    def add(self, n: int, **values) -> np.ndarray:
        """Append ``n`` rows (scalars broadcast); returns their indices."""
        start, end = self.n, self.n + n
        for k, dt in self.dtypes.items():
            v = values.pop(k) if k in values else self.defaults[k]
            a = np.asarray(v, dtype=dt)
            if a.ndim and len(a) != n:
                raise ValueError(f"column {k}: {len(a)} values for {n} rows")
            buf = self.data[k]
            if end > len(buf):
                grown = np.empty(max(end, 2 * len(buf)), dt)
                grown[:start] = buf[:start]
                self.data[k] = buf = grown
            buf[start:end] = a
        if values:
            raise ValueError(f"unknown columns {sorted(values)}")
        self.n = end
        return np.arange(start, end, dtype=np.int64)

    def __getitem__(self, k: str) -> np.ndarray:
        """The column so far, as a view: writes go to the table (until the next ``add``)."""
        return self.data[k][: self.n]


def _pick_form(u: float, n: int, p0: float = 0.5) -> int:
    """Index of a spelling form: the first with probability p0, else one of the others."""
    if n <= 1 or u < p0:
        return 0
    return min(n - 1, 1 + int((u - p0) / (1 - p0) * (n - 1)))


def _overlap(rng, n: int, k: int, p_second: float):
    """Members → resources in overlapping clusters: each gets one, some also the next one."""
    first = rng.integers(0, k, n)
    members = [np.arange(n)]
    res = [first]
    if k > 1:
        two = rng.random(n) < p_second
        members.append(np.flatnonzero(two))
        res.append((first[two] + 1) % k)
    return np.concatenate(members), np.concatenate(res)


# --------------------------------------------------------------------------- the world

class _World:
    """All entities and links of one marketplace, as integer arrays."""

    def __init__(self, buyers: int, seed: int, start: date, weeks: int):
        self.rng = rng = np.random.default_rng(seed)
        self.P = _draw_params(rng)
        self.B = buyers
        self.start = start
        self.t0 = int(datetime(start.year, start.month, start.day, tzinfo=timezone.utc).timestamp())
        self.n_days = weeks * 7
        self.t_end = self.t0 + self.n_days * _DAY
        self._calendar()
        self.acc = _Cols({"status": 0}, role=np.int8, created=np.int64, country=np.int8, status=np.int8)
        self.place = _Cols({"kind": RESIDENTIAL, "extra": 0}, country=np.int8, city=np.int16, street=np.int16,
                           num=np.int16, nsfx=np.int8, dirn=np.int8, unit=np.int16, unit2=np.int8, pcr=np.int64,
                           kind=np.int8, extra=np.int32)
        self.ip = _Cols({"lo": 0}, ver=np.int8, hi=np.uint64, lo=np.uint64)
        self.card = _Cols(kind=np.int8, pan=np.int64)
        self.n_dev = 0
        self.adev = _Cols({"gen": True}, acct=np.int32, dev=np.int32, ip=np.int32, gen=bool)
        self.aaddr = _Cols({"gen": True}, acct=np.int32, place=np.int32, kind=np.int8, var=np.int8, gen=bool)
        self.ainst = _Cols({"gen": True, "card": -1}, acct=np.int32, card=np.int32, ikind=np.int8, gen=bool)
        # -2 = the buyer's own device/card/address, resolved once all links exist; -1 = none.
        self.order = _Cols({"status": -1, "cents": -1, "promo": -1, "adev": -2, "ainst": -2, "place": -2, "var": 0},
                           buyer=np.int32, seller=np.int32, ts=np.int64, cents=np.int64, status=np.int8,
                           adev=np.int32, place=np.int32, var=np.int8, ainst=np.int32, promo=np.int32)
        self.labels: list[tuple[np.ndarray, int, int]] = []       # (accounts, ring number, typology)
        self.windows: list[tuple[int, int, int, int]] = []        # (ring number, typology, start, end) of its fraud
        self.lookalikes: list[tuple[np.ndarray, int]] = []        # (accounts, kind)
        self.promo_codes = [c[0] for c in _CAMPAIGNS] + sorted(set(_WELCOME))
        self.ring_status: list[tuple[np.ndarray, float]] = []
        self._settings: list[tuple[str, np.ndarray, np.ndarray]] = []
        self.sellers = {k: np.zeros(0, dt) for k, dt in
                        (("acct", np.int64), ("country", np.int64), ("cat", np.int64), ("pop", float), ("price", float))}
        self._seller_index = None
        self._by_country: dict = {}
        self._pools()

    # ----- calendar

    def _calendar(self):
        rng, P = self.rng, self.P
        days = [self.start + timedelta(days=i) for i in range(self.n_days)]
        w = np.ones(self.n_days)
        for i, d in enumerate(days):
            if d.weekday() >= 5:
                w[i] *= P.weekend
            if d.month == 11:
                thanksgiving = 22 + (3 - date(d.year, 11, 1).weekday()) % 7
                if thanksgiving + 1 <= d.day <= thanksgiving + 4:
                    w[i] *= 2.2
            if d.month == 12 and d.day <= 20:
                w[i] *= 1.3
            if d.month == 12 and 24 <= d.day <= 26:
                w[i] *= 0.6
            if d.month == 1 and d.day <= 15:
                w[i] *= 1.1 if d.day > 1 else 0.7
        w *= np.exp(np.cumsum(rng.normal(0, 0.03, self.n_days)) * 0.5)  # slow drift
        self.day_w = w
        self.day_cdf = np.concatenate([[0.0], np.cumsum(w)]) / w.sum()
        self.hour_cdf = np.cumsum(_HOURS) / _HOURS.sum()
        self.day_dates = days
        # Active public campaigns per day: boolean (days, codes).
        act = np.zeros((self.n_days, len(_CAMPAIGNS)), bool)
        for j, (_code, _cc, (m0, d0), (m1, d1), _w) in enumerate(_CAMPAIGNS):
            for i, d in enumerate(days):
                a, b, x = (m0, d0), (m1, d1), (d.month, d.day)
                act[i, j] = a <= x <= b if a <= b else (x >= a or x <= b)
        self.campaign_active = act
        cmask = np.zeros((len(_CAMPAIGNS), len(_CC)), bool)
        for j, (_code, ccs, *_r) in enumerate(_CAMPAIGNS):
            cmask[j] = [ccs is None or c in ccs for c in _CC]
        self.campaign_country = cmask
        self.campaign_w = np.array([c[4] for c in _CAMPAIGNS])

    def ts(self, lb, ub, country, hour_cdf=None, weekdays_only=False):
        """Timestamps in [lb, ub) following the season, weekday and (local) hour shapes."""
        rng = self.rng
        lb, ub, country = np.broadcast_arrays(np.atleast_1d(np.asarray(lb, np.int64)),
                                              np.atleast_1d(np.asarray(ub, np.int64)),
                                              np.atleast_1d(np.asarray(country, np.int64)))
        lb = np.clip(lb, self.t0, self.t_end - 60)
        ub = np.maximum(np.minimum(ub, self.t_end), lb + 60)
        n = len(lb)
        a = (lb - self.t0) // _DAY
        b = np.clip((ub - 1 - self.t0) // _DAY, a, self.n_days - 1)
        cdf = self.day_cdf
        x = cdf[a] + rng.random(n) * (cdf[b + 1] - cdf[a])
        day = np.clip(np.searchsorted(cdf, x, side="right") - 1, a, b)
        if weekdays_only:
            dow = (self.start.weekday() + day) % 7
            day = np.clip(np.where(dow >= 5, day - (dow - 4), day), a, b)
        hc = self.hour_cdf if hour_cdf is None else hour_cdf
        hour = np.minimum(np.searchsorted(hc, rng.random(n) * hc[-1], side="right"), 23)
        t = self.t0 + day * _DAY + (hour - _TZ[country]) * 3600 + rng.integers(0, 3600, n)
        bad = (t < lb) | (t >= ub)
        t[bad] = lb[bad] + (rng.random(int(bad.sum())) * (ub[bad] - lb[bad])).astype(np.int64)
        return t

    # ----- pools of identifiers

    def _pools(self):
        rng, P, B = self.rng, self.P, self.B
        octets = np.array([o for o in range(1, 224) if o not in (10, 100, 127, 169, 172, 192, 198, 203)])
        self.res16 = []
        self.cgnat = []
        self.v6_32 = []
        for c in range(len(_CC)):
            people = B * P.country_w[c]
            k16 = max(2, int(np.ceil(people / 600)))
            self.res16.append((rng.choice(octets, k16) << 8) | rng.integers(0, 256, k16))
            carrier = (int(rng.choice(octets)) << 8) | int(rng.integers(0, 256))
            n_cg = max(4, int(people / rng.uniform(150, 400)))
            hosts = (carrier << 16) | (rng.integers(0, 16, n_cg) << 8) | rng.integers(1, 255, n_cg)
            self.cgnat.append(self.ip.add(n_cg, ver=4, hi=hosts.astype(np.uint64)))
            base = 0x2A00 if _CC[c] not in ("US", "CA") else 0x2600
            self.v6_32.append(((base + rng.integers(0, 0x100, 3)) << 16) | rng.integers(0, 0x10000, 3))
        dc16 = (rng.choice(octets, 6) << 8) | rng.integers(0, 256, 6)
        self.dc16 = dc16
        n_vpn = max(6, B // 2000)
        vpn24 = (rng.choice(dc16, 3) << 8) | rng.integers(0, 256, 3)
        hosts = (rng.choice(vpn24, n_vpn) << 8) | rng.integers(1, 255, n_vpn)
        self.vpn = self.ip.add(n_vpn, ver=4, hi=hosts.astype(np.uint64))
        # Card BINs per country: (bin, kind) with a Zipf-like issuer popularity.
        self.bins = []
        for c in range(len(_CC)):
            k = 40
            brand = rng.random(k)
            visa = 400000 + rng.integers(0, 100000, k)
            mc = 510000 + rng.integers(0, 50000, k)
            mc2 = 222100 + rng.integers(0, 50000, k)
            b = np.where(brand < 0.6, visa, np.where(brand < 0.93, mc, mc2))
            credit = 0.55 if _CC[c] in ("US", "CA", "AU") else 0.33
            kind = rng.choice(3, k, p=[credit, 0.93 - credit, 0.07])
            w = 1.0 / np.arange(1, k + 1) ** 1.1
            self.bins.append((b, kind, w / w.sum()))

    # ----- entities

    def accounts(self, n, role, country, created):
        return self.acc.add(n, role=role, country=country, created=created)

    def devices(self, n):
        start, self.n_dev = self.n_dev, self.n_dev + n
        return np.arange(start, self.n_dev, dtype=np.int64)

    def places(self, country, kind=RESIDENTIAL, city=None, extra=0):
        rng = self.rng
        country = np.asarray(country, np.int64)
        n = len(country)
        cities = np.zeros(n, np.int64)
        streets = np.zeros(n, np.int64)
        unit = np.zeros(n, np.int64)
        for c in np.unique(country):
            m = country == c
            spec = _ADDR[_CC[c]]
            k = len(spec["cities"])
            w = 1.0 / np.arange(1, k + 1) ** 0.9
            cities[m] = rng.choice(k, m.sum(), p=w / w.sum())
            streets[m] = rng.integers(0, len(spec["streets"]), m.sum())
            p_unit = spec["unit"][0] if kind == RESIDENTIAL else 0.0
            top = 120 if _CC[c] == "PL" else (8 if _CC[c] == "ES" else (4 if _CC[c] == "NL" else 40))
            has = rng.random(m.sum()) < p_unit
            unit[m] = np.where(has, rng.integers(1, top + 1, m.sum()), 0)
        if city is not None:
            cities = np.broadcast_to(np.asarray(city, np.int64), n)
        num = np.clip(np.exp(rng.normal(3.0, 1.0, n)), 1, 480).astype(np.int64)
        nsfx = np.where(rng.random(n) < 0.04, rng.integers(0, 3, n), -1)
        dirn = np.where((country == 0) & (rng.random(n) < 0.2), rng.integers(0, 4, n), -1)
        unit2 = np.where(rng.random(n) < 0.35, rng.integers(0, 4, n), -1)
        return self.place.add(n, country=country, city=cities, street=streets, num=num, nsfx=nsfx, dirn=dirn,
                              unit=unit, unit2=unit2, pcr=rng.integers(0, 2**40, n), kind=kind, extra=extra)

    def sibling_places(self, base, n):
        """Same building as place ``base``, different flat numbers (a unit-jitter evasion)."""
        p = self.place
        cols = {k: p[k][base] for k in p.dtypes}
        c = int(cols["country"])
        top = 120 if _CC[c] == "PL" else (8 if _CC[c] == "ES" else 40)
        units = self.rng.choice(np.arange(1, top + 1), n, replace=n > top)
        cols = {k: np.full(n, v, dtype=p.dtypes[k]) for k, v in cols.items()}
        cols["unit"] = units
        if _CC[c] in ("DE",):  # no flat numbers in German addresses: vary the house-number letter
            cols["nsfx"] = self.rng.integers(0, 3, n)
            cols["unit"] = np.zeros(n)
        return self.place.add(n, **cols)

    def home_ips(self, country):
        """One home network per row: IPv4 router address, or an IPv6 /64."""
        rng, P = self.rng, self.P
        country = np.asarray(country, np.int64)
        n = len(country)
        v6 = rng.random(n) < P.p_ipv6
        hi = np.zeros(n, np.uint64)
        for c in np.unique(country):
            m = country == c
            k = m.sum()
            b16 = rng.choice(self.res16[c], k)
            v4 = (b16 << 16) | (rng.integers(0, 256, k) << 8) | rng.integers(1, 255, k)
            p32 = rng.choice(self.v6_32[c], k)
            net64 = (p32 << 32) | rng.integers(0, 2**32, k)
            hi[m] = np.where(v6[m], net64.astype(np.uint64), v4.astype(np.uint64))
        return self.ip.add(n, ver=np.where(v6, 6, 4), hi=hi, lo=0)

    def ips_at(self, net):
        """A device's address on a home network: the router's IPv4, or its own IPv6 in the /64."""
        net = np.asarray(net, np.int64)
        ver = self.ip["ver"][net]
        six = np.flatnonzero(ver == 6)
        out = net.copy()
        if len(six):
            lo = self.rng.integers(1, 2**63, len(six)).astype(np.uint64)
            out[six] = self.ip.add(len(six), ver=6, hi=self.ip["hi"][net[six]], lo=lo)
        return out

    def ips_in(self, base24):
        base24 = np.asarray(base24, np.int64)
        hosts = (base24 << 8) | self.rng.integers(1, 255, len(base24))
        return self.ip.add(len(base24), ver=4, hi=hosts.astype(np.uint64))

    def mobile_ips(self, country):
        country = np.asarray(country, np.int64)
        out = np.zeros(len(country), np.int64)
        for c in np.unique(country):
            m = country == c
            out[m] = self.rng.choice(self.cgnat[c], m.sum())
        return out

    def cards(self, country, bins=None, prefix=None):
        """New physical cards with valid Luhn PANs; ``bins`` fixes the BIN, ``prefix`` the first 12 digits."""
        rng = self.rng
        country = np.asarray(country, np.int64)
        n = len(country)
        b = np.zeros(n, np.int64)
        kind = np.zeros(n, np.int64)
        for c in np.unique(country):
            m = country == c
            bb, kk, w = self.bins[c]
            j = rng.choice(len(bb), m.sum(), p=w)
            b[m], kind[m] = bb[j], kk[j]
        if bins is not None:
            b = np.broadcast_to(np.asarray(bins, np.int64), n).copy()
        payload = b * 10**9 + rng.integers(0, 10**9, n)
        if prefix is not None:
            payload = np.asarray(prefix, np.int64) * 1000 + rng.integers(0, 1000, n)
        digits = (payload[:, None] // 10 ** np.arange(14, -1, -1)) % 10
        dbl = digits[:, 0::2] * 2
        s = np.where(dbl > 9, dbl - 9, dbl).sum(1) + digits[:, 1::2].sum(1)
        pan = payload * 10 + (10 - s % 10) % 10
        return self.card.add(n, kind=kind, pan=pan)

    # ----- links

    def link_devices(self, acct, dev, ip, gen=True):
        acct = np.asarray(acct)
        return self.adev.add(len(acct), acct=acct, dev=dev, ip=ip, gen=gen)

    def link_places(self, acct, place, kind, var, gen=True):
        acct = np.asarray(acct)
        return self.aaddr.add(len(acct), acct=acct, place=place, kind=kind, var=var, gen=gen)

    def link_cards(self, acct, card, gen=True):
        acct = np.asarray(acct)
        card = np.asarray(card)
        kind = self.card["kind"][card] if len(card) else np.zeros(0)
        return self.ainst.add(len(acct), acct=acct, card=card, ikind=kind, gen=gen)

    def link_wallets(self, acct):
        acct = np.asarray(acct)
        kind = np.where(self.rng.random(len(acct)) < 0.75, 3, 4)
        return self.ainst.add(len(acct), acct=acct, card=-1, ikind=kind)

    def personal_variant(self, n, spread=0.45):
        """The spelling an account keeps for a place: often the household's usual one (0)."""
        rng = self.rng
        return np.where(rng.random(n) < 1 - spread, 0, rng.integers(1, 8, n)).astype(np.int8)

    # ----- per-account settings for the everyday-shopping pass

    def setting(self, name, accts, values):
        """Record an everyday-shopping setting (orders, favourite seller…); later ones win."""
        accts = np.asarray(accts, np.int64)
        self._settings.append((name, accts, np.broadcast_to(np.asarray(values), accts.shape)))

    def first_links(self, table: _Cols, accts):
        """Each account's first general link in ``table`` (-1 if none)."""
        acct, gen = table["acct"], table["gen"]
        first = np.full(self.acc.n, -1, np.int64)
        idx = np.flatnonzero(gen)[::-1]
        first[acct[idx]] = idx
        return first[np.asarray(accts, np.int64)]

    # ----- sellers

    def add_sellers(self, n, country, cat, pop, created, role):
        accts = self.accounts(n, role, country, created)
        price = np.array([_CATEGORIES[k][1] for k in cat]) * np.exp(self.rng.normal(0, 0.35, n))
        s = self.sellers
        s["acct"] = np.concatenate([s["acct"], accts])
        s["country"] = np.concatenate([s["country"], np.asarray(country, np.int64) + np.zeros(n, np.int64)])
        s["cat"] = np.concatenate([s["cat"], cat])
        s["pop"] = np.concatenate([s["pop"], pop])
        s["price"] = np.concatenate([s["price"], price])
        self._seller_identity(accts, np.asarray(country, np.int64) + np.zeros(n, np.int64))
        return accts

    def _seller_identity(self, accts, country):
        """A shop: a business address, the owner's home and devices, a payout account."""
        rng = self.rng
        n = len(accts)
        biz = self.places(country, kind=OFFICE, extra=rng.integers(0, len(_COMPANIES), n))
        self.link_places(accts, biz, BILLING, self.personal_variant(n, 0.2), gen=False)
        home = self.places(country)
        net = self.home_ips(country)
        self.identity(accts, country, home, net)
        self.ainst.add(n, acct=accts, card=-1, ikind=4, gen=False)

    def pick_sellers(self, country):
        """Sellers by popularity within each order's country (heavy-tailed market share)."""
        s = self.sellers
        if self._seller_index is None or self._seller_index[0] != len(s["acct"]):
            order = np.argsort(s["country"], kind="stable")
            cc = s["country"][order]
            pop = s["pop"][order]
            cum = np.zeros(len(order))
            for c in np.unique(cc):
                m = cc == c
                cum[m] = c + np.cumsum(pop[m]) / pop[m].sum()
            self._seller_index = (len(s["acct"]), order, cum)
        _n, order, cum = self._seller_index
        country = np.asarray(country, np.int64)
        j = np.searchsorted(cum, country + self.rng.random(len(country)) * 0.999999, side="right")
        return order[np.minimum(j, len(order) - 1)]  # seller index (not account)

    # ----- everyday identities

    def identity(self, accts, country, home, net, var=None):
        """Personal devices (on the home network, a mobile carrier or a VPN), addresses and cards."""
        rng, P = self.rng, self.P
        accts = np.asarray(accts, np.int64)
        n = len(accts)
        k = rng.choice(3, n, p=P.dev_w) + 1
        owner = np.repeat(np.arange(n), k)
        first = np.r_[0, np.cumsum(k)[:-1]]
        is_phone = np.zeros(len(owner), bool)
        is_phone[first] = rng.random(n) < 0.8
        dev = self.devices(len(owner))
        r = rng.random(len(owner))
        mobile = is_phone & (r < P.p_mobile)
        vpn = ~mobile & (r > 1 - P.p_vpn)
        ip = self.ips_at(net[owner])
        if mobile.any():
            ip[mobile] = self.mobile_ips(country[owner[mobile]])
        if vpn.any():
            ip[vpn] = self.rng.choice(self.vpn, int(vpn.sum()))
        self.link_devices(accts[owner], dev, ip)
        both = is_phone & ~mobile & (rng.random(len(owner)) < 0.25)
        if both.any():  # the phone also seen on its carrier network
            self.link_devices(accts[owner[both]], dev[both], self.mobile_ips(country[owner[both]]), gen=False)
        var = self.personal_variant(n) if var is None else var
        self.link_places(accts, home, SHIPPING, var)
        bill = rng.random(n) < 0.45
        bvar = np.where(rng.random(n) < 0.7, var, self.personal_variant(n, 0.9))
        self.link_places(accts[bill], home[bill], BILLING, bvar[bill], gen=False)
        hm = rng.random(n) < 0.15
        self.link_places(accts[hm], home[hm], HOME, var[hm], gen=False)
        kc = rng.choice(3, n, p=P.card_w) + 1
        cowner = np.repeat(np.arange(n), kc)
        self.link_cards(accts[cowner], self.cards(country[cowner]))
        wal = rng.random(n) < P.p_wallet
        self.link_wallets(accts[wal])

    def local_seller(self, c: int, prefer: str | None = "small") -> int:
        """A seller index in country ``c``: a food shop, a wholesaler, a mid-size or a small shop."""
        s, rng = self.sellers, self.rng
        key = (len(s["acct"]), c)
        if key not in self._by_country:
            self._by_country[key] = np.flatnonzero(s["country"] == c)
        cand = self._by_country[key]
        cats, pop, price = s["cat"][cand], s["pop"][cand], s["price"][cand]
        if prefer == "food":
            m = cand[cats == _CAT["food"]]
            return int(rng.choice(m)) if len(m) else int(cand[np.argmin(price)])
        if prefer == "wholesale":
            m = cand[cats == _CAT["wholesale"]]
            return int(rng.choice(m)) if len(m) else int(cand[np.argmax(price)])
        lo, hi = np.quantile(pop, [0.3, 0.9]) if prefer is None else (0, np.quantile(pop, 0.6))
        m = cand[(pop >= lo) & (pop <= hi)]
        if prefer == "small":
            local = m[np.isin(s["cat"][m], [_CAT[k] for k in ("food", "home", "books", "toys", "beauty")])]
            m = local if len(local) else m
        return int(rng.choice(m)) if len(m) else int(rng.choice(cand))

    def top_sellers(self, c: int, k: int = 8) -> np.ndarray:
        """The ``k`` most popular sellers of a country (as it was before rings opened shops)."""
        if ("top", c) not in self._by_country:
            s = self.sellers
            cand = np.flatnonzero(s["country"] == c)
            self._by_country[("top", c)] = cand[np.argsort(-s["pop"][cand], kind="stable")[:k]]
        return self._by_country[("top", c)]

    def referral_codes(self, accts) -> np.ndarray:
        """A personal referral code for each account, as promo-code indices."""
        alphabet = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ23456789"))
        chars = alphabet[self.rng.integers(0, len(alphabet), (len(accts), 6))]
        start = len(self.promo_codes)
        self.promo_codes += ["REF-" + "".join(row) for row in chars]
        return np.arange(start, len(self.promo_codes))

    def add_groups(self, accts, group_of, kind: str):
        """Benign look-alike members; ``group_of`` numbers the groups locally (0..k-1)."""
        accts = np.asarray(accts, np.int64)
        if len(accts):
            self.lookalikes.append((accts, np.asarray(group_of, np.int64), LOOKALIKE_KINDS.index(kind)))


def _choose(rng, owner, n_owner, who, skew=1.0, among=None):
    """For each account in ``who``, the index of one row with that owner (-1 if it has none).

    ``skew`` > 1 favours the owner's earliest rows (a primary device, a default card).
    """
    idx = np.arange(len(owner)) if among is None else np.flatnonzero(among)
    own = owner[idx]
    order = np.argsort(own, kind="stable")
    counts = np.bincount(own, minlength=n_owner)
    offs = np.r_[0, np.cumsum(counts)]
    who = np.asarray(who, np.int64)
    k = counts[who]
    j = offs[who] + (rng.random(len(who)) ** skew * k).astype(np.int64)
    if len(order) == 0:
        return np.full(len(who), -1, np.int64)
    return np.where(k > 0, idx[order[np.minimum(j, len(order) - 1)]], -1)


# --------------------------------------------------------------------------- population

def _sellers(w: _World):
    rng, P = w.rng, w.P
    n = max(20, int(round(w.B / P.seller_ratio)))
    country = rng.choice(len(_CC), n, p=P.country_w)
    country[: len(_CC)] = np.arange(len(_CC))  # every country has shops
    if n >= 40:
        country[len(_CC): 2 * len(_CC)] = np.arange(len(_CC))
    cat = rng.choice(len(_CATEGORIES), n, p=P.category_w)
    pop = np.exp(rng.normal(0, P.seller_pop_sigma, n))
    pop[cat == _CAT["food"]] *= 0.3  # corner shops and restaurants sell locally
    role = np.where(rng.random(n) < P.seller_both, BOTH, SELLER)
    created = w.t0 - ((rng.gamma(2.0, 400.0, n) + 1) * _DAY).astype(np.int64)
    late = rng.random(n) < 0.06
    created[late] = w.t0 + (rng.random(late.sum()) * 0.6 * (w.t_end - w.t0)).astype(np.int64)
    accts = w.add_sellers(n, country, cat, pop, created, role)
    both = accts[role == BOTH]
    w.setting("n_orders", both, np.clip(np.exp(rng.normal(np.log(3), 1.0, len(both))), 0, 60).astype(np.int64))


def _people(w: _World, n: int) -> dict:
    """Honest buyers in households; returns who they are for the look-alike groups."""
    rng, P = w.rng, w.P
    sizes = rng.choice([2, 3, 4, 5, 6], max(1, int(n * P.household_share)), p=[.45, .25, .17, .08, .05])
    sizes = sizes[np.cumsum(sizes) <= n * P.household_share]
    hsize = np.concatenate([sizes, np.ones(n - sizes.sum(), np.int64)])
    H = len(hsize)
    hh = np.repeat(np.arange(H), hsize)
    hcountry = rng.choice(len(_CC), H, p=P.country_w)
    country = hcountry[hh]
    multi = hsize >= 2
    flat = multi & (hsize >= 3) & (rng.random(H) < P.student_flats)
    shop = multi & ~flat & (rng.random(H) < P.family_shop)
    # Account ages: years-old customers, and sign-ups throughout the span.
    new = rng.random(n) < P.new_share
    age = ((rng.gamma(1.6, 450.0, n) + 1) * _DAY).astype(np.int64)
    created = np.where(new, w.t0 + (rng.random(n) * (w.t_end - w.t0 - 3 * _DAY)).astype(np.int64), w.t0 - age)
    term_year = w.start.year if date(w.start.year, 9, 20) <= w.start + timedelta(days=w.n_days) else w.start.year - 1
    term = int(datetime(term_year, 9, 20, tzinfo=timezone.utc).timestamp())
    in_flat = flat[hh]
    created[in_flat] = term + (rng.normal(0, 12, in_flat.sum()) * _DAY).astype(np.int64)
    created += rng.integers(0, _DAY, n)
    new |= in_flat & (created >= w.t0)
    accts = w.accounts(n, BUYER, country, created)
    home = w.places(hcountry)
    net = w.home_ips(hcountry)
    w.identity(accts, country, home[hh], net[hh], w.personal_variant(n, 0.35))
    # Shared family tablet / laptop and family card.
    fam = (multi & ~flat & (rng.random(H) < P.family_device))[hh]
    if fam.any():
        hdev = np.full(H, -1, np.int64)
        hs = np.unique(hh[fam])
        hdev[hs] = w.devices(len(hs))
        w.link_devices(accts[fam], hdev[hh[fam]], w.ips_at(net[hh[fam]]))
    famc = (multi & ~flat & (rng.random(H) < P.family_card))[hh]
    if famc.any():
        hcard = np.full(H, -1, np.int64)
        hs = np.unique(hh[famc])
        hcard[hs] = w.cards(hcountry[hs])
        w.link_cards(accts[famc], hcard[hh[famc]])
    # A second shipping address: a relative's home (another household) or a new one.
    sec = np.flatnonzero(rng.random(n) < P.second_address)
    rel = rng.random(len(sec)) < 0.35
    other = np.zeros(len(sec), np.int64)
    for c in np.unique(country[sec]):
        m = country[sec] == c
        pool = np.flatnonzero(hcountry == c)
        other[m] = home[rng.choice(pool, m.sum())]
    fresh = w.places(country[sec[~rel]])
    other[~rel] = fresh
    w.link_places(accts[sec], other, SHIPPING, w.personal_variant(len(sec)))
    # How much each one shops.
    n_ord = np.clip(np.exp(rng.normal(np.log(P.orders_median), P.orders_sigma, n)), 1, 150)
    frac = np.clip((w.t_end - np.maximum(created, w.t0)) / (w.t_end - w.t0), 0.02, 1)
    n_ord = np.maximum(1, np.round(n_ord * frac)).astype(np.int64)
    n_ord[rng.random(n) < P.inactive] = 0
    w.setting("n_orders", accts, n_ord)
    w.setting("quick", accts[new & (rng.random(n) < P.quick_first)], 1)
    welcome = (new & (rng.random(n) < P.welcome_rate)) | in_flat
    w.setting("welcome", accts[welcome], 1)
    # Friends referred by friends: a referral code used a few times.
    referred = np.flatnonzero(new & ~welcome & (rng.random(n) < P.referral_rate))
    old = ~new
    for c in np.unique(country[referred]):
        r = referred[country[referred] == c]
        pool = np.flatnonzero(old & (country == c))
        if not len(pool):
            continue
        k = max(1, int(len(r) / rng.uniform(1.5, 3.0)))
        who = rng.choice(pool, k)
        codes = w.referral_codes(accts[who])
        w.setting("referral", accts[r], rng.choice(codes, len(r)))
    # Look-alike households.
    fav = np.full(H, -1, np.int64)
    for h in np.flatnonzero(shop):
        fav[h] = w.local_seller(int(hcountry[h]))
    sm = shop[hh]
    w.setting("fav", accts[sm], fav[hh[sm]])
    w.setting("fav_share", accts[sm], rng.uniform(0.4, 0.8, H)[hh[sm]])
    for mask, kind in ((multi & ~flat & ~shop, "household"), (flat, "student_flat"), (shop, "family_local_shop")):
        m = mask[hh]
        w.add_groups(accts[m], hh[m], kind)
    return {"accts": accts, "country": country, "home": home[hh], "created": created, "city": w.place["city"][home[hh]],
            "home_by_country": [home[hcountry == c] for c in range(len(_CC))]}


class _Picker:
    """Honest buyers handed out without repeats within one kind of group, nearest city first."""

    def __init__(self, rng, people: dict, by_city: bool):
        order = rng.permutation(len(people["accts"]))
        key = people["country"][order] * 1000 + (people["city"][order] if by_city else 0)
        order = order[np.argsort(key, kind="stable")]
        key = np.sort(key, kind="stable")
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.zeros(0, np.int64)
        self.lists = {int(key[i]): order[i:j] for i, j in zip(starts, np.r_[starts[1:], len(key)])}
        self.next = dict.fromkeys(self.lists, 0)

    def pick(self, c: int, k: int, city: int = 0) -> np.ndarray:
        keys = sorted((key for key in self.lists if key // 1000 == c), key=lambda key: key != c * 1000 + city)
        out = []
        for key in keys:
            if k <= 0:
                break
            i = self.next[key]
            got = self.lists[key][i:i + k]
            self.next[key] = i + len(got)
            out.append(got)
            k -= len(got)
        return np.concatenate(out) if out else np.zeros(0, np.int64)


def _count(rng, expected: float, at_least: int) -> int:
    return max(at_least, int(rng.poisson(expected)))


def _group_country(rng, P: _Params, n_c: np.ndarray, need: int, share: float = 1.0) -> int:
    """A country (by market weight) with at least ``need`` buyers in ``share`` of its population."""
    ok = np.flatnonzero(n_c * share >= need)
    if not len(ok):
        return int(np.argmax(n_c))
    return int(rng.choice(ok, p=P.country_w[ok] / P.country_w[ok].sum()))


def _lookalikes(w: _World, people: dict):
    """Benign groups that share identifiers or concentrate on a seller, like rings do."""
    rng, P, B = w.rng, w.P, w.B
    accts = people["accts"]
    n_c = np.bincount(people["country"], minlength=len(_CC))
    floor_ = 1 if B >= 500 else 0
    first_dev = w.first_links(w.adev, accts)
    # Offices: colleagues on one office network, lunch from the same local shop.
    picker = _Picker(rng, people, by_city=True)
    for g in range(_count(rng, B / 1000 * P.offices_per_k, floor_)):
        c = _group_country(rng, P, n_c, 10)
        city = int(rng.integers(0, 3))
        m = picker.pick(c, int(rng.integers(10, 61)), city)
        if len(m) < 5:
            continue
        k = len(m)
        office = w.places([c], kind=OFFICE, city=city, extra=rng.integers(0, len(_COMPANIES), 1))[0]
        base24 = (int(rng.choice(w.res16[c])) << 8) | int(rng.integers(0, 256))
        if rng.random() < 0.6:
            ips = np.full(k, w.ips_in([base24])[0])
        else:
            ips = w.ips_in(np.full(k, base24))
        laptop = rng.random(k) < 0.5
        links = np.full(k, -1, np.int64)
        links[laptop] = w.link_devices(accts[m[laptop]], w.devices(laptop.sum()), ips[laptop], gen=False)
        wifi = ~laptop & (rng.random(k) < 0.6) & (first_dev[m] >= 0)
        links[wifi] = w.link_devices(accts[m[wifi]], w.adev["dev"][first_dev[m[wifi]]], ips[wifi], gen=False)
        var = w.personal_variant(k, 0.6)
        addr = rng.random(k) < 0.6
        w.link_places(accts[m[addr]], np.full(addr.sum(), office), SHIPPING, var[addr], gen=False)
        shop = w.local_seller(c, prefer="food")
        lam = rng.uniform(2, 12)
        per = rng.poisson(lam, k)
        who = np.repeat(np.arange(k), per)
        if len(who):
            weekdays = np.flatnonzero(np.array([d.weekday() < 5 for d in w.day_dates]))
            days = rng.choice(weekdays, min(len(weekdays), int(rng.integers(15, 61))), replace=False)
            day = rng.choice(days, len(who))
            local = 11 * 3600 + (rng.random(len(who)) * 2.5 * 3600).astype(np.int64)
            ts = w.t0 + day * _DAY + local - _TZ[c] * 3600
            price = w.sellers["price"][shop] * _FX[w.sellers["country"][shop]]
            cents = np.round(price * np.exp(rng.normal(0, 0.25, len(who))) * 100).astype(np.int64)
            w.order.add(len(who), buyer=accts[m[who]], seller=w.sellers["acct"][shop], ts=ts, cents=cents,
                        adev=np.where(links[who] >= 0, links[who], -2), place=office, var=var[who], ainst=-2,
                        promo=-2)
        w.add_groups(accts[m], np.full(k, g), "office")
    # Parcel lockers: hundreds of neighbours shipping to one locker.
    picker = _Picker(rng, people, by_city=True)
    for g in range(_count(rng, B / 10000 * P.lockers_per_10k, floor_)):
        c = _group_country(rng, P, n_c, 10, 0.08)
        city = int(rng.integers(0, 3))
        size = min(int(rng.integers(100, 401)), int(0.08 * n_c[c]))
        m = picker.pick(c, size, city)
        if len(m) < 10:
            continue
        locker = w.places([c], kind=LOCKER, city=city, extra=rng.integers(1, 1000, 1))[0]
        var = w.personal_variant(len(m), 0.7)
        w.setting("alt_place", accts[m], locker)
        w.setting("alt_var", accts[m], var)
        w.setting("alt_share", accts[m], rng.uniform(0.3, 1.0, len(m)))
        saved = rng.random(len(m)) < 0.6
        w.link_places(accts[m[saved]], np.full(saved.sum(), locker), SHIPPING, var[saved], gen=False)
        w.add_groups(accts[m], np.full(len(m), g), "parcel_locker")
    # Internet cafés and libraries: a few public machines used by hundreds.
    picker = _Picker(rng, people, by_city=False)
    for g in range(_count(rng, B / 10000 * P.cafes_per_10k, floor_)):
        c = _group_country(rng, P, n_c, 10, 0.05)
        m = picker.pick(c, min(int(rng.integers(50, 301)), int(0.05 * n_c[c])))
        if len(m) < 10:
            continue
        k = len(m)
        machines = w.devices(int(rng.integers(2, 7)))
        ip = w.ips_in([(int(rng.choice(w.res16[c])) << 8) | int(rng.integers(0, 256))])[0]
        two = rng.random(k) < 0.3
        who = np.concatenate([np.arange(k), np.flatnonzero(two)])
        links = w.link_devices(accts[m[who]], rng.choice(machines, len(who)), np.full(len(who), ip), gen=False)
        per = rng.integers(1, 4, k)
        ow = np.repeat(np.arange(k), per)
        li = links[:k][ow]
        ts = w.ts(people["created"][m[ow]], w.t_end, np.full(len(ow), c))
        w.order.add(len(ow), buyer=accts[m[ow]], seller=-2, ts=ts, adev=li, place=-2, ainst=-2, promo=-2)
        w.add_groups(accts[m], np.full(k, g), "internet_cafe")
    # Small businesses: a few staff, one company card, bulk orders from a wholesaler.
    picker = _Picker(rng, people, by_city=False)
    for g in range(_count(rng, B / 1000 * P.businesses_per_k, floor_)):
        c = _group_country(rng, P, n_c, 4)
        m = picker.pick(c, int(rng.integers(2, 5)))
        if len(m) < 2:
            continue
        k = len(m)
        place = w.places([c], kind=BUSINESS, extra=rng.integers(0, len(_COMPANIES), 1))[0]
        var = w.personal_variant(k, 0.3)
        w.link_places(accts[m], np.full(k, place), SHIPPING, var, gen=False)
        card = w.cards([c])[0]
        cl = w.link_cards(accts[m], np.full(k, card), gen=False)
        net = w.home_ips([c])[0]
        pcl = np.full(k, -2, np.int64)
        if rng.random() < 0.5:
            pcl = w.link_devices(accts[m], np.full(k, w.devices(1)[0]), w.ips_at(np.full(k, net)), gen=False)
        shop = w.local_seller(c, prefer="wholesale")
        per = rng.integers(10, 61, k)
        ow = np.repeat(np.arange(k), per)
        office_hours = np.cumsum(np.r_[np.zeros(8), np.ones(10) * 1.0, np.zeros(6)] + 1e-3)
        ts = w.ts(people["created"][m[ow]], w.t_end, np.full(len(ow), c), hour_cdf=office_hours, weekdays_only=True)
        price = w.sellers["price"][shop] * _FX[w.sellers["country"][shop]]
        cents = np.round(price * np.exp(rng.normal(0, 0.5, len(ow))) * 100).astype(np.int64)
        w.order.add(len(ow), buyer=accts[m[ow]], seller=w.sellers["acct"][shop], ts=ts, cents=cents,
                    adev=pcl[ow], place=place, var=var[ow], ainst=cl[ow], promo=-1)
        w.add_groups(accts[m], np.full(k, g), "small_business")
    # Loyal customers of one shop (no shared identifiers, just concentration).
    picker = _Picker(rng, people, by_city=False)
    for g in range(_count(rng, B / 1000 * P.loyal_per_k, floor_)):
        c = _group_country(rng, P, n_c, 5, 0.05)
        shop = w.local_seller(c, prefer=None)
        m = picker.pick(c, min(int(rng.integers(20, 101)), int(0.05 * n_c[c])))
        if len(m) < 5:
            continue
        w.setting("fav", accts[m], shop)
        w.setting("fav_share", accts[m], rng.uniform(0.5, 0.9, len(m)))
        w.setting("min_orders", accts[m], rng.integers(4, 21, len(m)))
        w.add_groups(accts[m], np.full(len(m), g), "loyal_customers")
    # Power buyers.
    k = max(1, int(round(P.power_share * len(accts))))
    m = rng.choice(np.flatnonzero(people["created"] < w.t0), k, replace=False) if (people["created"] < w.t0).sum() >= k \
        else rng.choice(len(accts), k, replace=False)
    w.setting("n_orders", accts[m], np.clip(np.exp(rng.normal(np.log(90), 0.6, k)), 50, 400).astype(np.int64))
    w.add_groups(accts[m], np.arange(k), "power_buyer")


# --------------------------------------------------------------------------- rings

# Typical ring size (accounts) per typology; drawn lognormal around it, clipped to 3..40.
_RING_MEDIAN = {"brushing": 10, "promo_abuse": 12, "chargeback": 6, "collusion": 7}
_WINDOW_DAYS = {"brushing": (3, 21), "promo_abuse": (5, 42), "chargeback": (3, 28), "collusion": (14, 70)}


def _plan_rings(w: _World) -> list[dict]:
    """Typology and size of each ring, until ~ring_share of buyers are ring accounts."""
    rng, P = w.rng, w.P
    budget = int(round(w.B * P.ring_share))
    if w.B >= 30:
        budget = max(budget, 3)  # even a tiny marketplace has something to find
    plan = []
    order = list(rng.permutation(4)) if budget >= 12 else []
    while budget >= 3:
        t = int(order.pop()) if order else int(rng.choice(4, p=P.typology_w))
        typ = TYPOLOGIES[t]
        size = int(np.clip(round(np.exp(rng.normal(np.log(_RING_MEDIAN[typ]), 0.6))), 3, 40))
        if order:  # keep room for the typologies not placed yet
            size = min(size, max(3, budget - 3 * len(order)))
        size = min(size, budget)
        if typ == "collusion":
            sellers = int(np.clip(rng.integers(3, 11), 3, max(3, size)))
            buyers = max(0, min(size - sellers, int(rng.integers(0, 7))))
        elif typ == "brushing":
            sellers = 1 if rng.random() < 0.7 else 2
            buyers = max(3, size - sellers)
        else:
            sellers, buyers = 0, size
        plan.append({"typ": typ, "buyers": buyers, "sellers": sellers})
        budget -= max(3, buyers + sellers)
    return plan


def _ring_ips(w: _World, c: int):
    """Where a ring's devices connect from: a subnet or two, one exit, residential proxies, a carrier."""
    rng = w.rng
    mode = int(rng.choice(4, p=w.P.ip_mode_w))
    if mode == 0:
        src = w.dc16 if rng.random() < 0.5 else w.res16[c]
        k = int(rng.integers(1, 4))
        bases = (rng.choice(src, k) << 8) | rng.integers(0, 256, k)
        return mode, lambda n: w.ips_in(rng.choice(bases, n))
    if mode == 1:
        fixed = w.ips_in((rng.choice(w.dc16, 2) << 8) | rng.integers(0, 256, 2))[: int(rng.integers(1, 3))]
        return mode, lambda n: rng.choice(fixed, n)
    if mode == 2:
        return mode, lambda n: w.ips_at(w.home_ips(np.full(n, c)))
    return mode, lambda n: w.mobile_ips(np.full(n, c))


def _ring_identity(w: _World, members, c: int, city: int, *, card_bins=None, card_prefix=None) -> dict:
    """Partially shared devices, drop addresses and cards, in overlapping clusters."""
    rng, P = w.rng, w.P
    n = len(members)
    nodev = rng.random() < P.p_no_shared_device
    spell = rng.random() < P.p_addr_variants
    jitter = rng.random() < P.p_unit_jitter
    _mode, ring_ip = _ring_ips(w, c)
    has_dev = np.zeros(n, bool)
    if not nodev:
        k = max(1, int(round(n / rng.uniform(1.5, 5))))
        pool = w.devices(k)
        mi, ri = _overlap(rng, n, k, rng.uniform(0.3, 0.7))
        keep = rng.random(len(mi)) >= rng.uniform(0, 0.25)  # some members stay off the shared devices
        mi, ri = mi[keep], ri[keep]
        w.link_devices(members[mi], pool[ri], ring_ip(len(mi)))
        has_dev[mi] = True
    own = ~has_dev | (rng.random(n) < rng.uniform(0.3, 0.9))
    k = int(own.sum())
    ip = ring_ip(k) if rng.random() < 0.5 else np.where(
        rng.random(k) < 0.5, w.ips_at(w.home_ips(np.full(k, c))), w.mobile_ips(np.full(k, c)))
    w.link_devices(members[own], w.devices(k), ip)
    # Drop addresses: a few places, spelled alike or not, or flats of one building.
    k = max(1, int(round(n / rng.uniform(2, 8))))
    pool = w.places(np.full(k, c), city=city)
    mi, ri = _overlap(rng, n, k, rng.uniform(0.2, 0.6))
    places = pool[ri]
    if jitter:
        places = np.concatenate([w.sibling_places(int(pool[r]), 1) for r in ri])
    var = rng.integers(0, 8, len(mi)).astype(np.int8) if spell else w.personal_variant(len(mi), 0.1)
    w.link_places(members[mi], places, SHIPPING, var)
    has_home = rng.random(n) < 0.4
    w.link_places(members[has_home], w.places(np.full(has_home.sum(), c)), SHIPPING,
                  w.personal_variant(int(has_home.sum())))
    bill = np.flatnonzero(rng.random(len(mi)) < 0.45 / np.bincount(mi, minlength=n)[mi])
    w.link_places(members[mi[bill]], places[bill], BILLING, var[bill], gen=False)
    w.link_wallets(members[rng.random(n) < P.p_wallet * 0.7])
    # Cards: shared physical cards (re-tokenised per account), some members with their own.
    k = max(1, int(round(n / rng.uniform(1.5, 5))))
    bins = None if card_bins is None else rng.choice(card_bins, k)
    prefix = None if card_prefix is None else rng.choice(card_prefix, k)
    pool = w.cards(np.full(k, c), bins=bins, prefix=prefix)
    ci, cr = _overlap(rng, n, k, rng.uniform(0.2, 0.6))
    keep = rng.random(len(ci)) >= rng.uniform(0, 0.3)
    if rng.random() < P.p_no_shared_card:  # every member pays with a different card (maybe one BIN)
        keep[:] = False
    w.link_cards(members[ci[keep]], pool[cr[keep]])
    has_card = np.zeros(n, bool)
    has_card[ci[keep]] = True
    own = ~has_card | (rng.random(n) < 0.3)
    bins = None if card_bins is None else rng.choice(card_bins, int(own.sum()))
    w.link_cards(members[own], w.cards(np.full(own.sum(), c), bins=bins))
    return {"member": mi, "place": places, "var": var, "spell": spell}


def _ring_ship(w: _World, ident: dict, who_local, n_members):
    """A drop place and its spelling for each order of member ``who_local``."""
    rng = w.rng
    j = _choose(rng, ident["member"], n_members, who_local)
    place = np.where(j >= 0, ident["place"][np.maximum(j, 0)], -2)
    var = np.where(j >= 0, ident["var"][np.maximum(j, 0)], 0).astype(np.int8)
    if ident["spell"]:  # re-typed on some orders
        re = rng.random(len(var)) < 0.3
        var[re] = rng.integers(0, 8, re.sum())
    return place, var


def _ring_created(w: _World, n, ws, aged):
    rng = w.rng
    if aged:
        return ws - ((rng.uniform(90, 1500, n)) * _DAY).astype(np.int64)
    return ws - (rng.exponential(4.0, n) * _DAY).astype(np.int64) - rng.integers(0, _DAY, n)


def _burst_times(w: _World, n, ws, we, c, bursts):
    """Order times clustered in a few bursts inside [ws, we)."""
    rng = w.rng
    centres = ws + (rng.random(bursts) * (we - ws)).astype(np.int64)
    local = (rng.uniform(9, 23, bursts) * 3600).astype(np.int64)
    centres = centres - centres % _DAY + local - _TZ[c] * 3600
    t = rng.choice(centres, n) + (rng.normal(0, 1.5, n) * 3600).astype(np.int64)
    return np.clip(t, ws, we - 1)


def _status(rng, n, p):
    """Statuses from probabilities (completed, refunded, chargeback, cancelled)."""
    return rng.choice(4, n, p=np.asarray(p) / np.sum(p)).astype(np.int8)


def _ring(w: _World, no: int, spec: dict, people: dict):
    rng, P = w.rng, w.P
    typ = spec["typ"]
    c = int(rng.choice(len(_CC), p=P.country_w))
    city = int(rng.integers(0, len(_ADDR[_CC[c]]["cities"])))
    lo, hi = _WINDOW_DAYS[typ]
    wl = int(min(rng.integers(lo, hi + 1), w.n_days) * _DAY)
    ws = w.t0 + int(rng.random() * max(0, w.t_end - w.t0 - wl))
    we = ws + wl
    first_order = w.order.n     # the orders this ring places, for its window in ring_windows.csv
    aged = rng.random() < P.p_aged
    nb = spec["buyers"]
    buyers = w.accounts(nb, BUYER, c, _ring_created(w, nb, ws, aged)) if nb else np.zeros(0, np.int64)
    fx = _FX[c]
    if typ == "brushing":
        sellers = _ring_sellers(w, spec["sellers"], c, ws, existing=rng.random() < 0.4,
                                cats=("beauty", "fashion", "home", "electronics", "toys"), q=(0.05, 0.4))
        members = np.concatenate([buyers, w.sellers["acct"][sellers]])
        ident = _ring_identity(w, members, c, city, card_bins=_prepaid_bins(w, c) if rng.random() < 0.5 else None)
        per = rng.integers(3, 26, nb)
        who = np.repeat(np.arange(nb), per)
        home_seller = rng.choice(sellers, nb)
        seller = np.where(rng.random(len(who)) < 0.85, home_seller[who], rng.choice(sellers, len(who)))
        ts = _burst_times(w, len(who), ws, we, c, int(rng.integers(2, 7)))
        base = rng.uniform(1.5, 12) * fx
        cents = np.full(len(who), int(round(base * 100)), np.int64)
        if rng.random() < 0.4:
            cents = np.round(cents * rng.uniform(0.97, 1.03, len(who))).astype(np.int64)
        place, var = _ring_ship(w, ident, who, len(members))
        victims = rng.random(len(who)) < rng.uniform(0.2, 0.5)  # parcels sent to real strangers
        pool = people["home_by_country"][c]
        if victims.any() and len(pool):
            place[victims] = rng.choice(pool, victims.sum())
            var[victims] = rng.integers(0, 8, victims.sum())
        status = _status(rng, len(who), [rng.uniform(0.9, 0.99), 0.0, 0.0, 0.05])
        w.order.add(len(who), buyer=buyers[who], seller=w.sellers["acct"][seller], ts=ts, cents=cents,
                    status=status, place=place, var=var, promo=-1)
        ring_orders = per
    elif typ == "promo_abuse":
        members = buyers
        ident = _ring_identity(w, members, c, city, card_bins=_prepaid_bins(w, c) if rng.random() < 0.6 else None)
        # Accounts appear through the window, each ordering soon after sign-up.
        created = ws + np.sort((rng.random(nb) * wl).astype(np.int64))
        if aged:
            created = _ring_created(w, nb, ws, True)
        w.acc["created"][buyers] = created
        mode = rng.random()
        if mode < 0.5:  # one member's referral code, used by all the others
            ref = int(w.referral_codes(buyers[:1])[0])
            w.acc["created"][buyers[0]] = ws - int(rng.uniform(5, 60) * _DAY)
            code = np.full(nb, ref)
            code[0] = -1
        else:
            code = np.full(nb, len(_CAMPAIGNS) + sorted(set(_WELCOME)).index(_WELCOME[c]))
            if mode < 0.7:
                code[rng.random(nb) < 0.5] = int(w.referral_codes(buyers[:1])[0])
        per = rng.choice([1, 1, 1, 2, 2, 3, 4], nb)
        who = np.repeat(np.arange(nb), per)
        first = np.r_[0, np.cumsum(per)[:-1]]
        start_t = np.maximum(w.acc["created"][buyers], ws)
        ts = start_t[who] + (rng.random(len(who)) * (we - start_t[who]) * 0.6).astype(np.int64)
        ts[first] = start_t + np.exp(rng.normal(np.log(1200), 1.2, nb)).astype(np.int64)
        top = w.top_sellers(c)
        shops = rng.choice(top, int(rng.integers(1, 5)))
        seller = rng.choice(shops, len(who))
        threshold = rng.choice([15, 20, 25, 30, 50]) * fx
        cents = np.round(threshold * rng.uniform(1.0, 1.3, len(who)) * 100).astype(np.int64)
        promo = np.full(len(who), -2, np.int64)
        promo[first] = code
        status = _status(rng, len(who), [0.85, 0.05, 0.0, 0.1])
        place, var = _ring_ship(w, ident, who, nb)
        w.order.add(len(who), buyer=buyers[who], seller=w.sellers["acct"][seller], ts=ts, cents=cents,
                    status=status, place=place, var=var, promo=promo)
        ring_orders = per
    elif typ == "chargeback":
        members = buyers
        bins_ = w.bins[c][0][rng.integers(5, 40, int(rng.integers(1, 3)))]
        prefix = None
        if rng.random() < 0.4:  # numbers enumerated from one range
            prefix = bins_[:1] * 1_000_000 + rng.integers(0, 1_000_000, 1)
        ident = _ring_identity(w, members, c, city, card_bins=bins_, card_prefix=prefix)
        s = w.sellers
        cand = np.flatnonzero((s["country"] == c) & np.isin(s["cat"], [_CAT["electronics"], _CAT["digital"],
                                                                      _CAT["fashion"]]))
        if not len(cand):
            cand = np.flatnonzero(s["country"] == c)
        shops = rng.choice(cand, min(len(cand), int(rng.integers(1, 4))), replace=False,
                           p=s["pop"][cand] / s["pop"][cand].sum())
        per = rng.integers(2, 9, nb)
        who = np.repeat(np.arange(nb), per)
        seller = rng.choice(shops, len(who))
        ts = _burst_times(w, len(who), ws, we, c, int(rng.integers(1, 4)))
        amount = np.clip(np.exp(rng.normal(np.log(600), 0.6, len(who))), 150, 3000) * fx
        digital = s["cat"][seller] == _CAT["digital"]
        amount[digital] = rng.choice([50, 100, 150, 200, 250, 500], digital.sum()) * fx
        cents = np.round(amount * 100).astype(np.int64)
        cb = rng.uniform(0.35, 0.85)
        status = _status(rng, len(who), [(1 - cb) * 0.85, (1 - cb) * 0.15, cb, 0.0])
        place, var = _ring_ship(w, ident, who, nb)
        w.order.add(len(who), buyer=buyers[who], seller=s["acct"][seller], ts=ts, cents=cents, status=status,
                    place=place, var=var, promo=-1)
        ring_orders = per
    else:  # collusion: shops buying from each other in a circle, with a few helpers
        ns = spec["sellers"]
        sellers = _ring_sellers(w, ns, c, ws, existing=False, cats=None, q=(0.2, 0.6), aged=rng.random() < 0.5,
                                both=0.85)
        sacct = w.sellers["acct"][sellers]
        members = np.concatenate([sacct, buyers])
        ident = _ring_identity(w, members, c, city)
        buying = np.flatnonzero(w.acc["role"][sacct] == BOTH)
        if len(buying) < 2:
            w.acc["role"][sacct[:2]] = BOTH
            buying = np.arange(2)
        cyc = rng.permutation(buying)
        src = [cyc[i] for i in range(len(cyc))]
        dst = [cyc[(i + 1) % len(cyc)] for i in range(len(cyc))]
        for _ in range(int(rng.integers(0, len(cyc)))):  # chords
            a, b = rng.choice(ns, 2, replace=False)
            if w.acc["role"][sacct[a]] == BOTH:
                src.append(a)
                dst.append(b)
        per_edge = rng.integers(2, 13, len(src))
        e = np.repeat(np.arange(len(src)), per_edge)
        b_local = np.concatenate([np.asarray(src)[e], len(sacct) + np.repeat(np.arange(nb), rng.integers(3, 16, nb))])
        s_local = np.concatenate([np.asarray(dst)[e], rng.integers(0, ns, len(b_local) - len(e))])
        price = rng.uniform(20, 300, ns) * fx
        cents = np.round(price[s_local] * np.where(rng.random(len(s_local)) < 0.5, 1.0,
                                                   rng.uniform(0.8, 1.25, len(s_local))) * 100).astype(np.int64)
        ts = ws + (rng.random(len(b_local)) * (we - ws)).astype(np.int64)
        status = _status(rng, len(b_local), [0.93, rng.uniform(0.02, 0.08), 0.0, 0.02])
        place, var = _ring_ship(w, ident, b_local, len(members))
        w.order.add(len(b_local), buyer=members[b_local], seller=sacct[s_local], ts=ts, cents=cents, status=status,
                    place=place, var=var, promo=-2)
        ring_orders = np.bincount(b_local, minlength=len(members))[len(sacct):]
    w.labels.append((members, no, TYPOLOGIES.index(typ)))
    placed = w.order["ts"][first_order:]   # a promo member's first order may fall just after we
    w.windows.append((no, TYPOLOGIES.index(typ), min(ws, int(placed.min())) if len(placed) else ws,
                      max(we, int(placed.max()) + 1) if len(placed) else we))
    w.ring_status.append((members, rng.uniform(0.0, 0.35 if typ == "chargeback" else 0.2)))
    # Camouflage: ordinary orders with popular shops around the ring activity.
    if nb:
        if rng.random() < P.p_camouflage:
            share = rng.uniform(*P.camouflage_share)
            camo = np.round(ring_orders * share / (1 - share)).astype(np.int64) + rng.integers(0, 2, nb)
        else:
            camo = rng.integers(0, 3, nb) if aged else np.zeros(nb, np.int64)
        w.setting("n_orders", buyers, camo)


def _prepaid_bins(w: _World, c: int):
    b, kind, _w = w.bins[c]
    pre = b[kind == 2]
    return pre if len(pre) else b[-3:]


def _ring_sellers(w: _World, n, c, ws, *, existing, cats, q, aged=False, both=0.2):
    """Seller indices for a ring: small existing shops, or new ones opened for it."""
    rng, s = w.rng, w.sellers
    if existing:
        lo, hi = np.quantile(s["pop"], q)
        made = w.acc["created"][s["acct"]]
        cand = np.flatnonzero((s["country"] == c) & (s["pop"] >= lo) & (s["pop"] <= hi) & (made < ws))
        if len(cand) >= n:
            return rng.choice(cand, n, replace=False)
    cat = rng.choice([_CAT[k] for k in (cats or [k[0] for k in _CATEGORIES if k[0] != "wholesale"])], n)
    pop = np.quantile(s["pop"], rng.uniform(*q, n))
    if aged:
        created = ws - (rng.uniform(60, 1500, n) * _DAY).astype(np.int64)
    else:
        created = ws - (rng.uniform(5, 60, n) * _DAY).astype(np.int64)
    role = np.where(rng.random(n) < both, BOTH, SELLER)
    before = len(s["acct"])
    w.add_sellers(n, np.full(n, c), cat, pop, created, role)
    return np.arange(before, before + n)


# --------------------------------------------------------------------------- everyday orders

_SETTINGS = {"n_orders": 0, "min_orders": 0, "fav": -1, "fav_share": 0.0, "alt_place": -1, "alt_var": 0,
             "alt_share": 0.0, "welcome": 0, "referral": -1, "quick": 0}


def _everyday_orders(w: _World):
    """Ordinary shopping by everyone with an order count: honest buyers, camouflage, shops that buy."""
    rng, P = w.rng, w.P
    A = w.acc.n
    S = {k: np.full(A, v, dtype=float if isinstance(v, float) else np.int64) for k, v in _SETTINGS.items()}
    for name, idx, values in w._settings:
        S[name][idx] = values
    n = np.maximum(S["n_orders"], np.where(S["min_orders"] > 0, S["min_orders"], 0))
    b = np.repeat(np.arange(A), n)
    created, country = w.acc["created"], w.acc["country"].astype(np.int64)
    ts = w.ts(created[b], w.t_end, country[b])
    order = np.lexsort((ts, b))
    bs = b[order]
    first = order[np.r_[True, bs[1:] != bs[:-1]]] if len(b) else order
    quick = first[(S["quick"][b[first]] == 1) & (created[b[first]] >= w.t0)]
    delay = np.exp(rng.normal(np.log(1800), 1.3, len(quick))).astype(np.int64)
    ts[quick] = np.minimum(created[b[quick]] + delay, w.t_end - 1)
    fav = S["fav"][b]
    use = (fav >= 0) & (rng.random(len(b)) < S["fav_share"][b])
    oc = country[b].copy()
    cross = rng.random(len(b)) < P.cross_border
    oc[cross] = rng.choice(len(_CC), int(cross.sum()), p=P.country_w)
    sidx = w.pick_sellers(oc)
    sidx[use] = fav[use]
    alt = S["alt_place"][b]
    ua = (alt >= 0) & (rng.random(len(b)) < S["alt_share"][b])
    place = np.where(ua, alt, -2)
    var = np.where(ua, S["alt_var"][b], 0)
    promo = np.full(len(b), -2, np.int64)
    welcome = first[S["welcome"][b[first]] == 1]
    promo[welcome] = len(_CAMPAIGNS) + np.searchsorted(sorted(set(_WELCOME)), np.array(_WELCOME)[country[b[welcome]]])
    referred = first[S["referral"][b[first]] >= 0]
    promo[referred] = S["referral"][b[referred]]
    w.order.add(len(b), buyer=b, seller=w.sellers["acct"][sidx], ts=ts, place=place, var=var, adev=-2, ainst=-2,
                promo=promo)


def _resolve_orders(w: _World):
    """Fill what each order left open: seller, timing, amount, status, promo, device, address, card."""
    rng, P = w.rng, w.P
    o, s = w.order, w.sellers
    A = w.acc.n
    buyer, seller, ts = o["buyer"].astype(np.int64), o["seller"].astype(np.int64), o["ts"]
    created, country = w.acc["created"], w.acc["country"].astype(np.int64)
    m = seller == -2
    if m.any():
        seller[m] = s["acct"][w.pick_sellers(country[buyer[m]])]
    for _ in range(4):  # a shop that also buys does not buy from itself
        m = np.flatnonzero(seller == buyer)
        if not len(m):
            break
        seller[m] = s["acct"][w.pick_sellers(country[buyer[m]])]
    m = np.flatnonzero(seller == buyer)
    seller[m] = s["acct"][(np.searchsorted(s["acct"], buyer[m]) + 1) % len(s["acct"])]
    o["seller"][:] = seller
    sel_of = np.full(A, -1, np.int64)
    sel_of[s["acct"]] = np.arange(len(s["acct"]))
    sidx = sel_of[seller]
    scountry = s["country"][sidx]
    lb = np.maximum(created[buyer], created[seller])
    late = np.flatnonzero(ts < lb)  # e.g. a shop that opened mid-span: spread over its open days
    ts[late] = w.ts(lb[late], w.t_end, country[buyer[late]])
    # Amounts: the shop's price level, in its currency, with shop-style price endings.
    cents = o["cents"]
    m = cents < 0
    x = s["price"][sidx[m]] * np.exp(rng.normal(0, P.item_sigma, m.sum())) * _FX[scountry[m]]
    r = rng.random(m.sum())
    x = np.where(r < 0.45, np.floor(x) + 0.99, np.where(r < 0.65, np.round(x), x))
    cents[m] = np.maximum(99, np.round(x * 100)).astype(np.int64)
    # Statuses: shop-specific refund and chargeback propensities around the market rates.
    status = o["status"]
    m = status < 0
    ns = len(s["acct"])
    f_cb = np.exp(rng.normal(0, 0.5, ns)) * np.array([c[2] for c in _CATEGORIES])[s["cat"]]
    f_rf = np.exp(rng.normal(0, 0.5, ns))
    sm = sidx[m]
    p_cb = P.p_chargeback * f_cb[sm] / f_cb[sm].mean() if m.any() else 0
    p_rf = P.p_refund * f_rf[sm] / f_rf[sm].mean() if m.any() else 0
    u = rng.random(m.sum())
    st = np.where(u < p_cb, CHARGEBACK, np.where(u < p_cb + p_rf, REFUNDED,
                  np.where(u < p_cb + p_rf + P.p_cancel, CANCELLED, COMPLETED)))
    status[m] = st
    # Public promo codes, only while a campaign runs in the buyer's country.
    promo = o["promo"]
    m = np.flatnonzero(promo == -2)
    promo[m] = -1
    m = m[rng.random(len(m)) < P.promo_rate]
    day = np.clip((ts[m] - w.t0) // _DAY, 0, w.n_days - 1)
    pc_ = country[buyer[m]]
    chosen = np.zeros(len(m), np.int64)
    todo = np.ones(len(m), bool)
    cw = w.campaign_w / w.campaign_w.sum()
    for _ in range(8):
        j = rng.choice(len(_CAMPAIGNS), len(m), p=cw)
        ok = todo & w.campaign_active[day, j] & w.campaign_country[j, pc_]
        chosen[ok] = j[ok]
        todo &= ~ok
    chosen[todo & (rng.random(len(m)) < 0.7)] = -1  # no campaign running: mostly no code at all
    promo[m] = chosen  # code 0 (free shipping) runs all year everywhere
    # Device, shipping address and card: the buyer's own, mostly the primary ones.
    adev = o["adev"]
    m = np.flatnonzero(adev == -2)
    adev[m] = _choose(rng, w.adev["acct"].astype(np.int64), A, buyer[m], skew=2.0, among=w.adev["gen"])
    adev[m[rng.random(len(m)) < P.no_device_on_order]] = -1
    place, var = o["place"], o["var"]
    m = np.flatnonzero(place == -2)
    ship = w.aaddr["gen"] & (w.aaddr["kind"] == SHIPPING)
    j = _choose(rng, w.aaddr["acct"].astype(np.int64), A, buyer[m], skew=2.5, among=ship)
    place[m] = np.where(j >= 0, w.aaddr["place"][np.maximum(j, 0)], -1)
    var[m] = np.where(j >= 0, w.aaddr["var"][np.maximum(j, 0)], 0)
    fresh = rng.random(len(var)) < P.fresh_variant
    var[fresh] = rng.integers(0, 8, fresh.sum())
    place[s["cat"][sidx] == _CAT["digital"]] = -1  # gift cards and downloads ship nowhere
    ainst = o["ainst"]
    m = np.flatnonzero(ainst == -2)
    ainst[m] = _choose(rng, w.ainst["acct"].astype(np.int64), A, buyer[m], skew=2.0,
                       among=w.ainst["gen"] & (w.ainst["card"] >= -1))
    w.order_scountry = scountry


# --------------------------------------------------------------------------- addresses as typed

def _postcode(cc: str, prefixes, pcr: int, compact: bool) -> str:
    pre = prefixes[pcr % len(prefixes)]
    r = pcr // 7
    if cc in ("US", "AU", "NL"):
        code = pre + f"{r % 100:02d}"
        if cc == "NL":
            letters = "ABCDEFGHJKLMNPRTVWXZ"
            code += ("" if compact else " ") + letters[(r // 100) % 20] + letters[(r // 2000) % 20]
        return code
    if cc == "GB":
        return pre + ("" if compact else " ") + f"{r % 10}{_GB_LETTERS[(r // 10) % 20]}{_GB_LETTERS[(r // 200) % 20]}"
    if cc == "CA":
        return pre + ("" if compact else " ") + f"{r % 10}{_CA_LETTERS[(r // 10) % 20]}{(r // 200) % 10}"
    if cc == "PL":
        return pre + ("" if compact else "-") + f"{r % 1000:03d}"
    k = 5 - len(pre)
    return pre + f"{r % 10 ** k:0{k}d}"


def _strip_accents(text: str) -> str:
    if text.isascii():
        return text
    text = unicodedata.normalize("NFD", text.translate(_NO_ACCENT))
    return unicodedata.normalize("NFC", "".join(ch for ch in text if unicodedata.category(ch) != "Mn"))


def _render(P: _Params, place: dict, u) -> str:
    """One spelling of a place: ``u`` (10 uniforms) picks case, abbreviations, punctuation…"""
    cc = _CC[place["country"]]
    spec = _ADDR[cc]
    city_name, region, prefixes = spec["cities"][place["city"] % len(spec["cities"])]
    name, tkey = spec["streets"][place["street"] % len(spec["streets"])]
    if tkey is None:
        street = name
    else:
        how, forms = spec["types"][tkey]
        f = forms[_pick_form(u[1], len(forms))]
        street = name + f if how == "glue" else (f"{name} {f}" if how == "post" else f"{f} {name}")
    num = str(place["num"])
    if place["nsfx"] >= 0:
        if cc == "FR":
            word = ("bis", "ter", "bis")[place["nsfx"]]
            num = (f"{num} {word}", f"{num}{word}", f"{num} {word.upper()}")[int(u[8] * 3)]
        else:
            letter = "abc"[place["nsfx"]]
            num = (f"{num}{letter}", f"{num}{letter.upper()}", f"{num} {letter}", f"{num}-{letter}")[int(u[8] * 4)]
    if place["dirn"] >= 0:
        street = _DIRECTIONS[place["dirn"]][_pick_form(u[8], 3, 0.6)] + " " + street
    r = u[4]
    sep = ", " if r >= P.addr_nocomma else (" " if r < P.addr_nocomma * 0.6 else ",")
    unit_text = ""
    unit = int(place["unit"])
    if unit:
        forms = spec["unit"][1]
        form = forms[_pick_form(u[2], len(forms))]
        if cc == "ES":
            unit_text = form.format(f=unit, d="ABCD"[max(0, place["unit2"])])
        elif cc == "NL":
            num = form.format(n=num, u="ABCD"[(unit - 1) % 4])
        elif cc == "PL":
            num = form.format(n=num, u=unit)
        else:
            label = str(unit) + ("ABCD"[place["unit2"]] if cc in ("US", "CA") and place["unit2"] >= 0 else "")
            unit_text = form.format(u=label)
            if unit_text.endswith(("-", "/")):  # Canadian 4-123 Main St, Australian 5/12 George St
                num, unit_text = unit_text + num, ""
    code = _postcode(cc, prefixes, int(place["pcr"]), u[6] < P.addr_pc_compact)
    layout = spec["layout"]
    if layout == "us":
        line1 = f"{num} {street}" + (("," if u[9] < 0.3 else "") + " " + unit_text if unit_text else "")
        parts = [line1, city_name, f"{region} {code}"]
    elif layout in ("gb", "au"):
        parts = ([unit_text] if unit_text else []) + [f"{num} {street}"]
        parts.append(f"{city_name} {code}" if layout == "gb" else f"{city_name} {region} {code}")
    elif layout == "fr":
        parts = [f"{num}, {street}" if u[8] < 0.15 else f"{num} {street}"] + ([unit_text] if unit_text else [])
        parts.append(f"{code} {city_name}")
    elif layout in ("es", "it"):
        parts = [f"{street}, {num}" if u[8] < 0.3 else f"{street} {num}"] + ([unit_text] if unit_text else [])
        parts.append(f"{code} {city_name}" + (f" {region}" if region and u[9] >= 0.1 else ""))
    else:  # de, nl, pl
        parts = [f"{street} {num}", f"{code} {city_name}"]
    kind, extra = place["kind"], int(place["extra"])
    if kind == LOCKER:
        if cc == "PL":
            ref = f"{_PL_LOCKER_CITY[place['city'] % 10]}{extra % 100:02d}{'MNAP'[extra % 4]}"
        elif cc == "DE":
            ref = str(100 + extra % 900)
        else:
            ref = f"{extra:04d}"
        forms = spec["locker"]
        parts.insert(0, forms[_pick_form(u[7], len(forms), 0.6)].format(c=ref))
    elif kind in (OFFICE, BUSINESS) and u[7] >= 0.2:
        forms = spec["company"]
        parts.insert(0, f"{_COMPANIES[extra % len(_COMPANIES)]} {forms[_pick_form((u[7] - 0.2) / 0.8, 3)]}")
    text = sep.join(parts)
    if u[3] < P.addr_strip:
        text = _strip_accents(text)
    elif cc == "DE" and u[3] > 0.95:
        text = text.translate(_TRANSLIT_DE)
    if u[0] < P.addr_lower:
        text = text.lower()
    elif u[0] < P.addr_lower + P.addr_upper:
        text = text.upper()
    if u[5] < P.addr_space:
        spaces = [i for i, ch in enumerate(text) if ch == " "]
        if spaces:
            i = spaces[int(u[9] * len(spaces)) % len(spaces)]
            text = text[:i] + "  " + text[i + 1:]
    elif u[5] < 2 * P.addr_space:
        text = text + " " if u[9] < 0.5 else " " + text
    return text


# --------------------------------------------------------------------------- text columns

_HEX = np.frombuffer(b"0123456789abcdef", np.uint8)
_BASE62 = np.frombuffer(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", np.uint8)
_CHUNK = 250_000


def _chars(matrix: np.ndarray) -> pa.Array:
    """Rows of ASCII codes as strings."""
    matrix = np.ascontiguousarray(matrix, dtype=np.uint8)
    if matrix.shape[0] == 0:
        return pa.array([], pa.string())
    return pa.array(matrix.view(f"S{matrix.shape[1]}").ravel()).cast(pa.string())


def _ids(prefix: str, numbers, width: int) -> pa.Array:
    s = pc.cast(pa.array(np.asarray(numbers, np.int64)), pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(s, width, "0"), "")


def _take(vocab: pa.Array, idx) -> pa.Array:
    idx = np.asarray(idx, np.int64)
    return pc.take(vocab, pa.array(idx, pa.int64(), mask=idx < 0))


def _iso(ts) -> pa.Array:
    """ISO 8601 UTC, e.g. 2025-10-03T14:22:05Z (a cast is ~6x faster than strftime)."""
    text = pc.cast(pa.array(np.asarray(ts, np.int64), pa.timestamp("s")), pa.string())
    return pc.binary_join_element_wise(pc.replace_substring(text, " ", "T", max_replacements=1), "Z", "")


def _money(cents) -> pa.Array:
    cents = np.asarray(cents, np.int64)
    units = pc.cast(pa.array(cents // 100), pa.string())
    rest = pc.utf8_lpad(pc.cast(pa.array(cents % 100), pa.string()), 2, "0")
    return pc.binary_join_element_wise(units, rest, ".")


def _flat(a):
    """One contiguous array (kernels over big inputs may return chunks)."""
    return a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a


def _pick(mask: np.ndarray, a: pa.Array, b: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(mask), a, b)


class _Text:
    """Vocabularies (ids, devices, IPs, addresses, tokens, codes) and per-row spellings."""

    def __init__(self, w: _World):
        self.w = w
        rng, P = w.rng, w.P
        A = w.acc.n
        self.acct_num = rng.permutation(A) + 1  # ids say nothing about when or why an account exists
        self.acct = _ids("acct_", self.acct_num, max(6, len(str(A))))
        self.dev_hex = _chars(_HEX[rng.integers(0, 16, (w.n_dev, 16))])
        self._ips()
        self._addresses()
        self._instruments()
        codes = w.promo_codes
        self.promo = [pa.array(codes), pa.array([c.lower() for c in codes]), pa.array([c.title() for c in codes])]
        self.promo_style = P

    def _ips(self):
        ip = self.w.ip
        v = ip["hi"].astype(np.int64) & 0xFFFFFFFF
        octets = [pc.cast(pa.array((v >> s) & 255), pa.string()) for s in (24, 16, 8, 0)]
        text = pc.binary_join_element_wise(*octets, ".")
        six = ip["ver"] == 6
        if six.any():
            v6 = [ipaddress.IPv6Address((int(h) << 64) | int(lo)).compressed
                  for h, lo in zip(ip["hi"][six].tolist(), ip["lo"][six].tolist())]
            text = pc.replace_with_mask(text, pa.array(six), pa.array(v6, pa.string()))
        self.ip = text

    def _addresses(self):
        w = self.w
        o = w.order
        keys = np.concatenate([w.aaddr["place"].astype(np.int64) * 8 + w.aaddr["var"],
                               o["place"][o["place"] >= 0].astype(np.int64) * 8 + o["var"][o["place"] >= 0]])
        self.addr_keys = keys = np.unique(keys)
        styles = w.rng.random((len(keys), 10)).tolist()
        pl = keys // 8
        cols = {k: w.place[k][pl].tolist() for k in ("country", "city", "street", "num", "nsfx", "dirn", "unit",
                                                     "unit2", "pcr", "kind", "extra")}
        names = list(cols)
        rows = zip(*(cols[k] for k in names))
        P = w.P
        self.addr = pa.array([_render(P, dict(zip(names, r)), u) for r, u in zip(rows, styles)], pa.string())

    def address_index(self, place, var) -> np.ndarray:
        place = np.asarray(place, np.int64)
        key = place * 8 + np.asarray(var, np.int64)
        return np.where(place >= 0, np.searchsorted(self.addr_keys, key), -1)

    def _instruments(self):
        w = self.w
        rng, P = w.rng, w.P
        ai = w.ainst
        n = ai.n
        card = ai["card"].astype(np.int64)
        is_card = card >= 0
        self.raw = raw = is_card & (rng.random(n) < P.p_raw_card)
        tok = np.full(n, -1, np.int64)
        idx = np.flatnonzero(is_card & ~raw)
        idx = idx[np.argsort(card[idx], kind="stable")]
        cs = card[idx]
        new = np.r_[True, cs[1:] != cs[:-1]] if len(cs) else np.zeros(0, bool)
        new |= rng.random(len(idx)) < P.p_retoken  # the same card, a fresh token for another account
        number = np.cumsum(new) - 1
        tok[idx] = number[np.maximum.accumulate(np.where(new, np.arange(len(idx)), 0))] if len(idx) else 0
        wallets = np.flatnonzero(~is_card)
        n_tok = int(new.sum())
        tok[wallets] = n_tok + np.arange(len(wallets))
        self.tok = tok
        self.tokens = pc.binary_join_element_wise(
            "pi_", _chars(_BASE62[rng.integers(0, 62, (n_tok + len(wallets), 14))]), "")
        pan = w.card["pan"][np.where(is_card, card, 0)]
        digits = (pan[:, None] // 10 ** np.arange(15, -1, -1)) % 10 + 48
        self.pan_plain = digits

    def accounts(self, idx):
        return _take(self.acct, idx)

    def devices(self, dev) -> pa.Array:
        """Device ids as each system spelled them: mostly canonical, some upper-cased or hyphenated."""
        P, rng = self.w.P, self.w.rng
        hexs = _take(self.dev_hex, dev)
        r = rng.random(len(hexs))
        out = pc.binary_join_element_wise("dev_", hexs, "")
        upper = pc.binary_join_element_wise("DEV_", pc.utf8_upper(hexs), "")
        groups = pc.binary_join_element_wise(*[pc.utf8_slice_codeunits(hexs, i, i + 4) for i in (0, 4, 8, 12)], "-")
        out = _pick(r < P.dev_upper, upper, out)
        out = _pick((r >= P.dev_upper) & (r < P.dev_upper + P.dev_hyphen),
                    pc.binary_join_element_wise("dev_", groups, ""), out)
        dash = (r >= 1 - P.dev_dash_prefix)
        return _pick(dash, pc.binary_join_element_wise("dev-", hexs, ""), out)

    def promos(self, promo) -> pa.Array:
        rng = self.w.rng
        promo = np.asarray(promo, np.int64)
        r = rng.random(len(promo))
        out = _take(self.promo[0], promo)
        out = _pick(r < 0.09, _take(self.promo[1], promo), out)
        return _pick(r > 0.97, _take(self.promo[2], promo), out)


# --------------------------------------------------------------------------- files

class _Sink:
    """One output file in one format, written in chunks of string columns."""

    def __init__(self, path: Path, fmt: str, columns):
        self.columns, self.fmt = list(columns), fmt
        self.rows = 0
        if fmt == "parquet":
            import pyarrow.parquet as pq

            self.schema = pa.schema([(c, pa.string()) for c in self.columns])
            self.writer = pq.ParquetWriter(str(path), self.schema, compression="zstd")
            return
        self.file = open(path, "wb")
        self.out = gzip.GzipFile(filename="", mode="wb", fileobj=self.file, mtime=0) if fmt == "csv.gz" else self.file
        if fmt != "jsonl":
            self.out.write((",".join(self.columns) + "\n").encode())

    def write(self, cols: dict):
        arrays = [_flat(cols[c]) for c in self.columns]
        n = len(arrays[0])
        if not n:
            return
        self.rows += n
        if self.fmt == "parquet":
            self.writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))
            return
        if self.fmt == "jsonl":
            parts = []
            for i, (name, a) in enumerate(zip(self.columns, arrays)):
                esc = pc.replace_substring(pc.replace_substring(a, "\\", "\\\\"), '"', '\\"')
                quoted = pc.binary_join_element_wise('"', esc, '"', "")
                parts += [("{" if i == 0 else ", ") + json.dumps(name) + ": ", pc.fill_null(quoted, "null")]
            line = pc.binary_join_element_wise(*parts, "}\n", "")
        else:
            fields = []
            for a in arrays:
                a = pc.fill_null(a, "")
                need = pc.match_substring_regex(a, '[",\r\n]')
                if pc.any(need).as_py():
                    quoted = pc.binary_join_element_wise('"', pc.replace_substring(a, '"', '""'), '"', "")
                    a = pc.if_else(need, quoted, a)
                fields.append(a)
            line = pc.binary_join_element_wise(pc.binary_join_element_wise(*fields, ","), "\n", "")
        line = _flat(line)
        _validity, offsets, data = line.buffers()
        off = np.frombuffer(offsets, np.int32, count=len(line) + 1, offset=line.offset * 4)
        self.out.write(memoryview(data)[off[0]:off[-1]])

    def close(self):
        if self.fmt == "parquet":
            self.writer.close()
            return
        if self.out is not self.file:
            self.out.close()
        self.file.close()


def _account_statuses(w: _World) -> np.ndarray:
    rng, P = w.rng, w.P
    r = rng.random(w.acc.n)
    status = np.where(r < P.p_closed, 2, np.where(r < P.p_closed + P.p_suspended, 1, 0))
    for members, p in w.ring_status:
        status[members[rng.random(len(members)) < p]] = 1
    return status


def _device_seen(w: _World):
    """first_seen/last_seen of each account-device row: around its orders, else around sign-up."""
    rng = w.rng
    ad, o = w.adev, w.order
    n = ad.n
    link, ts = o["adev"].astype(np.int64), o["ts"]
    m = link >= 0
    first = np.full(n, np.iinfo(np.int64).max)
    last = np.full(n, -1, np.int64)
    np.minimum.at(first, link[m], ts[m])
    np.maximum.at(last, link[m], ts[m])
    created = w.acc["created"][ad["acct"]]
    used = last >= 0
    lead = (rng.exponential(7.0, n) * _DAY).astype(np.int64)
    fs = np.where(used, np.maximum(created, first - lead), created + (rng.random(n) * 30 * _DAY).astype(np.int64))
    fs = np.minimum(fs, np.where(used, first, w.t_end - 60))
    tail = (rng.exponential(1.0, n) * _DAY).astype(np.int64)
    ls = np.where(used, np.minimum(w.t_end - 1, last + tail),
                  fs + (rng.random(n) * np.maximum(w.t_end - fs, 0)).astype(np.int64))
    return fs, np.maximum(ls, fs)


@contextmanager
def _writing(path: Path):
    """A file that cannot be written (a full disk) is named in the error, as the user will know it."""
    try:
        yield
    except OSError as e:
        raise GraphfraudError(f"cannot write to {path}: {e.strerror or e}") from None


def _write(w: _World, out: Path, fmt: str, on_progress, shown: Path) -> dict:
    """Write the tables into ``out``; a file that fails is named in ``shown``, where it was meant to go."""
    rng = w.rng
    text = _Text(w)
    num = text.acct_num
    ext = {"csv": ".csv", "csv.gz": ".csv.gz", "parquet": ".parquet", "jsonl": ".jsonl"}[fmt]
    counts = {}

    def emit(table, chunks, fmt_=fmt):
        name = table + (ext if fmt_ == fmt else ".csv")
        with _writing(shown / name):
            sink = _Sink(out / name, fmt_, TABLES[table])
        try:
            for cols in chunks:
                with _writing(shown / name):
                    sink.write(cols)
                if on_progress is not None:
                    on_progress(table, sink.rows)
        finally:
            with _writing(shown / name):
                sink.close()
        counts[table] = sink.rows

    def sliced(order, build):
        for i in range(0, len(order), _CHUNK):
            yield build(order[i:i + _CHUNK])
        if not len(order):
            yield build(order)

    acc = w.acc
    status = _account_statuses(w)
    emit("accounts", sliced(np.argsort(num), lambda ix: {
        "account_id": text.accounts(ix), "role": _take(pa.array(_ROLES), acc["role"][ix]),
        "created_at": _iso(acc["created"][ix]), "country": _take(pa.array(_CC), acc["country"][ix]),
        "status": _take(pa.array(_ACCOUNT_STATUSES), status[ix])}))

    ad = w.adev
    fs, ls = _device_seen(w)
    emit("account_devices", sliced(np.lexsort((ad["dev"], fs, num[ad["acct"]])), lambda ix: {
        "account_id": text.accounts(ad["acct"][ix]), "device_id": text.devices(ad["dev"][ix]),
        "first_seen": _iso(fs[ix]), "last_seen": _iso(ls[ix]), "ip": _take(text.ip, ad["ip"][ix])}))

    aa = w.aaddr
    aidx = text.address_index(aa["place"], aa["var"])
    emit("account_addresses", sliced(np.lexsort((aidx, aa["kind"], num[aa["acct"]])), lambda ix: {
        "account_id": text.accounts(aa["acct"][ix]), "address": _take(text.addr, aidx[ix]),
        "kind": _take(pa.array(_ADDRESS_KINDS), aa["kind"][ix]),
        "country": _take(pa.array(_CC), w.place["country"][aa["place"][ix]])}))

    ai = w.ainst
    card = ai["card"].astype(np.int64)
    pan = w.card["pan"][np.maximum(card, 0)]
    bins = pc.cast(pa.array(pan // 10**10), pa.string())
    last4 = pc.utf8_lpad(pc.cast(pa.array(pan % 10_000), pa.string()), 4, "0")
    digits = text.pan_plain
    spaced = np.insert(digits, [4, 8, 12], 32, axis=1)
    dashed = np.insert(digits, [4, 8, 12], 45, axis=1)
    style = rng.random(ai.n)
    show = (card >= 0) & (~text.raw | (rng.random(ai.n) < 0.5))  # raw rows sometimes without bin/last4

    def instruments(ix):
        raw = text.raw[ix]
        plain = _chars(digits[ix])
        number = _pick(style[ix] < 0.25, _chars(spaced[ix]), plain)
        number = _pick(style[ix] > 0.85, _chars(dashed[ix]), number)
        null = pa.nulls(len(ix), pa.string())
        return {"account_id": text.accounts(ai["acct"][ix]),
                "instrument_id": _take(text.tokens, np.where(raw, -1, text.tok[ix])),
                "card_number": _pick(raw, number, null),
                "kind": _take(pa.array(_INSTRUMENT_KINDS), ai["ikind"][ix]),
                "bin": _pick(show[ix], pc.take(bins, pa.array(ix)), null),
                "last4": _pick(show[ix], pc.take(last4, pa.array(ix)), null)}

    emit("account_payment_instruments", sliced(np.lexsort((np.arange(ai.n), num[ai["acct"]])), instruments))

    o = w.order
    order = np.lexsort((np.arange(o.n), o["ts"]))
    width = max(8, len(str(o.n)))
    rank = np.empty(o.n, np.int64)
    rank[order] = np.arange(1, o.n + 1)
    scountry = w.order_scountry
    cur = np.array([["USD", "GBP", "EUR", "PLN", "CAD", "AUD"].index(c) for c in _CURRENCY])
    link = o["ainst"].astype(np.int64)
    inst = np.where((link >= 0) & ~text.raw[np.maximum(link, 0)], text.tok[np.maximum(link, 0)], -1)
    oaddr = text.address_index(o["place"], o["var"])
    dev_of = np.where(o["adev"] >= 0, ad["dev"][np.maximum(o["adev"], 0)], -1)
    emit("orders", sliced(order, lambda ix: {
        "order_id": _ids("ord_", rank[ix], width), "buyer_id": text.accounts(o["buyer"][ix]),
        "seller_id": text.accounts(o["seller"][ix]), "amount": _money(o["cents"][ix]),
        "currency": _take(pa.array(["USD", "GBP", "EUR", "PLN", "CAD", "AUD"]), cur[scountry[ix]]),
        "created_at": _iso(o["ts"][ix]), "status": _take(pa.array(_ORDER_STATUSES), o["status"][ix]),
        "device_id": text.devices(dev_of[ix]), "address": _take(text.addr, oaddr[ix]),
        "instrument_id": _take(text.tokens, inst[ix]), "promo_code": text.promos(o["promo"][ix])}))

    members = [(m, np.full(len(m), no), np.full(len(m), t)) for m, no, t in w.labels]
    lab = [np.concatenate(x) if members else np.zeros(0, np.int64) for x in zip(*members)] or [np.zeros(0, np.int64)] * 3
    ix = np.lexsort((num[lab[0]], lab[1])) if len(lab[0]) else np.zeros(0, np.int64)
    emit("labels", [{"account_id": text.accounts(lab[0][ix]),
                     "ring_id": _ids("ring_", lab[1][ix], 4),
                     "typology": _take(pa.array(TYPOLOGIES), lab[2][ix])}], "csv")
    win = np.array(sorted(w.windows), np.int64).reshape(-1, 4)
    emit("ring_windows", [{"ring_id": _ids("ring_", win[:, 0], 4), "typology": _take(pa.array(TYPOLOGIES), win[:, 1]),
                           "active_from": _iso(win[:, 2]), "active_to": _iso(win[:, 3])}], "csv")

    groups, offset = [], 0
    for accts, local, kind in w.lookalikes:
        _u, inv = np.unique(local, return_inverse=True)
        groups.append((accts, offset + inv + 1, np.full(len(accts), kind)))
        offset += len(_u)
    la = [np.concatenate(x) for x in zip(*groups)] if groups else [np.zeros(0, np.int64)] * 3
    ix = np.lexsort((num[la[0]], la[1])) if len(la[0]) else np.zeros(0, np.int64)
    emit("lookalikes", [{"account_id": text.accounts(la[0][ix]),
                         "group_id": _ids("grp_", la[1][ix], 5),
                         "kind": _take(pa.array(LOOKALIKE_KINDS), la[2][ix])}], "csv")
    return counts


def _simulate(buyers: int, seed: int, start: date, weeks: int) -> _World:
    w = _World(buyers, seed, start, weeks)
    _sellers(w)
    plan = _plan_rings(w)
    ring_buyers = sum(r["buyers"] for r in plan)
    people = _people(w, max(1, buyers - ring_buyers))
    _lookalikes(w, people)
    for no, spec in enumerate(plan, 1):
        _ring(w, no, spec, people)
    _everyday_orders(w)
    _resolve_orders(w)
    return w


def write_marketplace(out_dir: Path, buyers: int, seed: int, start: date = date(2025, 9, 1), weeks: int = 26,
                      fmt: str = "csv", on_progress=None, replace: bool = False) -> dict:
    """Generate a synthetic marketplace into ``out_dir``; returns the row count of each table.

    Parameters
    ----------
    out_dir : directory to write: created if missing, refused if it holds anything unless ``replace``
        (a labels file of one's own would be overwritten, and tables of an earlier marketplace in
        another format would be loaded with the new one). The files appear there all at once, when
        every one is complete: a failure or an interruption leaves ``out_dir`` as it was
    replace : write into a folder that is not empty, replacing the tables and answer keys of an
        earlier marketplace in every format once the new ones are complete; other files are left alone
    buyers : number of buyer accounts (honest and ring buyers; sellers come on top, ~1 per 20 buyers)
    seed : everything is drawn from ``numpy.random.default_rng(seed)``; same seed, same bytes
    start, weeks : the span orders fall in, ``start`` .. ``start + 7*weeks`` days (UTC)
    fmt : ``csv`` (default), ``csv.gz``, ``parquet`` or ``jsonl`` for the five input tables;
        the answer keys (``labels.csv``, ``ring_windows.csv``, ``lookalikes.csv``) are always CSV
    on_progress : optional ``callable(table_name, rows_written)`` called after each chunk

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> counts = write_marketplace(d, buyers=300, seed=3)
    >>> (d / "accounts.csv").read_text().splitlines()[0]
    'account_id,role,created_at,country,status'
    >>> counts["labels"] > 0
    True
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if not isinstance(buyers, (int, np.integer)) or buyers < 10:
        raise UsageError("buyers must be a whole number of at least 10")
    if not isinstance(weeks, (int, np.integer)) or weeks < 1:
        raise UsageError("weeks must be at least 1")
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise UsageError("seed must be a non-negative whole number")
    out = Path(out_dir)
    made, tmp = [p for p in out.parents if not p.exists()], None   # deepest first
    try:
        tmp = _partial_folder(out, replace)
        world = _simulate(int(buyers), int(seed), start, int(weeks))
        counts = _write(world, tmp, fmt, on_progress, shown=out)
        _place(tmp, out, replace)
    except BaseException:   # a Ctrl-C too: nothing of this marketplace is left, not even the folders made for it
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        for folder in made:
            with suppress(OSError):
                folder.rmdir()
        raise
    return counts


def _check_target(out: Path, replace: bool, ours: Path | None = None) -> None:
    """Refuse a folder that holds anything (but ``ours``, the partial one) unless ``replace``, and
    one where an earlier table's name is a folder: it could not be replaced."""
    if not out.is_dir():
        if out.exists() or out.is_symlink():
            raise UsageError(f"cannot write to {out}: not a folder")
        return
    held = [p for p in out.iterdir() if p != ours]
    if held and not replace:
        raise UsageError(f"{out} is not empty: generate into a new or empty folder "
                         "(--force replaces the marketplace tables in it)")
    for p in held:
        if p.name in _EARLIER and p.is_dir() and not p.is_symlink():
            raise UsageError(f"cannot write to {p}: a folder of that name is in the way")


def _partial_folder(out: Path, replace: bool) -> Path:
    """The hidden folder the marketplace is written into, on ``out``'s own filesystem so that
    putting it in place is a rename: beside ``out`` when there is none yet, else inside it (it may
    be a mount point, and keeps its own permissions)."""
    try:
        _check_target(out, replace)
        if out.is_dir():
            tmp = out / f".generating-{uuid.uuid4().hex[:8]}"
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.parent / f".{out.name}.generating-{uuid.uuid4().hex[:8]}"
        tmp.mkdir()
    except OSError as e:   # a place the system lets no one write in, a full disk
        raise UsageError(f"cannot write to {out}: {e.strerror or e}") from None
    return tmp


def _place(tmp: Path, out: Path, replace: bool) -> None:
    """Put the finished marketplace in place, stopping signals held off meanwhile. Written beside
    ``out``, its folder is renamed to ``out`` (which fails on a folder that came to hold anything
    meanwhile); written inside, each file is renamed over its namesake, then the earlier
    marketplace's files of other names (another format) are removed."""
    with deferred():
        try:
            if tmp.parent != out:
                os.rename(tmp, out)
                return
            _check_target(out, replace, ours=tmp)   # again: files may have come during the generation
            names = sorted(p.name for p in tmp.iterdir())
            for name in names:
                os.replace(tmp / name, out / name)
            for name in _EARLIER.difference(names):
                (out / name).unlink(missing_ok=True)
            tmp.rmdir()
        except OSError as e:
            if e.errno in (errno.ENOTEMPTY, errno.EEXIST):
                raise UsageError(f"{out} is not empty any more: something was written there meanwhile (another "
                                 "generate?); nothing was replaced, and this marketplace was discarded") from None
            raise GraphfraudError(f"cannot write to {out}: {e.strerror or e}") from None
