#!/usr/bin/env python3
"""
second_market.py -- synthetic multi-country e-commerce marketplace generator.

Benchmark fixture for a fraud-ring detector.  This generator was written
WITHOUT seeing the detector, its README, or any other generator of the
project: the marketplace, the honest look-alike groups and the fraud-ring
mechanics below are an independent design.  (graphfraud's second outside
generator, written on 2026-12-04 by an engineer given only the input format
and the four typologies; ``bench/quality.py --generator second`` and
``bench/weekly.py --generator second`` run on it.  Kept apart from the
package on purpose: a benchmark fixture, not product code.)

What it generates (26 weeks of activity starting Monday 2025-03-03 UTC):

  accounts.csv                    account_id, role, created_at, country, status
  account_devices.csv             account_id, device_id, first_seen, last_seen, ip
  account_addresses.csv           account_id, address, kind, country
  account_payment_instruments.csv account_id, instrument_id, kind, bin, last4
  orders.csv                      order_id, buyer_id, seller_id, amount, currency,
                                  created_at, status, device_id, address,
                                  instrument_id, promo_code
  labels.csv                      account_id, ring_id, typology   (answer key)
  lookalikes.csv                  account_id, group_id, kind      (answer key)
  ring_windows.csv                ring_id, typology, active_from, active_to,
                                  evasion (L0 careless .. L4 expert)

Honest side: ten countries with different market structure (concentrated
Polish market, fragmented German one, Canadians and Dutch buying abroad,
...), Zipf-popular and niche sellers, heavy-tailed buyer activity, local
weekly/daily rhythm with DST-correct offsets, seasonality and sale events,
returning customers, sellers that also buy, welcome/referral/campaign/
influencer codes, ordinary refund/cancel/dispute/chargeback rates, mobile
carrier NAT, VPN users, shared issuer BINs, messy device-id exports and
addresses typed in each country's own conventions.

Look-alikes (honest, labelled in lookalikes.csv): households, flatmates,
student housing, offices, coworking spaces, lunch teams, internet cafes,
libraries, hotel wifi, parcel lockers, a mobile-carrier NAT pool, local shop
regulars, small businesses buying from a wholesaler, referral friends,
parcel-forwarder customers, sellers sharing a fulfilment warehouse, a new
shop's friends & family, caregivers managing relatives' accounts, second-hand
devices, and reseller "cook groups".

Fraud rings (labels.csv): brushing, promo_abuse, chargeback and collusion,
each ring with its own sophistication level (careless .. expert) that drives
device/IP/card/address sharing, account ageing, staggered joining, members
leaving, camouflage orders and timing.

Usage:
    python bench/second_market.py OUT_DIR --buyers N --seed S

N is the number of accounts able to buy (role buyer or both).  Output is
byte-identical for the same (N, seed).  Only the standard library and numpy.
"""
import argparse
import bisect
import csv
import math
import os
import random
import sys
import time
import unicodedata
from datetime import datetime, timezone

import numpy as np


def _utc(y, m, d, h=0, mi=0):
    return int(datetime(y, m, d, h, mi, tzinfo=timezone.utc).timestamp())


START = _utc(2025, 3, 3)
WEEKS = 26
DAY = 86400
WEEK = 7 * DAY
END = START + WEEKS * WEEK
NH = WEEKS * 7 * 24

COUNTRIES = ['US', 'GB', 'DE', 'FR', 'NL', 'ES', 'IT', 'PL', 'CA', 'AU']
CUR = {'US': 'USD', 'GB': 'GBP', 'DE': 'EUR', 'FR': 'EUR', 'NL': 'EUR', 'ES': 'EUR',
       'IT': 'EUR', 'PL': 'PLN', 'CA': 'CAD', 'AU': 'AUD'}
FX = {'USD': 1.08, 'GBP': 0.85, 'EUR': 1.0, 'PLN': 4.28, 'CAD': 1.49, 'AUD': 1.66}
BUYER_W = {'US': .29, 'GB': .12, 'DE': .14, 'FR': .10, 'NL': .05, 'ES': .07, 'IT': .07,
           'PL': .08, 'CA': .04, 'AU': .04}
SELLER_W = {'US': .27, 'GB': .12, 'DE': .17, 'FR': .09, 'NL': .05, 'ES': .07, 'IT': .07,
            'PL': .06, 'CA': .04, 'AU': .06}
ZIPF = {'US': 0.95, 'GB': 1.0, 'DE': 0.8, 'FR': 1.0, 'NL': 0.95, 'ES': 1.1, 'IT': 1.05,
        'PL': 1.45, 'CA': 0.95, 'AU': 1.0}
DOMESTIC = {'US': .96, 'GB': .86, 'DE': .9, 'FR': .87, 'NL': .68, 'ES': .85, 'IT': .86,
            'PL': .92, 'CA': .62, 'AU': .78}
XB_PREF = {'US': {'CA': 2, 'GB': 1, 'DE': .5}, 'GB': {'US': 2, 'DE': 1, 'NL': 1, 'FR': .6, 'IT': .4},
           'DE': {'NL': 2, 'PL': 1, 'FR': .8, 'IT': .6, 'GB': .6}, 'FR': {'DE': 1.5, 'ES': 1, 'IT': 1, 'GB': .6, 'NL': .5},
           'NL': {'DE': 3, 'GB': 1, 'FR': .6}, 'ES': {'FR': 1, 'IT': 1, 'DE': 1, 'GB': .4},
           'IT': {'DE': 1, 'FR': 1, 'ES': 1}, 'PL': {'DE': 3, 'GB': .5, 'NL': .5},
           'CA': {'US': 6, 'GB': .3}, 'AU': {'US': 2, 'GB': 1}}
IOS_SHARE = {'US': .55, 'GB': .5, 'DE': .35, 'FR': .4, 'NL': .45, 'ES': .25, 'IT': .3, 'PL': .2,
             'CA': .5, 'AU': .55}
PAY_MIX = {  # card, paypal, bank, wallet
    'US': (.74, .14, .03, .09), 'GB': (.72, .15, .03, .10), 'DE': (.33, .40, .17, .10),
    'FR': (.74, .14, .02, .10), 'NL': (.22, .20, .48, .10), 'ES': (.60, .28, .02, .10),
    'IT': (.58, .30, .02, .10), 'PL': (.33, .14, .36, .17), 'CA': (.76, .13, .02, .09),
    'AU': (.72, .12, .02, .14)}
WELCOME = {'US': ('WELCOME10', 25), 'GB': ('WELCOME10', 20), 'DE': ('WILLKOMMEN10', 25),
           'FR': ('BIENVENUE10', 25), 'NL': ('WELKOM10', 25), 'ES': ('BIENVENIDO10', 25),
           'IT': ('BENVENUTO10', 25), 'PL': ('WITAJ20', 100), 'CA': ('WELCOME10', 30),
           'AU': ('GDAY10', 35)}
INFLUENCER = {'US': ['TECHWITHTOM', 'JESS15'], 'GB': ['ELLIE10', 'GADGETDAN'], 'DE': ['LENA15', 'TECHMAX10'],
              'FR': ['MODEMIA10', 'JULIEN15'], 'NL': ['SANNE10'], 'ES': ['LUCIA15', 'PABLO10'],
              'IT': ['GIULIA10'], 'PL': ['KASIA15', 'TOMEKTECH'], 'CA': ['MAPLE15'], 'AU': ['BONDI10']}
# code, first day, last day, probability, countries (None = all)
CAMPAIGNS = [('SPRING25', 21, 27, .16, None), ('MEGA20', 127, 129, .30, None),
             ('EOFY15', 109, 119, .14, ('AU',)), ('BTS10', 165, 181, .07, ('US', 'CA', 'GB', 'DE', 'FR', 'PL')),
             ('SUMMER10', 120, 150, .03, None), ('OSTERN15', 44, 49, .08, ('DE', 'NL', 'PL'))]

# category: base price EUR, sigma, ships physical goods, refund multiplier, weight
CATS = {
    'electronics': (95, .95, True, 1.4, .11), 'phone_accessories': (14, .5, True, 1.2, .07),
    'fashion': (42, .6, True, 1.6, .16), 'home_garden': (48, .8, True, 1.0, .12),
    'beauty': (22, .5, True, .8, .08), 'books_media': (16, .5, True, .6, .07),
    'toys_games': (28, .6, True, .9, .06), 'grocery': (34, .45, True, .5, .06),
    'sports_outdoor': (58, .85, True, 1.1, .06), 'collectibles': (45, 1.1, True, .9, .05),
    'digital': (25, .7, False, .7, .04), 'auto_parts': (65, .9, True, 1.2, .04),
    'handmade': (30, .6, True, .6, .05), 'pet_supplies': (30, .5, True, .7, .03),
    'food_delivery': (13, .3, True, .4, 0), 'wholesale': (420, .8, True, .5, 0),
    'sneakers': (160, .35, True, .8, 0), 'pharmacy': (24, .5, True, .4, 0),
}
GEN_CATS = [c for c in CATS if CATS[c][4] > 0]
GEN_CATW = [CATS[c][4] for c in GEN_CATS]

# ------------------------------------------------------------------ time zones
EU_DST = (_utc(2025, 3, 30, 1), _utc(2025, 10, 26, 1))
US_DST = (_utc(2025, 3, 9, 7), _utc(2025, 11, 2, 6))
AU_END = _utc(2025, 4, 5, 16)
TZS = {'Europe/London': (0, 60, 'EU'), 'Europe/Berlin': (60, 120, 'EU'),
       'America/New_York': (-300, -240, 'US'), 'America/Chicago': (-360, -300, 'US'),
       'America/Denver': (-420, -360, 'US'), 'America/Phoenix': (-420, -420, None),
       'America/Los_Angeles': (-480, -420, 'US'), 'America/Halifax': (-240, -180, 'US'),
       'Australia/Sydney': (600, 660, 'AU'), 'Australia/Adelaide': (570, 630, 'AU'),
       'Australia/Brisbane': (600, 600, None), 'Australia/Perth': (480, 480, None)}


def tz_off(tz, t):
    std, dst, rule = TZS[tz]
    if rule == 'EU':
        return dst if EU_DST[0] <= t < EU_DST[1] else std
    if rule == 'US':
        return dst if US_DST[0] <= t < US_DST[1] else std
    if rule == 'AU':
        return dst if t < AU_END else std
    return std


def iso_z(t, ms=None):
    s = time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(t))
    if ms is not None:
        s += '.%03d' % ms
    return s + 'Z'


