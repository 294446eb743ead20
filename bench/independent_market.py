#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""
Independent synthetic e-commerce marketplace generator.

Written for graphfraud's quality bench by an engineer who was told the input format and the
four fraud typologies and had not seen graphfraud's code or its own generator
(``graphfraud.generate``): it builds its honest side and its rings from its own idea of a
marketplace, so ``bench/quality.py --generator independent`` shows how detection fares on data
it was not shaped by. Kept apart from the package on purpose (a benchmark fixture, not product
code). Seeds 1 and 3 were examined while the scoring was changed on 2026-12-04; seeds 4 and
5 were not. Seed 2 crashed in the seller co-op addresses of Spain and Italy, seed 10 in those
of the Netherlands (both fixed without changing any other seed's output).

Produces an honest marketplace (heavy-tailed buyers, Zipf-popular sellers,
households, flatmates, offices, internet cafes, parcel lockers, family shops,
small businesses, loyal niche customers, seller co-ops, public promo codes,
CGNAT / VPN IP sharing, BIN collisions ...) plus a small share of fraud rings
(brushing, promo_abuse, chargeback, collusion) with varied evasion.

Usage:  python bench/independent_market.py OUT_DIR --buyers N --seed S
Only the Python standard library and numpy are used. Deterministic per seed.
"""
import argparse
import csv
import math
import os
import random
import string
import sys
import time
import unicodedata
import uuid
from datetime import datetime, timedelta, timezone
from functools import lru_cache

import numpy as np

UTC = timezone.utc
T0 = datetime(2025, 1, 6, tzinfo=UTC)          # a Monday
WEEKS = 26
T1 = T0 + timedelta(weeks=WEEKS)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

COUNTRIES = ['US', 'GB', 'DE', 'FR', 'NL', 'ES', 'IT', 'PL', 'CA', 'AU']
CWEIGHTS = [0.28, 0.15, 0.14, 0.10, 0.05, 0.07, 0.07, 0.05, 0.06, 0.03]
CURRENCY = {'US': 'USD', 'GB': 'GBP', 'DE': 'EUR', 'FR': 'EUR', 'NL': 'EUR', 'ES': 'EUR',
            'IT': 'EUR', 'PL': 'PLN', 'CA': 'CAD', 'AU': 'AUD'}
FX = {'USD': 1.0, 'GBP': 0.79, 'EUR': 0.92, 'PLN': 3.95, 'CAD': 1.37, 'AUD': 1.53}

# ---------------------------------------------------------------- time zones
ZONES = {
    'US': [((-5, 'na'), .45), ((-6, 'na'), .28), ((-7, 'na'), .06), ((-7, None), .04), ((-8, 'na'), .17)],
    'CA': [((-5, 'na'), .58), ((-8, 'na'), .16), ((-7, 'na'), .14), ((-6, None), .06), ((-3.5, 'na'), .06)],
    'GB': [((0, 'eu'), 1.0)],
    'DE': [((1, 'eu'), 1.0)], 'FR': [((1, 'eu'), 1.0)], 'NL': [((1, 'eu'), 1.0)],
    'ES': [((1, 'eu'), 1.0)], 'IT': [((1, 'eu'), 1.0)], 'PL': [((1, 'eu'), 1.0)],
    'AU': [((10, 'au'), .55), ((10, None), .2), ((8, None), .12), ((9.5, 'au'), .08), ((9.5, None), .05)],
}


def _nth_sunday(year, month, n):
    d = datetime(year, month, 1, tzinfo=UTC)
    d += timedelta(days=(6 - d.weekday()) % 7)
    return d + timedelta(weeks=n - 1)


def _last_sunday(year, month):
    d = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC) - DAY
    return d - timedelta(days=(d.weekday() + 1) % 7)


@lru_cache(maxsize=None)
def _dst(rule, year):
    if rule == 'eu':
        return _last_sunday(year, 3) + HOUR, _last_sunday(year, 10) + HOUR
    if rule == 'na':
        return _nth_sunday(year, 3, 2) + 7 * HOUR, _nth_sunday(year, 11, 1) + 6 * HOUR
    # southern hemisphere: standard time between these two instants
    return _nth_sunday(year, 4, 1) - 16 * HOUR, _nth_sunday(year, 10, 1) - 16 * HOUR


def offset_min(zone, dt):
    base, rule = zone
    h = base
    if rule is not None:
        a, b = _dst(rule, dt.year)
        inside = a <= dt < b
        if rule == 'au':
            inside = not inside
        if inside:
            h += 1
    return int(round(h * 60))


def fmt_ts(dt, zone, zulu):
    if zulu:
        return dt.strftime('%Y-%m-%dT%H:%M:%SZ')
    m = offset_min(zone, dt)
    loc = dt + timedelta(minutes=m)
    sign = '+' if m >= 0 else '-'
    m = abs(m)
    return loc.strftime('%Y-%m-%dT%H:%M:%S') + '%s%02d:%02d' % (sign, m // 60, m % 60)


# local-hour popularity for shopping
HOUR_W = [1.0, .6, .35, .25, .2, .25, .5, 1.0, 1.6, 2.0, 2.3, 2.6, 3.0, 2.8, 2.6, 2.5, 2.5, 2.7,
          3.0, 3.6, 4.0, 3.9, 3.1, 1.9]
HOUR_CUM = list(np.cumsum(HOUR_W))
FLAT_CUM = list(np.cumsum([1.0] * 24))
NIGHT_CUM = list(np.cumsum([3, 3, 3, 3, 3, 2, 1, .5, .3, .3, .3, .3, .3, .3, .3, .3, .3, .3, .5, .6, 1, 2, 3, 3]))
LUNCH_CUM = list(np.cumsum([0] * 10 + [1.0, 4.0, 5.0, 1.5] + [0] * 10))
WORK_CUM = list(np.cumsum([0] * 8 + [1, 2, 2, 1.5, 1, 1.5, 2, 2, 1] + [0] * 7))

# ---------------------------------------------------------------- catalogue
CATS = {  # usd median, sigma, min, max
    'electronics': (75, 1.0, 4, 3000), 'fashion': (45, 0.7, 5, 900), 'home': (38, 0.9, 3, 1500),
    'beauty': (24, 0.6, 3, 300), 'books': (17, 0.5, 3, 200), 'toys': (30, 0.7, 3, 500),
    'food': (24, 0.5, 4, 250), 'giftcards': None, 'sports': (50, 0.8, 5, 1500),
    'wholesale': (380, 0.8, 40, 9000), 'crafts': (30, 0.6, 4, 450),
}
CAT_W = {'electronics': .12, 'fashion': .19, 'home': .15, 'beauty': .08, 'books': .07, 'toys': .06,
         'food': .11, 'giftcards': .02, 'sports': .07, 'wholesale': .05, 'crafts': .08}
GIFT_FACES = [10, 15, 20, 25, 25, 50, 50, 50, 100, 100, 150, 200]

WELCOME = {'US': 'WELCOME10', 'GB': 'WELCOME10', 'DE': 'HALLO10', 'FR': 'BIENVENUE10', 'NL': 'WELKOM10',
           'ES': 'BIENVENIDO10', 'IT': 'BENVENUTO10', 'PL': 'WITAJ15', 'CA': 'WELCOME10', 'AU': 'GDAY10'}
STUDENT = {'GB': 'UNIDAYS10', 'US': 'STUDENT15', 'CA': 'STUDENT15', 'AU': 'STUDENT15'}
CAMPAIGNS = [  # code, first week, last week (excl), countries or None, usage prob while active
    ('NEWYEAR25', 0, 2, None, .09), ('WINTERSALE', 1, 4, ['GB', 'DE', 'FR', 'NL', 'ES', 'IT', 'PL'], .06),
    ('VALENTINE15', 5, 6, None, .06), ('SPRING20', 10, 13, None, .08), ('EASTER15', 14, 16, None, .06),
    ('MEMORIAL20', 20, 21, ['US'], .12), ('SUMMER25', 23, 26, None, .09), ('FREESHIP', 0, 26, None, .012),
    ('ANNA15', 3, 26, ['DE', 'NL'], .006), ('TECHDEALS10', 0, 26, None, .005), ('MAMAN10', 8, 20, ['FR'], .01),
    ('MUMSNET10', 6, 18, ['GB'], .01), ('BLOG5', 0, 26, None, .004), ('SOLDES20', 1, 5, ['FR'], .08),
    ('REBAJAS15', 0, 6, ['ES'], .07), ('SALDI20', 0, 6, ['IT'], .07), ('BOXINGDAY', 0, 1, ['GB', 'CA', 'AU'], .1),
]
FIRSTNAMES = ['ANNA', 'MARK', 'JULIA', 'TOM', 'SARA', 'LUKAS', 'EMMA', 'NOAH', 'MIA', 'LEO', 'OLGA', 'PIOTR',
              'MARIE', 'LUCA', 'SOFIA', 'JACK', 'CHLOE', 'HUGO', 'EVA', 'MAX', 'LINA', 'DAN', 'KATE', 'OMAR']

# ---------------------------------------------------------------- address data
US_NAMES = ['Maple', 'Oak', 'Pine', 'Cedar', 'Elm', 'Washington', 'Lake', 'Hill', 'Main', 'Park', 'Sunset',
            'Highland', 'Jefferson', 'Lincoln', 'Madison', 'Church', 'Walnut', 'Chestnut', 'Willow', 'Franklin',
            'Ridge', 'Meadow', 'River', 'Spring', '2nd', '3rd', '5th', 'Broadway']
US_SUF = [('Street', 'St'), ('Avenue', 'Ave'), ('Road', 'Rd'), ('Drive', 'Dr'), ('Lane', 'Ln'),
          ('Boulevard', 'Blvd'), ('Court', 'Ct'), ('Place', 'Pl')]
US_CITIES = [('Austin', 'TX', '787'), ('Columbus', 'OH', '432'), ('Portland', 'OR', '972'), ('Denver', 'CO', '802'),
             ('Seattle', 'WA', '981'), ('Atlanta', 'GA', '303'), ('Phoenix', 'AZ', '850'), ('Brooklyn', 'NY', '112'),
             ('San Jose', 'CA', '951'), ('Charlotte', 'NC', '282'), ('Minneapolis', 'MN', '554'),
             ('Chicago', 'IL', '606'), ('Los Angeles', 'CA', '900'), ('Houston', 'TX', '770'),
             ('Philadelphia', 'PA', '191')]
GB_NAMES = ['High', 'Station', 'Church', 'Victoria', 'Mill', 'Park', 'Queen', 'King', 'Baker', 'Manor', 'Green',
            'Albert', 'York', 'Grove', 'Windsor', 'Springfield', 'Richmond', 'Elm', 'Chapel', 'Castle']
GB_SUF = [('Street', 'St'), ('Road', 'Rd'), ('Lane', 'Ln'), ('Avenue', 'Ave'), ('Close', 'Cl'),
          ('Gardens', 'Gdns'), ('Terrace', 'Terr'), ('Crescent', 'Cres')]
GB_CITIES = [('London', ['NW1', 'SE15', 'E8', 'N7', 'SW11', 'W12', 'E14']), ('Manchester', ['M14', 'M20', 'M1']),
             ('Birmingham', ['B15', 'B29']), ('Leeds', ['LS6', 'LS2']), ('Bristol', ['BS8', 'BS6']),
             ('Glasgow', ['G12', 'G3']), ('Edinburgh', ['EH3', 'EH9']), ('Cardiff', ['CF24', 'CF10']),
             ('Nottingham', ['NG7', 'NG1']), ('Sheffield', ['S10', 'S11'])]
DE_STREETS = [('Haupt', 'str'), ('Bahnhof', 'str'), ('Schul', 'str'), ('Garten', 'str'), ('Linden', 'str'),
              ('Berg', 'str'), ('Kirch', 'str'), ('Wald', 'str'), ('Goethe', 'str'), ('Schiller', 'str'),
              ('Friedrich', 'str'), ('Mozart', 'str'), ('Rosen', 'weg'), ('Birken', 'weg'), ('Am Markt', None),
              ('Königs', 'allee'), ('Müller', 'str'), ('Blumen', 'str'), ('Dorf', 'str'), ('Sonnen', 'weg'),
              ('Karl-Marx-', 'str'), ('Lessing', 'str')]
DE_CITIES = [('Berlin', [], '1'), ('Hamburg', [], '2'), ('München', ['Muenchen', 'Munchen'], '8'),
             ('Köln', ['Koeln', 'Koln'], '5'), ('Frankfurt am Main', ['Frankfurt', 'Frankfurt a.M.', 'Frankfurt/Main'], '6'),
             ('Stuttgart', [], '7'), ('Leipzig', [], '04'), ('Düsseldorf', ['Duesseldorf', 'Dusseldorf'], '4'),
             ('Dresden', [], '01'), ('Nürnberg', ['Nuernberg', 'Nurnberg'], '9')]
FR_STREETS = [('rue', 'de la Paix'), ('rue', 'Victor Hugo'), ('avenue', 'de la République'), ('boulevard', 'Voltaire'),
              ('rue', 'des Lilas'), ('rue', 'Jean Jaurès'), ('place', 'de la Mairie'), ('rue', 'Pasteur'),
              ('allée', 'des Tilleuls'), ('rue', 'du Général Leclerc'), ('rue', 'Saint-Honoré'), ('avenue', 'Foch'),
              ('rue', 'de la Gare'), ('impasse', 'des Écoles'), ('chemin', 'du Moulin'), ('rue', 'Nationale')]
FR_ABBR = {'rue': ['rue', 'r.', 'Rue'], 'avenue': ['avenue', 'av.', 'Av.', 'ave'],
           'boulevard': ['boulevard', 'bd', 'Bd', 'boul.'], 'place': ['place', 'pl.', 'Place'],
           'allée': ['allée', 'all.', 'allee'], 'impasse': ['impasse', 'imp.'], 'chemin': ['chemin', 'ch.', 'chem.']}
FR_CITIES = [('Paris', ['750%02d' % i for i in range(1, 21)]), ('Lyon', ['6900%d' % i for i in range(1, 10)]),
             ('Marseille', ['130%02d' % i for i in range(1, 17)]), ('Toulouse', ['31000', '31200', '31300', '31400', '31500']),
             ('Lille', ['59000', '59800']), ('Nantes', ['44000', '44100', '44300']), ('Bordeaux', ['33000', '33800']),
             ('Strasbourg', ['67000', '67100']), ('Nice', ['06000', '06100', '06300'])]
NL_STREETS = ['Kerkstraat', 'Dorpsstraat', 'Molenweg', 'Prinsengracht', 'Stationsweg', 'Schoolstraat', 'Julianastraat',
              'Wilhelminalaan', 'Nieuwstraat', 'Beatrixlaan', 'Oranjestraat', 'Keizersgracht', 'Lindelaan',
              'Van Goghstraat', 'Sportlaan']
NL_CITIES = [('Amsterdam', [], '10'), ('Rotterdam', [], '30'), ('Utrecht', [], '35'), ('Den Haag', ["'s-Gravenhage"], '25'),
             ('Eindhoven', [], '56'), ('Groningen', [], '97'), ('Leiden', [], '23'), ('Haarlem', [], '20')]
ES_STREETS = [('Calle', 'Mayor'), ('Calle', 'de Alcalá'), ('Avenida', 'de la Constitución'), ('Calle', 'Real'),
              ('Plaza', 'de España'), ('Paseo', 'de Gracia'), ('Calle', 'San Vicente'), ('Avenida', 'Diagonal'),
              ('Calle', 'Gran Vía'), ('Calle', 'del Carmen'), ('Calle', 'Serrano'), ('Ronda', 'de Atocha')]
ES_ABBR = {'Calle': ['Calle', 'C/', 'c/', 'Cl.', 'calle'], 'Avenida': ['Avenida', 'Avda.', 'Av.', 'Avda'],
           'Plaza': ['Plaza', 'Pza.', 'Pl.'], 'Paseo': ['Paseo', 'Pº', 'Po.'], 'Ronda': ['Ronda', 'Rda.']}
ES_CITIES = [('Madrid', '28'), ('Barcelona', '08'), ('Valencia', '46'), ('Sevilla', '41'), ('Zaragoza', '50'),
             ('Málaga', '29'), ('Bilbao', '48'), ('Granada', '18')]
IT_STREETS = [('Via', 'Roma', []), ('Via', 'Garibaldi', ['G. Garibaldi']), ('Corso', 'Vittorio Emanuele II', ['V. Emanuele II', 'Vittorio Emanuele']),
              ('Via', 'Giuseppe Mazzini', ['G. Mazzini', 'Mazzini']), ('Piazza', 'del Duomo', ['Duomo']),
              ('Viale', 'dei Mille', []), ('Via', 'Dante Alighieri', ['Dante']), ('Via', 'Cavour', ['Camillo Benso Cavour']),
              ('Via', 'Nazionale', []), ('Corso', 'Italia', []), ('Via', 'XX Settembre', ['20 Settembre']), ('Via', 'Po', [])]
IT_ABBR = {'Via': ['Via', 'V.', 'via'], 'Corso': ['Corso', 'C.so', 'corso'], 'Piazza': ['Piazza', 'P.zza', 'P.za'],
           'Viale': ['Viale', 'V.le', 'viale']}
IT_CITIES = [('Roma', 'RM', '001'), ('Milano', 'MI', '201'), ('Napoli', 'NA', '801'), ('Torino', 'TO', '101'),
             ('Bologna', 'BO', '401'), ('Firenze', 'FI', '501'), ('Genova', 'GE', '161'), ('Palermo', 'PA', '901')]
PL_STREETS = [('ul.', 'Marszałkowska'), ('ul.', 'Piękna'), ('ul.', 'Długa'), ('ul.', 'Mickiewicza'),
              ('ul.', 'Słowackiego'), ('ul.', 'Kościuszki'), ('ul.', 'Polna'), ('ul.', 'Lipowa'), ('ul.', 'Ogrodowa'),
              ('al.', 'Jerozolimskie'), ('ul.', 'Grunwaldzka'), ('os.', 'Tysiąclecia'), ('ul.', 'Żeromskiego')]
PL_CITIES = [('Warszawa', ['00', '01', '02', '03', '04']), ('Kraków', ['30', '31']), ('Wrocław', ['50', '51', '53']),
             ('Poznań', ['60', '61']), ('Gdańsk', ['80']), ('Łódź', ['90', '91', '93'])]
CA_STREETS = [('Queen', 'Street West', 'St W'), ('King', 'Street East', 'St E'), ('Yonge', 'Street', 'St'),
              ('Main', 'Street', 'St'), ('Bloor', 'Street West', 'St W'), ('Granville', 'Street', 'St'),
              ('Jasper', 'Avenue', 'Ave'), ('Portage', 'Avenue', 'Ave'), ('Dundas', 'Street West', 'St W'),
              ('Elgin', 'Street', 'St'), ('Sherbrooke', 'Street West', 'St W'), ('Robson', 'Street', 'St')]
CA_CITIES = [('Toronto', 'ON', 'M'), ('Vancouver', 'BC', 'V'), ('Montréal', 'QC', 'H'), ('Calgary', 'AB', 'T'),
             ('Ottawa', 'ON', 'K'), ('Edmonton', 'AB', 'T'), ('Winnipeg', 'MB', 'R'), ('Halifax', 'NS', 'B')]
AU_STREETS = [('George', 'Street', 'St'), ('Pitt', 'Street', 'St'), ('Collins', 'Street', 'St'), ('Smith', 'Street', 'St'),
              ('Victoria', 'Road', 'Rd'), ('Beach', 'Road', 'Rd'), ('Station', 'Street', 'St'), ('Church', 'Street', 'St'),
              ('Bourke', 'Street', 'St'), ('Anzac', 'Parade', 'Pde'), ('Oxford', 'Street', 'St'), ('Brunswick', 'Street', 'St')]
AU_CITIES = [('Sydney', 'NSW', '2000'), ('Newtown', 'NSW', '2042'), ('Parramatta', 'NSW', '2150'),
             ('Melbourne', 'VIC', '3000'), ('Fitzroy', 'VIC', '3065'), ('Brisbane', 'QLD', '4000'),
             ('Perth', 'WA', '6000'), ('Adelaide', 'SA', '5000'), ('Hobart', 'TAS', '7000')]
N_CITIES = {'US': len(US_CITIES), 'GB': len(GB_CITIES), 'DE': len(DE_CITIES), 'FR': len(FR_CITIES),
            'NL': len(NL_CITIES), 'ES': len(ES_CITIES), 'IT': len(IT_CITIES), 'PL': len(PL_CITIES),
            'CA': len(CA_CITIES), 'AU': len(AU_CITIES)}
ORG_NAMES = ['Northwind', 'Brightline', 'Bluefield', 'Summit', 'Keystone', 'Harbor', 'Meridian', 'Pioneer',
             'Vertex', 'Oakridge', 'Silverline', 'Evergreen', 'Crescent', 'Atlas', 'Horizon', 'Redwood']
ORG_SUFFIX = {'US': ['Inc.', 'LLC', 'Corp.'], 'GB': ['Ltd', 'Limited', 'LLP'], 'DE': ['GmbH', 'AG', 'GmbH & Co. KG'],
              'FR': ['SARL', 'SAS'], 'NL': ['B.V.'], 'ES': ['S.L.', 'S.A.'], 'IT': ['S.r.l.', 'S.p.A.'],
              'PL': ['Sp. z o.o.', 'S.A.'], 'CA': ['Inc.', 'Ltd.'], 'AU': ['Pty Ltd']}
LETTERS = 'ABCDEFGHJKLMNPRSTUWXYZ'
ROMAN = ['I', 'II', 'III', 'IV', 'V']


def fold(s):
    s = s.replace('ß', 'ss').replace('ł', 'l').replace('Ł', 'L')
    return ''.join(ch for ch in unicodedata.normalize('NFKD', s) if not unicodedata.combining(ch))


def fold_de(s):
    for a, b in (('ä', 'ae'), ('ö', 'oe'), ('ü', 'ue'), ('Ä', 'Ae'), ('Ö', 'Oe'), ('Ü', 'Ue'), ('ß', 'ss')):
        s = s.replace(a, b)
    return s


def luhn_digit(partial):
    tot = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        tot += d
    return str((10 - tot % 10) % 10)


def luhn_ok(num):
    return luhn_digit(num[:-1]) == num[-1]


class Acc:
    __slots__ = ('id', 'role', 'created', 'country', 'status', 'zone', 'devs', 'devw', 'addrs', 'addr_keys',
                 'pays', 'payw', 'ship', 'shipw', 'hist', 'loyal', 'city', 'home', 'cat', 'pw', 'glob',
                 'refcode', 'ref_by', 'cbmult', 'fraud', 'n_cb', 'is_new', 'pay_keys', 'dev_keys', 'pn',
                 'devobjs', 'cardobjs', 'moved')

    def __init__(self, aid, role, created, country, zone):
        self.id = aid
        self.role = role
        self.created = created
        self.country = country
        self.zone = zone
        self.status = 'active'
        self.devs, self.devw = [], []
        self.addrs, self.addr_keys = [], {}
        self.pays, self.payw, self.pay_keys = [], [], {}
        self.dev_keys = {}
        self.ship, self.shipw = [], []
        self.hist = []
        self.loyal = 0.3
        self.city = 0
        self.home = None
        self.cat = None
        self.pw = 0.0
        self.glob = False
        self.refcode = None
        self.ref_by = None
        self.cbmult = 1.0
        self.fraud = None
        self.n_cb = 0
        self.is_new = False
        self.pn = None
        self.devobjs = []
        self.cardobjs = []
        self.moved = False


class Gen:
    def __init__(self, n_buyers, seed):
        self.N = n_buyers
        self.seed = seed
        self.r = random.Random(seed * 1000003 + 11)
        self.nr = np.random.default_rng(seed)
        self.accounts = []
        self.used = set()
        self.orders = []
        self.labels = []
        self.look = []
        self.look_seen = set()
        self.plans = []
        self.sellers = []
        self.rings = []
        r = self.r
        # IP infrastructure
        self.octets = {'US': [24, 50, 67, 73, 98, 107, 174], 'GB': [2, 31, 81, 86, 90], 'DE': [77, 84, 87, 91, 93],
                       'FR': [2, 78, 82, 86, 90], 'NL': [77, 82, 84, 145], 'ES': [79, 83, 88, 95],
                       'IT': [79, 87, 93, 151], 'PL': [31, 46, 79, 83, 89], 'CA': [24, 70, 99, 142, 174],
                       'AU': [1, 49, 58, 101, 120]}
        self.vpn = ['%d.%d.%d.%d' % (r.choice([45, 89, 104, 146, 185, 193, 194, 212]), r.randrange(256),
                                     r.randrange(256), r.randrange(1, 255)) for _ in range(max(60, n_buyers // 80))]
        self.cgnat = {}
        for i, c in enumerate(COUNTRIES):
            k = max(15, int(n_buyers * CWEIGHTS[i] / 14))
            self.cgnat[c] = [self.res_ip(c) for _ in range(k)]
        # BIN pools (honest); one or two neobank BINs per country with a fat share
        self.bins, self.bin_cum, self.neobin = {}, {}, {}
        for c in COUNTRIES:
            nb = 40
            bl = [self.new_bin() for _ in range(nb)]
            w = [1.0 / (k + 1) ** 0.9 for k in range(nb)]
            neo = [self.new_bin('5'), self.new_bin('4')]
            bl += neo
            w += [0.6, 0.35]
            self.bins[c] = bl
            self.bin_cum[c] = list(np.cumsum(w))
            self.neobin[c] = neo
        self.cards_by_bin = {}
        self.homes = {}

    # ------------------------------------------------------------ primitives
    def rstr(self, n, alpha=string.ascii_letters + string.digits):
        return ''.join(self.r.choices(alpha, k=n))

    def new_id(self):
        while True:
            x = 'U%09d' % self.r.randrange(10 ** 8, 10 ** 9)
            if x not in self.used:
                self.used.add(x)
                return x

    def res_ip(self, c):
        r = self.r
        return '%d.%d.%d.%d' % (r.choice(self.octets[c]), r.randrange(256), r.randrange(256), r.randrange(1, 255))

    def new_bin(self, first=None):
        r = self.r
        if first is None:
            first = r.choice(['4', '4', '4', '5', '5', '2'])
        if first == '5':
            b = '5' + str(r.randint(1, 5)) + ''.join(r.choices(string.digits, k=4))
        elif first == '2':
            b = str(r.randint(2221, 2720)) + ''.join(r.choices(string.digits, k=2))
        else:
            b = '4' + ''.join(r.choices(string.digits, k=5))
        return b

    def zone_for(self, c):
        zs = ZONES[c]
        return self.r.choices([z for z, _ in zs], [w for _, w in zs])[0]

    def aged_time(self, lo_year=2015):
        # heavier towards recent years
        r = self.r
        lo = datetime(lo_year, 1, 1, tzinfo=UTC)
        span = (T0 - lo).total_seconds()
        u = r.random() ** 0.6
        return lo + timedelta(seconds=span * u) - timedelta(days=r.uniform(1, 5))

    def new_device(self, kind=None):
        r = self.r
        if kind is None:
            kind = r.choices(['android', 'ios', 'web', 'desktop', 'tablet'], [.34, .3, .22, .09, .05])[0]
        while True:
            u = uuid.UUID(int=r.getrandbits(128), version=4)
            f = r.random()
            if kind == 'android':
                s = ('ANDROID-' + u.hex[:16].upper()) if f < .5 else (('android-' + u.hex[:16]) if f < .8 else str(u))
            elif kind == 'ios':
                s = str(u).upper() if f < .8 else 'iOS-' + str(u).upper()
            elif kind == 'web':
                s = str(u) if f < .6 else ('web_' + self.rstr(22) if f < .85 else 'WEB-' + u.hex.upper()[:20])
            elif kind == 'desktop':
                s = r.choice(['WIN-', 'DESKTOP-', 'MAC-', 'LAPTOP-']) + self.rstr(10, string.ascii_uppercase + string.digits)
            else:
                s = ('IPAD-' + str(u).upper()) if f < .5 else ('ANDROID-TAB-' + u.hex[:14].upper())
            if s not in self.used:
                self.used.add(s)
                return {'id': s, 'kind': kind}

    def new_token(self, pref=None):
        while True:
            p = pref or self.r.choice(['tok_', 'pm_', 'card_'])
            s = p + self.rstr(self.r.choice([16, 20, 24]))
            if s not in self.used:
                self.used.add(s)
                return s

    def new_card(self, c=None, bin_=None):
        r = self.r
        if bin_ is None:
            bin_ = r.choices(self.bins[c], cum_weights=self.bin_cum[c])[0]
        body = bin_ + ''.join(r.choices(string.digits, k=9))
        pan = body + luhn_digit(body)
        return {'pan': pan, 'bin': bin_, 'last4': pan[-4:], 'tokens': []}

    # ------------------------------------------------------------ places
    def new_place(self, c, city=None, kind='home', unit_p=None):
        r = self.r
        if city is None:
            city = r.choices(range(N_CITIES[c]), [1.0 / (k + 1) ** 0.5 for k in range(N_CITIES[c])])[0]
        p = {'c': c, 'city': city, 'kind': kind, 'unit': None, 'org': None, 'room': None}
        up = unit_p if unit_p is not None else {'US': .35, 'GB': .35, 'DE': .25, 'FR': .45, 'NL': .3, 'ES': .75,
                                                'IT': .4, 'PL': .6, 'CA': .4, 'AU': .35}[c]
        has_unit = r.random() < up
        if c == 'US':
            p['st'] = (r.choice(US_NAMES),) + r.choice(US_SUF)
            p['num'] = str(r.choice([r.randint(1, 999), r.randint(100, 9999), r.randint(1000, 19999)]))
            cn, stt, z = US_CITIES[city]
            p['pc'] = z + '%02d' % r.randint(1, 60)
            if has_unit:
                p['unit'] = r.choice([str(r.randint(1, 30)) + r.choice('ABCD'), str(r.randint(100, 999)), str(r.randint(1, 12))])
        elif c == 'GB':
            p['st'] = (r.choice(GB_NAMES),) + r.choice(GB_SUF)
            p['num'] = str(r.randint(1, 240)) + (r.choice('AB') if r.random() < .05 else '')
            area = r.choice(GB_CITIES[city][1])
            p['pc'] = '%s %d%s%s' % (area, r.randint(1, 9), r.choice(LETTERS), r.choice(LETTERS))
            if has_unit:
                p['unit'] = str(r.randint(1, 24)) if r.random() < .8 else r.choice('ABCD')
        elif c == 'DE':
            p['st'] = r.choice(DE_STREETS)
            p['num'] = str(r.randint(1, 150)) + (r.choice('abc') if r.random() < .08 else '')
            pre = DE_CITIES[city][2]
            p['pc'] = pre + ''.join(r.choices(string.digits, k=5 - len(pre)))
            if has_unit:
                p['unit'] = str(r.randint(1, 5))
        elif c == 'FR':
            p['st'] = r.choice(FR_STREETS)
            p['num'] = str(r.randint(1, 180)) + (r.choice([' bis', ' ter']) if r.random() < .05 else '')
            p['pc'] = r.choice(FR_CITIES[city][1])
            if has_unit:
                p['unit'] = str(r.randint(1, 60))
        elif c == 'NL':
            p['st'] = r.choice(NL_STREETS)
            p['num'] = str(r.randint(1, 300))
            p['pc'] = NL_CITIES[city][2] + '%02d %s%s' % (r.randint(10, 99), r.choice(LETTERS), r.choice(LETTERS))
            if has_unit:
                p['unit'] = r.randint(1, 4)
        elif c == 'ES':
            p['st'] = r.choice(ES_STREETS)
            p['num'] = str(r.randint(1, 200))
            p['pc'] = ES_CITIES[city][1] + '%03d' % r.randint(1, 50)
            if has_unit:
                p['unit'] = (r.randint(1, 9), r.choice(['A', 'B', 'C', 'D', 'izq', 'dcha']))
        elif c == 'IT':
            p['st'] = r.choice(IT_STREETS)
            p['num'] = str(r.randint(1, 220))
            p['pc'] = IT_CITIES[city][2] + '%02d' % r.randint(0, 99)
            if has_unit:
                p['unit'] = ((r.choice('ABC') if r.random() < .3 else None), r.randint(1, 30))
        elif c == 'PL':
            p['st'] = r.choice(PL_STREETS)
            p['num'] = str(r.randint(1, 120)) + (r.choice('ab') if r.random() < .07 else '')
            p['pc'] = '%s-%03d' % (r.choice(PL_CITIES[city][1]), r.randint(0, 999))
            if has_unit:
                p['unit'] = str(r.randint(1, 90))
        elif c == 'CA':
            p['st'] = r.choice(CA_STREETS)
            p['num'] = str(r.randint(1, 2999))
            L = CA_CITIES[city][2]
            p['pc'] = '%s%d%s %d%s%d' % (L, r.randint(1, 9), r.choice(LETTERS), r.randint(0, 9), r.choice(LETTERS), r.randint(0, 9))
            if has_unit:
                p['unit'] = str(r.randint(1, 2500))
        else:  # AU
            p['st'] = r.choice(AU_STREETS)
            p['num'] = str(r.randint(1, 400))
            p['pc'] = AU_CITIES[city][2]
            if has_unit:
                p['unit'] = str(r.randint(1, 40))
        if kind == 'office':
            p['org'] = '%s %s' % (r.choice(ORG_NAMES), r.choice(ORG_SUFFIX[c]))
        return p

    def new_locker(self, c, city):
        r = self.r
        host = self.new_place(c, city, kind='host', unit_p=0)
        code = self.rstr(3, string.ascii_uppercase) + str(r.randint(1, 99)) + r.choice(['M', 'A', 'N', 'P'])
        return {'c': c, 'city': city, 'kind': 'locker', 'host': host, 'code': code, 'no': str(r.randint(100, 260)),
                'nm': r.choice(['Aurora', 'Bolt', 'Comet', 'Delta', 'Echo', 'Falcon', 'Gale', 'Hazel', 'Iris'])}

    def render(self, p, acc=None, canon=None):
        """Render a place the way one person would type it."""
        r = self.r
        if canon is None:
            canon = r.random() < 0.5
        if p['kind'] == 'locker':
            s = self._render_locker(p, acc, canon)
        else:
            s = getattr(self, '_r_' + p['c'])(p, canon)
            if p.get('org') and (canon or r.random() < .7):
                org = p['org'] if canon else r.choice([p['org'], p['org'].upper(), p['org'].split(' ')[0]])
                s = org + ', ' + s
            if p.get('room') is not None:
                s = r.choice(['Room %s, ', 'Rm %s ', 'Zimmer %s, ' if p['c'] == 'DE' else 'Room %s - ']) % p['room'] + s
        if not canon:
            x = r.random()
            if x < .12:
                s = s.lower()
            elif x < .18:
                s = s.upper()
            elif x < .30 and p['c'] in ('DE', 'FR', 'ES', 'IT', 'PL', 'CA'):
                s = fold_de(s) if p['c'] == 'DE' else fold(s)
        return s

    def _ch(self, canon):
        r = self.r
        return (lambda opts: opts[0]) if canon else (lambda opts: r.choice(opts))

    def _r_US(self, p, canon):
        c = self._ch(canon)
        name, full, ab = p['st']
        line = '%s %s %s' % (p['num'], name, c([ab, full, ab + '.']))
        if p['unit']:
            line += c([' ', ', ', ' ']) + c(['Apt {}', 'Apt. {}', '#{}', 'Unit {}']).format(p['unit'])
        cn, stt, _ = US_CITIES[p['city']]
        tail = c(['{0}, {1} {2}', '{0} {1} {2}', '{0}, {1}, {2}']).format(cn, stt, p['pc'])
        return line + c([', ', ' ']) + tail

    def _r_GB(self, p, canon):
        c = self._ch(canon)
        name, full, ab = p['st']
        line = '%s %s %s' % (p['num'], name, c([full, ab, ab]))
        if p['unit']:
            f = c(['pre', 'post', 'pre2'])
            if f == 'pre':
                line = c(['Flat {}, ', 'Flat {} ', 'Apartment {}, ']).format(p['unit']) + line
            elif f == 'post':
                line = line + ', Flat ' + p['unit']
            else:
                line = 'Flat %s/%s' % (p['unit'], line)
        pc = p['pc'] if canon or r_bool(self.r, .8) else p['pc'].replace(' ', '')
        return line + ', ' + GB_CITIES[p['city']][0] + c([' ', ', ']) + pc

    def _r_DE(self, p, canon):
        c = self._ch(canon)
        base, suf = p['st']
        if suf == 'str':
            if base.endswith('-'):
                st = base + c(['Straße', 'Str.', 'Strasse'])
            else:
                st = base + c(['straße', 'str.', 'strasse', 'str.', 'str'])
        elif suf is None:
            st = base
        else:
            st = base + suf
        line = '%s %s' % (st, p['num'])
        if p['unit']:
            line += c([', {}. OG', ', Whg. {}', ' / {}.OG', ', App. {}']).format(p['unit'])
        cn, alts, _ = DE_CITIES[p['city']]
        city = cn if canon or not alts else c([cn] + alts)
        pc = p['pc'] if canon else c([p['pc'], p['pc'], 'D-' + p['pc']])
        return line + c([', ', ' ', ', ']) + pc + ' ' + city

    def _r_FR(self, p, canon):
        c = self._ch(canon)
        typ, name = p['st']
        t = c(FR_ABBR[typ])
        line = '%s%s %s %s' % (p['num'], c(['', ',', '']), t, name)
        pre = ''
        if p['unit']:
            u = c(['Apt {}', 'Appt {}', 'Appartement {}', 'Apt. {}']).format(p['unit'])
            if canon or self.r.random() < .6:
                pre = u + ', '
            else:
                line = line + ', ' + u
        cn = FR_CITIES[p['city']][0]
        city = cn if canon else c([cn, cn.upper(), cn])
        return pre + line + c([', ', ' ', ' - ']) + p['pc'] + ' ' + city

    def _r_NL(self, p, canon):
        c = self._ch(canon)
        st = p['st']
        if not canon and st.endswith('straat') and self.r.random() < .3:
            st = st[:-6] + 'str.'
        num = p['num']
        if p['unit']:
            u = p['unit']
            num = c(['{0}-{1}', '{0} {2}', '{0}-{1}hg', '{0}/{1}', '{0} {1}']).format(num, u, ROMAN[u - 1])
        cn, alts, _ = NL_CITIES[p['city']]
        city = cn if canon or not alts else c([cn] + alts)
        pc = p['pc'] if canon else c([p['pc'], p['pc'].replace(' ', '')])
        return '%s %s%s%s %s' % (st, num, c([', ', ' ', ', ']), pc, city)

    def _r_ES(self, p, canon):
        c = self._ch(canon)
        typ, name = p['st']
        t = c(ES_ABBR[typ])
        if t.endswith('/'):
            st = t + c(['', ' ']) + name.replace('de ', '', 1 if not canon and self.r.random() < .4 else 0)
        else:
            st = t + ' ' + name
        num = c(['{}', ', {}', ' nº {}', ' n.{}']).format(p['num'])
        if not num.startswith(','):
            num = ' ' + num.strip()
        line = st + num
        if p['unit']:
            piso, let = p['unit']
            line += c([', {0}º {1}', ', {0}º{1}', ' {0} {1}', ', {0}-{1}', ' {0}º {1}']).format(piso, let)
        return line + c([', ', ' ', ', ']) + p['pc'] + ' ' + (ES_CITIES[p['city']][0] if canon else c([ES_CITIES[p['city']][0], ES_CITIES[p['city']][0].upper()]))

    def _r_IT(self, p, canon):
        c = self._ch(canon)
        typ, name, alts = p['st']
        nm = name if canon or not alts else c([name] + alts)
        line = '%s %s%s%s' % (c(IT_ABBR[typ]), nm, c([' ', ', ', ' n. ']), p['num'])
        if p['unit']:
            sc, it = p['unit']
            line += (c([' scala {} '.format(sc), ' sc. {} '.format(sc)]) if sc else ' ') + c(['int. {}', 'int {}', 'interno {}']).format(it)
            line = line.replace('  ', ' ')
        cn, prov, _ = IT_CITIES[p['city']]
        tail = c(['{0} {1}', '{0} {1} ({2})', '{0} {1} {2}']).format(p['pc'], cn, prov)
        return line + c([', ', ' - ', ' ']) + tail

    def _r_PL(self, p, canon):
        c = self._ch(canon)
        pref, name = p['st']
        st = c([pref + ' ' + name, name, pref + name, pref.capitalize() + ' ' + name])
        line = '%s %s' % (st, p['num'])
        if p['unit']:
            line += c([' m. {}', '/{}', ' m {}', ' lok. {}', '/{}']).format(p['unit'])
        pc = p['pc'] if canon else c([p['pc'], p['pc'], p['pc'].replace('-', '')])
        return line + c([', ', ' ', ', ']) + pc + ' ' + PL_CITIES[p['city']][0]

    def _r_CA(self, p, canon):
        c = self._ch(canon)
        name, full, ab = p['st']
        cn, prov, _ = CA_CITIES[p['city']]
        if p['unit'] and not canon and self.r.random() < .45:
            line = '%s-%s %s %s' % (p['unit'], p['num'], name, c([ab, full]))
        else:
            line = '%s %s %s' % (p['num'], name, c([ab, full, ab.replace(' ', '. ') + '.']))
            if p['unit']:
                line += c([' Unit {}', ' Apt {}', ', Suite {}', ' #{}']).format(p['unit'])
        pc = p['pc'] if canon else c([p['pc'], p['pc'].replace(' ', '')])
        return line + c([', {0}, {1} {2}', ', {0} {1} {2}', ' {0} {1} {2}']).format(cn, prov, pc)

    def _r_AU(self, p, canon):
        c = self._ch(canon)
        name, full, ab = p['st']
        line = '%s %s %s' % (p['num'], name, c([ab, full]))
        if p['unit']:
            f = c(['Unit {0}, {1}', '{0}/{1}', 'U{0} {1}', 'Apt {0}, {1}'])
            line = f.format(p['unit'], line)
        cn, stt, pc = AU_CITIES[p['city']]
        return line + c([', {0} {1} {2}', ' {0} {1} {2}', ', {0}, {1} {2}']).format(cn, stt, pc)

    def _render_locker(self, p, acc, canon):
        r = self.r
        c = self._ch(canon)
        cc = p['c']
        if cc == 'DE':
            pn = acc.pn if acc is not None and acc.pn else str(r.randint(10 ** 8, 10 ** 9))
            cn = DE_CITIES[p['city']][0]
            pc = p['host']['pc']
            return c(['Packstation {no}, Postnummer {pn}, {pc} {cn}', '{pn} Packstation {no}, {pc} {cn}',
                      'Packstation {no} (PostNr. {pn}) {pc} {cn}', 'Postnummer {pn}, Packstation {no}, {pc} {cn}']
                     ).format(no=p['no'], pn=pn, pc=pc, cn=cn)
        host = self.render(p['host'], None, canon)
        if cc == 'AU':
            pn = acc.pn if acc is not None and acc.pn else str(r.randint(10 ** 9, 10 ** 10))
            return c(['Parcel Locker {pn} {no}, {h}', 'Parcel Locker {no} {pn} {h}', '{pn} Parcel Locker {no}, {h}']
                     ).format(pn=pn, no=p['no'], h=host)
        pref = {'US': ['Amazon Hub Locker - {nm}', 'Amazon Locker {nm}', 'Amazon Hub Locker {nm}'],
                'GB': ['Amazon Locker - {nm}', 'InPost Locker {code}', 'Amazon Locker {nm}'],
                'FR': ['Pickup Station {nm}', 'Consigne Pickup {nm}', 'Locker Mondial Relay {code}'],
                'NL': ['PostNL pakketautomaat {nm}', 'Pakketautomaat {nm}', 'PostNL Pakketautomaat {code}'],
                'ES': ['Citypaq {code}', 'Citypaq Correos {code}', 'Amazon Locker - {nm}'],
                'IT': ['Amazon Locker - {nm}', 'Locker {nm}', 'Punto Poste Locker {code}'],
                'PL': ['Paczkomat {code}', 'InPost Paczkomat {code}', 'Paczkomat InPost {code}'],
                'CA': ['Canada Post Parcel Locker {code}', 'Parcel Locker {code}', 'Amazon Hub Locker - {nm}']}[cc]
        return c(pref).format(nm=p['nm'], code=p['code']) + c([', ', ' ', ' - ']) + host

    def jig(self, s):
        """Address 'jigging' used by abusers to defeat exact matching."""
        r = self.r
        x = r.random()
        if x < .3:
            return self.rstr(3, string.ascii_uppercase) + ' ' + s
        if x < .5:
            return s.replace(',', ' ' + r.choice(['#', 'Unit ', 'Apt ', 'No. ']) + str(r.randint(1, 99)) + ',', 1)
        if x < .7:
            i = r.randrange(1, max(2, min(len(s), 12)))
            return s[:i] + s[i] + s[i:]
        if x < .85:
            return s + ' ' + self.rstr(2, string.ascii_uppercase)
        return s.replace(' ', '  ', 1)

    # ------------------------------------------------------------ account linking helpers
    def make_account(self, role, c, created, zone=None):
        a = Acc(self.new_id(), role, created, c, zone or self.zone_for(c))
        self.accounts.append(a)
        return a

    def add_dev(self, a, dev, ip, w=1.0, case_var=False):
        s = dev['id']
        if case_var:
            s = s.lower() if s != s.lower() else s.upper()
        if s in a.dev_keys:
            link = a.dev_keys[s]
            return link
        link = [s, ip, None, None]
        a.dev_keys[s] = link
        a.devobjs.append(dev)
        a.devs.append(link)
        a.devw.append(w)
        return link

    def add_addr(self, a, s, kind, c=None):
        k = (s, kind)
        if k not in a.addr_keys:
            a.addr_keys[k] = 1
            a.addrs.append((s, kind, c or a.country))

    def add_ship(self, a, s, w=1.0, c=None):
        self.add_addr(a, s, 'shipping', c)
        if s in a.ship:
            a.shipw[a.ship.index(s)] += w
        else:
            a.ship.append(s)
            a.shipw.append(w)
        return s

    def link_card(self, a, card, w=1.0, retok=0.6, raw_p=0.2):
        key = card['pan']
        if key in a.pay_keys:
            return a.pay_keys[key]
        r = self.r
        a.cardobjs.append(card)
        if r.random() < raw_p:
            link = [card['pan'], '', card['pan'], 'card', card['bin'], card['last4']]
        else:
            if card['tokens'] and r.random() > retok:
                tok = r.choice(card['tokens'])
            else:
                tok = self.new_token()
                card['tokens'].append(tok)
            link = [tok, tok, '', 'card', card['bin'], card['last4']]
        a.pay_keys[key] = link
        a.pays.append(link)
        a.payw.append(w)
        return link

    def new_wallet(self):
        return {'id': self.new_token(self.r.choice(['wal_', 'pp_', 'WLT-']))}

    def link_wallet(self, a, wal, w=1.0):
        if wal['id'] in a.pay_keys:
            return a.pay_keys[wal['id']]
        link = [wal['id'], wal['id'], '', 'wallet', '', '']
        a.pay_keys[wal['id']] = link
        a.pays.append(link)
        a.payw.append(w)
        return link

    def new_bank(self):
        return {'id': self.new_token('ba_'), 'last4': '%04d' % self.r.randrange(10000)}

    def link_bank(self, a, bank, w=1.0):
        if bank['id'] in a.pay_keys:
            return a.pay_keys[bank['id']]
        link = [bank['id'], bank['id'], '', 'bank', '', bank['last4']]
        a.pay_keys[bank['id']] = link
        a.pays.append(link)
        a.payw.append(w)
        return link

    def lookalike(self, a, kind):
        k = (a.id, kind)
        if k not in self.look_seen:
            self.look_seen.add(k)
            self.look.append(k)

    def label(self, a, ring):
        a.fraud = ring
        ring['members'].append(a)

    # ------------------------------------------------------------ times, amounts, statuses
    def rand_time(self, a, lo=None, hi=None, cum=HOUR_CUM, weekdays=False):
        r = self.r
        lo = max(lo or T0, a.created + timedelta(minutes=r.uniform(3, 90)), T0)
        hi = min(hi or T1, T1 - timedelta(minutes=1))
        if hi <= lo:
            return None
        span = (hi - lo).total_seconds()
        for _ in range(4):
            d = lo + timedelta(seconds=r.random() * span)
            off = offset_min(a.zone, d)
            loc = d + timedelta(minutes=off)
            if weekdays and loc.weekday() >= 5:
                loc += timedelta(days=7 - loc.weekday())
            h = r.choices(range(24), cum_weights=cum)[0]
            loc = loc.replace(hour=h, minute=r.randrange(60), second=r.randrange(60))
            t = loc - timedelta(minutes=off)
            if lo <= t <= hi:
                return t
        return d

    def amount(self, cat, cur, scale=1.0):
        r = self.r
        if cat == 'giftcards':
            usd = r.choice(GIFT_FACES) * r.choice([1, 1, 1, 2])
            loc = usd * (1 if cur == 'USD' else FX[cur] if cur != 'PLN' else 4)
            return round(loc / 5) * 5 or 10
        med, sg, lo, hi = CATS[cat]
        usd = min(hi, max(lo, math.exp(r.gauss(math.log(med * scale), sg))))
        return self.priceify(usd * FX[cur])

    def priceify(self, x):
        r = self.r
        if x >= 8 and r.random() < .5:
            x = math.floor(x) + r.choice([.99, .99, .95, .0, .49, .9, .5])
        return max(0.5, round(x, 2))

    def honest_status(self, cat, a):
        r = self.r
        x = r.random()
        cb = 0.0025 * (2.5 if cat in ('electronics', 'giftcards') else 1.0) * a.cbmult
        if x < cb:
            return 'chargeback'
        x -= cb
        if x < .025:
            return 'cancelled'
        x -= .025
        ref = {'fashion': .11, 'electronics': .05, 'sports': .06, 'wholesale': .03, 'food': .02}.get(cat, .035)
        if x < ref:
            return 'refunded'
        return 'completed'

    def campaign_code(self, a, t):
        r = self.r
        w = int((t - T0).total_seconds() // (7 * 86400))
        for code, w0, w1, cs, p in CAMPAIGNS:
            if w0 <= w < w1 and (cs is None or a.country in cs) and r.random() < p:
                return code
        return ''

    # ------------------------------------------------------------ orders
    def add_order(self, b, s, t, amount, status, promo='', dev=None, addr=None, pay=None):
        r = self.r
        if t is None:
            return None
        if t < s.created:
            t = s.created + timedelta(hours=r.uniform(1, 48))
        if t < b.created:
            t = b.created + timedelta(minutes=r.uniform(5, 600))
        if t >= T1:
            return None
        if dev is None:
            dev = r.choices(b.devs, weights=b.devw)[0]
        if addr is None:
            addr = r.choices(b.ship, weights=b.shipw)[0]
        if pay is None:
            pay = r.choices(b.pays, weights=b.payw)[0]
        if dev[2] is None or t < dev[2]:
            dev[2] = t
        if dev[3] is None or t > dev[3]:
            dev[3] = t
        if status == 'chargeback':
            b.n_cb += 1
        self.orders.append((t, b.id, s.id, '%.2f' % amount, CURRENCY[b.country], status, dev[0], addr, pay[0],
                            promo or '', b.zone))
        return t

    def pick_seller(self, a, t, top=None, cats=None):
        r = self.r
        if a.hist and r.random() < a.loyal:
            s = r.choice(a.hist)
            if s.created < t and s is not a:
                return s
        pool = self.pools[a.country]
        for _ in range(8):
            if top:
                s = r.choice(pool[2][:top])
            else:
                s = r.choices(pool[0], cum_weights=pool[1])[0]
            if s.created < t and s is not a and (cats is None or s.cat in cats):
                break
        else:
            s = pool[2][0]
        if len(a.hist) < 40:
            a.hist.append(s)
        return s

    def honest_orders(self, a, n, lo=None, hi=None, first_promo=True):
        r = self.r
        if n <= 0:
            return
        ts = [self.rand_time(a, lo, hi) for _ in range(n)]
        ts = sorted(t for t in ts if t is not None)
        for i, t in enumerate(ts):
            s = self.pick_seller(a, t)
            amt = self.amount(s.cat, CURRENCY[a.country])
            st = self.honest_status(s.cat, a)
            promo = ''
            if i == 0 and first_promo and a.is_new and t - a.created < timedelta(days=30):
                if a.ref_by and r.random() < .8:
                    promo = a.ref_by
                elif r.random() < .5:
                    promo = WELCOME[a.country] if r.random() < .85 else 'FIRSTAPP5'
            if not promo:
                promo = self.campaign_code(a, t)
            addr = None
            if r.random() < .015:  # gift sent to someone else: address only on the order
                addr = self.render(self.new_place(a.country), None)
            self.add_order(a, s, t, amt, st, promo, addr=addr)

    # ------------------------------------------------------------ sellers
    def make_seller(self, c, created, cat, pw, role='seller', glob=False, place=None, ip=None):
        r = self.r
        s = self.make_account(role, c, created)
        s.cat, s.pw, s.glob = cat, pw, glob
        pl = place or self.new_place(c, kind='office')
        s.home = pl
        s.city = pl['city']
        ip = ip or self.res_ip(c)
        for i in range(r.choice([1, 1, 2, 3])):
            self.add_dev(s, self.new_device(r.choice(['desktop', 'web', 'web', 'ios', 'android'])), ip)
        self.add_addr(s, self.render(pl, s), 'billing')
        if r.random() < .5:
            self.add_addr(s, self.render(pl, s), 'shipping')
        self.link_bank(s, self.new_bank())
        self.sellers.append(s)
        return s

    def build_honest_sellers(self):
        r = self.r
        n_total = max(60, self.N // 25)
        cats = list(CAT_W)
        cw = [CAT_W[k] for k in cats]
        # global mega sellers
        self.globals = []
        for i in range(max(4, min(10, self.N // 2500))):
            c = r.choice(['US', 'US', 'GB', 'DE', 'NL'])
            cat = r.choice(['electronics', 'fashion', 'home', 'books', 'beauty'])
            s = self.make_seller(c, self.aged_time(2012), cat, 0, glob=True)
            self.globals.append(s)
        for ci, c in enumerate(COUNTRIES):
            k = max(8, int(round(n_total * CWEIGHTS[ci])))
            for rank in range(k):
                cat = r.choices(cats, cw)[0]
                if rank < 3 and cat in ('wholesale', 'crafts'):
                    cat = 'electronics'
                created = self.aged_time(2012) if r.random() < .9 else T0 + timedelta(days=r.uniform(0, 150))
                pw = (1.0 / (rank + 1) ** 1.1) * math.exp(r.gauss(0, .3))
                role = 'both' if r.random() < .15 else 'seller'
                self.make_seller(c, created, cat, pw, role=role)
            # guarantee a wholesaler and a food seller per country
            self.make_seller(c, self.aged_time(2014), 'wholesale', 0.01)
            self.make_seller(c, self.aged_time(2014), 'food', 0.03)

    def build_pools(self):
        self.pools = {}
        for c in COUNTRIES:
            loc = [s for s in self.sellers if s.country == c and s.pw > 0 and not s.glob]
            top = max([s.pw for s in loc] + [0.1])
            g = []
            for s in self.globals:
                s_w = top * (0.25 + 0.75 * ((hash_u(s.id + c)))) * (1.3 if s.country == c else 0.7)
                g.append((s, s_w))
            items = [(s, s.pw) for s in loc] + g
            items.sort(key=lambda x: -x[1])
            ss = [x[0] for x in items]
            cum = list(np.cumsum([x[1] for x in items]))
            self.pools[c] = (ss, cum, ss)

    # ------------------------------------------------------------ honest buyers
    def honest_identity(self, a, home, home_ip, card_bin=None):
        """Devices, addresses and payment instruments of an ordinary buyer."""
        r = self.r
        c = a.country
        nd = r.choices([1, 2, 3, 4], [.42, .36, .16, .06])[0]
        for i in range(nd):
            dev = self.new_device()
            if dev['kind'] in ('android', 'ios') and r.random() < .65:
                ip = r.choice(self.cgnat[c])
            elif r.random() < .035:
                ip = r.choice(self.vpn)
            else:
                ip = home_ip
            self.add_dev(a, dev, ip, w=3.0 if i == 0 else 1.0)
        s = self.render(home, a)
        self.add_ship(a, s, 10)
        x = r.random()
        if x < .7:
            self.add_addr(a, s, 'billing')
        elif x < .9:
            self.add_addr(a, self.render(home, a), 'billing')
        else:
            self.add_addr(a, self.render(self.new_place(c), a), 'billing')
        if r.random() < .08:
            self.add_ship(a, self.render(self.new_place(c, a.city, kind='office'), a), 2)
        if r.random() < .08:
            self.add_ship(a, self.render(self.new_place(c), a), 1)
        nc = r.choices([0, 1, 2, 3], [.08, .67, .21, .04])[0]
        for i in range(nc):
            card = self.new_card(c, card_bin if (card_bin and i == 0) else None)
            self.link_card(a, card, w=4.0 if i == 0 else 1.0)
        if r.random() < .35 or not a.pays:
            self.link_wallet(a, self.new_wallet(), w=1.5)
        if r.random() < (.18 if c in ('DE', 'NL') else .04):
            self.link_bank(a, self.new_bank(), w=1.0)

    def honest_created(self):
        r = self.r
        if r.random() < .78:
            return self.aged_time(), False
        return T0 - timedelta(days=14) + timedelta(seconds=r.random() * (T1 - T0 + timedelta(days=14)).total_seconds()), True

    def activity(self, size):
        act = np.exp(self.nr.normal(0.85, 1.15, size))
        return act

    def build_honest_buyers(self, n_honest):
        r = self.r
        # special groups creating their own (new) accounts
        n_flats = max(3, self.N // 350)
        n_biz = max(4, self.N // 2500)
        made = 0
        self.households = []
        self.honest = []
        flat_sizes = [r.randint(3, 7) for _ in range(n_flats)]
        biz_sizes = [r.randint(2, 6) for _ in range(n_biz)]
        n_general = n_honest - sum(flat_sizes) - sum(biz_sizes)
        countries = self.nr.choice(COUNTRIES, size=n_general, p=CWEIGHTS)
        by_c = {c: 0 for c in COUNTRIES}
        for c in countries:
            by_c[str(c)] += 1
        self.by_country = {c: [] for c in COUNTRIES}
        for c in COUNTRIES:
            left = by_c[c]
            while left > 0:
                if r.random() < .006 and left >= 2:
                    self.make_duplicate(c)
                    left -= 2
                    continue
                if r.random() < .11 and left >= 2:
                    size = min(left, r.choices([2, 3, 4, 5, 6], [.48, .25, .17, .07, .03])[0])
                else:
                    size = 1
                left -= size
                self.make_household(c, size)
        for sz in flat_sizes:
            self.make_student_flat(r.choices(COUNTRIES, CWEIGHTS)[0], sz)
        for sz in biz_sizes:
            self.make_small_business(r.choices(COUNTRIES, CWEIGHTS)[0], sz)
        self.honest_crosslinks()

    def make_duplicate(self, c):
        """One honest person with two accounts (forgotten password, new e-mail)."""
        r = self.r
        a = self.make_household(c, 1)[0]
        created = max(a.created + timedelta(days=r.uniform(30, 900)), T0 - timedelta(days=r.uniform(0, 200)))
        created = min(created, T1 - timedelta(days=r.uniform(10, 60)))
        b = self.make_account('buyer', c, created, a.zone)
        b.is_new = created >= T0 - timedelta(days=14)
        b.city, b.home, b.loyal = a.city, a.home, a.loyal
        self.add_dev(b, a.devobjs[0], a.devs[0][1], w=3.0)
        if r.random() < .5:
            self.add_dev(b, self.new_device(), r.choice(self.cgnat[c]))
        self.add_ship(b, self.render(a.home, b), 10)
        self.add_addr(b, b.ship[0], 'billing')
        if a.cardobjs and r.random() < .8:
            self.link_card(b, a.cardobjs[0], w=3.0, retok=.9)
        else:
            self.link_card(b, self.new_card(c), w=3.0)
        if r.random() < .3:
            self.link_wallet(b, self.new_wallet())
        self.honest.append(b)
        self.by_country[c].append(b)
        if r.random() < .6:
            a.moved = True  # the old account goes dormant / gets closed
        self.lookalike(a, 'duplicate_account')
        self.lookalike(b, 'duplicate_account')
        k = int(min(100, self.nr.poisson(np.exp(self.nr.normal(.6, 1.0)))))
        self.plans.append((self.honest_orders, (b, k)))

    def make_household(self, c, size):
        r = self.r
        homes = self.homes.setdefault(c, [])
        if homes and r.random() < .02:
            # previous tenant also had an account at this address
            prev = r.choice(homes)
            home = prev[0]
            prev[1].moved = True
        else:
            home = self.new_place(c)
        home_ip = self.res_ip(c)
        members = []
        zone = self.zone_for(c)
        for i in range(size):
            created, new = self.honest_created()
            a = self.make_account('buyer', c, created, zone)
            a.is_new = new
            a.city = home['city']
            a.home = home
            a.loyal = r.uniform(.1, .5)
            if r.random() < .005:
                a.cbmult = 45.0  # "friendly fraud" customer
            self.honest_identity(a, home, home_ip)
            members.append(a)
            self.honest.append(a)
            self.by_country[c].append(a)
        homes.append((home, members[0]))
        if size > 1:
            if r.random() < .5:  # family tablet / shared laptop
                dev = self.new_device(r.choice(['tablet', 'desktop', 'web']))
                for a in r.sample(members, r.randint(2, size)):
                    self.add_dev(a, dev, home_ip, w=1.0, case_var=r.random() < .05)
            if r.random() < .35:  # parent's card used by others
                card = self.new_card(c)
                for a in r.sample(members, r.randint(2, size)):
                    self.link_card(a, card, w=2.0)
            if r.random() < .05:
                wal = self.new_wallet()
                for a in r.sample(members, 2):
                    self.link_wallet(a, wal)
            for a in members:
                self.lookalike(a, 'household')
            self.households.append(members)
        n = self.activity(size)
        for a, act in zip(members, n):
            k = int(min(300, self.nr.poisson(act)))
            self.plans.append((self.household_orders, (a, k)))
        return members

    def household_orders(self, a, k):
        hi = None
        if a.moved:
            hi = T0 + timedelta(days=self.r.uniform(0, 90))
            k = k // 2
        self.honest_orders(a, k, hi=hi)

    def honest_crosslinks(self):
        """Benign links between unrelated honest accounts."""
        r = self.r
        placeholders = [{'id': x, 'kind': 'x'} for x in
                        ('00000000-0000-0000-0000-000000000000', 'unknown', 'ANDROID-0000000000000000',
                         '02:00:00:00:00:00', 'null')]
        for c in COUNTRIES:
            pool = self.by_country[c]
            if len(pool) < 10:
                continue
            for a in pool:
                if r.random() < .004:  # broken fingerprinting / privacy settings
                    self.add_dev(a, r.choice(placeholders), a.devs[0][1], w=1.0)
                if r.random() < .05:  # ships gifts to a relative / partner who also has an account
                    b = r.choice(pool)
                    if b is not a and b.home is not None and b.home.get('kind') == 'home':
                        self.add_ship(a, self.render(b.home, a), .5)
                if r.random() < .01:  # parent pays with their card for an adult child elsewhere
                    b = r.choice(pool)
                    if b is not a and b.cardobjs:
                        self.link_card(a, b.cardobjs[0], w=1.0)
                if r.random() < .003:  # second-hand phone
                    b = r.choice(pool)
                    if b is not a and b.devobjs:
                        self.add_dev(a, b.devobjs[-1], r.choice(self.cgnat[c]), w=2.0)

    def make_student_flat(self, c, size):
        r = self.r
        city = r.randrange(N_CITIES[c])
        flat = self.new_place(c, city, unit_p=1.0)
        wifi = self.res_ip(c)
        term = T0 + timedelta(days=r.choice([r.uniform(-10, 40), r.uniform(20, 60), r.uniform(100, 150)]))
        neo = r.choice(self.neobin[c]) if r.random() < .5 else None
        zone = self.zone_for(c)
        members = []
        for i in range(size):
            created = term + timedelta(days=r.uniform(-6, 9))
            a = self.make_account('buyer', c, created, zone)
            a.is_new = True
            a.city = city
            a.home = flat
            a.loyal = .15
            nd = r.choice([1, 2, 2])
            for j in range(nd):
                dev = self.new_device(r.choice(['android', 'ios', 'web', 'desktop']) if j else r.choice(['android', 'ios']))
                ip = wifi if (j > 0 or r.random() < .5) else r.choice(self.cgnat[c])
                self.add_dev(a, dev, ip, w=2.0 if j == 0 else 1.0)
            pl = dict(flat)
            if r.random() < .3:
                pl['room'] = str(i + 1)
            s = self.render(pl, a, canon=r.random() < .35)
            self.add_ship(a, s, 10)
            self.add_addr(a, s if r.random() < .6 else self.render(self.new_place(c), a), 'billing')
            self.link_card(a, self.new_card(c, neo if (neo and r.random() < .8) else None), w=3)
            if r.random() < .3:
                self.link_wallet(a, self.new_wallet())
            members.append(a)
            self.honest.append(a)
            self.by_country[c].append(a)
            self.lookalike(a, 'student_flat')
        if r.random() < .3:
            dev = self.new_device(r.choice(['desktop', 'web', 'tablet']))
            for a in r.sample(members, r.randint(2, size)):
                self.add_dev(a, dev, wifi)
        self.households.append(members)
        for a in members:
            k = int(min(80, self.nr.poisson(np.exp(self.nr.normal(.8, .8)))))
            self.plans.append((self.student_orders, (a, max(1, k))))

    def student_orders(self, a, n):
        r = self.r
        ts = sorted(t for t in (self.rand_time(a, None, a.created + timedelta(days=r.uniform(5, 170)))
                                for _ in range(n)) if t is not None)
        used_student = False
        for i, t in enumerate(ts):
            s = self.pick_seller(a, t)
            promo = ''
            if i == 0 and r.random() < .9:
                promo = WELCOME[a.country]
            elif not used_student and r.random() < .4:
                promo = STUDENT.get(a.country, 'STUDENT10')
                used_student = True
            else:
                promo = self.campaign_code(a, t)
            self.add_order(a, s, t, self.amount(s.cat, CURRENCY[a.country], .7), self.honest_status(s.cat, a), promo)

    def make_small_business(self, c, size):
        r = self.r
        city = r.randrange(N_CITIES[c])
        biz = self.new_place(c, city, kind='office')
        ip = self.res_ip(c)
        start = self.aged_time(2018) if r.random() < .7 else T0 + timedelta(days=r.uniform(0, 60))
        card = self.new_card(c)
        zone = self.zone_for(c)
        members = []
        wholesale = None
        for i in range(size):
            a = self.make_account('buyer', c, start + timedelta(days=r.uniform(0, 20) if i else 0), zone)
            a.city = city
            a.home = biz
            a.is_new = a.created >= T0
            self.add_dev(a, self.new_device(r.choice(['desktop', 'web'])), ip, w=3)
            if r.random() < .6:
                self.add_dev(a, self.new_device(r.choice(['android', 'ios'])), r.choice(self.cgnat[c]), w=1)
            s = self.render(biz, a)
            self.add_ship(a, s, 10)
            self.add_addr(a, s if r.random() < .6 else self.render(biz, a), 'billing')
            self.link_card(a, card, w=5, retok=.8)
            if r.random() < .3:
                self.link_card(a, self.new_card(c), w=1)
            members.append(a)
            self.honest.append(a)
            self.by_country[c].append(a)
            self.lookalike(a, 'small_business')
        self.plans.append((self.business_orders, (members,)))

    def business_orders(self, members):
        r = self.r
        c = members[0].country
        ws = [s for s in self.pools[c][0] if s.cat == 'wholesale' and s.country == c]
        wh = r.choice(ws[:3]) if ws else self.pools[c][2][0]
        rate = r.uniform(.4, 2.0)  # bulk orders per week for the company
        n = self.nr.poisson(rate * WEEKS)
        for _ in range(n):
            a = r.choice(members)
            t = self.rand_time(a, cum=WORK_CUM, weekdays=True)
            if t is None:
                continue
            st = 'refunded' if r.random() < .05 else ('cancelled' if r.random() < .03 else 'completed')
            self.add_order(a, wh, t, self.amount('wholesale', CURRENCY[c]), st)
        for a in members:
            self.honest_orders(a, int(self.nr.poisson(3)))

    # ------------------------------------------------------------ benign overlay groups
    def overlay_groups(self):
        r = self.r
        N = self.N
        # offices
        for _ in range(max(3, N // 1500)):
            c = r.choices(COUNTRIES, CWEIGHTS)[0]
            pool = [a for a in self.by_country[c] if a.created < T0]
            size = min(len(pool) // 4, int(math.exp(r.uniform(math.log(12), math.log(90)))))
            if size < 5:
                continue
            members = r.sample(pool, size)
            city = members[0].city
            office = self.new_place(c, city, kind='office', unit_p=.7)
            ip = self.res_ip(c)
            restaurant = self.make_seller(c, self.aged_time(2016), 'food', r.uniform(.0005, .003),
                                          place=self.new_place(c, city, kind='office', unit_p=0))
            self.lookalike(restaurant, 'office')
            kiosk = self.new_device('tablet') if r.random() < .35 else None
            lunchers = []
            for a in members:
                self.lookalike(a, 'office')
                if r.random() < .75:
                    self.add_dev(a, self.new_device(r.choice(['desktop', 'web'])), ip, w=2)
                if r.random() < .55:
                    self.add_ship(a, self.render(office, a), 3)
                if kiosk and r.random() < .15:
                    self.add_dev(a, kiosk, ip, w=.5)
                if r.random() < .7:
                    lunchers.append(a)
            menu = [self.priceify(x * FX[CURRENCY[c]]) for x in
                    sorted(r.uniform(7, 16) for _ in range(r.randint(5, 10)))]
            self.plans.append((self.lunch_orders, (lunchers, restaurant, office, menu)))
        # internet cafes / libraries
        for _ in range(max(2, N // 3000)):
            c = r.choices(COUNTRIES, CWEIGHTS)[0]
            pool = self.by_country[c]
            size = min(len(pool) // 5, r.randint(20, 150))
            if size < 5:
                continue
            ip = self.res_ip(c)
            devs = [self.new_device('desktop') for _ in range(r.randint(2, 8))]
            for a in r.sample(pool, size):
                self.lookalike(a, 'internet_cafe')
                for d in r.sample(devs, r.choice([1, 1, 2])):
                    self.add_dev(a, d, ip, w=sum(a.devw) * r.uniform(.2, 1.5))
        # parcel lockers
        for _ in range(max(3, N // 4000)):
            c = r.choices(COUNTRIES, CWEIGHTS)[0]
            city = r.randrange(min(3, N_CITIES[c]))
            pool = [a for a in self.by_country[c] if a.city == city]
            if len(pool) < 30:
                pool = self.by_country[c]
            size = min(len(pool) // 2, r.randint(100, 400))
            if size < 10:
                continue
            locker = self.new_locker(c, city)
            for a in r.sample(pool, size):
                self.lookalike(a, 'parcel_locker')
                if a.pn is None:
                    a.pn = str(r.randint(10 ** 8, 10 ** 9)) if c == 'DE' else str(r.randint(10 ** 9, 10 ** 10))
                self.add_ship(a, self.render(locker, a, canon=r.random() < .6), sum(a.shipw) * r.uniform(.5, 3))
        # family with favourite local shop
        hh = [h for h in self.households if len(h) >= 2 and not any(x.is_new for x in h)]
        for h in r.sample(hh, min(len(hh), max(4, N // 2000))):
            c = h[0].country
            near = dict(h[0].home)
            near = self.new_place(c, near['city'], kind='office', unit_p=0)
            shop = self.make_seller(c, self.aged_time(2010), r.choice(['food', 'food', 'crafts', 'home']),
                                    r.uniform(.0003, .002), place=near)
            self.lookalike(shop, 'family_shop')
            for a in h:
                self.lookalike(a, 'family_shop')
            basket = r.uniform(12, 45) * FX[CURRENCY[c]]
            self.plans.append((self.shop_orders, (h, shop, basket)))
        # loyal customers of a niche seller
        for _ in range(max(4, N // 2500)):
            c = r.choices(COUNTRIES, CWEIGHTS)[0]
            pool = self.by_country[c]
            size = min(len(pool) // 5, r.randint(6, 30))
            if size < 3:
                continue
            niche = self.make_seller(c, self.aged_time(2017), r.choice(['crafts', 'beauty', 'books', 'toys']),
                                     r.uniform(.0003, .002))
            self.lookalike(niche, 'loyal_customers')
            mem = r.sample(pool, size)
            for a in mem:
                self.lookalike(a, 'loyal_customers')
            catalog = [self.priceify(r.uniform(9, 45) * FX[CURRENCY[c]]) for _ in range(r.randint(2, 6))]
            self.plans.append((self.loyal_orders, (mem, niche, catalog)))
        # co-op of small sellers in a shared workspace buying from each other
        for _ in range(max(2, N // 5000)):
            c = r.choices(COUNTRIES, CWEIGHTS)[0]
            city = r.randrange(N_CITIES[c])
            space = self.new_place(c, city, kind='office', unit_p=0)
            ip = self.res_ip(c)
            mem = []
            for i in range(r.randint(3, 6)):
                pl = dict(space)
                pl['unit'] = str(r.randint(1, 40))
                if c == 'ES':      # units written as floor and door there; the same draw, no new one
                    pl['unit'] = (int(pl['unit']) % 9 + 1, 'ABCD'[int(pl['unit']) % 4])
                elif c == 'IT':    # staircase and flat
                    pl['unit'] = (None, int(pl['unit']))
                elif c == 'NL':    # a floor, 1-4, as the Dutch renderer writes it
                    pl['unit'] = int(pl['unit']) % 4 + 1
                pl['org'] = None
                s = self.make_seller(c, self.aged_time(2016), r.choice(['crafts', 'home', 'fashion', 'beauty', 'food']),
                                     r.uniform(.001, .01), role='both', place=pl, ip=ip)
                home = self.new_place(c, city)
                self.honest_identity(s, home, self.res_ip(c))
                s.loyal = .2
                mem.append(s)
                self.lookalike(s, 'seller_coop')
            self.plans.append((self.coop_orders, (mem,)))
        # honest referrals
        for c in COUNTRIES:
            newbies = [a for a in self.by_country[c] if a.is_new]
            olds = [a for a in self.by_country[c] if not a.is_new]
            if not olds:
                continue
            for a in newbies:
                if r.random() < .08:
                    ref = r.choice(olds)
                    if ref.refcode is None:
                        ref.refcode = self.refcode()
                    a.ref_by = ref.refcode

    def refcode(self):
        r = self.r
        while True:
            x = r.random()
            if x < .5:
                s = 'REF-' + self.rstr(6, string.ascii_uppercase + string.digits)
            else:
                s = r.choice(FIRSTNAMES) + self.rstr(4, string.ascii_uppercase + string.digits)
            if s not in self.used:
                self.used.add(s)
                return s

    def lunch_orders(self, lunchers, rest, office, menu):
        r = self.r
        c = rest.country
        for a in lunchers:
            rate = r.uniform(.3, 2.5)
            addr = self.render(office, a)
            self.add_ship(a, addr, .5)
            for _ in range(self.nr.poisson(rate * WEEKS)):
                t = self.rand_time(a, cum=LUNCH_CUM, weekdays=True)
                amt = r.choice(menu) + (r.choice(menu) if r.random() < .1 else 0) + (
                    self.priceify(r.uniform(1.5, 3.5) * FX[CURRENCY[c]]) if r.random() < .3 else 0)
                st = 'cancelled' if r.random() < .02 else ('refunded' if r.random() < .015 else 'completed')
                self.add_order(a, rest, t, round(amt, 2), st, addr=addr)

    def shop_orders(self, h, shop, basket):
        r = self.r
        for a in h:
            rate = r.uniform(.2, 1.3)
            for _ in range(self.nr.poisson(rate * WEEKS)):
                t = self.rand_time(a)
                amt = self.priceify(basket * math.exp(r.gauss(0, .15)))
                self.add_order(a, shop, t, amt, 'completed' if r.random() < .98 else 'refunded')

    def loyal_orders(self, mem, niche, catalog):
        r = self.r
        for a in mem:
            for _ in range(r.randint(2, 12)):
                t = self.rand_time(a)
                amt = sum(r.choice(catalog) for _ in range(r.choice([1, 1, 1, 2, 3])))
                self.add_order(a, niche, t, round(amt, 2), self.honest_status('crafts', a))

    def coop_orders(self, mem):
        r = self.r
        for a in mem:
            others = [s for s in mem if s is not a]
            for _ in range(r.randint(2, 12)):
                s = r.choice(others)
                t = self.rand_time(a)
                self.add_order(a, s, t, self.amount(s.cat, CURRENCY[a.country]), 'completed' if r.random() < .97 else 'refunded')
            self.honest_orders(a, int(self.nr.poisson(4)))

    # ------------------------------------------------------------ fraud rings
    def plan_rings(self):
        r = self.r
        frac = r.uniform(.012, .028)
        budget = max(12, int(round(self.N * frac)))
        mix = self.nr.dirichlet([1.6, 1.6, 1.6, 1.6])
        typs = ['brushing', 'promo_abuse', 'chargeback', 'collusion']
        plan = []
        for t in typs:
            plan.append(t)
            plan.append(t)
        sizes = []
        total = 0

        def size_of(t):
            if t == 'brushing':
                return int(math.exp(r.uniform(math.log(5), math.log(41)))), 0
            if t == 'promo_abuse':
                return int(math.exp(r.uniform(math.log(4), math.log(41)))), 0
            if t == 'chargeback':
                return int(math.exp(r.uniform(math.log(3), math.log(21)))), 0
            return r.randint(3, 8), r.choice([0, 0, 1, 2, 3, 5])

        for t in plan:
            sizes.append((t,) + size_of(t))
            total += sizes[-1][1] + sizes[-1][2]
        while total < budget:
            t = r.choices(typs, mix)[0]
            sizes.append((t,) + size_of(t))
            total += sizes[-1][1] + sizes[-1][2]
        r.shuffle(sizes)
        self.ring_plan = sizes
        return total

    def ring_common(self, typ, idx):
        r = self.r
        c = r.choices(COUNTRIES, CWEIGHTS)[0]
        evasive = r.random() < .3
        ring = {
            'id': 'R%03d' % (idx + 1), 'typ': typ, 'country': c, 'members': [], 'sellers': [],
            'evasive': evasive,
            'share_dev': r.uniform(.02, .2) if evasive else r.uniform(.3, .95),
            'share_addr': r.uniform(.0, .3) if evasive else r.uniform(.4, 1.0),
            'share_card': r.uniform(.0, .25) if evasive else r.uniform(.2, .9),
            'ip_mode': r.choice(['proxy', 'mobile', 'vpn']) if evasive else r.choice(['home', 'home', 'vpn', 'mixed', 'mobile']),
            'camo': r.choice([0, 0, .3, .6, .9]),
            'aged': r.random() < (.5 if typ == 'chargeback' else .25 if typ != 'promo_abuse' else .05),
            'spread': r.random() < .4,
            'case_var': r.random() < .2,
            'jig': r.random() < (.5 if evasive else .15),
            'city': None,
        }
        ring['city'] = r.randrange(N_CITIES[c])
        ring['zone'] = self.zone_for(c)
        nd = max(1, int(r.uniform(1, 6)))
        ring['devpool'] = [self.new_device(r.choice(['android', 'android', 'ios', 'web', 'desktop'])) for _ in range(nd)]
        ring['ips'] = [self.res_ip(c) for _ in range(r.randint(1, 3))]
        ring['places'] = [self.new_place(c, ring['city'] if r.random() < .7 else None) for _ in range(r.randint(1, 3))]
        start = T0 + timedelta(days=r.uniform(0, 150))
        if ring['spread']:
            ring['ts'], ring['te'] = T0 + timedelta(days=r.uniform(0, 40)), T1
        else:
            ring['ts'] = start
            ring['te'] = min(T1, start + timedelta(days=r.uniform(7, 35)))
        return ring

    def ring_ip(self, ring):
        r = self.r
        m = ring['ip_mode']
        if m == 'mixed':
            m = r.choice(['home', 'vpn', 'mobile'])
        if m == 'home':
            return r.choice(ring['ips'])
        if m == 'vpn':
            return r.choice(self.vpn)
        if m == 'mobile':
            return r.choice(self.cgnat[ring['country']])
        return self.res_ip(ring['country'])

    def ring_created(self, ring, lead_days=(0, 12)):
        r = self.r
        if ring['aged']:
            return self.aged_time(2016)
        base = ring['ts'] - timedelta(days=r.uniform(*lead_days))
        if ring['spread']:
            base = ring['ts'] + timedelta(days=r.uniform(-10, 80))
        return min(base + timedelta(hours=r.uniform(0, 72)), T1 - timedelta(days=r.uniform(7, 20)))

    def fraud_identity(self, ring, a, card_bins=None, n_cards=1, billing_random=False, ship_mode='ring'):
        r = self.r
        c = ring['country']
        nd = r.choice([1, 1, 2])
        for i in range(nd):
            if r.random() < ring['share_dev']:
                dev = r.choice(ring['devpool'])
                cv = ring['case_var'] and r.random() < .3
            else:
                dev = self.new_device()
                cv = False
            self.add_dev(a, dev, self.ring_ip(ring), w=2.0 if i == 0 else 1.0, case_var=cv)
        # shipping
        if ship_mode == 'ring':
            if r.random() < ring['share_addr']:
                pl = r.choice(ring['places'])
            else:
                pl = self.new_place(c, ring['city'] if r.random() < .5 else None)
            s = self.render(pl, a)
            if ring['jig'] and r.random() < .6:
                s = self.jig(s)
            self.add_ship(a, s, 10)
        else:
            pl = self.new_place(c)
            s = self.add_ship(a, self.render(pl, a), 10)
        a.home = pl
        a.city = pl['city']
        if billing_random:
            self.add_addr(a, self.render(self.new_place(r.choice([c, c, r.choice(COUNTRIES)])), None), 'billing')
        else:
            self.add_addr(a, s if r.random() < .7 else self.render(pl, a), 'billing')
        # payment
        for i in range(n_cards):
            if ring.get('cards') and r.random() < ring['share_card']:
                card = r.choice(ring['cards'])
            else:
                b = r.choice(card_bins) if card_bins else None
                card = self.new_card(c, b)
            self.link_card(a, card, w=3.0 if i == 0 else 1.0, retok=.75)
        if ring.get('wallets') and r.random() < ring['share_card']:
            self.link_wallet(a, r.choice(ring['wallets']), w=2.0)
        if not a.pays or r.random() < .15:
            self.link_wallet(a, self.new_wallet())

    def camouflage(self, ring, a):
        if ring['camo'] and self.r.random() < ring['camo']:
            self.honest_orders(a, 1 + int(self.nr.poisson(3)), first_promo=False)

    def ring_brushing(self, ring, n_fake):
        r = self.r
        c = ring['country']
        cat = r.choice(['electronics', 'beauty', 'home', 'toys', 'fashion', 'sports'])
        ns = 1 if r.random() < .7 else 2
        bank = self.new_bank()
        for i in range(ns):
            created = (self.aged_time(2019) if r.random() < .3 else
                       ring['ts'] - timedelta(days=r.uniform(5, 120)))
            s = self.make_seller(c, created, cat, r.uniform(.0005, .01))
            if r.random() < .5:
                self.link_bank(s, bank)
            if r.random() < .35:
                self.add_dev(s, ring['devpool'][0], r.choice(ring['ips']))
            ring['sellers'].append(s)
            self.label(s, ring)
        ship_mode = r.choice(['drop', 'real', 'mixed'])
        ring['cards'] = [self.new_card(c, r.choice(self.neobin[c]) if r.random() < .5 else None)
                         for _ in range(r.randint(1, 3))]
        ring['wallets'] = [self.new_wallet() for _ in range(r.randint(0, 2))]
        price = r.uniform(2.5, 16) * FX[CURRENCY[c]]
        pattern = r.choice(['exact', 'few', 'jitter'])
        prices = [self.priceify(price)] if pattern == 'exact' else \
            [self.priceify(price * r.uniform(.7, 1.4)) for _ in range(r.randint(2, 4))]
        night = r.random() < .4
        for i in range(n_fake):
            a = self.make_account('buyer', c, self.ring_created(ring, (1, 40)), ring['zone'])
            self.label(a, ring)
            self.fraud_identity(ring, a, ship_mode='ring' if ship_mode != 'real' else 'own')
            self.plans.append((self.brush_orders, (ring, a, ship_mode, prices, pattern, night)))

    def brush_orders(self, ring, a, ship_mode, prices, pattern, night):
        r = self.r
        k = int(math.exp(r.uniform(math.log(2), math.log(30))))
        hon = ring.get('victims')
        if hon is None:
            hon = ring['victims'] = [x for x in self.by_country[ring['country']]
                                     if x.home is not None and x.home.get('kind') == 'home']
        for _ in range(k):
            t = self.rand_time(a, ring['ts'], ring['te'], cum=NIGHT_CUM if night else HOUR_CUM)
            s = ring['sellers'][0] if len(ring['sellers']) == 1 or r.random() < .65 else ring['sellers'][1]
            amt = r.choice(prices)
            if pattern == 'jitter':
                amt = round(amt * r.uniform(.95, 1.05), 2)
            if r.random() < .2:
                amt = round(amt + self.priceify(r.choice([2.99, 3.99, 4.95]) * FX[CURRENCY[a.country]]), 2)
            addr = None
            mode = ship_mode if ship_mode != 'mixed' else r.choice(['drop', 'real'])
            if mode == 'real' and hon:
                victim = r.choice(hon)
                addr = self.render(victim.home, None)
                if r.random() < .8:
                    self.add_ship(a, addr, .1)
            st = 'completed' if r.random() < .96 else r.choice(['cancelled', 'refunded'])
            promo = 'FREESHIP' if r.random() < .03 else ''
            self.add_order(a, s, t, amt, st, promo, addr=addr)
        self.camouflage(ring, a)

    def ring_promo(self, ring, n):
        r = self.r
        c = ring['country']
        ring['aged'] = False
        mode = r.choice(['welcome', 'welcome', 'referral', 'referral', 'chain', 'mixed'])
        if ring['evasive']:
            ring['cards'] = []  # virtual cards from a neobank instead
            bins = [r.choice(self.neobin[c])] if r.random() < .7 else None
        else:
            ring['cards'] = [self.new_card(c) for _ in range(r.randint(1, 3))]
            bins = None
        ring['wallets'] = [self.new_wallet() for _ in range(r.randint(0, 2))]
        leader = None
        if mode in ('referral', 'mixed', 'chain'):
            leader = self.make_account('buyer', c, self.aged_time(2019), ring['zone'])
            leader.refcode = self.refcode()
            self.label(leader, ring)
            self.fraud_identity(ring, leader, card_bins=bins)
            self.plans.append((self.honest_orders, (leader, int(r.uniform(2, 15)))))
        prev = leader
        members = []
        for i in range(n - (1 if leader else 0)):
            a = self.make_account('buyer', c, self.ring_created(ring, (0, 3)), ring['zone'])
            a.is_new = True
            self.label(a, ring)
            self.fraud_identity(ring, a, card_bins=bins)
            if mode == 'welcome':
                code = WELCOME[c]
            elif mode == 'referral':
                code = leader.refcode
            elif mode == 'mixed':
                code = leader.refcode if r.random() < .6 else WELCOME[c]
            else:
                code = prev.refcode
                a.refcode = self.refcode()
                prev = a
            members.append((a, code))
        thr = r.choice([25, 30, 40, 50]) * FX[CURRENCY[c]]
        for a, code in members:
            self.plans.append((self.promo_orders, (ring, a, code, thr)))

    def promo_orders(self, ring, a, code, thr):
        r = self.r
        n = r.choices([1, 2, 3, 4], [.5, .3, .15, .05])[0]
        t = self.rand_time(a, a.created, a.created + timedelta(days=r.uniform(.1, 4)))
        for i in range(n):
            if t is None:
                return
            s = self.pick_seller(a, t, top=20, cats=('electronics', 'giftcards', 'food', 'fashion', 'beauty', 'home') if r.random() < .8 else None)
            if i == 0:
                amt = self.priceify(thr * r.uniform(1.0, 1.35))
                promo = code
            else:
                amt = self.amount(s.cat, CURRENCY[a.country], .8)
                promo = self.campaign_code(a, t) if r.random() < .5 else ''
            x = r.random()
            st = 'completed' if x < .85 else ('cancelled' if x < .93 else 'refunded')
            self.add_order(a, s, t, amt, st, promo)
            t = t + timedelta(days=r.uniform(1, 30))
        self.camouflage(ring, a)

    def ring_chargeback(self, ring, n):
        r = self.r
        c = ring['country']
        nb = r.randint(1, 3)
        bins = []
        for _ in range(nb):
            if r.random() < .5:
                cc = r.choice(COUNTRIES)
                bins.append(r.choices(self.bins[cc], cum_weights=self.bin_cum[cc])[0])
            else:
                bins.append(self.new_bin())
        ring['cards'] = [self.new_card(c, r.choice(bins)) for _ in range(r.randint(2, 6))]
        ring['places'] = ring['places'][:r.randint(1, 3)]
        cb_rate = r.uniform(.35, .85)
        for i in range(n):
            a = self.make_account('buyer', c, self.ring_created(ring, (3, 60)), ring['zone'])
            self.label(a, ring)
            self.fraud_identity(ring, a, card_bins=bins, n_cards=r.choice([1, 2, 3]), billing_random=True)
            self.plans.append((self.cb_orders, (ring, a, cb_rate)))

    def cb_orders(self, ring, a, cb_rate):
        r = self.r
        if ring['aged'] or r.random() < .3:
            self.honest_orders(a, r.randint(1, 5), hi=ring['ts'] if ring['ts'] > T0 + timedelta(days=20) else None,
                               first_promo=False)
        k = r.randint(2, 9)
        for _ in range(k):
            t = self.rand_time(a, ring['ts'], ring['te'])
            if t is None:
                continue
            s = self.pick_seller(a, t, top=30, cats=('electronics', 'giftcards'))
            cur = CURRENCY[a.country]
            if s.cat == 'giftcards':
                amt = r.choice([100, 150, 200, 250, 500]) * (FX[cur] if cur != 'USD' else 1)
                amt = round(amt / 10) * 10
            else:
                amt = self.priceify(math.exp(r.uniform(math.log(150), math.log(1600))) * FX[cur])
            x = r.random()
            st = 'chargeback' if x < cb_rate else ('completed' if x < cb_rate + (1 - cb_rate) * .8 else
                                                  r.choice(['refunded', 'cancelled']))
            self.add_order(a, s, t, amt, st)
        self.camouflage(ring, a)

    def ring_collusion(self, ring, n_sellers, n_help):
        r = self.r
        c = ring['country']
        ring['banks'] = [self.new_bank() for _ in range(r.randint(1, 2))]
        ring['cards'] = [self.new_card(c) for _ in range(r.randint(1, 2))]
        warehouse = self.new_place(c, ring['city'], kind='office')
        ring['places'] = [warehouse] + ring['places'][:1]
        sellers = []
        for i in range(n_sellers):
            created = self.aged_time(2018) if (ring['aged'] or r.random() < .4) else T0 - timedelta(days=r.uniform(10, 200))
            cat = r.choice(['electronics', 'home', 'fashion', 'beauty', 'toys', 'sports', 'crafts'])
            pl = warehouse if r.random() < ring['share_addr'] else None
            s = self.make_seller(c, created, cat, r.uniform(.0008, .02), role='both', place=pl,
                                 ip=r.choice(ring['ips']) if r.random() < ring['share_dev'] else None)
            if r.random() < ring['share_card']:
                self.link_bank(s, r.choice(ring['banks']))
            self.fraud_identity(ring, s)
            self.label(s, ring)
            sellers.append(s)
        ring['sellers'] = sellers
        helpers = []
        for i in range(n_help):
            a = self.make_account('buyer', c, self.ring_created(ring, (5, 60)), ring['zone'])
            self.label(a, ring)
            self.fraud_identity(ring, a)
            helpers.append(a)
        density = r.uniform(.4, 1.0)
        for s in sellers:
            self.plans.append((self.collusion_orders, (ring, s, sellers, density)))
        for a in helpers:
            self.plans.append((self.collusion_orders, (ring, a, sellers, 1.0)))

    def collusion_orders(self, ring, a, sellers, density):
        r = self.r
        targets = [s for s in sellers if s is not a and r.random() < density] or [s for s in sellers if s is not a][:1]
        for s in targets:
            k = int(math.exp(r.uniform(math.log(2), math.log(20))))
            for _ in range(k):
                t = self.rand_time(a, ring['ts'], ring['te'])
                amt = self.amount(s.cat, CURRENCY[a.country], r.uniform(.8, 2.0))
                st = 'completed' if r.random() < .97 else 'cancelled'
                self.add_order(a, s, t, amt, st, '')
        self.camouflage(ring, a)

    def build_rings(self):
        r = self.r
        for idx, (typ, n, extra) in enumerate(self.ring_plan):
            ring = self.ring_common(typ, idx)
            if typ == 'brushing':
                self.ring_brushing(ring, n)
            elif typ == 'promo_abuse':
                self.ring_promo(ring, n)
            elif typ == 'chargeback':
                self.ring_chargeback(ring, n)
            else:
                self.ring_collusion(ring, n, extra)
            self.rings.append(ring)

    # ------------------------------------------------------------ finish
    def finalize_status(self):
        r = self.r
        for a in self.accounts:
            if a.fraud is not None:
                typ = a.fraud['typ']
                p_susp = {'chargeback': .3, 'promo_abuse': .12, 'brushing': .08, 'collusion': .05}[typ]
                x = r.random()
                a.status = 'suspended' if x < p_susp else ('closed' if x < p_susp + .04 else 'active')
            else:
                x = r.random()
                if a.n_cb >= 2 and x < .4:
                    a.status = 'suspended'
                elif a.moved and x < .5:
                    a.status = 'closed'
                elif x < .012:
                    a.status = 'suspended'
                elif x < .045:
                    a.status = 'closed'
                else:
                    a.status = 'active'

    def run(self):
        t0 = time.time()
        n_fraud_buyers = self.plan_rings()
        n_honest = self.N - n_fraud_buyers
        self.build_honest_sellers()
        self.build_honest_buyers(n_honest)
        self.overlay_groups()
        self.build_rings()
        self.build_pools()
        for fn, args in self.plans:
            fn(*args)
        self.finalize_status()
        return time.time() - t0

    def write(self, out):
        r = self.r
        os.makedirs(out, exist_ok=True)
        accs = sorted(self.accounts, key=lambda a: a.id)

        def w(name, header, rows):
            with open(os.path.join(out, name), 'w', newline='', encoding='utf-8') as f:
                cw = csv.writer(f, lineterminator='\n')
                cw.writerow(header)
                n = 0
                for row in rows:
                    cw.writerow(row)
                    n += 1
            return n

        counts = {}
        counts['accounts.csv'] = w('accounts.csv', ['account_id', 'role', 'created_at', 'country', 'status'],
                                   ((a.id, a.role, fmt_ts(a.created, a.zone, r.random() < .55), a.country, a.status)
                                    for a in accs))

        def dev_rows():
            for a in accs:
                for link in a.devs:
                    s, ip, first, last = link
                    if first is None:
                        lo = max(a.created, T0 - timedelta(days=400))
                        first = lo + timedelta(seconds=r.random() * max(60, (T1 - lo).total_seconds() * .7))
                        last = first + timedelta(seconds=r.random() * max(60, (T1 - first).total_seconds()))
                    else:
                        first = max(a.created, first - timedelta(days=r.uniform(0, 1) * r.choice([0.01, 1, 30, 200])))
                        last = min(T1, last + timedelta(hours=r.uniform(0, 72)))
                    z = r.random() < .7
                    yield (a.id, s, fmt_ts(first, a.zone, z), fmt_ts(last, a.zone, z), ip)
        counts['account_devices.csv'] = w('account_devices.csv',
                                          ['account_id', 'device_id', 'first_seen', 'last_seen', 'ip'], dev_rows())
        counts['account_addresses.csv'] = w('account_addresses.csv', ['account_id', 'address', 'kind', 'country'],
                                            ((a.id, s, k, c) for a in accs for (s, k, c) in a.addrs))
        counts['account_payment_instruments.csv'] = w(
            'account_payment_instruments.csv', ['account_id', 'instrument_id', 'card_number', 'kind', 'bin', 'last4'],
            ((a.id, p[1], p[2], p[3], p[4], p[5]) for a in accs for p in a.pays))
        self.orders.sort(key=lambda o: (o[0], o[1]))

        def order_rows():
            for i, o in enumerate(self.orders):
                t, b, s, amt, cur, st, dev, addr, pay, promo, zone = o
                yield ('O%09d' % (i + 1), b, s, amt, cur, fmt_ts(t, zone, r.random() < .5), st, dev, addr, pay, promo)
        counts['orders.csv'] = w('orders.csv', ['order_id', 'buyer_id', 'seller_id', 'amount', 'currency', 'created_at',
                                                'status', 'device_id', 'address', 'instrument_id', 'promo_code'],
                                 order_rows())
        lab = []
        for ring in self.rings:
            for a in ring['members']:
                lab.append((a.id, ring['id'], ring['typ']))
        lab.sort()
        counts['labels.csv'] = w('labels.csv', ['account_id', 'ring_id', 'typology'], lab)
        counts['lookalikes.csv'] = w('lookalikes.csv', ['account_id', 'kind'], sorted(self.look))
        # an answer key for bench/weekly.py: when each ring's fraud runs (drawn above; writing it draws nothing)
        # ... and how each ring hides: 'evasive' (members share little), 'aged' (old accounts), both, or 'plain'
        counts['ring_windows.csv'] = w('ring_windows.csv', ['ring_id', 'typology', 'active_from', 'active_to', 'evasion'],
                                       ((ring['id'], ring['typ'], ring['ts'].strftime('%Y-%m-%dT%H:%M:%SZ'),
                                         ring['te'].strftime('%Y-%m-%dT%H:%M:%SZ'),
                                         '+'.join(k for k in ('evasive', 'aged') if ring[k]) or 'plain')
                                        for ring in self.rings))
        return counts


def r_bool(r, p):
    return r.random() < p


def hash_u(s):
    # deterministic (not Python's randomised hash) uniform in [0,1)
    h = 2166136261
    for ch in s.encode('utf-8'):
        h = ((h ^ ch) * 16777619) & 0xFFFFFFFF
    return h / 2 ** 32


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('out_dir')
    ap.add_argument('--buyers', type=int, default=20000)
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()
    t0 = time.time()
    g = Gen(args.buyers, args.seed)
    g.run()
    counts = g.write(args.out_dir)
    dt = time.time() - t0
    typ = {}
    for ring in g.rings:
        typ[ring['typ']] = typ.get(ring['typ'], 0) + 1
    look = {}
    for _, k in g.look:
        look[k] = look.get(k, 0) + 1
    for k, v in counts.items():
        print('%-34s %8d rows' % (k, v))
    print('rings per typology:', dict(sorted(typ.items())))
    print('lookalike rows per kind:', dict(sorted(look.items())))
    print('run time: %.1f s' % dt)


if __name__ == '__main__':
    main()