def iso_local(t, tz):
    off = tz_off(tz, t)
    s = time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(t + off * 60))
    a = abs(off)
    return '%s%s%02d:%02d' % (s, '+' if off >= 0 else '-', a // 60, a % 60)


HOUR_P = np.array([.25, .15, .1, .08, .08, .12, .25, .45, .65, .8, .9, 1.0, 1.15, 1.1, .95, .9, .9,
                   .95, 1.05, 1.25, 1.45, 1.5, 1.2, .6])
DOW_P = np.array([1.0, .98, .97, 1.0, .93, .88, 1.12])


def season(c, d):
    d = np.clip(d, 0, 181)
    f = 1 + .12 * d / 182.0
    f = f * np.where((d >= 21) & (d <= 27), 1.25, 1.0)
    f = f * np.where((d >= 46) & (d <= 49), .85, 1.0)
    f = f * np.select([d == 127, d == 128, d == 129], [2.4, 2.0, 1.3], 1.0)
    if c in ('FR', 'IT', 'ES'):
        f = f * np.where((d >= 151) & (d <= 175), .72, np.where((d >= 130) & (d < 151), .9, 1.0))
    elif c in ('DE', 'NL', 'GB', 'PL'):
        f = f * np.where((d >= 125) & (d <= 165), .9, 1.0)
    elif c in ('US', 'CA'):
        f = f * np.where(d == 123, .7, 1.0)
    if c == 'AU':
        f = f * np.where((d >= 109) & (d <= 119), 1.25, 1.0)
    if c in ('US', 'CA', 'GB', 'DE', 'FR', 'PL'):
        f = f * np.where(d >= 165, 1.15, 1.0)
    return f


# ------------------------------------------------------------------ places
CITIES = {
    'US': [('Brooklyn', 'NY', '112', 'America/New_York', 6), ('Chicago', 'IL', '606', 'America/Chicago', 6),
           ('Houston', 'TX', '770', 'America/Chicago', 5), ('Austin', 'TX', '787', 'America/Chicago', 3),
           ('Phoenix', 'AZ', '850', 'America/Phoenix', 4), ('Los Angeles', 'CA', '900', 'America/Los_Angeles', 6),
           ('San Diego', 'CA', '921', 'America/Los_Angeles', 3), ('Seattle', 'WA', '981', 'America/Los_Angeles', 3),
           ('Denver', 'CO', '802', 'America/Denver', 3), ('Atlanta', 'GA', '303', 'America/New_York', 4),
           ('Columbus', 'OH', '432', 'America/New_York', 3), ('Philadelphia', 'PA', '191', 'America/New_York', 4),
           ('Tampa', 'FL', '336', 'America/New_York', 3), ('Minneapolis', 'MN', '554', 'America/Chicago', 2),
           ('Springfield', 'IL', '627', 'America/Chicago', 1), ('Raleigh', 'NC', '276', 'America/New_York', 2),
           ('Portland', 'OR', '972', 'America/Los_Angeles', 2), ('Boise', 'ID', '837', 'America/Denver', 1)],
    'GB': [('London', '', ['E1', 'E8', 'N7', 'N16', 'SE15', 'SW11', 'NW3', 'W12', 'SE1', 'E17'], 'Europe/London', 10),
           ('Manchester', '', ['M14', 'M20', 'M1', 'M4'], 'Europe/London', 4),
           ('Birmingham', '', ['B29', 'B13', 'B5'], 'Europe/London', 3), ('Leeds', '', ['LS6', 'LS11', 'LS1'], 'Europe/London', 3),
           ('Glasgow', '', ['G12', 'G41', 'G3'], 'Europe/London', 3), ('Bristol', '', ['BS7', 'BS3', 'BS1'], 'Europe/London', 2),
           ('Edinburgh', '', ['EH6', 'EH9', 'EH3'], 'Europe/London', 2), ('Cardiff', '', ['CF24', 'CF11'], 'Europe/London', 2),
           ('Nottingham', '', ['NG7', 'NG1'], 'Europe/London', 1), ('Brighton', '', ['BN1', 'BN2'], 'Europe/London', 1),
           ('Sheffield', '', ['S10', 'S11'], 'Europe/London', 1)],
    'DE': [('Berlin', '', ['10', '12', '13'], 'Europe/Berlin', 8), ('Hamburg', '', ['20', '22'], 'Europe/Berlin', 4),
           ('München', '', ['80', '81'], 'Europe/Berlin', 4, ['Munich', 'Muenchen']),
           ('Köln', '', ['50', '51'], 'Europe/Berlin', 3, ['Koeln', 'Cologne']),
           ('Frankfurt am Main', '', ['60'], 'Europe/Berlin', 3, ['Frankfurt', 'Frankfurt/Main', 'Frankfurt a.M.']),
           ('Stuttgart', '', ['70'], 'Europe/Berlin', 2), ('Leipzig', '', ['04'], 'Europe/Berlin', 2),
           ('Düsseldorf', '', ['40'], 'Europe/Berlin', 2, ['Duesseldorf']),
           ('Nürnberg', '', ['90'], 'Europe/Berlin', 1, ['Nuernberg', 'Nuremberg']),
           ('Dresden', '', ['01'], 'Europe/Berlin', 1), ('Bremen', '', ['28'], 'Europe/Berlin', 1),
           ('Münster', '', ['48'], 'Europe/Berlin', 1, ['Muenster'])],
    'FR': [('Paris', '', ['750%02d' % i for i in range(1, 21)], 'Europe/Berlin', 10),
           ('Lyon', '', ['6900%d' % i for i in range(1, 10)], 'Europe/Berlin', 4),
           ('Marseille', '', ['130%02d' % i for i in range(1, 17)], 'Europe/Berlin', 3),
           ('Toulouse', '', ['31000', '31100', '31200', '31300', '31400', '31500'], 'Europe/Berlin', 3),
           ('Nantes', '', ['44000', '44100', '44200', '44300'], 'Europe/Berlin', 2),
           ('Lille', '', ['59000', '59160', '59260', '59800'], 'Europe/Berlin', 2),
           ('Bordeaux', '', ['33000', '33100', '33200', '33300', '33800'], 'Europe/Berlin', 2),
           ('Strasbourg', '', ['67000', '67100', '67200'], 'Europe/Berlin', 1),
           ('Montpellier', '', ['34000', '34070', '34080', '34090'], 'Europe/Berlin', 1),
           ('Rennes', '', ['35000', '35200', '35700'], 'Europe/Berlin', 1)],
    'NL': [('Amsterdam', '', (1011, 1109), 'Europe/Berlin', 5), ('Rotterdam', '', (3011, 3089), 'Europe/Berlin', 3),
           ('Den Haag', '', (2491, 2599), 'Europe/Berlin', 3, ["'s-Gravenhage", 'The Hague']),
           ('Utrecht', '', (3511, 3585), 'Europe/Berlin', 2), ('Eindhoven', '', (5611, 5658), 'Europe/Berlin', 1),
           ('Groningen', '', (9711, 9747), 'Europe/Berlin', 1), ('Leiden', '', (2311, 2334), 'Europe/Berlin', 1),
           ('Haarlem', '', (2011, 2037), 'Europe/Berlin', 1), ('Nijmegen', '', (6511, 6546), 'Europe/Berlin', 1)],
    'ES': [('Madrid', 'Madrid', '280', 'Europe/Berlin', 7), ('Barcelona', 'Barcelona', '080', 'Europe/Berlin', 5),
           ('Valencia', 'Valencia', '460', 'Europe/Berlin', 3, ['València']),
           ('Sevilla', 'Sevilla', '410', 'Europe/Berlin', 2, ['Seville']),
           ('Zaragoza', 'Zaragoza', '500', 'Europe/Berlin', 1), ('Málaga', 'Málaga', '290', 'Europe/Berlin', 1, ['Malaga']),
           ('Bilbao', 'Bizkaia', '480', 'Europe/Berlin', 1), ('Granada', 'Granada', '180', 'Europe/Berlin', 1)],
    'IT': [('Roma', 'RM', '001', 'Europe/Berlin', 6, ['Rome']), ('Milano', 'MI', '201', 'Europe/Berlin', 5, ['Milan']),
           ('Napoli', 'NA', '801', 'Europe/Berlin', 3, ['Naples']), ('Torino', 'TO', '101', 'Europe/Berlin', 3, ['Turin']),
           ('Bologna', 'BO', '401', 'Europe/Berlin', 2), ('Firenze', 'FI', '501', 'Europe/Berlin', 2, ['Florence']),
           ('Palermo', 'PA', '901', 'Europe/Berlin', 1), ('Genova', 'GE', '161', 'Europe/Berlin', 1, ['Genoa']),
           ('Bari', 'BA', '701', 'Europe/Berlin', 1), ('Verona', 'VR', '371', 'Europe/Berlin', 1)],
    'PL': [('Warszawa', '', ['00', '01', '02', '03', '04'], 'Europe/Berlin', 6, ['Warsaw']),
           ('Kraków', '', ['30', '31'], 'Europe/Berlin', 4, ['Krakow', 'Cracow']),
           ('Łódź', '', ['90', '91', '92', '93', '94'], 'Europe/Berlin', 2, ['Lodz']),
           ('Wrocław', '', ['50', '51', '52', '53', '54'], 'Europe/Berlin', 3, ['Wroclaw']),
           ('Poznań', '', ['60', '61'], 'Europe/Berlin', 2, ['Poznan']), ('Gdańsk', '', ['80'], 'Europe/Berlin', 2, ['Gdansk']),
           ('Szczecin', '', ['70', '71'], 'Europe/Berlin', 1), ('Lublin', '', ['20'], 'Europe/Berlin', 1),
           ('Katowice', '', ['40'], 'Europe/Berlin', 1)],
    'CA': [('Toronto', 'ON', ['M5V', 'M4C', 'M6H', 'M6J', 'M4L', 'M5R'], 'America/New_York', 6),
           ('Montréal', 'QC', ['H2X', 'H2T', 'H3H', 'H1V', 'H4A'], 'America/New_York', 4, ['Montreal']),
           ('Vancouver', 'BC', ['V6B', 'V5L', 'V6K', 'V5N'], 'America/Los_Angeles', 3),
           ('Calgary', 'AB', ['T2P', 'T3A', 'T2T'], 'America/Denver', 2), ('Ottawa', 'ON', ['K1P', 'K2P', 'K1S'], 'America/New_York', 2),
           ('Edmonton', 'AB', ['T5J', 'T6E'], 'America/Denver', 1), ('Winnipeg', 'MB', ['R3C', 'R2M'], 'America/Chicago', 1),
           ('Halifax', 'NS', ['B3H', 'B3K'], 'America/Halifax', 1),
           ('Québec', 'QC', ['G1R', 'G1K'], 'America/New_York', 1, ['Quebec', 'Quebec City'])],
    'AU': [('Sydney', 'NSW', '2000', 'Australia/Sydney', 2), ('Surry Hills', 'NSW', '2010', 'Australia/Sydney', 2),
           ('Parramatta', 'NSW', '2150', 'Australia/Sydney', 2), ('Bondi', 'NSW', '2026', 'Australia/Sydney', 1),
           ('Newtown', 'NSW', '2042', 'Australia/Sydney', 1), ('Melbourne', 'VIC', '3000', 'Australia/Sydney', 2),
           ('Fitzroy', 'VIC', '3065', 'Australia/Sydney', 1), ('Richmond', 'VIC', '3121', 'Australia/Sydney', 1),
           ('St Kilda', 'VIC', '3182', 'Australia/Sydney', 1), ('Brunswick', 'VIC', '3056', 'Australia/Sydney', 1),
           ('Brisbane City', 'QLD', '4000', 'Australia/Brisbane', 1), ('Fortitude Valley', 'QLD', '4006', 'Australia/Brisbane', 1),
           ('Southport', 'QLD', '4215', 'Australia/Brisbane', 1), ('Perth', 'WA', '6000', 'Australia/Perth', 1),
           ('Fremantle', 'WA', '6160', 'Australia/Perth', 1), ('Adelaide', 'SA', '5000', 'Australia/Adelaide', 1),
           ('Hobart', 'TAS', '7000', 'Australia/Sydney', 1), ('Canberra', 'ACT', '2601', 'Australia/Sydney', 1),
           ('Geelong', 'VIC', '3220', 'Australia/Sydney', 1)],
}
EN_T = {'St': 'Street', 'Ave': 'Avenue', 'Rd': 'Road', 'Dr': 'Drive', 'Ln': 'Lane', 'Blvd': 'Boulevard',
        'Ct': 'Court', 'Pl': 'Place', 'Way': 'Way', 'Ter': 'Terrace', 'Cir': 'Circle', 'Pkwy': 'Parkway',
        'Cl': 'Close', 'Cres': 'Crescent', 'Gdns': 'Gardens', 'Gr': 'Grove', 'Mews': 'Mews', 'Pde': 'Parade',
        'Hwy': 'Highway', 'Tce': 'Terrace', 'Cct': 'Circuit', 'Sq': 'Square'}
DIRS = {'N': 'North', 'S': 'South', 'E': 'East', 'W': 'West'}
_US_N = ['Maple', 'Oak', 'Washington', 'Lincoln', 'Park', 'Cedar', 'Elm', 'Pine', 'Lake', 'Hill', 'Main', 'Sunset',
         'Jefferson', 'Madison', 'Franklin', 'Highland', 'Church', 'Walnut', 'Chestnut', 'Ridge', 'Meadow', 'River',
         'Spring', 'Willow', 'Forest', 'Lakeview', 'Cherry', 'Hickory', 'Magnolia', 'Dogwood', 'Martin Luther King Jr']
_GB_N = ['High', 'Station', 'Church', 'Victoria', 'Park', "Queen's", "King's", 'Mill', 'Albert', 'Manor', 'Windsor',
         'York', 'Grange', 'Springfield', 'Chapel', 'London', 'New', 'Green', 'Elm', 'Oxford', 'Stanley', 'Clarence',
         'Beech', 'Cavendish', 'St John\'s']
_AU_N = ['Smith', 'George', 'King', 'Queen', 'Victoria', 'Elizabeth', 'Church', 'High', 'Station', 'Bridge', 'Beach',
         'Park', 'Railway', 'Hope', 'Oxford', 'Crown', 'William', 'Albert', 'Bay', 'Marine', 'Glenferrie']
_CA_N = ['Queen', 'King', 'Yonge', 'Bloor', 'Main', 'Maple', 'Oak', 'Elm', 'Dundas', 'Church', 'Victoria',
         'Wellington', 'Bay', 'Granville', 'Jasper', 'Spadina', 'Bank', 'Portage']
STREETS = {
    'US': [(n, t) for n in _US_N for t in ['St', 'Ave', 'Rd', 'Dr', 'Ln', 'Blvd', 'Ct', 'Pl', 'Way', 'Ter', 'Cir']],
    'GB': [(n, t) for n in _GB_N for t in ['St', 'Rd', 'Ln', 'Ave', 'Cl', 'Cres', 'Gdns', 'Ter', 'Way', 'Gr', 'Dr', 'Mews']],
    'AU': [(n, t) for n in _AU_N for t in ['St', 'Rd', 'Ave', 'Pde', 'Cres', 'Hwy', 'Pl', 'Tce', 'Cl', 'Dr', 'Cct']],
    'CA': [(n, t) for n in _CA_N for t in ['St', 'Ave', 'Rd', 'Dr', 'Blvd', 'Cres', 'Way']],
    'CAFR': [('Saint-Denis', 'rue'), ('René-Lévesque', 'boulevard'), ('du Mont-Royal', 'avenue'), ('Sherbrooke', 'rue'),
             ('Sainte-Catherine', 'rue'), ('de la Côte-des-Neiges', 'chemin'), ('Saint-Laurent', 'boulevard'),
             ('Laurier', 'avenue'), ('Saint-Jean', 'rue'), ('Papineau', 'avenue')],
    'DE': [('Haupt', ('j', 'straße')), ('Bahnhof', ('j', 'straße')), ('Garten', ('j', 'straße')), ('Schul', ('j', 'straße')),
           ('Goethe', ('j', 'straße')), ('Schiller', ('j', 'straße')), ('Linden', ('j', 'allee')), ('Birken', ('j', 'weg')),
           ('Kirch', ('j', 'gasse')), ('Mozart', ('j', 'straße')), ('Berliner', ('s', 'Straße')),
           ('Friedrich-Ebert-', ('j', 'Straße')), ('Kant', ('j', 'straße')), ('Rosen', ('j', 'weg')), ('Wald', ('j', 'weg')),
           ('Markt', ('j', 'platz')), ('Am Markt', ('n', '')), ('Bismarck', ('j', 'straße')), ('Hamburger', ('s', 'Allee')),
           ('Karl-Marx-', ('j', 'Allee')), ('Blumen', ('j', 'straße')), ('Dorf', ('j', 'straße')), ('Mühlen', ('j', 'weg')),
           ('Königs', ('j', 'allee')), ('Sonnen', ('j', 'straße')), ('Am Mühlbach', ('n', '')), ('Wiesen', ('j', 'straße'))],
    'FR': [('de la République', 'rue'), ('Victor Hugo', 'rue'), ('Jean Jaurès', 'avenue'), ('Voltaire', 'boulevard'),
           ('de la Mairie', 'place'), ('des Lilas', 'impasse'), ('des Vignes', 'chemin'), ('des Tilleuls', 'allée'),
           ('du Général Leclerc', 'rue'), ('Pasteur', 'rue'), ('de la Gare', 'rue'), ('de la Libération', 'avenue'),
           ('Émile Zola', 'rue'), ('de la Loire', 'quai'), ('Nationale', 'rue'), ('Gambetta', 'boulevard'),
           ('des Écoles', 'rue'), ('Lafayette', 'cours'), ('Saint-Michel', 'rue'), ('du Château', 'rue'),
           ('Jean Moulin', 'rue'), ('Foch', 'avenue')],
    'NL': [('Kerkstraat', None), ('Dorpsstraat', None), ('Molenweg', None), ('Stationsweg', None), ('Keizersgracht', None),
           ('Prinsengracht', None), ('Julianalaan', None), ('Wilhelminastraat', None), ('Beatrixlaan', None),
           ('Schoolstraat', None), ('Nieuwstraat', None), ('Oranjestraat', None), ('Emmalaan', None), ('Marktplein', None),
           ('Hoofdstraat', None), ('Parkweg', None), ('Van Goghstraat', None), ('Rembrandtlaan', None), ('Spoorlaan', None),
           ('Lindenlaan', None), ('Burgemeester de Withstraat', None)],
    'ES': [('Mayor', 'Calle'), ('de Alcalá', 'Calle'), ('de la Constitución', 'Avenida'), ('de Gracia', 'Paseo'),
           ('de España', 'Plaza'), ('Real', 'Calle'), ('San Fernando', 'Calle'), ('de Segovia', 'Ronda'),
           ('de Toledo', 'Calle'), ('de América', 'Avenida'), ('del Sol', 'Calle'), ('Larios', 'Calle'),
           ('del Carmen', 'Calle'), ('de San Mateo', 'Travesía'), ('de Andalucía', 'Avenida'), ('Nueva', 'Calle')],
    'ESCA': [('de Balmes', 'Carrer'), ('de Mallorca', 'Carrer'), ('del Consell de Cent', 'Carrer'), ('Diagonal', 'Avinguda'),
             ('de Sant Joan', 'Passeig'), ('de Sants', 'Carrer'), ('de Blasco Ibáñez', 'Avinguda')],
    'IT': [('Roma', 'Via'), ('Garibaldi', 'Via'), ('Vittorio Emanuele II', 'Corso'), ('del Duomo', 'Piazza'),
           ('Europa', 'Viale'), ('Giuseppe Mazzini', 'Via'), ('Dante Alighieri', 'Via'), ('Cavour', 'Via'),
           ('della Repubblica', 'Via'), ('Augusto', 'Largo'), ('XX Settembre', 'Via'), ('Nazionale', 'Via'),
           ('Italia', 'Corso'), ('San Francesco', 'Via'), ('Verdi', 'Via'), ('dei Mille', 'Via'), ('Marconi', 'Viale')],
    'PL': [('Marszałkowska', 'ul.'), ('Długa', 'ul.'), ('Polna', 'ul.'), ('Leśna', 'ul.'), ('Słoneczna', 'ul.'),
           ('Krótka', 'ul.'), ('Mickiewicza', 'ul.'), ('Kościuszki', 'ul.'), ('Jerozolimskie', 'al.'),
           ('Piłsudskiego', 'ul.'), ('Tysiąclecia', 'os.'), ('Grunwaldzki', 'pl.'), ('Ogrodowa', 'ul.'),
           ('Lipowa', 'ul.'), ('Szkolna', 'ul.'), ('Kwiatowa', 'ul.'), ('Jana Pawła II', 'ul.'),
           ('Wojska Polskiego', 'ul.'), ('Żeromskiego', 'ul.')],
}
UNIT_P = {'US': .3, 'GB': .35, 'DE': .3, 'FR': .5, 'NL': .25, 'ES': .85, 'IT': .5, 'PL': .65, 'CA': .35, 'AU': .3}
UNIT_FMT = {
    'US': {'apt': ['Apt {}', '#{}', 'Unit {}', 'Apt. {}', 'Apartment {}'], 'suite': ['Suite {}', 'Ste {}', 'Ste. {}', '#{}'],
           'room': ['Room {}', 'Rm {}', 'Rm. {}', '#{}'], 'box': ['Suite {}', 'Ste {}', 'Unit {}', '#{}']},
    'GB': {'apt': ['Flat {}', 'Flat {}', 'Apartment {}', 'flat {}'], 'suite': ['Unit {}', 'Suite {}', 'Floor {}'],
           'room': ['Room {}', 'Flat {}', 'Rm {}'], 'box': ['Unit {}', 'Suite {}']},
    'DE': {'apt': ['Whg. {}', 'Wohnung {}', 'App. {}', 'Whg {}'], 'suite': ['Büro {}', 'Etage {}', '{}. OG'],
           'room': ['Zimmer {}', 'Zi. {}', 'App. {}', 'WE {}'], 'box': ['Fach {}']},
    'FR': {'apt': ['Appt {}', 'Apt {}', 'Appartement {}', 'app. {}', 'Porte {}'], 'suite': ['Bureau {}', 'Bât. {}', 'Lot {}'],
           'room': ['Chambre {}', 'Ch. {}', 'Studio {}', 'Logement {}'], 'box': ['Casier {}']},
    'IT': {'apt': ['int. {}', 'interno {}', 'Int. {}', 'int {}', 'scala B int. {}'], 'suite': ['piano {}', 'uff. {}'],
           'room': ['stanza {}', 'camera {}', 'alloggio {}'], 'box': ['casella {}']},
    'CA': {'apt': ['Apt {}', 'Unit {}', '#{}', 'Suite {}', 'app. {}'], 'suite': ['Suite {}', 'Ste {}', 'Floor {}'],
           'room': ['Room {}', 'Rm {}', 'Unit {}'], 'box': ['Unit {}', 'Suite {}']},
    'AU': {'apt': ['Unit {}', 'Apt {}', 'U{}', 'Unit {}'], 'suite': ['Suite {}', 'Level {}', 'Lvl {}'],
           'room': ['Room {}', 'Unit {}', 'Rm {}'], 'box': ['Unit {}', 'Suite {}']},
}
LOCKER_HOSTS = {'US': ['7-Eleven', 'CVS Pharmacy', 'Whole Foods', 'Walgreens', 'Rite Aid'],
                'GB': ['Tesco Extra', "Sainsbury's", 'Co-op', 'Morrisons', 'Esso'],
                'DE': ['REWE', 'Bahnhof', 'EDEKA', 'Netto', 'Aral'],
                'FR': ['Tabac Le Balto', 'Carrefour City', 'Presse Relay', 'Monop\'', 'Franprix'],
                'NL': ['Albert Heijn', 'Jumbo', 'Station Centraal', 'Primera', 'Bruna'],
                'ES': ['Estación Atocha', 'Mercadona', 'El Corte Inglés', 'Repsol', 'Metro Sol'],
                'IT': ['Stazione Centrale', 'Esselunga', 'Conad', 'Tabaccheria Rossi', 'Eni Station'],
                'PL': ['Żabka', 'Biedronka', 'Lidl', 'Orlen', 'Stokrotka'],
                'CA': ['Shoppers Drug Mart', 'Loblaws', 'Petro-Canada', 'Metro'],
                'AU': ['Woolworths', 'Coles', 'Australia Post', 'Westfield']}
SURNAMES = ['Smith', 'Müller', 'Dubois', 'Rossi', 'García', 'Kowalski', 'de Vries', 'Nguyen', 'Brown', 'Schmidt',
            'Martin', 'Bianchi', 'López', 'Nowak', 'Jansen', 'Wilson', 'Taylor', 'Weber', 'Bernard', 'Romano',
            'Fernández', 'Wiśniewska', 'Bakker', 'Lee', 'Patel', 'Fischer', 'Moreau', 'Ricci', 'Martínez', 'Lewandowski']
CO_A = ['Nord', 'Blue', 'Alpen', 'Vista', 'Bright', 'Oak', 'Nova', 'Peak', 'Delta', 'Lumen', 'Kraft', 'Silver',
        'Harbor', 'Atlas', 'Orbit', 'Maple', 'Stern', 'Lago', 'Sol', 'Terra', 'Polar', 'Pixel', 'Green', 'Iron']
CO_B = ['tech', 'works', 'logic', 'line', 'soft', 'data', 'form', 'craft', 'labs', 'media', 'point', 'haus',
        'trade', 'link', 'wave', 'print']
LEGAL = {'US': ['Inc.', 'LLC', 'Corp.'], 'GB': ['Ltd', 'Ltd.', 'LLP'], 'DE': ['GmbH', 'UG', 'AG'],
         'FR': ['SAS', 'SARL', 'SA'], 'NL': ['B.V.', 'BV'], 'ES': ['S.L.', 'SL', 'S.A.'], 'IT': ['S.r.l.', 'srl', 'S.p.A.'],
         'PL': ['Sp. z o.o.', 'sp. z o.o.', 'S.A.'], 'CA': ['Inc.', 'Ltd.', 'Corp.'], 'AU': ['Pty Ltd', 'Pty. Ltd.']}
DORM = {'US': 'Residence Hall', 'GB': 'Student Village', 'DE': 'Studentenwohnheim', 'FR': 'Résidence universitaire',
        'NL': 'Studentenhuis', 'ES': 'Residencia de estudiantes', 'IT': 'Residenza universitaria',
        'PL': 'Dom Studencki', 'CA': 'Residence', 'AU': 'Student Accommodation'}
NOISE_PRE = {'DE': ['z.Hd.', 'bei', 'c/o'], 'FR': ['chez', 'c/o', 'Chez'], 'ES': ['a/a', 'c/o', 'Att.'],
             'IT': ['c/o', 'presso', 'C/O'], 'PL': ['c/o', 'u', 'C/O'], 'NL': ['t.a.v.', 'p/a', 'c/o']}
NOISE_SUF = {'US': ['door %d', 'bldg %d', '(rear) %d', 'gate %d'], 'DE': ['Tür %d', 'HH %d', 'Eingang %d'],
             'FR': ['porte %d', 'esc. %d', 'bât %d'], 'ES': ['portal %d', 'esc %d'], 'IT': ['scala %d', 'citofono %d'],
             'PL': ['klatka %d', 'piętro %d'], 'NL': ['deur %d', 'achterom %d']}
GBL = 'ABDEFGHJLNPQRSTUWXYZ'
NLL = 'ABCDEFGHJKLMNPRTVWXZ'
HEX = '0123456789abcdef'
B62 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'
B32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
UPAN = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'
ROMAN = {1: 'I', 2: 'II', 3: 'III', 4: 'IV'}

_acc_cache = {}


def strip_acc(s):
    v = _acc_cache.get(s)
    if v is None:
        t = s.replace('ß', 'ss').replace('ł', 'l').replace('Ł', 'L')
        v = ''.join(ch for ch in unicodedata.normalize('NFKD', t) if not unicodedata.combining(ch))
        v = v.replace('º', 'o').replace('ª', 'a')
        _acc_cache[s] = v
    return v


def de_ascii(s):
    return (s.replace('ä', 'ae').replace('ö', 'oe').replace('ü', 'ue').replace('Ä', 'Ae')
            .replace('Ö', 'Oe').replace('Ü', 'Ue').replace('ß', 'ss'))


def fmt_num(c, num, s):
    n, suf = num
    if not suf:
        return str(n)
    v = s['u'] % 3
    if c == 'FR' or (c == 'ES' and suf == 'bis'):
        if suf in ('bis', 'ter'):
            return ['%d %s' % (n, suf), '%d%s' % (n, suf), '%d %s' % (n, suf[0].upper())][v]
        return '%d%s' % (n, suf.upper())
    if c == 'IT':
        return ['%d/%s' % (n, suf.upper()), '%d%s' % (n, suf.upper()), '%d %s' % (n, suf)][v]
    return ['%d%s' % (n, suf), '%d %s' % (n, suf), '%d%s' % (n, suf.upper())][v]


def ufmt(c, p, s):
    fm = UNIT_FMT[c][p.get('uk', 'apt')]
    return fm[s['u'] % len(fm)].format(p['unit'])


def r_en(p, s, c):
    """US / CA(en) / GB / AU"""
    name, typ = p['sn'], p['stt']
    t = typ if s['abbr'] else EN_T[typ]
    if s['abbr'] and s['dot'] and c in ('US', 'CA') and typ not in ('Way', 'Mews'):
        t += '.'
    d = p.get('dir')
    dd = ''
    if d:
        dd = (d + ('.' if s['dot'] else '') if s['abbr'] else DIRS[d]) + ' '
    num = fmt_num(c, p['num'], s)
    sep = ', ' if s['comma'] else ' '
    u = p.get('unit')
    if u and c == 'AU' and p.get('uk', 'apt') == 'apt' and s['u'] % 2 == 0:
        line = '%s/%s %s%s %s' % (u, num, dd, name, t)
        u = None
    elif u and c == 'CA' and p.get('uk', 'apt') == 'apt' and s['u'] % 3 == 0:
        line = '%s-%s %s%s %s' % (u, num, dd, name, t)
        u = None
    else:
        line = '%s %s%s %s' % (num, dd, name, t)
    if u:
        us = ufmt(c, p, s)
        if c in ('GB', 'AU'):
            line = us + (', ' if s['comma'] else ' ') + line
        else:
            line += (', ' if s['comma'] and s['u'] % 2 else ' ') + us
    city = p['city']
    if c == 'US':
        z = p['pc'] + ('-' + p['pc4'] if s['pcf'] == 2 else '')
        out = line + sep + city + sep + p['reg'] + ' ' + z
    elif c == 'CA':
        pc = p['pc'] if s['pcf'] != 1 else p['pc'].replace(' ', '')
        out = line + sep + city + sep + p['reg'] + ' ' + pc
    elif c == 'GB':
        pc = p['pc'] if s['pcf'] != 1 else p['pc'].replace(' ', '')
        out = line + sep + city + (sep if s['comma'] else ' ') + pc
    else:  # AU
        out = line + sep + city + ' ' + p['reg'] + ' ' + p['pc']
    return out


def r_de(p, s, c):
    name, (mode, typ) = p['sn'], p['stt']
    if mode == 'j':
        if typ.lower() == 'straße':
            suf = (['str.', 'str', 'Str.'][s['u'] % 3] if s['abbr'] else typ)
            suf = suf.capitalize() if name.endswith('-') else suf.lower()
            st = name + suf
        elif typ == 'platz' and s['abbr']:
            st = name + 'pl.'
        else:
            st = name + typ
    elif mode == 's':
        st = name + ' ' + (('Str.' if typ == 'Straße' else typ) if s['abbr'] else typ)
    else:
        st = name
    line = st + ' ' + fmt_num(c, p['num'], s)
    if p.get('unit'):
        line += (', ' if s['comma'] else ' ') + ufmt('DE', p, s)
    out = line + (', ' if s['comma'] else ' ') + p['pc'] + ' ' + p['city']
    return out


FR_ABBR = {'avenue': ['av.', 'ave', 'Av.'], 'boulevard': ['bd', 'bvd', 'Bd'], 'place': ['pl.', 'Pl.'],
           'impasse': ['imp.', 'Imp'], 'chemin': ['ch.', 'chem.'], 'allée': ['all.', 'allee'], 'quai': ['q.', 'quai'],
           'cours': ['crs', 'cours'], 'rue': ['rue', 'r.', 'Rue']}


def r_fr(p, s, c):
    name, typ = p['sn'], p['stt']
    t = FR_ABBR[typ][s['u'] % len(FR_ABBR[typ])] if s['abbr'] else (typ.capitalize() if s['dot'] else typ)
    num = fmt_num('FR', p['num'], s)
    line = ('%s, %s %s' if s['nfirst'] else '%s %s %s') % (num, t, name)
    u = p.get('unit')
    if c == 'CA':
        if u:
            line += ', ' + ['app. {}', 'appartement {}', '#{}', 'bureau {}'][s['u'] % 4].format(u)
        pc = p['pc'] if s['pcf'] != 1 else p['pc'].replace(' ', '')
        reg = ['QC', '(Québec)', 'Qc'][s['u'] % 3]
        return line + ', ' + p['city'] + (' ' if s['comma'] else ', ') + reg + ' ' + pc
    if u:
        us = ufmt('FR', p, s)
        if s['u'] % 2:
            line = us + (', ' if s['comma'] else ' ') + line
        else:
            line += (', ' if s['comma'] else ' ') + us
    city = p['city'].upper() if s['pcf'] == 2 else p['city']
    return line + (', ' if s['comma'] else ' ') + p['pc'] + ' ' + city


def r_nl(p, s, c):
    name = p['sn']
    if s['abbr']:
        if name.endswith('straat'):
            name = name[:-6] + ['str.', 'str'][s['u'] % 2]
        elif name.endswith('laan') and s['dot']:
            name = name[:-4] + 'ln'
    n = fmt_num('NL', p['num'], s)
    u = p.get('unit')
    if u:
        if u.isdigit():
            fl = int(u)
            v = s['u'] % 4
            if v == 0:
                n += '-' + ROMAN.get(fl, u)
            elif v == 1:
                n += '-' + u
            elif v == 2:
                n += ' ' + u + ' hoog' if fl > 1 else ' hs'
            else:
                n += ' ' + u
        else:
            n += ['%s', '-%s', ' %s', '%s'][s['u'] % 4] % (u if s['u'] % 2 else u.lower())
    pc = p['pc']
    if s['pcf'] == 1:
        pc = pc.replace(' ', '')
    elif s['pcf'] == 2:
        pc = pc.lower()
    return name + ' ' + n + (', ' if s['comma'] else ' ') + pc + ' ' + p['city']


ES_ABBR = {'Calle': ['C/', 'c/', 'Cl.', 'C/.'], 'Avenida': ['Avda.', 'Av.', 'Avda'], 'Paseo': ['Pº', 'P.º', 'Pso.'],
           'Plaza': ['Pza.', 'Pl.', 'Plza.'], 'Ronda': ['Rda.', 'Rda'], 'Travesía': ['Trav.', 'Tv.'],
           'Carrer': ['C/', 'c/', 'Carrer'], 'Avinguda': ['Av.', 'Avgda.'], 'Passeig': ['Pg.', 'Pg']}


def r_es(p, s, c):
    name, typ = p['sn'], p['stt']
    t = ES_ABBR[typ][s['u'] % len(ES_ABBR[typ])] if s['abbr'] else typ
    num = fmt_num('ES', p['num'], s)
    nf = s['u'] % 4
    nums = [num, 'nº ' + num, num, 'n.º ' + num][nf]
    line = ('%s %s, %s' if s['comma'] else '%s %s %s') % (t, name, nums)
    u = p.get('unit')
    if u:
        f, d = u[0], u[1:]
        if f == '0':
            us = ['Bajo %s' % d, 'bajo %s' % d, 'Bj %s' % d][s['u'] % 3]
        else:
            us = ['%sº %s' % (f, d), '%sº%s' % (f, d), '%s-%s' % (f, d), 'piso %s puerta %s' % (f, d),
                  '%sº %sª' % (f, d) if d.isdigit() else '%s %s' % (f, d)][s['u'] % 5]
        line += (', ' if s['comma'] else ' ') + us
    out = line + (', ' if s['comma'] else ' ') + p['pc'] + ' ' + p['city']
    if s['pcf'] == 2:
        out += ' (%s)' % p['reg']
    return out


IT_ABBR = {'Via': ['V.', 'via', 'Via'], 'Viale': ['V.le', 'v.le'], 'Corso': ['C.so', 'c.so'], 'Piazza': ['P.zza', 'P.za', 'Pza'],
           'Largo': ['L.go', 'l.go']}


def r_it(p, s, c):
    name, typ = p['sn'], p['stt']
    t = IT_ABBR[typ][s['u'] % len(IT_ABBR[typ])] if s['abbr'] else typ
    num = fmt_num('IT', p['num'], s)
    nums = [num, 'n. ' + num, num, 'n.' + num][s['u'] % 4]
    line = ('%s %s, %s' if s['comma'] else '%s %s %s') % (t, name, nums)
    if p.get('unit'):
        line += (', ' if s['comma'] else ' ') + ufmt('IT', p, s)
    prov = [' ' + p['reg'], ' (%s)' % p['reg'], ''][s['pcf']]
    sep = [', ', ' - ', ' '][s['u'] % 3] if s['comma'] else ' '
    return line + sep + p['pc'] + ' ' + p['city'] + prov


def r_pl(p, s, c):
    name, typ = p['sn'], p['stt']
    pre = typ
    if typ == 'ul.':
        pre = ['ul.', 'ul', '', 'ul.', 'ulica'][s['u'] % 5]
    elif typ == 'al.':
        pre = ['al.', 'Al.', 'Aleje'][s['u'] % 3]
    num = fmt_num('PL', p['num'], s)
    u = p.get('unit')
    if u:
        num = ['%s/%s', '%s m. %s', '%s/%s', '%s m %s', '%s lok. %s'][s['u'] % 5] % (num, u)
    st = (pre + ' ' if pre else '') + name + ' ' + num
    return st + (', ' if s['comma'] else ' ') + p['pc'] + ' ' + p['city']


RENDER = {'US': r_en, 'GB': r_en, 'AU': r_en, 'CA': r_en, 'DE': r_de, 'FR': r_fr, 'NL': r_nl, 'ES': r_es,
          'IT': r_it, 'PL': r_pl}


def render(p, s):
    c = p['c']
    k = p['kind']
    if k == 'locker':
        out = render_locker(p, s)
    elif k == 'fwd':
        out = render_fwd(p, s)
    else:
        f = r_fr if (c == 'CA' and p.get('fr')) else RENDER[c]
        out = f(p, s, c)
        org = p.get('org')
        if org:
            if s['u'] % 3 == 0:
                out = 'c/o ' + org + ', ' + out
            elif s['u'] % 3 == 1:
                out = org + (', ' if s['comma'] else ' ') + out
    nz = p.get('noise')
    if nz:
        pre = nz.split(' ')[0] in ('c/o', 'C/O', 'Attn', 'z.Hd.', 'bei', 'chez', 'Chez', 'a/a', 'Att.', 'presso', 'u',
                                   't.a.v.', 'p/a')
        out = (nz + ', ' + out) if pre else (out + ' ' + nz)
    if s['alt'] and p.get('alts'):
        out = out.replace(p['city'], p['alts'][s['u'] % len(p['alts'])])
    if s['asc'] == 1:
        out = strip_acc(out)
    elif s['asc'] == 2:
        out = strip_acc(de_ascii(out))
    if s['ctry']:
        out += [', ' + c, ' ' + {'US': 'USA', 'GB': 'UK', 'DE': 'Deutschland', 'FR': 'France', 'NL': 'Nederland',
                                 'ES': 'España', 'IT': 'Italia', 'PL': 'Polska', 'CA': 'Canada',
                                 'AU': 'Australia'}[c]][s['u'] % 2]
    cs = s['case']
    if cs == 'lower':
        out = out.lower()
    elif cs == 'upper':
        out = out.upper()
    elif cs == 'title':
        out = out.title()
    if s['sp'] == 1:
        out = out.replace(', ', ',', 1)
    elif s['sp'] == 2:
        out = out.replace(' ', '  ', 1)
    elif s['sp'] == 3:
        out = out + ' '
    return out


def _street(p, s):
    c = p['c']
    f = r_fr if (c == 'CA' and p.get('fr')) else RENDER[c]
    return f(p, s, c)


def render_locker(p, s):
    c = p['c']
    h, lid, cust = p['host'], p['lid'], p.get('cust')
    v = s['u']
    base = p['base']  # a street place of the locker site
    city, pc = p['city'], p['pc']
    if c == 'DE':
        pn = ('Postnummer %s' % cust) if cust else ''
        forms = ['%s, Packstation %s, %s %s' % (pn, lid, pc, city), 'Packstation %s %s %s %s' % (lid, cust or '', pc, city),
                 '%s Packstation %s, %s %s' % (cust or '', lid, pc, city), 'Packstation %s / %s, %s %s' % (lid, cust or '-', pc, city)]
        out = forms[v % 4].strip(' ,')
    elif c == 'PL':
        out = ['Paczkomat %s, %s, %s %s', 'paczkomat %s %s %s %s', 'InPost %s (%s), %s %s'][v % 3] % (
            lid, _street(base, s).split(',')[0], pc, city)
    elif c == 'AU':
        out = ['Parcel Locker %s %s, %s', 'Parcel Locker %s / %s, %s', '%s Parcel Lockers %s, %s'][v % 3] % (
            lid, cust or '', _street(base, s))
    elif c == 'GB':
        out = ['InPost Locker %s, %s, %s', 'Locker %s - %s, %s', '%s locker %s, %s'][v % 3]
        out = out % ((lid, h, _street(base, s)) if v % 3 < 2 else (h, lid, _street(base, s)))
    elif c == 'FR':
        out = ['Point Relais %s, %s', 'Relais %s %s', 'Consigne %s - %s'][v % 3] % (h, _street(base, s))
    elif c == 'NL':
        out = ['PostNL Pakketautomaat %s, %s', 'Pakketpunt %s, %s', 'pakketautomaat %s %s'][v % 3] % (h, _street(base, s))
    elif c == 'ES':
        out = ['Citypaq %s, %s', 'Punto Pack %s, %s', 'Taquilla %s %s'][v % 3] % (h, _street(base, s))
    elif c == 'IT':
        out = ['Locker %s, %s', 'Punto ritiro %s, %s', 'Fermopoint %s %s'][v % 3] % (h, _street(base, s))
    elif c == 'US':
        out = ['Pickup Locker #%s @ %s, %s', 'Locker %s (%s), %s', '%s Pickup Locker %s, %s'][v % 3]
        out = out % ((lid, h, _street(base, s)) if v % 3 < 2 else (h, lid, _street(base, s)))
    else:  # CA
        out = ['Parcel Locker %s, %s', 'Canada Post Locker %s - %s'][v % 2] % (lid, _street(base, s))
    return out


def render_fwd(p, s):
    b = dict(p['base'])
    b['unit'] = '%s-%s' % (p['suite'], p['cust'])
    b['uk'] = 'box'
    out = r_en(b, s, 'US')
    if s['u'] % 3 == 0:
        out = p['org'] + ', ' + out
    return out


# ------------------------------------------------------------------ objects
class Dev:
    __slots__ = ('id', 'kind')

    def __init__(self, i, k):
        self.id, self.kind = i, k


class Link:
    __slots__ = ('acct', 'dev', 'ip', 'src', 'w', 'lo', 'hi', 'first', 'last')


class Instr:
    __slots__ = ('id', 'kind', 'bin', 'last4')


class Seller:
    __slots__ = ('acct', 'cat', 'country', 'pop', 'mu', 'sigma', 'q', 'intl', 'general')


class Acct:
    __slots__ = ('i', 'id', 'role', 'created', 'country', 'status', 'tz', 'city', 'links', 'places', 'instrs', 'iw',
                 'rate', 'end', 'style', 'hist', 'seller', 'ref_code', 'first_promo', 'promo_extra', 'risk',
                 'loyalty', 'home_ip', 'group', 'ring', 'pref', 'home')


class Ring:
    def __init__(self, **kw):
        self.__dict__.update(kw)


# ------------------------------------------------------------------ generator
class Gen:
    def __init__(self, n, seed):
        self.N = n
        self.seed = seed
        self.f = n / 20000.0
        self.r = random.Random(1000003 * seed + 11)
        self.nr = np.random.default_rng([seed, 20250303])
        self.accts, self.sellers, self.orders = [], [], []
        self.ids = set()
        self.oseq = 0
        self.rings, self.groups = [], []
        self.cdf_cache = {}
        self.locker_n = 0

    # ---------------- identifiers
    def rs(self, alpha, k):
        return ''.join(self.r.choices(alpha, k=k))

    def acct_id(self, created):
        while True:
            if created < _utc(2019, 1, 1):
                i = str(self.r.randrange(10 ** 9, 4 * 10 ** 9))
            else:
                i = 'M%02d-%s' % (self.r.randrange(100), self.rs(B32, 8))
            if i not in self.ids:
                self.ids.add(i)
                return i

    def uuid(self, upper=False):
        h = '%032x' % self.r.getrandbits(128)
        h = h[:12] + '4' + h[13:16] + '89ab'[int(h[16], 16) & 3] + h[17:]
        u = '%s-%s-%s-%s-%s' % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])
        return u.upper() if upper else u

    def new_dev(self, kind):
        r = self.r
        if kind in ('android', 'atab'):
            i = self.rs(HEX, 16)
        elif kind in ('ios', 'ipad'):
            i = self.uuid(True)
        elif kind == 'pc':
            i = 'PC-%s-%02d' % (self.rs(B32, 4), r.randrange(1, 30))
        else:
            u = r.random()
            i = self.uuid() if u < .55 else (self.rs(HEX, 32) if u < .85 else 'wb.' + self.rs(B62, 22))
        return Dev(i, kind)

    def new_instr(self, kind, country, bin_=None, last4=None):
        r = self.r
        x = Instr()
        x.kind = kind
        x.bin = x.last4 = ''
        if kind == 'card':
            u = r.random()
            x.id = ('pm_' + self.rs(B62, 24)) if u < .6 else (('card_' + self.rs(B62, 24)) if u < .85 else 'tok_' + self.rs(HEX, 32))
            x.bin = bin_ or self.pick_bin(country)
            x.last4 = last4 or '%04d' % r.randrange(10000)
        elif kind == 'paypal':
            x.id = ('BA-' + self.rs(UPAN, 17)) if r.random() < .5 else ('PAYID-' + self.rs(UPAN, 24))
        elif kind == 'bank':
            x.id = (('sepa_' if country not in ('US', 'CA', 'AU', 'GB') else 'ach_' if country == 'US' else 'ba_')
                    + self.rs(B62, 22))
        else:
            x.id = ('apay_' if r.random() < .5 else 'gpay_') + self.rs(HEX, 28)
        return x

    # ---------------- infrastructure
    def infra(self):
        r = self.r
        first = {'EU': [2, 5, 31, 37, 46, 62, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94,
                        95, 109, 176, 178, 188, 212, 213, 217],
                 'NA': [23, 24, 50, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 96, 97, 98, 99, 107, 108, 142,
                        162, 173, 174],
                 'AU': [1, 14, 27, 49, 58, 101, 110, 115, 120, 121, 124, 144, 150, 180, 203, 220]}
        used = set()

        def b16(c):
            pool = first['NA' if c in ('US', 'CA') else 'AU' if c == 'AU' else 'EU']
            while True:
                k = (r.choice(pool), r.randrange(256))
                if k not in used:
                    used.add(k)
                    return k
        self.b16 = b16
        self.isp = {}
        self.carrier = {}
        for c in COUNTRIES:
            isps = [[b16(c) for _ in range(r.randint(1, 3))] for _ in range(r.randint(3, 6))]
            w = [1.0 / (i + 1) ** .8 for i in range(len(isps))]
            self.isp[c] = (isps, w)
            cars = []
            for _ in range(r.randint(2, 4)):
                a, b = b16(c)
                blocks = ['%d.%d.%d' % (a, b, r.randrange(256)) for _ in range(r.randint(3, 9))]
                cars.append(blocks)
            self.carrier[c] = (cars, [1.0 / (i + 1) for i in range(len(cars))])
        hosting = [45, 104, 138, 146, 149, 154, 162, 185, 193, 194, 195, 209, 212, 217]
        self.vpn_blocks = []
        for _ in range(36):
            self.vpn_blocks.append('%d.%d.%d' % (r.choice(hosting), r.randrange(256), r.randrange(256)))
        # BINs
        self.bins = {}
        for c in COUNTRIES:
            lst = []
            for i in range(r.randint(9, 14)):
                u = r.random()
                if u < .55:
                    b = '4' + self.rs('0123456789', 5)
                elif u < .92:
                    b = str(r.randint(51, 55)) + self.rs('0123456789', 4)
                else:
                    b = r.choice(['34', '37']) + self.rs('0123456789', 4)
                lst.append(b)
            self.bins[c] = (lst, [1.0 / (i + 1) ** 1.1 for i in range(len(lst))])
        self.prepaid_bins = ['4' + self.rs('0123456789', 5) for _ in range(4)] + \
                            [str(r.randint(51, 55)) + self.rs('0123456789', 4) for _ in range(3)]
        self.corp_bins = {c: ['4' + self.rs('0123456789', 5), '55' + self.rs('0123456789', 4)] for c in COUNTRIES}
        self.city_w = {c: [x[4] for x in CITIES[c]] for c in COUNTRIES}

    def pick_bin(self, c):
        if self.r.random() < .03:
            return self.r.choice(self.prepaid_bins)
        lst, w = self.bins[c]
        return self.r.choices(lst, w)[0]

    def home_ip(self, c):
        r = self.r
        isps, w = self.isp[c]
        a, b = r.choice(r.choices(isps, w)[0])
        return '%d.%d.%d.%d' % (a, b, r.randrange(256), r.randrange(1, 255))

    def mobile_ip(self, c):
        r = self.r
        cars, w = self.carrier[c]
        blk = r.choice(r.choices(cars, w)[0])
        return '%s.%d' % (blk, r.randrange(1, 60))

    def vpn_ip(self, blocks=None):
        return '%s.%d' % (self.r.choice(blocks or self.vpn_blocks), self.r.randrange(2, 40))

    def pick_city(self, c):
        return self.r.choices(CITIES[c], self.city_w[c])[0]

    def new_style(self, c):
        r = self.r
        return {'abbr': r.random() < .5, 'dot': r.random() < .5, 'comma': r.random() < .72, 'u': r.randrange(60),
                'pcf': r.choices([0, 1, 2], [.7, .18, .12])[0],
                'case': r.choices(['as', 'lower', 'upper', 'title'], [.84, .08, .05, .03])[0],
                'asc': (r.choices([0, 1, 2], [.8, .12, .08])[0] if c in ('DE', 'FR', 'ES', 'IT', 'PL', 'CA') else 0),
                'ctry': r.random() < .05, 'alt': r.random() < .12, 'nfirst': r.random() < .3,
                'sp': r.choices([0, 1, 2, 3], [.9, .04, .03, .03])[0]}

    def vary_style(self, s):
        t = dict(s)
        k = self.r.choice(['abbr', 'comma', 'u', 'pcf', 'case', 'dot'])
        if k == 'u':
            t['u'] = self.r.randrange(60)
        elif k == 'pcf':
            t['pcf'] = self.r.randrange(3)
        elif k == 'case':
            t['case'] = self.r.choice(['as', 'lower', 'as'])
        else:
            t[k] = not t[k]
        return t

    def postcode(self, c, ci):
        r = self.r
        sp = ci[2]
        if c == 'US':
            return sp + '%02d' % r.randrange(1, 99), '%04d' % r.randrange(10000)
        if c == 'GB':
            return r.choice(sp) + ' %d%s%s' % (r.randrange(10), r.choice(GBL), r.choice(GBL)), None
        if c == 'DE':
            return r.choice(sp) + '%03d' % r.randrange(1000), None
        if c == 'FR':
            return r.choice(sp), None
        if c == 'NL':
            return '%d %s%s' % (r.randint(*sp), r.choice(NLL), r.choice(NLL)), None
        if c in ('ES', 'IT'):
            return sp + '%02d' % r.randrange(1, 60), None
        if c == 'PL':
            return '%s-%03d' % (r.choice(sp), r.randrange(1000)), None
        if c == 'CA':
            return r.choice(sp) + ' %d%s%d' % (r.randrange(10), r.choice('ABCEGHJKLMNPRSTVWXYZ'), r.randrange(10)), None
        return sp, None

    def new_place(self, c, ci=None, unit=None, uk='apt', org=None):
        r = self.r
        if ci is None:
            ci = self.pick_city(c)
        fr = False
        if c == 'CA' and ci[1] == 'QC':
            sn, stt = r.choice(STREETS['CAFR'])
            fr = True
        elif c == 'ES' and ci[0] in ('Barcelona', 'Valencia') and r.random() < .6:
            sn, stt = r.choice(STREETS['ESCA'])
        else:
            sn, stt = r.choice(STREETS[c])
        n = max(1, int(math.exp(r.uniform(0, 5.4))))
        suf = ''
        if r.random() < .08:
            suf = r.choice(['bis', 'ter', 'b']) if c == 'FR' else r.choice(['a', 'b', 'c', 'A'])
        pc, pc4 = self.postcode(c, ci)
        p = {'c': c, 'kind': 'street', 'city': ci[0], 'reg': ci[1], 'pc': pc, 'pc4': pc4, 'sn': sn, 'stt': stt,
             'num': (n, suf), 'unit': None, 'uk': uk, 'tz': ci[3], 'ci': ci, 'fr': fr,
             'alts': ci[5] if len(ci) > 5 else None}
        if c in ('US', 'CA') and not fr and r.random() < .15:
            p['dir'] = r.choice('NSEW')
        if unit is None and r.random() < UNIT_P[c]:
            unit = self.unit_val(c)
        p['unit'] = unit
        if org:
            p['org'] = org
        return p

    def unit_val(self, c, big=False):
        r = self.r
        if c == 'ES':
            return '%d%s' % (r.randrange(0, 9), r.choice(['A', 'B', 'C', 'D', '1', '2', 'izq', 'dcha']))
        if c == 'NL':
            return r.choice(['1', '2', '3', 'A', 'B', 'hs'])[:2] if r.random() < .9 else '4'
        if c == 'US' or c == 'CA':
            return '%d%s' % (r.randrange(1, 30 if big else 12), r.choice(['', '', 'A', 'B', 'C', 'D']))
        return str(r.randrange(1, 200 if big else 40))

    def org_name(self, c):
        r = self.r
        return '%s%s %s' % (r.choice(CO_A), r.choice(CO_B), r.choice(LEGAL[c]))

    def locker_place(self, c, ci=None):
        r = self.r
        base = self.new_place(c, ci, unit=None)
        base['unit'] = None
        self.locker_n += 1
        lid = {'DE': str(r.randrange(100, 250)), 'PL': '%s%02dM' % (base['city'][:3].upper().replace('Ł', 'L').replace('Ó', 'O'), r.randrange(1, 99)),
               'GB': 'UK%05d' % r.randrange(100000), 'AU': str(r.randrange(10000, 99999))}.get(c, str(r.randrange(1000, 9999)))
        return {'c': c, 'kind': 'locker', 'host': r.choice(LOCKER_HOSTS[c]), 'lid': lid, 'base': base,
                'city': base['city'], 'pc': base['pc'], 'tz': base['tz'], 'ci': base['ci'], 'alts': base['alts']}

    def with_cust(self, p):
        q = dict(p)
        if p['kind'] == 'locker' and p['c'] in ('DE', 'AU'):
            q['cust'] = str(self.r.randrange(10 ** 7, 10 ** 9) if p['c'] == 'DE' else self.r.randrange(10 ** 9, 10 ** 10))
        elif p['kind'] == 'fwd':
            q['cust'] = str(self.r.randrange(10000, 99999))
        return q

    def fwd_place(self):
        base = self.new_place('US', CITIES['US'][self.r.choice([0, 11, 12])], unit=None)
        return {'c': 'US', 'kind': 'fwd', 'base': base, 'suite': str(self.r.randrange(100, 900)),
                'org': self.r.choice(['ShipHop', 'MyUSBox', 'Parcelbridge', 'StackShip']), 'city': base['city'],
                'pc': base['pc'], 'tz': base['tz'], 'alts': None}

    def jig(self, p, strength):
        """address jigging: variants of one drop address"""
        r = self.r
        q = dict(p)
        if q['kind'] != 'street':
            return self.with_cust(q)
        ops = ['unit', 'suf', 'noise', 'typo'] if strength >= 2 else ['unit', 'suf']
        for op in r.sample(ops, k=r.randint(1, 2 if strength < 3 else 3)):
            if op == 'unit':
                q['unit'] = self.unit_val(q['c'], big=True)
            elif op == 'suf':
                q['num'] = (q['num'][0], r.choice(['a', 'b', 'A', 'c']) if q['c'] != 'FR' else r.choice(['bis', 'ter', 'b']))
            elif op == 'noise':
                pre = NOISE_PRE.get(q['c'], ['c/o', 'Attn'])
                q['noise'] = r.choice([r.choice(pre) + ' ' + r.choice(SURNAMES), r.choice(pre) + ' ' + r.choice(SURNAMES),
                                       self.rs(B32, 3), r.choice(NOISE_SUF.get(q['c'], NOISE_SUF['US'])) % r.randrange(1, 9),
                                       '#' + str(r.randrange(100, 999))])
            else:
                sn = q['sn']
                if len(sn) > 4:
                    i = r.randrange(1, len(sn) - 2)
                    k = r.randrange(3)
                    if k == 0:
                        sn = sn[:i] + sn[i + 1] + sn[i] + sn[i + 2:]
                    elif k == 1:
                        sn = sn[:i] + sn[i + 1:]
                    else:
                        sn = sn[:i] + sn[i] + sn[i:]
                q['sn'] = sn
        return q

    # ---------------- accounts
    def new_acct(self, role, c, created, ci=None):
        a = Acct()
        a.i = len(self.accts)
        a.id = self.acct_id(created)
        a.role, a.country, a.created = role, c, int(created)
        a.city = ci or self.pick_city(c)
        a.tz = a.city[3]
        a.status = 'active'
        a.end = END
        a.links, a.places, a.instrs, a.iw, a.hist = [], [], [], [], []
        a.rate = 0.0
        a.style = self.new_style(c)
        a.seller = a.ref_code = a.first_promo = a.promo_extra = a.group = a.ring = a.pref = None
        a.risk, a.loyalty = 1.0, .4
        a.home_ip = self.home_ip(c)
        a.home = None
        self.accts.append(a)
        return a

    def link(self, a, dev, src='home', ip=None, w=1.0, lo=None, hi=None):
        k = Link()
        k.acct, k.dev, k.src, k.ip, k.w = a, dev, src, ip, w
        k.lo = a.created if lo is None else max(lo, a.created)
        k.hi = END if hi is None else hi
        k.first = k.last = None
        a.links.append(k)
        return k

    def add_place(self, a, p, kinds=('shipping',), shipw=1.0, style=None, text=None):
        e = [p, kinds, shipw, text, style]
        a.places.append(e)
        return e

    def add_instr(self, a, x, w=1.0):
        a.instrs.append(x)
        a.iw.append(w)

    def honest_created(self):
        r = self.r
        if r.random() < .3:
            # sign-ups during the span, growing slightly
            return START + int((r.random() ** .85) * (END - START - 3 * DAY))
        yrs = min(13.0, r.expovariate(1 / 2.6)) + 1 / 365.0
        return START - int(yrs * 365 * DAY) - r.randrange(DAY)

    def kinds(self):
        r = self.r
        k = ['shipping']
        if r.random() < .5:
            k.append('billing')
        if r.random() < .3:
            k.append('home')
        return tuple(k)

    def setup_person(self, a, ndev=None, vpn=None):
        """devices, home place, instruments of an ordinary person"""
        r = self.r
        c = a.country
        if ndev is None:
            ndev = r.choices([1, 2, 3, 4], [45, 35, 15, 5])[0]
        vpn = (r.random() < .035) if vpn is None else vpn
        for j in range(ndev):
            if j == 0:
                kind = ('ios' if r.random() < IOS_SHARE[c] else 'android') if r.random() < .72 else 'web'
            else:
                kind = r.choices(['web', 'ipad', 'atab', 'ios', 'android'], [5, 1.5, 1, 1, 1.5])[0]
            d = self.new_dev(kind)
            w = .62 if j == 0 else .38 / (ndev - 1)
            if kind in ('ios', 'android'):
                if r.random() < .65:
                    self.link(a, d, 'fix', self.mobile_ip(c), w)
                else:
                    self.link(a, d, 'home', None, w)
            elif kind == 'web' and vpn:
                self.link(a, d, 'fix', self.vpn_ip(), w)
            else:
                self.link(a, d, 'home', None, w)
        p = self.new_place(c, a.city)
        a.home = p
        self.add_place(a, p, self.kinds(), 1.0)
        if r.random() < .18:
            q = self.new_place(c, self.pick_city(c) if r.random() < .5 else a.city)
            self.add_place(a, q, ('shipping',), r.uniform(.1, .5))
        ni = r.choices([1, 2, 3], [55, 32, 13])[0]
        mix = PAY_MIX[c]
        for j in range(ni):
            kind = r.choices(['card', 'paypal', 'bank', 'wallet'], mix)[0]
            self.add_instr(a, self.new_instr(kind, c), .7 if j == 0 else .3 / (ni - 1) if ni > 1 else 1)

    # ---------------- rings planning
    def plan_rings(self):
        r = self.r
        n = max(4, int(round(self.f * r.randint(56, 74))))
        typs = ['brushing', 'promo_abuse', 'chargeback', 'collusion']
        specs = []
        # stratified typology mix (roughly 30/26/24/20 %), order shuffled below
        quota = [max(1, int(round(n * w))) for w in (.29, .26, .24, .21)]
        while sum(quota) > n:
            quota[quota.index(max(quota))] -= 1
        while sum(quota) < n:
            quota[r.randrange(4)] += 1
        tlist = [t for t, q in zip(typs, quota) for _ in range(q)]
        for k in range(n):
            typ = tlist[k]
            L = r.choices([0, 1, 2, 3, 4], [.13, .2, .3, .25, .12])[0]
            lo, hi = {'brushing': (4, 36), 'promo_abuse': (5, 40), 'chargeback': (3, 25), 'collusion': (3, 22)}[typ]
            size = int(round(math.exp(r.uniform(math.log(lo), math.log(hi + .49)))))
            if L == 4 and r.random() < .5:
                size = min(size, r.randint(lo, 7))
            size = max(3, min(40, size))
            if typ == 'brushing':
                ns = 1 if r.random() < .7 or size < 6 else r.randint(2, 3)
                roles = [('seller' if r.random() < .6 else 'both') for _ in range(ns)] + ['buyer'] * (size - ns)
            elif typ == 'collusion':
                ns = min(size, r.randint(3, 8))
                roles = ['both'] * ns + ['buyer'] * (size - ns)
            else:
                roles = ['buyer'] * size
            durw = {'brushing': [(1, 3, .25), (4, 10, .45), (11, 24, .30)],
                    'promo_abuse': [(1, 3, .55), (4, 8, .30), (8, 16, .15)],
                    'chargeback': [(1, 3, .5), (4, 8, .35), (8, 14, .15)],
                    'collusion': [(2, 4, .15), (5, 12, .35), (12, 26, .5)]}[typ]
            a, b, _ = r.choices(durw, [x[2] for x in durw])[0]
            dur = r.uniform(a, b) * WEEK
            if r.random() < .15:
                t0 = END - r.uniform(.5, 4) * WEEK
            else:
                t0 = START + r.uniform(0, max(0.0, (END - START) - dur))
            t0 = int(max(START + DAY, t0))
            t1 = int(min(END - 3600, t0 + dur))
            specs.append(Ring(id='R%03d' % (k + 1), typ=typ, L=L, size=size, roles=roles, t0=t0, t1=t1,
                              members=[], sellers=[]))
        # shuffle ring numbering so typology isn't in id order
        r.shuffle(specs)
        for k, s in enumerate(specs):
            s.id = 'R%03d' % (k + 1)
        self.rings = specs
        return sum(1 for s in specs for x in s.roles if x in ('buyer', 'both'))

    # ---------------- sellers
    def make_seller(self, a, cat, pop, general=True, intl=None):
        r = self.r
        s = Seller()
        s.acct, s.cat, s.country = a, cat, a.country
        s.pop = pop
        base, sig = CATS[cat][0], CATS[cat][1]
        s.mu = math.log(base) + r.gauss(0, .35)
        s.sigma = sig * r.uniform(.7, 1.1)
        s.q = r.lognormvariate(0, .45) * (3 if r.random() < .05 else 1)
        s.intl = (r.random() < .6) if intl is None else intl
        s.general = general
        a.seller = s
        self.sellers.append(s)
        if not any('bank' == x.kind for x in a.instrs):
            self.add_instr(a, self.new_instr('bank', a.country), .05)
        return s

    def make_sellers(self):
        r = self.r
        S = max(60, int(self.N * .075))
        self.n_both = 0
        percountry = {c: [] for c in COUNTRIES}
        for _ in range(S):
            c = r.choices(COUNTRIES, [SELLER_W[x] for x in COUNTRIES])[0]
            role = 'both' if r.random() < .38 else 'seller'
            if r.random() < .8:
                created = START - int(min(12, r.expovariate(1 / 3.0)) * 365 * DAY) - r.randrange(DAY, 30 * DAY)
            else:
                created = START + r.randrange(0, END - START - 3 * WEEK)
            a = self.new_acct(role, c, created)
            self.setup_person(a, ndev=r.randint(1, 3), vpn=False)
            if r.random() < .5:
                org = self.org_name(c)
                p = self.new_place(c, a.city, org=org)
                self.add_place(a, p, ('billing',), 0.0)
            cat = r.choices(GEN_CATS, GEN_CATW)[0]
            s = self.make_seller(a, cat, 0.0)
            percountry[c].append(s)
            if role == 'both':
                self.n_both += 1
                a.rate = r.lognormvariate(math.log(.12), 1.0)
        for c in COUNTRIES:
            lst = percountry[c]
            r.shuffle(lst)
            for k, s in enumerate(lst):
                s.pop = (k + 1) ** -ZIPF[c] * r.lognormvariate(0, .5)
                if s.acct.created > START:
                    s.pop *= .3

    # ---------------- buyers
    def make_buyers(self, n):
        r = self.r
        self.pool = {c: [] for c in COUNTRIES}
        new_accts = []
        for _ in range(n):
            c = r.choices(COUNTRIES, [BUYER_W[x] for x in COUNTRIES])[0]
            cr = self.honest_created()
            a = self.new_acct('buyer', c, cr)
            self.setup_person(a)
            a.rate = r.lognormvariate(math.log(.16), 1.15)
            if r.random() < .12:
                a.rate *= .15
            a.loyalty = r.uniform(.15, .7)
            a.risk = r.lognormvariate(0, .5) * (12 if r.random() < .005 else 1)
            u = r.random()
            if u < .03 and cr < END - 4 * WEEK:
                a.status = 'closed'
                a.end = r.randrange(max(cr, START) + WEEK, END)
            elif u < .036:
                a.status = 'suspended'
            elif cr > END - 10 * DAY and u < .2:
                a.status = 'pending_verification'
                a.rate *= .2
            if cr >= START:
                new_accts.append(a)
                if r.random() < .42:
                    a.first_promo = WELCOME[c][0]
            self.pool[c].append(a)
        for c in COUNTRIES:
            r.shuffle(self.pool[c])
        # organic referrals: some new accounts were invited by an existing friend
        allb = [a for c in COUNTRIES for a in self.pool[c]]
        for a in new_accts:
            if a.first_promo is None and r.random() < .14:
                ref = r.choice(allb)
                if ref.created < a.created and ref is not a:
                    a.first_promo = self.ref_code(ref)

    def ref_code(self, a):
        if a.ref_code is None:
            r = self.r
            a.ref_code = r.choice(['R-', 'INV-', '']) + self.rs(B32, 7)
        return a.ref_code

    def grab(self, c, n, new_ok=True):
        out = []
        pool = self.pool[c]
        while pool and len(out) < n:
            a = pool.pop()
            if a.group is None and a.ring is None and a.status != 'closed':
                out.append(a)
        return out

    # ---------------- look-alikes
    def new_group(self, kind, members):
        gid = 'LA%03d' % (len(self.groups) + 1)
        g = {'id': gid, 'kind': kind, 'members': members}
        for a in members:
            a.group = gid
        self.groups.append(g)
        return g

    def platform_fp(self):
        for gr in self.groups:
            for a in gr['members']:
                if a.status == 'active' and self.r.random() < .025:
                    a.status = 'suspended'

    def cnt(self, base):
        # stochastic rounding so that tiny markets do not get one group of every kind
        x = base * self.f
        return int(x) + (1 if self.r.random() < x - int(x) else 0) if x < 1 else int(round(x))

    def rc(self, weights=None):
        return self.r.choices(COUNTRIES, [BUYER_W[x] for x in COUNTRIES] if weights is None else weights)[0]

    def move_home(self, a, p, shipw=1.0, kinds=('shipping', 'home')):
        """a joins a shared place (household, dorm): replace the primary place"""
        a.places = [e for e in a.places if e[0] is not a.home]
        a.home = p
        a.city = p.get('ci', a.city)
        a.tz = p['tz']
        self.add_place(a, p, kinds, shipw)

    def make_lookalikes(self):
        r = self.r
        G = []
        # households
        for _ in range(self.cnt(100)):
            c = self.rc()
            m = self.grab(c, r.choices([2, 3, 4, 5, 6], [35, 30, 20, 10, 5])[0])
            if len(m) < 2:
                continue
            p = m[0].home
            ip = m[0].home_ip
            for a in m[1:]:
                self.move_home(a, p, kinds=r.choice([('shipping', 'home'), ('shipping',), ('shipping', 'billing')]))
            tab = self.new_dev(r.choice(['ipad', 'atab', 'web'])) if r.random() < .5 else None
            card = m[0].instrs[0] if r.random() < .35 else None
            for a in m:
                a.home_ip = ip
                if tab:
                    self.link(a, tab, 'home', None, .3)
            if card:
                for a in m[1:r.randint(2, len(m))]:
                    self.add_instr(a, card, .4)
            G.append(self.new_group('household', m))
        # flatmates & student housing
        for kind, nb, lo, hi in (('flatmates', 14, 2, 5), ('student_housing', 8, 6, 16)):
            for _ in range(self.cnt(nb)):
                c = self.rc()
                m = self.grab(c, r.randint(lo, hi))
                if len(m) < 2:
                    continue
                ci = m[0].city
                if kind == 'flatmates':
                    p = m[0].home
                    ip = m[0].home_ip
                    lap = self.new_dev('web') if r.random() < .3 else None
                    for a in m:
                        if a is not m[0]:
                            self.move_home(a, p)
                        a.home_ip = ip
                        if lap:
                            self.link(a, lap, 'home', None, .2)
                else:
                    org = DORM[c] + ' ' + r.choice(SURNAMES)
                    base = self.new_place(c, ci, unit=None, uk='room')
                    base['org'] = org
                    a16 = self.b16(c)
                    campus = '%d.%d.%d' % (a16[0], a16[1], r.randrange(256))
                    code = r.choice(['STUDENT15', 'UNIDAYS10', 'STUDENT15'])
                    for a in m:
                        q = dict(base)
                        q['unit'] = str(r.randrange(1, 400))
                        self.move_home(a, q)
                        self.link(a, self.new_dev('web'), 'fix', '%s.%d' % (campus, r.randrange(2, 254)), .5)
                        a.promo_extra = (code, .25)
                        a.rate *= 1.3
                G.append(self.new_group(kind, m))
        # offices / coworking / lunch teams
        self.lunch = []
        for kind, nb in (('office', 9), ('coworking', 4), ('lunch_team', 6)):
            for _ in range(self.cnt(nb)):
                c = self.rc()
                m = self.grab(c, r.randint(5, 25) if kind != 'lunch_team' else r.randint(5, 12))
                if len(m) < 3:
                    continue
                ci = m[0].city
                org = self.org_name(c)
                base = self.new_place(c, ci, unit=str(r.randrange(1, 12)), uk='suite', org=org if kind != 'coworking' else None)
                a16 = self.b16(c)
                net = '%d.%d.%d' % (a16[0], a16[1], r.randrange(256))
                card = self.new_instr('card', c, bin_=r.choice(self.corp_bins[c])) if kind != 'coworking' and r.random() < .7 else None
                for a in m:
                    q = base
                    if kind == 'coworking':
                        q = dict(base)
                        q['org'] = self.org_name(c) if r.random() < .7 else None
                        q['unit'] = str(r.randrange(1, 40))
                    self.add_place(a, q, ('shipping',), r.uniform(.2, .6))
                    a.tz = base['tz']
                    self.link(a, self.new_dev('web'), 'fix', '%s.%d' % (net, r.randrange(1, 7)), .35)
                    if card and r.random() < .6:
                        self.add_instr(a, card, .25)
                g = self.new_group(kind, m)
                g.update(place=base, card=card, net=net)
                if kind == 'lunch_team':
                    self.lunch.append(g)
                G.append(g)
        # public wifi: internet cafes, libraries, hotels
        for kind, nb in (('internet_cafe', 3), ('library', 3), ('hotel_wifi', 3)):
            for _ in range(self.cnt(nb)):
                c = self.rc()
                n = r.randint(12, 35)
                m = self.grab(c, n) if kind != 'hotel_wifi' else [x for cc in r.sample(COUNTRIES, 4) for x in self.grab(cc, n // 4 + 1)]
                if len(m) < 4:
                    continue
                a16 = self.b16(c)
                vip = '%d.%d.%d.%d' % (a16[0], a16[1], r.randrange(256), r.randrange(2, 250))
                pcs = [self.new_dev('pc') for _ in range(r.randint(2, 6))] if kind != 'hotel_wifi' else None
                visits = []
                for a in m:
                    lo = max(a.created, START)
                    if lo > END - 2 * DAY:
                        continue
                    t = r.randrange(lo, END - DAY)
                    dev = r.choice(pcs) if pcs and r.random() < .7 else (a.links[0].dev if a.links else self.new_dev('android'))
                    k = self.link(a, dev, 'fix', vip, 0.0, lo=t, hi=t + r.randrange(3600, 4 * 3600 if pcs else 5 * DAY))
                    visits.append(k)
                g = self.new_group(kind, m)
                g['visits'] = visits
                G.append(g)
        # parcel lockers
        for _ in range(self.cnt(3)):
            c = r.choice(['DE', 'PL', 'GB', 'FR', 'AU', 'US'])
            ci = self.pick_city(c)
            lk = self.locker_place(c, ci)
            m = self.grab(c, max(10, int(r.randint(60, 140) * min(1.0, self.f))))
            for a in m:
                self.add_place(a, self.with_cust(lk), ('shipping',), r.uniform(1.0, 4.0))
            G.append(self.new_group('parcel_locker', m))
        # mobile carrier NAT pool
        for _ in range(self.cnt(1)):
            c = r.choice(['PL', 'IT', 'ES', 'US', 'GB'])
            a16 = self.b16(c)
            blk = '%d.%d.%d' % (a16[0], a16[1], r.randrange(256))
            m = self.grab(c, max(20, int(r.randint(150, 280) * min(1.0, self.f))))
            for a in m:
                d = self.new_dev('android' if r.random() > IOS_SHARE[c] else 'ios')
                self.link(a, d, 'fix', '%s.%d' % (blk, r.randrange(1, 14)), .6)
            G.append(self.new_group('mobile_nat', m))
        # local shop regulars, wholesale customers, friends & family of a new shop, caregivers, resellers
        self.special = []
        for _ in range(self.cnt(6)):
            c = self.rc()
            m = self.grab(c, r.randint(10, 30))
            if len(m) < 5:
                continue
            ci = m[0].city
            sa = self.new_acct('seller', c, START - r.randrange(200, 3000) * DAY, ci)
            self.setup_person(sa, ndev=2, vpn=False)
            s = self.make_seller(sa, r.choice(['grocery', 'handmade', 'pet_supplies', 'books_media']), 0.0, general=False,
                                 intl=False)
            for a in m:
                if a.city[0] != ci[0]:
                    self.move_home(a, self.new_place(c, ci))
            g = self.new_group('local_shop_regulars', m + [sa])
            g['seller'] = s
            self.special.append(g)
            G.append(g)
        for _ in range(self.cnt(5)):
            c = self.rc()
            m = self.grab(c, r.randint(5, 14))
            if len(m) < 3:
                continue
            sa = self.new_acct('seller', c, START - r.randrange(400, 4000) * DAY)
            self.setup_person(sa, ndev=2, vpn=False)
            self.add_place(sa, self.new_place(c, sa.city, org=self.org_name(c)), ('billing', 'home'), 0.0)
            s = self.make_seller(sa, 'wholesale', 0.0, general=False, intl=False)
            for a in m:
                p = self.new_place(c, a.city, org=self.org_name(c))
                self.add_place(a, p, ('shipping', 'billing'), 1.5)
                self.add_instr(a, self.new_instr('card', c, bin_=r.choice(self.corp_bins[c])), 1.0)
            g = self.new_group('smb_wholesale', m + [sa])
            g['seller'] = s
            self.special.append(g)
            G.append(g)
        for _ in range(self.cnt(8)):
            c = self.rc()
            m = self.grab(c, r.randint(5, 12))
            if len(m) < 3:
                continue
            topen = START + r.randrange(WEEK, END - START - 5 * WEEK)
            sa = self.new_acct('seller', c, topen - r.randrange(DAY, 5 * DAY), m[0].city)
            self.setup_person(sa, ndev=2, vpn=False)
            sa.home_ip = m[0].home_ip  # a family member runs the shop
            self.move_home(sa, m[0].home, kinds=('home', 'billing'))
            s = self.make_seller(sa, r.choice(['handmade', 'beauty', 'fashion', 'home_garden']), .002, intl=False)
            for a in m:
                if a.created > topen and r.random() < .7:
                    pass
                if r.random() < .4 and a.created < topen:
                    continue
                if r.random() < .5:  # friends who signed up just for the shop
                    a.created = topen + r.randrange(3600, 10 * DAY)
                    a.first_promo = None
                    for k in a.links:
                        k.lo = a.created
            g = self.new_group('friends_family_shop', m + [sa])
            g['seller'] = s
            g['topen'] = topen
            self.special.append(g)
            G.append(g)
        for _ in range(self.cnt(10)):
            c = self.rc()
            m = self.grab(c, r.randint(3, 5))
            if len(m) < 3:
                continue
            tab = self.new_dev(r.choice(['ipad', 'atab']))
            for a in m:
                self.link(a, tab, 'fix', m[0].home_ip if a is m[0] else a.home_ip, .5)
                a.rate *= .6
            g = self.new_group('caregiver', m)
            g['dev'] = tab
            self.special.append(g)
            G.append(g)
        for _ in range(self.cnt(3)):
            c = self.rc()
            m = self.grab(c, r.randint(3, 6))
            if len(m) < 3:
                continue
            g = self.new_group('reseller_group', m)
            blocks = r.sample(self.vpn_blocks, 3)
            for a in m:
                self.link(a, self.new_dev('web'), 'fix', self.vpn_ip(blocks), .2)
            self.special.append(g)
            G.append(g)
        # referral friends
        for _ in range(self.cnt(12)):
            c = self.rc()
            m = self.grab(c, r.randint(5, 15))
            if len(m) < 4:
                continue
            ref = m[0]
            if ref.created > START:
                ref.created = START - r.randrange(30, 900) * DAY
                for k in ref.links:
                    k.lo = ref.created
            code = self.ref_code(ref)
            t0 = START + r.randrange(0, END - START - 8 * WEEK)
            for a in m[1:]:
                a.created = t0 + int(r.random() ** 1.5 * r.uniform(2, 7) * WEEK)
                for k in a.links:
                    k.lo = a.created
                a.first_promo = code
                if r.random() < .3:
                    a.city = ref.city
            G.append(self.new_group('referral_friends', m))
        # parcel forwarder customers (AU/GB/CA/... buyers using a US forwarding suite)
        for _ in range(self.cnt(2)):
            fp = self.fwd_place()
            m = []
            for c in ('AU', 'GB', 'CA', 'DE', 'NL'):
                m += self.grab(c, max(3, int(r.randint(5, 12) * min(1.0, self.f))))
            for a in m:
                self.add_place(a, self.with_cust(fp), ('shipping',), r.uniform(.6, 2))
                a.pref = 'US'
            G.append(self.new_group('parcel_forwarder', m))
        # resold / second-hand devices
        for _ in range(self.cnt(12)):
            c = self.rc()
            m = self.grab(c, 2)
            if len(m) < 2:
                continue
            a, b = m
            mob = [k for k in a.links if k.dev.kind in ('ios', 'android')]
            if not mob:
                continue
            tsale = START + r.randrange(3 * WEEK, END - START - 3 * WEEK)
            for k in mob[:1]:
                k.hi = tsale
                self.link(a, self.new_dev(k.dev.kind), k.src, k.ip, k.w, lo=tsale + DAY)
                self.link(b, k.dev, 'fix', self.mobile_ip(c), .6, lo=tsale + r.randrange(2, 20) * DAY)
            G.append(self.new_group('resold_device', m))
        # sellers sharing a fulfilment warehouse (3PL)
        self.fulfil = []
        for _ in range(self.cnt(4)):
            c = r.choice(['DE', 'GB', 'NL', 'PL', 'US', 'FR'])
            cand = [s for s in self.sellers if s.country == c and s.general and s.acct.group is None and s.acct.ring is None]
            r.shuffle(cand)
            ss = cand[:r.randint(4, 10)]
            if len(ss) < 3:
                continue
            org = r.choice(['Fulfilment', 'Logistik', 'Logistics', '3PL']) + ' ' + r.choice(CO_A) + ' ' + r.choice(LEGAL[c])
            wp = self.new_place(c, unit=None, org=org)
            a16 = self.b16(c)
            net = '%d.%d.%d' % (a16[0], a16[1], r.randrange(256))
            for s in ss:
                q = dict(wp)
                if r.random() < .5:
                    q['org'] = org + (', Tor %d' if c == 'DE' else ', Dock %d') % r.randrange(1, 20)
                self.add_place(s.acct, q, ('billing', 'shipping'), 0.0)
                self.link(s.acct, self.new_dev('web'), 'fix', '%s.%d' % (net, r.randrange(10, 30)), .1)
            G.append(self.new_group('fulfilment_warehouse', [s.acct for s in ss]))

    # ---------------- rings
    def ring_ip(self, rg):
        r = self.r
        if rg.slip and r.random() < rg.slip:
            return 'fix', rg.op_ip
        m = rg.ipmode
        if m == 'home':
            return 'fix', rg.op_ip
        if m in ('vpn1', 'vpnN'):
            return 'fix', self.vpn_ip(rg.vpn)
        if m == 'mobile':
            return 'fix', self.mobile_ip(rg.country)
        return 'home', None  # residential proxy: a fresh residential address per account

    def ring_setup(self, rg):
        r = self.r
        L = rg.L
        rg.country = self.rc()
        rg.city = self.pick_city(rg.country)
        rg.op_ip = self.home_ip(rg.country)
        rg.ipmode = [r.choice(['home', 'home', 'vpn1']), r.choice(['home', 'vpn1']), r.choice(['vpn1', 'vpnN', 'mobile']),
                     r.choice(['resi', 'vpnN', 'mobile']), r.choice(['resi', 'resi', 'mobile'])][L]
        rg.vpn = r.sample(self.vpn_blocks, 1 if rg.ipmode == 'vpn1' else r.randint(2, 5))
        rg.slip = [0, .25, .12, .05, 0][L]
        np_ = {0: r.randint(1, 2), 1: max(1, rg.size // 4), 2: max(2, rg.size // 3)}.get(L, 1)
        rg.pool = [self.new_dev(r.choice(['android', 'android', 'ios', 'web'])) for _ in range(np_)]
        rg.op_dev = rg.pool[0]
        rg.style = self.new_style(rg.country)
        rg.drops = [self.new_place(rg.country, rg.city) for _ in range([1, 1, r.randint(1, 2), r.randint(2, 4), 3][L])]
        if L >= 3 and r.random() < .5:
            rg.drops.append(self.locker_place(rg.country, rg.city))
        if L >= 2 and r.random() < .25:
            rg.drops.append(self.fwd_place())
        rg.fraud = []
        rg.vary_ids = r.random() < .5

    def ring_member(self, rg, role, created, k, own_home=None):
        """create a ring account with devices, addresses according to the ring's care level"""
        r = self.r
        L = rg.L
        c = rg.country
        if L == 4 and r.random() < .3:
            c = self.rc()
        ci = rg.city if c == rg.country and (L <= 2 or r.random() < .4) else self.pick_city(c)
        a = self.new_acct(role, c, created, ci)
        a.ring = rg.id
        rg.members.append(a)
        # devices
        if L == 0:
            d = rg.pool[0] if r.random() < .85 else rg.pool[-1]
            devs = [d]
        elif L == 1:
            devs = [rg.pool[k % len(rg.pool)]]
        elif L == 2:
            devs = [r.choice(rg.pool) if r.random() < .5 else self.new_dev(r.choice(['android', 'ios', 'web']))]
        else:
            devs = [self.new_dev('ios' if r.random() < IOS_SHARE[c] else 'android')]
            if r.random() < .5:
                devs.append(self.new_dev('web'))
            if L == 3 and r.random() < .15:
                devs.append(rg.op_dev)
        for j, d in enumerate(devs):
            src, ip = self.ring_ip(rg)
            if L >= 3 and d.kind in ('ios', 'android') and r.random() < .5:
                src, ip = 'fix', self.mobile_ip(c)
            self.link(a, d, src, ip, 1.0 if j == 0 else .4)
        if rg.ipmode == 'resi':
            a.home_ip = self.home_ip(c)
        # addresses
        drop = rg.drops[k % len(rg.drops)] if L < 3 else r.choice(rg.drops)
        if own_home is not None:
            a.home = own_home
            self.add_place(a, own_home, self.kinds(), 1.0)
        elif L == 0:
            a.home = drop
            self.add_place(a, drop, self.kinds(), 1.0, style=rg.style)
        elif L == 1:
            a.home = drop
            self.add_place(a, drop, ('shipping',) + (('billing',) if r.random() < .5 else ()), 1.0)
        elif L == 2:
            q = self.jig(drop, 1)
            a.home = q
            self.add_place(a, q, self.kinds(), 1.0)
        else:
            p = self.new_place(c, a.city)
            a.home = p
            self.add_place(a, p, self.kinds(), 1.0)
            if r.random() < .15:
                self.add_place(a, self.new_place(c, self.pick_city(c)), ('shipping',), .3)
        return a

    def ring_addr(self, rg, a):
        """shipping text for one fraudulent order"""
        r = self.r
        L = rg.L
        if L == 0:
            return render(rg.drops[0], rg.style)
        if L == 1:
            return render(a.home, a.style)
        if L == 2:
            if r.random() < .7:
                return self.saved_text(a, a.places[0])
            return render(self.jig(r.choice(rg.drops), 1), a.style)
        if L == 3:
            return render(self.jig(r.choice(rg.drops), 3), self.vary_style(a.style) if r.random() < .5 else a.style)
        # L4: own address most of the time, occasionally a shared locker / drop
        if r.random() < .75:
            return self.saved_text(a, a.places[0])
        return render(self.jig(r.choice(rg.drops), 3), a.style)

    def ring_instr(self, rg, a, k, shared):
        r = self.r
        L = rg.L
        if L == 0:
            x = shared[0]
        elif L == 1:
            x = shared[k % len(shared)] if r.random() < .8 else self.new_instr('card', a.country, bin_=r.choice(self.prepaid_bins))
        elif L == 2:
            x = self.new_instr('card', a.country, bin_=r.choice(self.prepaid_bins + [shared[0].bin] if shared else self.prepaid_bins))
        else:
            kind = r.choices(['card', 'paypal', 'wallet', 'bank'], [.5, .25, .2, .05] if L == 3 else [.55, .2, .2, .05])[0]
            x = self.new_instr(kind, a.country)
        self.add_instr(a, x, 1.0)
        return x

    def ring_created(self, rg, join):
        r = self.r
        L = rg.L
        if L == 0:
            return join - r.randrange(600, 2 * DAY)
        if L == 1:
            return join - r.randrange(3600, 8 * DAY)
        if L == 2:
            return join - r.randrange(DAY, 40 * DAY)
        if L == 3:
            return join - (r.randrange(20, 3 * 365) * DAY if r.random() < .35 else r.randrange(5 * DAY, 120 * DAY))
        return join - r.randrange(200, 8 * 365) * DAY  # bought / aged accounts

    def joins(self, rg, n):
        """staggered joining and leaving inside the ring window"""
        r = self.r
        L = rg.L
        out = []
        span = rg.t1 - rg.t0
        for k in range(n):
            if L <= 1:
                j = rg.t0 + int(r.random() * min(span, 2 * DAY) * .3)
                lv = rg.t1
            else:
                j = rg.t0 + int(r.random() ** 1.3 * span * (.5 if L == 2 else .75))
                lv = rg.t1 if r.random() > .2 else j + int(r.uniform(.25, .9) * (rg.t1 - j))
            lv = max(lv, j + 3 * 3600)
            out.append((j, min(lv, END - 60)))
        return out

    def camo(self, rg, a):
        r = self.r
        a.rate = [0.0, r.choice([0.0, .02]), .06, .16, .28][rg.L] * r.lognormvariate(0, .5)
        a.loyalty = .3

    def final_status(self, rg, a):
        r = self.r
        u = r.random()
        ps = [.45, .28, .12, .05, .02][rg.L]
        if u < ps:
            a.status = 'suspended'
        elif u < ps + .05:
            a.status = 'closed'

    def ftimes(self, rg, a, lo, hi, n, burst):
        """timestamps for n fraudulent actions in [lo, hi]"""
        r = self.r
        lo = max(lo, a.created + 300)
        hi = max(lo + 600, hi)
        if burst:
            base = r.randrange(lo, max(lo + 1, hi - n * 300))
            ts = sorted(base + int(r.expovariate(1 / 240.0) * (i + 1)) for i in range(n))
        else:
            ts = sorted(self.sample_times(a, lo, hi, n))
        return [min(max(t, lo), min(hi, END - 30)) for t in ts]

    def build_rings(self):
        for rg in self.rings:
            self.ring_setup(rg)
            getattr(self, 'ring_' + rg.typ)(rg)

    def seller_for_ring(self, rg, role, cat, established):
        r = self.r
        if established:
            created = rg.t0 - r.randrange(200, 6 * 365) * DAY
        else:
            created = rg.t0 - r.randrange(2 * DAY, 60 * DAY)
        a = self.ring_member(rg, role, created, len(rg.members), own_home=self.new_place(rg.country, rg.city, unit=None))
        if established:
            pop = r.uniform(.01, .06)
        else:
            pop = r.uniform(.002, .02)
        s = self.make_seller(a, cat, pop, general=True, intl=r.random() < .3)
        rg.sellers.append(a)
        if role == 'both':
            a.rate = .08 * r.random()
        return s

    # brushing -------------------------------------------------------
    def ring_brushing(self, rg):
        r = self.r
        L = rg.L
        cat = r.choice(['phone_accessories', 'beauty', 'fashion', 'home_garden', 'toys_games', 'electronics', 'pet_supplies',
                        'handmade', 'books_media'])
        ns = sum(1 for x in rg.roles if x != 'buyer')
        sel = [self.seller_for_ring(rg, rg.roles[i], cat, L >= 3 or (L == 2 and r.random() < .4)) for i in range(ns)]
        nb = rg.size - ns
        shared = [self.new_instr('card', rg.country)] if L == 0 else \
            [self.new_instr('card', rg.country, bin_=r.choice(self.prepaid_bins)) for _ in range(r.randint(1, 3))]
        ship_mode = r.choices(['empty', 'seller', 'harvested', 'own'],
                              [[.6, .3, .1, 0], [.3, .2, .4, .1], [.1, .1, .5, .3], [0, 0, .4, .6], [0, 0, .2, .8]][L])[0]
        if L <= 1:
            # careless operators also place fake orders from the seller's own phone
            for s in sel:
                self.link(s.acct, rg.pool[0], 'fix', rg.op_ip if rg.ipmode == 'home' else self.vpn_ip(rg.vpn), .5)
        js = self.joins(rg, nb)
        fixed_amt = [round(r.choice([0.99, 1.0, 1.5, 2.0, 0.5]), 2)] if L == 0 else [round(r.uniform(1, 9), 2) for _ in range(3)]
        members = []
        for k in range(nb):
            j, lv = js[k]
            a = self.ring_member(rg, 'buyer', self.ring_created(rg, j), len(rg.members))
            x = self.ring_instr(rg, a, k, shared)
            self.camo(rg, a)
            members.append((a, j, lv, x))
        if L <= 1:
            # operator sessions: many accounts in a row, minutes apart
            tot = sum(r.randint(8, 25) if L == 0 else r.randint(5, 14) for _ in members)
            nsess = max(1, tot // r.randint(6, 15))
            for _ in range(nsess):
                t = r.randrange(rg.t0, max(rg.t0 + 1, rg.t1 - 3600))
                for a, j, lv, x in r.sample(members, k=min(len(members), r.randint(3, 15))):
                    t += r.randrange(40, 420)
                    if t < a.created + 300 or t > END - 60:
                        continue
                    self.brush_order(rg, a, r.choice(sel), x, t, fixed_amt, ship_mode)
        else:
            for a, j, lv, x in members:
                k = r.randint(*[(0, 0), (0, 0), (3, 10), (2, 6), (1, 4)][L])
                for t in self.ftimes(rg, a, j, lv, k, False):
                    self.brush_order(rg, a, r.choice(sel), x, t, fixed_amt, ship_mode)
        for a in rg.members:
            if a.seller is None:
                self.final_status(rg, a)

    def brush_order(self, rg, a, s, x, t, fixed, ship_mode):
        r = self.r
        L = rg.L
        if s.acct.created >= t:
            return
        cur = CUR[s.country]
        if L == 0:
            amt = fixed[0] * FX[cur] if r.random() < .85 else r.choice(fixed) * FX[cur]
        elif L == 1:
            amt = r.choice(fixed) * FX[cur]
        elif L == 2:
            amt = math.exp(r.gauss(math.log(6), .4)) * FX[cur]
        else:
            amt = math.exp(r.gauss(s.mu, s.sigma * .6)) * FX[cur]
        if ship_mode == 'empty':
            addr = ''
        elif ship_mode == 'seller':
            addr = self.saved_text(s.acct, s.acct.places[0]) if r.random() < .8 else render(s.acct.home, a.style)
        elif ship_mode == 'harvested':
            addr = render(self.new_place(s.country), self.new_style(s.country))
        else:
            addr = self.ring_addr(rg, a) if L < 3 else self.saved_text(a, a.places[0])
        st = 'completed' if r.random() < .96 else r.choice(['cancelled', 'refunded'])
        st = self.age_status(t, st)
        self.add_order(t, a, s.acct, amt, cur, st, self.pick_link(a, t), addr, x, '', rg.id)

    # promo abuse ------------------------------------------------------
    def ring_promo_abuse(self, rg):
        r = self.r
        L = rg.L
        c = rg.country
        variant = r.choices(['referral', 'chain', 'welcome', 'mixed'], [[.6, 0, .4, 0], [.5, .1, .3, .1], [.3, .25, .3, .15],
                                                                     [.15, .3, .35, .2], [.05, .3, .4, .25]][L])[0]
        targets = self.cat_sellers(c, ('electronics', 'digital', 'grocery', 'beauty', 'phone_accessories'), r.randint(1, 3))
        n = rg.size
        mother = None
        if variant in ('referral', 'mixed'):
            mother = self.ring_member(rg, 'buyer', rg.t0 - r.randrange(30, 900) * DAY, 0)
            self.camo(rg, mother)
            mother.rate = max(mother.rate, .05)
            self.add_instr(mother, self.new_instr('card', c), 1)
            n -= 1
        shared = [self.new_instr('card', c)]
        twin_bin, twin_last4 = shared[0].bin, shared[0].last4
        prev_code = self.ref_code(mother) if mother else None
        span = rg.t1 - rg.t0
        t_burst = rg.t0 + r.randrange(0, max(1, span // 2))
        for k in range(n):
            if L == 0:
                cr = t_burst + r.randrange(0, 3 * 3600)
            elif L == 1:
                cr = t_burst + r.randrange(0, 3 * DAY)
            elif L == 2:
                cr = rg.t0 + int(r.random() * span * .6)
            else:
                cr = rg.t0 + int(r.random() * span * .95)
            cr = min(cr, END - 2 * 3600)
            a = self.ring_member(rg, 'buyer', cr, k + (1 if mother else 0))
            # payment
            if L == 0:
                x = shared[0]
                self.add_instr(a, x)
            elif L == 1:
                x = self.new_instr('card', c, bin_=twin_bin, last4=twin_last4)  # same card, new token
                self.add_instr(a, x)
            elif L == 2:
                x = self.new_instr('card', c, bin_=r.choice(self.prepaid_bins[:2]))
                self.add_instr(a, x)
            else:
                x = self.ring_instr(rg, a, k, shared)
            # code
            if variant == 'referral' or (variant == 'mixed' and r.random() < .5):
                code = self.ref_code(mother)
            elif variant == 'chain':
                code = prev_code or WELCOME[c][0]
                prev_code = self.ref_code(a)
            else:
                code = WELCOME[c][0]
            minsp = WELCOME[c][1] * (.8 if code != WELCOME[c][0] else 1)
            delay = [r.randrange(120, 1800), r.randrange(300, 6 * 3600), r.randrange(1800, 2 * DAY),
                     r.randrange(3600, 5 * DAY), r.randrange(6 * 3600, 12 * DAY)][L]
            t = min(cr + delay, END - 60)
            s = r.choice(targets)
            if s.acct.created >= t:
                continue
            cur = CUR[s.country]
            if L <= 1:
                amt = minsp * FX[cur] / FX[CUR[c]] + r.choice([.5, .99, 1.49])
            else:
                amt = (minsp * FX[cur] / FX[CUR[c]]) * r.uniform(1.0, 1.25 if L == 2 else 1.7)
            st = 'completed' if r.random() < .9 else 'cancelled'
            self.add_order(t, a, s.acct, amt, cur, self.age_status(t, st), self.pick_link(a, t),
                           self.ring_addr(rg, a), x, code, rg.id)
            # a second subsidised order (campaign / app code) for some
            if r.random() < [.5, .4, .35, .25, .2][L]:
                t2 = min(t + r.randrange(3600, 10 * DAY), END - 60)
                s2 = r.choice(targets)
                if s2.acct.created < t2:
                    self.add_order(t2, a, s2.acct, amt * r.uniform(.9, 1.3), CUR[s2.country], self.age_status(t2, 'completed'),
                                   self.pick_link(a, t2), self.ring_addr(rg, a), x, r.choice(['APP5', 'FREESHIP', 'APP5']), rg.id)
            if L >= 3 and r.random() < .3:
                a.rate = .05  # a bit of camouflage afterwards
            a.end = min(END, t + r.randrange(DAY, 30 * DAY)) if L < 3 else END
            self.final_status(rg, a)

    def cat_sellers(self, c, cats, k):
        r = self.r
        cand = [s for s in self.sellers if s.general and s.country == c and s.cat in cats and s.acct.ring is None
                and s.acct.created < START]
        if len(cand) < k:
            cand = [s for s in self.sellers if s.general and s.acct.ring is None and s.acct.created < START and s.cat in cats]
        cand.sort(key=lambda s: -s.pop)
        cand = cand[:max(k, 12)]
        return r.sample(cand, k=min(k, len(cand)))

    # chargeback -------------------------------------------------------
    def ring_chargeback(self, rg):
        r = self.r
        L = rg.L
        c = rg.country
        cats = ('electronics', 'digital', 'collectibles', 'sports_outdoor', 'phone_accessories')
        targets = self.cat_sellers(c, cats, r.randint(3, 8))
        if r.random() < .3:
            targets += self.cat_sellers('US', ('electronics', 'digital'), 3)
        stolen_bins = [self.pick_bin(c) if L >= 3 else r.choice(self.prepaid_bins + self.bins[c][0][:3])
                       for _ in range([1, r.randint(1, 2), r.randint(2, 4), 6, 8][L])]
        shared = [self.new_instr('card', c, bin_=stolen_bins[0])]
        # a batch of stolen cards that members draw from (careless rings re-use the same cards)
        pool = [self.new_instr('card', c, bin_=r.choice(stolen_bins))
                for _ in range(max(2, int(rg.size * (.7 if L == 1 else 2.5))))]
        js = self.joins(rg, rg.size)
        for k in range(rg.size):
            j, lv = js[k]
            a = self.ring_member(rg, 'buyer', self.ring_created(rg, j), k)
            self.camo(rg, a)
            if L == 0:
                cards = [shared[0]]
                self.add_instr(a, shared[0])
            else:
                cards = []
                for _ in range(r.randint(1, 3) if L <= 1 else r.randint(1, 2)):
                    if L >= 4 and r.random() < .4:
                        x = self.new_instr(r.choice(['paypal', 'wallet']), a.country)
                    elif L <= 2:
                        x = r.choice(pool)
                        if x in cards:
                            continue
                    else:
                        x = self.new_instr('card', a.country, bin_=r.choice(stolen_bins))
                    self.add_instr(a, x)
                    cards.append(x)
            # trust building
            if L >= 2:
                for t in self.ftimes(rg, a, max(a.created, j - 30 * DAY, START), j, r.randint(1, 4), False):
                    s = self.pick_seller(a, t)
                    if s is not None:
                        amt = math.exp(r.gauss(s.mu, s.sigma)) * .6 * FX[CUR[s.country]]
                        self.add_order(t, a, s.acct, amt, CUR[s.country], self.age_status(t, 'completed'),
                                       self.pick_link(a, t), self.saved_text(a, a.places[0]), cards[0], '', None)
            # card testing (careless/moderate)
            if 1 <= L <= 2:
                for t in self.ftimes(rg, a, j, j + 3 * 3600, r.randint(1, 3), True):
                    s = r.choice(targets)
                    if s.acct.created < t:
                        self.add_order(t, a, s.acct, r.uniform(1, 5) * FX[CUR[s.country]], CUR[s.country],
                                       r.choice(['cancelled', 'cancelled', 'completed']), self.pick_link(a, t), '',
                                       r.choice(cards), '', rg.id)
            # bust-out
            nbo = r.randint(*[(3, 8), (2, 6), (2, 5), (1, 4), (1, 3)][L])
            burst = L <= 2
            t_lo = j if L <= 2 else j + (lv - j) // 3
            for t in self.ftimes(rg, a, t_lo, lv if not burst else min(lv, t_lo + r.randrange(DAY, 5 * DAY)), nbo, burst):
                s = r.choice(targets)
                if s.acct.created >= t:
                    continue
                cur = CUR[s.country]
                amt = math.exp(r.gauss(math.log(r.choice([250, 400, 700, 1100])), .35)) * FX[cur]
                if s.cat == 'digital':
                    amt = r.choice([50, 100, 150, 200, 250]) * FX[cur] if L <= 2 else amt * .4
                u = r.random()
                st = 'chargeback' if u < .55 else 'disputed' if u < .75 else 'completed' if u < .9 else 'refunded'
                if END - t < 12 * DAY and st == 'chargeback':
                    st = r.choice(['disputed', 'completed', 'pending'])
                addr = '' if s.cat == 'digital' and r.random() < .8 else self.ring_addr(rg, a)
                self.add_order(t, a, s.acct, amt, cur, st, self.pick_link(a, t), addr, r.choice(cards), '', rg.id)
            self.final_status(rg, a)

    # collusion --------------------------------------------------------
    def ring_collusion(self, rg):
        r = self.r
        L = rg.L
        mode = r.choice(['launder', 'rating', 'rating'])
        cats = ['electronics', 'collectibles', 'digital'] if mode == 'launder' else GEN_CATS
        ns = sum(1 for x in rg.roles if x == 'both')
        wp = self.new_place(rg.country, rg.city, unit=None, org=self.org_name(rg.country)) if L <= 2 else None
        bank = self.new_instr('bank', rg.country)
        sel = []
        for i in range(ns):
            s = self.seller_for_ring(rg, 'both', r.choice(cats), L >= 1 and r.random() < .7)
            if wp is not None and (L <= 1 or r.random() < .5):
                self.add_place(s.acct, self.jig(wp, 1) if L == 2 else wp, ('billing',), 0.0)
            if L <= 1:
                self.add_instr(s.acct, bank, .1)
            sel.append(s)
        puppets = []
        for k in range(rg.size - ns):
            ctrl = r.choice(sel)
            j, lv = self.joins(rg, 1)[0]
            a = self.ring_member(rg, 'buyer', self.ring_created(rg, j), len(rg.members))
            self.camo(rg, a)
            x = bank if L <= 1 and r.random() < .6 else self.new_instr(r.choice(['card', 'paypal', 'bank']), a.country)
            self.add_instr(a, x)
            if L <= 1:
                self.link(a, ctrl.acct.links[0].dev, 'fix', rg.op_ip, .5)
            puppets.append((a, ctrl, j, lv))
        weeks = max(1.0, (rg.t1 - rg.t0) / WEEK)
        ntr = int(min(700, rg.size * r.uniform(1.5, 4) * (weeks ** .7) * (1.5 if mode == 'rating' else .6)))
        buyers = [(s.acct, s, rg.t0, rg.t1) for s in sel] + puppets
        for _ in range(ntr):
            b, ctrl, j, lv = r.choice(buyers)
            s = r.choice(sel)
            if s is ctrl:
                continue
            t = self.ftimes(rg, b, j, lv, 1, False)[0]
            if s.acct.created >= t or b.created >= t:
                continue
            cur = CUR[s.country]
            if mode == 'launder':
                if L <= 1:
                    amt = r.choice([200, 250, 300, 500, 750, 1000, 1500, 2000]) * FX[cur] / FX[CUR[rg.country]]
                    amt = round(amt, -1) if L == 0 else amt
                else:
                    amt = math.exp(r.gauss(math.log(350), .6)) * FX[cur]
            else:
                amt = math.exp(r.gauss(s.mu, s.sigma * .7)) * FX[cur]
            addr = '' if (s.cat == 'digital' or (L == 0 and r.random() < .5)) else self.saved_text(b, b.places[0])
            st = 'completed' if r.random() < .95 else 'refunded'
            self.add_order(t, b, s.acct, amt, cur, self.age_status(t, st), self.pick_link(b, t), addr,
                           self.pick_instr(b), '', rg.id, raw=(mode == 'launder' and L <= 1))
        for a in rg.members:
            if a.seller is None:
                self.final_status(rg, a)

    # ---------------- ordering machinery
    def hour_cdf(self, c, tz):
        key = (c, tz)
        v = self.cdf_cache.get(key)
        if v is None:
            t = START + np.arange(NH, dtype=np.int64) * 3600
            off = np.array([tz_off(tz, int(x)) for x in t], dtype=np.int64)
            loc = t + off * 60
            lh = (loc // 3600) % 24
            ld = (loc - START) // DAY
            dow = ((loc // DAY) + 3) % 7
            w = HOUR_P[lh] * DOW_P[dow] * season(c, ld)
            v = np.concatenate([[0.0], np.cumsum(w)])
            v /= v[-1]
            self.cdf_cache[key] = v
        return v

    def sample_times(self, a, lo, hi, n):
        cdf = self.hour_cdf(a.country, a.tz)
        hl = max(0, (lo - START) // 3600)
        hh = min(NH, (hi - START) // 3600 + 1)
        if hh <= hl:
            return [lo] * n
        u = cdf[hl] + (cdf[hh] - cdf[hl]) * self.nr.random(n)
        h = np.searchsorted(cdf, u, side='right') - 1
        ts = START + h * 3600 + self.nr.integers(0, 3600, n)
        ts = np.clip(ts, lo, hi - 1)
        ts.sort()
        return [int(x) for x in ts]

    def build_cdfs(self):
        gen = [s for s in self.sellers if s.general]
        self.gen_sellers = gen
        self.scdf = {}
        self.fallback = {}
        for c in COUNTRIES:
            w = np.zeros(len(gen))
            dom = np.array([s.country == c for s in gen])
            pop = np.array([s.pop for s in gen])
            if dom.any():
                w += np.where(dom, pop, 0) / max(1e-12, pop[dom].sum()) * DOMESTIC[c]
            prefs = XB_PREF[c]
            tot = sum(prefs.values())
            for d, pw in prefs.items():
                m = np.array([s.country == d and s.intl for s in gen])
                if m.any():
                    w += np.where(m, pop, 0) / pop[m].sum() * (1 - DOMESTIC[c]) * pw / tot
            cdf = np.cumsum(w)
            self.scdf[c] = ([float(x) for x in cdf], gen)
            old = [s for s in gen if s.country == c and s.acct.created < START]
            old.sort(key=lambda s: -s.pop)
            self.fallback[c] = old[:5] if old else [s for s in gen if s.acct.created < START][:5]

    def pick_seller(self, a, t):
        r = self.r
        if a.hist and r.random() < a.loyalty:
            s = r.choice(a.hist)
            if s.acct.created < t - 3600 and s.acct is not a:
                return s
        c = a.pref if (a.pref and r.random() < .6) else a.country
        cdf, arr = self.scdf[c]
        tot = cdf[-1]
        for _ in range(8):
            s = arr[min(len(arr) - 1, bisect.bisect_right(cdf, r.random() * tot))]
            if s.acct.created < t - 3600 and s.acct is not a:
                return s
        fb = [s for s in self.fallback[a.country] if s.acct is not a]
        return r.choice(fb) if fb else None

    def pick_link(self, a, t):
        ok = [k for k in a.links if k.lo <= t <= k.hi]
        if not ok:
            ok = a.links
        if len(ok) == 1:
            return ok[0]
        return self.r.choices(ok, [k.w + .01 for k in ok])[0]

    def pick_instr(self, a):
        if len(a.instrs) == 1:
            return a.instrs[0]
        return self.r.choices(a.instrs, a.iw)[0]

    def saved_text(self, a, e):
        if e[3] is None:
            e[3] = render(e[0], e[4] or a.style)
        return e[3]

    def ship_text(self, a):
        r = self.r
        ents = [e for e in a.places if e[2] > 0 and 'shipping' in e[1]]
        if not ents:
            return ''
        e = ents[0] if len(ents) == 1 else r.choices(ents, [x[2] for x in ents])[0]
        if r.random() < .07 and e[0]['kind'] == 'street':
            return render(e[0], self.vary_style(e[4] or a.style))
        return self.saved_text(a, e)

    def age_status(self, t, st):
        age = END - t
        r = self.r
        if age < 2 * DAY:
            u = r.random()
            if st in ('completed', 'chargeback', 'refunded', 'disputed'):
                return 'pending' if u < .6 else 'shipped' if u < .9 else st if st != 'chargeback' else 'pending'
        elif age < 9 * DAY and st == 'completed' and r.random() < .35:
            return 'shipped'
        if st == 'chargeback' and age < 20 * DAY:
            return 'disputed'
        return st

    def honest_status(self, a, s, t):
        r = self.r
        q = s.q
        rm = CATS[s.cat][3]
        u = r.random()
        p = [('cancelled', .021 * q), ('refunded', .02 * q * rm), ('partially_refunded', .006 * q),
             ('returned', .007 * rm * (2 if s.cat == 'fashion' else 1)), ('disputed', .0025 * q),
             ('chargeback', .0017 * q * a.risk)]
        acc = 0.0
        st = 'completed'
        for name, pr in p:
            acc += pr
            if u < acc:
                st = name
                break
        return self.age_status(t, st)

    def honest_promo(self, a, t, amt_eur):
        r = self.r
        if a.first_promo is not None:
            code = a.first_promo
            a.first_promo = None
            return code
        if a.promo_extra and r.random() < a.promo_extra[1]:
            return a.promo_extra[0]
        d = (t - START) // DAY
        for code, d0, d1, p, cs in CAMPAIGNS:
            if d0 <= d <= d1 and (cs is None or a.country in cs) and r.random() < p:
                return code
        u = r.random()
        if u < .012:
            return 'FREESHIP'
        if u < .02:
            return 'APP5'
        if u < .026:
            return r.choice(INFLUENCER[a.country])
        return ''

    def add_order(self, t, b, s_acct, amt, cur, status, link, addr, instr, promo, tag, raw=False):
        r = self.r
        t = int(t)
        if t < b.created + 60:
            t = b.created + 60
        if t >= END:
            return
        if s_acct.created >= t:
            return
        if link.first is None or t < link.first:
            link.first = t
        if link.last is None or t > link.last:
            link.last = t
        if amt < .5:
            amt = .5 + r.random()
        u = 1.0 if raw else r.random()
        if cur == 'PLN' and not raw:
            amt = round(amt) - .01 if u < .5 else round(amt, 2)
        elif u < .38 and amt > 3:
            amt = math.floor(amt) + .99
        elif u < .5 and amt > 20:
            amt = round(amt)
        if promo and r.random() < .03:
            promo = promo.lower()
        self.oseq += 1
        self.orders.append((t, self.oseq, b, s_acct, '%.2f' % amt, cur, status, link, addr, instr.id, promo, tag))

    def honest_order(self, a, t, s=None, amt=None, link=None, addr=None, instr=None, promo=None, status=None):
        r = self.r
        if s is None:
            s = self.pick_seller(a, t)
            if s is None:
                return
        if s.acct.created >= t:
            return
        cur = CUR[s.country]
        if s.country != a.country and r.random() < .3:
            cur = CUR[a.country]
        if amt is None:
            amt_eur = math.exp(s.mu + s.sigma * r.gauss(0, 1))
            if r.random() < .1:
                amt_eur *= r.randint(2, 3)
        else:
            amt_eur = amt
        if promo is None:
            promo = self.honest_promo(a, t, amt_eur)
            if promo and promo == WELCOME[a.country][0]:
                amt_eur = max(amt_eur, WELCOME[a.country][1] * r.uniform(1, 1.8))
        if addr is None:
            addr = '' if not CATS[s.cat][2] or r.random() < .008 else self.ship_text(a)
        if status is None:
            status = self.honest_status(a, s, t)
        self.add_order(t, a, s.acct, amt_eur * FX[cur], cur, status, link or self.pick_link(a, t), addr,
                       instr or self.pick_instr(a), promo, None)
        if s.general and len(a.hist) < 40:
            a.hist.append(s)

    def honest_orders(self):
        for a in self.accts:
            if a.rate <= 0 or not a.links or not a.instrs:
                continue
            lo = max(a.created + 600, START)
            hi = min(a.end, END)
            if hi - lo < 3600:
                continue
            n = int(self.nr.poisson(a.rate * (hi - lo) / WEEK))
            if n == 0:
                continue
            for t in self.sample_times(a, lo, hi, n):
                self.honest_order(a, t)

    def lookalike_orders(self):
        r = self.r
        # lunch teams: weekday lunch orders from one local food place
        for g in self.lunch:
            m = g['members']
            c = m[0].country
            sa = self.new_acct('seller', c, START - r.randrange(100, 2000) * DAY, m[0].city)
            self.setup_person(sa, ndev=1, vpn=False)
            s = self.make_seller(sa, 'food_delivery', 0.0, general=False, intl=False)
            g['members'].append(sa)
            sa.group = g['id']
            tz = g['place']['tz']
            d0 = r.randrange(0, 60)
            d1 = min(181, d0 + r.randrange(50, 140))
            office_addr = {}
            for d in range(d0, d1):
                t_day = START + d * DAY
                if ((t_day // DAY) + 3) % 7 >= 5:
                    continue
                off = tz_off(tz, t_day + 12 * 3600)
                for a in m:
                    if a is sa or r.random() > .42 or a.created > t_day:
                        continue
                    t = t_day + (11 * 3600 + r.randrange(0, 105 * 60)) - off * 60
                    if t <= a.created or t >= END:
                        continue
                    if a.i not in office_addr:
                        office_addr[a.i] = render(g['place'], a.style)
                    x = g['card'] if g['card'] in a.instrs and r.random() < .5 else self.pick_instr(a)
                    k = [l for l in a.links if l.src == 'fix' and l.ip and l.ip.startswith(g['net'] + '.')]
                    self.honest_order(a, t, s=s, amt=r.uniform(7.5, 17), link=k[0] if k else None,
                                      addr=office_addr[a.i], instr=x, promo='', status=self.age_status(t, 'completed' if r.random() < .97 else 'cancelled'))
        for g in self.special:
            kind = g['kind']
            if kind == 'local_shop_regulars':
                s = g['seller']
                for a in g['members']:
                    if a is s.acct:
                        continue
                    lo = max(a.created + DAY, START)
                    n = int(self.nr.poisson(r.uniform(.3, 1.0) * (END - lo) / WEEK))
                    for t in self.sample_times(a, lo, END, n):
                        self.honest_order(a, t, s=s, amt=r.uniform(9, 38), promo='')
            elif kind == 'smb_wholesale':
                s = g['seller']
                for a in g['members']:
                    if a is s.acct:
                        continue
                    lo = max(a.created + DAY, START)
                    n = int(self.nr.poisson(r.uniform(.3, .8) * (END - lo) / WEEK))
                    biz = [e for e in a.places if e[0].get('org')]
                    corp = [x for x in a.instrs if x.bin in self.corp_bins[a.country]]
                    for t in self.sample_times(a, lo, END, n):
                        self.honest_order(a, t, s=s, amt=math.exp(r.gauss(math.log(450), .6)),
                                          addr=self.saved_text(a, biz[0]) if biz else None,
                                          instr=corp[0] if corp else None, promo='')
            elif kind == 'friends_family_shop':
                s = g['seller']
                t0 = g['topen']
                for a in g['members']:
                    if a is s.acct:
                        continue
                    for _ in range(r.choice([1, 1, 2, 3])):
                        t = max(t0, a.created) + r.randrange(3600, 21 * DAY)
                        promo = 'OPENING15' if r.random() < .4 else ''
                        self.honest_order(a, t, s=s, promo=promo)
            elif kind == 'caregiver':
                groc = self.cat_sellers(g['members'][0].country, ('grocery',), 1) or self.cat_sellers(
                    g['members'][0].country, ('home_garden',), 1)
                dev = g['dev']
                for a in g['members']:
                    lk = [k for k in a.links if k.dev is dev][0]
                    lo = max(a.created + DAY, START)
                    n = int(self.nr.poisson(.7 * (END - lo) / WEEK))
                    for t in self.sample_times(a, lo, END, n):
                        self.honest_order(a, t, s=groc[0] if groc else None, link=lk)
            elif kind == 'reseller_group':
                c = g['members'][0].country
                drops = self.cat_sellers(c, ('collectibles', 'fashion', 'electronics'), 2)
                sa = self.new_acct('seller', c, START - r.randrange(300, 2000) * DAY)
                self.setup_person(sa, ndev=1, vpn=False)
                drops.append(self.make_seller(sa, 'sneakers', .01, general=True, intl=True))
                g['members'].append(sa)
                sa.group = g['id']
                for _ in range(r.randint(6, 12)):
                    s = r.choice(drops)
                    td = START + r.randrange(0, END - START - DAY)
                    td -= td % 3600
                    for a in g['members']:
                        if a is sa or a.created >= td:
                            continue
                        bot = [k for k in a.links if k.src == 'fix' and k.dev.kind == 'web']
                        for _ in range(r.randint(1, 3)):
                            t = td + r.randrange(2, 150)
                            self.honest_order(a, t, s=s, amt=math.exp(r.gauss(math.log(220), .3)),
                                              link=bot[-1] if bot else None, promo='',
                                              status=self.age_status(t, 'completed' if r.random() < .8 else 'cancelled'))
        # public wifi visits: a purchase while on the venue network
        for g in self.groups:
            if g['kind'] in ('internet_cafe', 'library', 'hotel_wifi'):
                for k in g['visits']:
                    a = k.acct
                    for _ in range(r.randint(1, 2)):
                        t = r.randrange(k.lo, max(k.lo + 1, min(k.hi, END - 60)))
                        self.honest_order(a, t, link=k)

    # ---------------- output
    def finalize_links(self):
        r = self.r
        for a in self.accts:
            if not a.links:
                self.link(a, self.new_dev('web'), 'home', None, 1.0)
            for k in a.links:
                lo = max(k.lo, a.created)
                hi = min(k.hi, END)
                if hi <= lo:
                    hi = lo + 3600
                if k.first is None:
                    f = r.randrange(lo, max(lo + 1, hi - 3600)) if lo < START else r.randrange(lo, max(lo + 1, min(hi, END - 60)))
                    if lo < START and r.random() < .7:
                        f = lo + int((r.random() ** 3) * (hi - lo))
                    k.first = f
                    k.last = min(hi, f + int(r.expovariate(1 / (20 * DAY))))
                else:
                    floor = lo if lo <= k.first else a.created
                    ceil = hi if hi >= k.last else END
                    k.first = max(floor, k.first - int(r.expovariate(1 / (15 * DAY))))
                    k.last = max(k.last, min(ceil, k.last + int(r.expovariate(1 / (6 * DAY)))))
                if k.src == 'home':
                    k.ip = a.home_ip

    def dev_text(self, d, p):
        r = self.r
        i = d.id
        u = r.random()
        if u < p:
            i = i.lower() if any(ch.isupper() for ch in i) else i.upper()
        elif u < p * 1.5:
            i = ' ' + i + ' ' if r.random() < .5 else i + ' '
        return i

    def order_id(self, t):
        while True:
            x = 'PO%s-%s' % (time.strftime('%y%m%d', time.gmtime(t)), self.rs(B32, 7))
            if x not in self.ids:
                self.ids.add(x)
                return x

    def write(self, out):
        r = self.r
        os.makedirs(out, exist_ok=True)

        def W(name, header, rows):
            with open(os.path.join(out, name), 'w', newline='', encoding='utf-8') as fh:
                w = csv.writer(fh, lineterminator='\n')
                w.writerow(header)
                w.writerows(rows)
            return len(rows)

        counts = {}
        accts = sorted(self.accts, key=lambda a: a.id)
        counts['accounts.csv'] = W('accounts.csv', ['account_id', 'role', 'created_at', 'country', 'status'],
                                   [(a.id, a.role, iso_z(a.created) if r.random() < .8 else iso_z(a.created, r.randrange(1000)),
                                     a.country, a.status) for a in accts])
        rows = []
        for a in accts:
            seen = set()
            for k in a.links:
                key = (k.dev.id, k.ip)
                if key in seen:
                    continue
                seen.add(key)
                ms = r.random() < .5
                rows.append((a.id, self.dev_text(k.dev, .02), iso_z(k.first, r.randrange(1000) if ms else None),
                             iso_z(k.last, r.randrange(1000) if ms else None), k.ip))
        counts['account_devices.csv'] = W('account_devices.csv', ['account_id', 'device_id', 'first_seen', 'last_seen', 'ip'], rows)
        rows = []
        for a in accts:
            done = set()
            for e in a.places:
                for kind in e[1]:
                    if kind in done and kind != 'shipping':
                        continue
                    done.add(kind)
                    txt = self.saved_text(a, e)
                    if kind == 'billing' and r.random() < .3 and e[0]['kind'] == 'street':
                        txt = render(e[0], self.vary_style(e[4] or a.style))
                    rows.append((a.id, txt, kind, e[0]['c']))
        counts['account_addresses.csv'] = W('account_addresses.csv', ['account_id', 'address', 'kind', 'country'], rows)
        rows = []
        for a in accts:
            seen = set()
            for x in a.instrs:
                if x.id in seen:
                    continue
                seen.add(x.id)
                rows.append((a.id, x.id, x.kind, x.bin, x.last4))
        counts['account_payment_instruments.csv'] = W('account_payment_instruments.csv',
                                                      ['account_id', 'instrument_id', 'kind', 'bin', 'last4'], rows)
        self.orders.sort(key=lambda o: (o[0], o[1]))
        self.ringL = {rg.id: rg.L for rg in self.rings}
        self.ringV = {rg.id: rg.vary_ids for rg in self.rings}
        rows = []
        for o in self.orders:
            t, _, b, s, amt, cur, st, lk, addr, iid, promo, tag = o
            ts = iso_z(t) if r.random() < .62 else iso_local(t, b.tz)
            p = .15 if (tag is not None and self.ringL[tag] in (1, 2) and self.ringV[tag]) else .015
            rows.append((self.order_id(t), b.id, s.id, amt, cur, ts, st, self.dev_text(lk.dev, p), addr, iid, promo))
        counts['orders.csv'] = W('orders.csv', ['order_id', 'buyer_id', 'seller_id', 'amount', 'currency', 'created_at',
                                                'status', 'device_id', 'address', 'instrument_id', 'promo_code'], rows)
        rows = []
        for rg in sorted(self.rings, key=lambda x: x.id):
            for a in sorted(rg.members, key=lambda a: a.id):
                rows.append((a.id, rg.id, rg.typ))
        counts['labels.csv'] = W('labels.csv', ['account_id', 'ring_id', 'typology'], rows)
        rows = []
        for g in self.groups:
            for a in sorted(g['members'], key=lambda a: a.id):
                rows.append((a.id, g['id'], g['kind']))
        counts['lookalikes.csv'] = W('lookalikes.csv', ['account_id', 'group_id', 'kind'], rows)
        win = {}
        for o in self.orders:
            if o[11] is not None:
                w = win.setdefault(o[11], [o[0], o[0]])
                w[0] = min(w[0], o[0])
                w[1] = max(w[1], o[0])
        rows = []
        for rg in sorted(self.rings, key=lambda x: x.id):
            lo, hi = win.get(rg.id, (rg.t0, rg.t1))
            rows.append((rg.id, rg.typ, iso_z(lo), iso_z(hi), 'L%d' % rg.L))
        # evasion: the ring's level of care, L0 (careless: one card, fixed amounts) to L4 (own devices, cards, addresses)
        counts['ring_windows.csv'] = W('ring_windows.csv', ['ring_id', 'typology', 'active_from', 'active_to', 'evasion'],
                                       rows)
        return counts

    def run(self, out):
        self.infra()
        ring_buyers = self.plan_rings()
        self.make_sellers()
        nb = max(100, self.N - self.n_both - ring_buyers)
        self.make_buyers(nb)
        self.make_lookalikes()
        self.build_cdfs()
        self.build_rings()
        self.build_cdfs()  # ring sellers join the market
        self.honest_orders()
        self.lookalike_orders()
        self.platform_fp()
        self.finalize_links()
        return self.write(out)


def main():
    ap = argparse.ArgumentParser(description='synthetic marketplace generator (fraud-ring benchmark fixture)')
    ap.add_argument('out_dir')
    ap.add_argument('--buyers', type=int, default=20000)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--quiet', action='store_true')
    args = ap.parse_args()
    t0 = time.time()
    g = Gen(args.buyers, args.seed)
    counts = g.run(args.out_dir)
    if not args.quiet:
        print('wrote %s in %.1fs' % (args.out_dir, time.time() - t0))
        for k, v in counts.items():
            print('  %-34s %8d rows' % (k, v))
        typ = {}
        for rg in g.rings:
            typ.setdefault(rg.typ, [0, 0])
            typ[rg.typ][0] += 1
            typ[rg.typ][1] += len(rg.members)
        print('  rings: %d  ' % len(g.rings) + '  '.join('%s=%d (%d accts)' % (k, v[0], v[1]) for k, v in sorted(typ.items())))
        lk = {}
        for gr in g.groups:
            lk.setdefault(gr['kind'], [0, 0])
            lk[gr['kind']][0] += 1
            lk[gr['kind']][1] += len(gr['members'])
        print('  look-alike groups: %d  ' % len(g.groups) + '  '.join('%s=%d/%d' % (k, v[0], v[1]) for k, v in sorted(lk.items())))


if __name__ == '__main__':
    main()
