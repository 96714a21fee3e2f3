#!/usr/bin/python3
"""An independent model of yieldledger's SPEC v1.2 (§1-§9), for differential testing.

Written from /work/shared/SPEC.md (and reference/blast-mechanics.md where SPEC says "follow
Blast") without reading the C++ engine. Pure Python 3.11 standard library; every quantity is an
exact Python integer, every division is floor division as the SPEC states it.

Usage:
    spec_model.py SCENARIO.toml --out DIR [--at TIME] [--v11]

writes DIR/balances.csv, DIR/ledgers.csv, DIR/sources.csv (the state after everything stamped at
or before TIME when --at is given, SPEC §7.1) and DIR/reports.csv, in the CSV layout of
`yieldledger CMD --format csv`. When the run is rejected (SPEC §1.3: the first failing row aborts
the whole run) it writes only DIR/rejection.txt with `FILE:LINE: TYPE: reason`, and exits 2.
--v11 prints only the SPEC v1.1 columns (the v1.2 columns of §7.1 are left out).

Scope: the model checks the semantic rules of §1-§5 and §9 that decide whether an event is
accepted; its input parsing is strict enough for the generated cases of random_case.py, not a
full re-implementation of every syntax rule of §1.1/§1.2.
"""

import calendar
import copy
import csv
import io
import os
import re
import sys
import time
import tomllib

RAY = 10**27
YEAR = 31_536_000
BPS = 10_000
E12 = 10**12
LIMIT = 2**256
ASSETS = ("ETH", "USDB")
# SPEC §2.1: deposit assets, their L2 asset and decimals.
DEPOSIT_ASSETS = {"ETH": ("ETH", 18), "USDB": ("USDB", 18), "DAI": ("USDB", 18),
                  "USDC": ("USDB", 6), "USDT": ("USDB", 6)}
SYSTEM_ACCOUNTS = ("@gas", "@fee_vault")  # SPEC §2.2, listed first (§7.1)
NAME_RE = re.compile(r"[A-Za-z0-9_.-]{1,64}\Z")
AMOUNT_RE = re.compile(r"([0-9]+)(?:\.([0-9]+))?\Z")
TIME_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z\Z")
EVERY_RE = re.compile(r"([1-9][0-9]*)([smhd])\Z")
EVENT_COLUMNS = ("time", "type", "account", "asset", "amount", "to", "value")


class Rejected(Exception):
    """An input that breaks a rule of the SPEC (§1.3): TYPE and reason; the line is added later."""

    def __init__(self, kind, reason, where=None):
        super().__init__(f"{kind}: {reason}")
        self.kind = kind
        self.reason = reason
        self.where = where  # FILE:LINE for scenario errors


# ---------------------------------------------------------------------------------------------
# Times and amounts (SPEC §1.1, §1.2)

def parse_time(text):
    """`YYYY-MM-DDTHH:MM:SSZ` (UTC) to Unix seconds; None when malformed or not a real date."""
    m = TIME_RE.match(text)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= calendar.monthrange(y, mo)[1] and h <= 23 and mi <= 59
            and s <= 59):
        return None
    return calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0))


def format_time(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def parse_amount(text, decimals):
    """Decimal text in asset units to base units (SPEC §1.2); None when malformed."""
    m = AMOUNT_RE.match(text)
    if not m:
        return None
    whole, frac = m.group(1), m.group(2) or ""
    if len(frac) > decimals:
        return None
    return int(whole) * 10**decimals + int(frac.ljust(decimals, "0") or "0")


def format_units(wei):
    """Exact decimal text in 18-decimal asset units, shortest form (SPEC §7.1: `0`, `1.5`)."""
    whole, frac = divmod(wei, 10**18)
    frac_text = f"{frac:018d}".rstrip("0")
    return f"{whole}.{frac_text}" if frac_text else str(whole)


# ---------------------------------------------------------------------------------------------
# SPEC §5.1: MakerDAO pot.sol rpow and the dsr search

def rpow(x, n, base=RAY):
    """pot.sol's rpow(x, n, base) exactly: round-half-up at every step (SPEC §5.1)."""
    if x == 0:
        return base if n == 0 else 0
    z = x if n % 2 else base
    half = base // 2
    n //= 2
    while n > 0:
        x = (x * x + half) // base
        if n % 2:
            z = (z * x + half) // base
        n //= 2
    return z


_DSR_CACHE = {}


def dsr_for(apr_bps):
    """The largest integer dsr with rpow(dsr, YEAR) <= floor(RAY * (BPS + apr) / BPS) (§5.1)."""
    if apr_bps not in _DSR_CACHE:
        target = RAY * (BPS + apr_bps) // BPS
        lo, hi = RAY, RAY  # rpow(RAY, YEAR) = RAY <= target; grow hi until it overshoots
        step = 1
        while rpow(hi, YEAR) <= target:
            lo, hi = hi, hi + step
            step *= 2
        while hi - lo > 1:  # invariant: rpow(lo) <= target < rpow(hi); rpow is monotone
            mid = (lo + hi) // 2
            if rpow(mid, YEAR) <= target:
                lo = mid
            else:
                hi = mid
        _DSR_CACHE[apr_bps] = lo
    return _DSR_CACHE[apr_bps]


# ---------------------------------------------------------------------------------------------
# State

class Holding:
    """One account's position in one share ledger (SPEC §3.1): mode, s, r, f."""

    def __init__(self, mode):
        self.mode = mode
        self.s = 0
        self.r = 0
        self.f = 0


class Account:
    def __init__(self, name, kind, opened_at):
        self.name = name
        self.kind = kind  # user | dapp | system
        # SPEC §2.2: default modes.
        if kind == "user":
            modes = ("AUTOMATIC", "AUTOMATIC")
        elif kind == "dapp":
            modes = ("VOID", "AUTOMATIC")
        else:
            modes = ("VOID", "VOID")
        self.hold = {a: Holding(m) for a, m in zip(ASSETS, modes)}
        # SPEC §4: gas record of a dapp; t starts at the dapp's open time.
        self.gas_mode = "VOID" if kind == "dapp" else None
        self.gas_B = 0
        self.gas_S = 0
        self.gas_t = opened_at


class Ledger:
    """Per asset: the L2 share ledger (§3.1), the L1 books (§5), and the §9 state."""

    def __init__(self, initial_price, start):
        self.P = initial_price
        self.P_hat = initial_price  # highest price ever (§6)
        self.Q = 0
        self.C = 0
        self.buffer = 0
        self.D = 0
        self.insurance = 0
        self.retained = 0
        self.revenue = 0  # §9.4
        # §9.1 stream (S, R, rho, F, u); all 0, times = start, at genesis.
        self.S = 0
        self.R = 0
        self.rho = 0
        self.F = start
        self.u = start
        self.last_report = start  # §9 (used by §9.4's hurdle)


class Source:
    def __init__(self, cfg, start):
        self.name = cfg["name"]
        self.asset = cfg["asset"]
        self.kind = cfg["kind"]
        self.apr = cfg["apr_bps"]
        self.weight = cfg["weight_bps"]
        self.value = 0
        self.principal = 0
        self.last = start  # §5.1: every source starts with last = start


class Policy:
    """SPEC §1.1 [policy] with §9 defaults."""

    def __init__(self, table):
        self.insurance_fee_bps = table.get("insurance_fee_bps", 1000)
        self.protocol_fee_bps = table.get("protocol_fee_bps", 0)
        self.fee_hurdle_bps = table.get("fee_hurdle_bps", 0)
        self.distribution = table.get("distribution", "snapshot")
        # The commented-out value shown in §1.1 is the default (a reading: SPEC gives no other).
        self.unlock_seconds = table.get("unlock_seconds", 604800)
        self.void_yield = table.get("void_yield", "to_active")
        self.negative_yield = table.get("negative_yield", "debt")
        self.rebalance = table.get("rebalance", False)


class Gas:
    def __init__(self, table):
        self.zero = table.get("zero_claim_rate_bps", 0)
        self.base = table.get("base_claim_rate_bps", 5000)
        self.ceil = table.get("ceil_claim_rate_bps", 10000)
        self.base_s = table.get("base_gas_seconds", 1)
        self.ceil_s = table.get("ceil_gas_seconds", 2_592_000)


def parse_every(text):
    m = EVERY_RE.match(text)
    if not m:
        raise Rejected("scenario", f"bad report_every {text!r}")
    return int(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


class Scenario:
    """SPEC §1.1. The model assumes a valid scenario (random_case.py writes only valid ones) and
    checks only what it needs to run."""

    def __init__(self, path):
        with open(path, "rb") as fh:
            doc = tomllib.load(fh)
        self.path = path
        self.name = doc["name"]
        self.start = parse_time(doc["start"])
        self.end = parse_time(doc["end"])
        self.every = parse_every(doc["report_every"])
        self.events_name = doc["events"]  # FILE in messages: as written in the scenario
        self.events_path = os.path.join(os.path.dirname(path), doc["events"])
        self.initial_price = doc["ledger"]["initial_price"]
        self.sources = doc["source"]
        check_policy(path, doc.get("policy", {}))
        self.policy = Policy(doc.get("policy", {}))
        self.gas = Gas(doc.get("gas", {}))


POLICY_WORDS = {"distribution": ("snapshot", "streamed"), "void_yield": ("to_active", "to_protocol"),
                "negative_yield": ("debt", "socialize")}


def key_lines(path, table):
    """The line of each `key = ...` inside `[table]` (tomllib gives no lines; the generator
    writes one key per line)."""
    lines = {}
    inside = False
    with open(path, encoding="utf-8") as fh:
        for number, text in enumerate(fh, start=1):
            stripped = text.strip()
            if stripped.startswith("["):
                inside = stripped == f"[{table}]"
                continue
            m = re.match(r"([A-Za-z0-9_-]+)\s*=", stripped)
            if inside and m:
                lines[m.group(1)] = number
    return lines


def check_policy(path, table):
    """SPEC §1.1's rules for [policy]: each error at its key's line, a relation between keys at
    the later key, several errors in file order (the first is reported)."""
    lines = key_lines(path, "policy")
    errors = []  # (line, reason)
    for key, value in table.items():
        line = lines.get(key, 0)
        if key in ("insurance_fee_bps", "protocol_fee_bps"):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                errors.append((line, f"'{key}' must be >= 0"))
        elif key == "fee_hurdle_bps":
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100000:
                errors.append((line, f"'{key}' must be between 0 and 100000"))
        elif key in POLICY_WORDS:
            if value not in POLICY_WORDS[key]:
                errors.append((line, f"'{key}' must be one of {POLICY_WORDS[key]}"))
        elif key == "rebalance":
            if not isinstance(value, bool):
                errors.append((line, "'rebalance' must be a boolean"))
        elif key == "unlock_seconds":
            if table.get("distribution", "snapshot") != "streamed":
                # "an error otherwise, at its line" (§1.1)
                errors.append((line, "'unlock_seconds' is allowed only with streamed"))
            elif not isinstance(value, int) or isinstance(value, bool) \
                    or not 1 <= value <= YEAR:
                errors.append((line, "'unlock_seconds' must be between 1 and 31536000"))
        else:
            errors.append((line, f"unknown key '{key}'"))
    ins = table.get("insurance_fee_bps", 1000)
    pfee = table.get("protocol_fee_bps", 0)
    if isinstance(ins, int) and isinstance(pfee, int) and ins >= 0 and pfee >= 0 \
            and ins + pfee > 10000:
        written = [lines[k] for k in ("insurance_fee_bps", "protocol_fee_bps") if k in lines]
        errors.append((max(written), "fee sum above 10000"))
    if errors:
        line, reason = min(errors)
        raise Rejected("scenario", reason, f"{path}:{line}")


# ---------------------------------------------------------------------------------------------
# The engine

class Model:
    def __init__(self, scenario):
        self.sc = scenario
        self.pol = scenario.policy
        self.led = {a: Ledger(scenario.initial_price, scenario.start) for a in ASSETS}
        self.sources = [Source(c, scenario.start) for c in scenario.sources]
        self.source_by_name = {s.name: s for s in self.sources}
        self.accounts = {n: Account(n, "system", scenario.start) for n in SYSTEM_ACCOUNTS}
        self.reports = []  # rows as dicts, in the order they ran (§7.1)
        self.next_k = 1  # the next scheduled report is at start + next_k * every (§5.4)

    # ---- §3 share ledgers --------------------------------------------------------------------

    def share_value(self, asset, h):
        return self.led[asset].P * h.s + h.r

    def balance(self, asset, h):
        """§3.3 with §9.3's CLAIMABLE read balance = min(f, P*s + r)."""
        if h.mode == "AUTOMATIC":
            return self.share_value(asset, h)
        if h.mode == "VOID":
            return h.f
        return min(h.f, self.share_value(asset, h))

    def claimable(self, asset, h):
        if h.mode != "CLAIMABLE":
            return 0
        return self.share_value(asset, h) - self.balance(asset, h)

    def resplit(self, asset, h, v):
        """(s, r) = split(v) (§3.2), keeping C = sum of s."""
        led = self.led[asset]
        s, r = divmod(v, led.P)
        led.C += s - h.s
        h.s, h.r = s, r

    def credit(self, name, asset, a):
        """§3.5 credit(a)."""
        h = self.accounts[name].hold[asset]
        if h.mode == "VOID":
            h.f += a
        elif h.mode == "AUTOMATIC":
            self.resplit(asset, h, self.share_value(asset, h) + a)
        else:
            h.f += a
            self.resplit(asset, h, self.share_value(asset, h) + a)

    def debit(self, name, asset, a, kind):
        """§3.5 debit(a): requires a <= balance (§9.3's balance for CLAIMABLE)."""
        h = self.accounts[name].hold[asset]
        have = self.balance(asset, h)
        if a > have:
            raise Rejected(kind, f"insufficient balance: {name} holds {format_units(have)} "
                                 f"{asset}, needs {format_units(a)}")
        if h.mode == "VOID":
            h.f -= a
        elif h.mode == "AUTOMATIC":
            self.resplit(asset, h, self.share_value(asset, h) - a)
        else:
            h.f -= a
            self.resplit(asset, h, self.share_value(asset, h) - a)

    def add_value(self, asset, y):
        """§3.4 addValue(Y)."""
        led = self.led[asset]
        led.Q += y
        if led.C > 0 and led.Q >= led.C:
            led.P += led.Q // led.C
            led.Q %= led.C
            led.P_hat = max(led.P_hat, led.P)

    # ---- §5.1 accrual ------------------------------------------------------------------------

    def accrue(self, src, t):
        dt = t - src.last
        if src.kind == "staking":
            src.value += src.value * src.apr * dt // (BPS * YEAR)
        else:
            src.value = src.value * rpow(dsr_for(src.apr), dt) // RAY
        src.last = t

    def accrue_asset(self, asset, t):
        for src in self.sources:
            if src.asset == asset:
                self.accrue(src, t)

    # ---- §9.1 stream -------------------------------------------------------------------------

    def streamed(self):
        return self.pol.distribution == "streamed"

    def drip(self, asset, t):
        led = self.led[asset]
        if t >= led.F:
            released = led.S
        else:
            released = min(led.S, led.rho * (t - led.u) // E12)
        d = released - led.R
        if d > 0:
            led.R += d
            self.add_value(asset, d)

    def lock(self, asset, t, y):
        led = self.led[asset]
        left = led.S - led.R
        total = left + y
        prev = left * (led.F - t) if led.F > t else 0
        period = max(1, (prev + y * self.pol.unlock_seconds) // total)
        led.S, led.R = total, 0
        led.rho = total * E12 // period
        led.F, led.u = t + period, t

    def absorb(self, asset, t, loss):
        """§9.1: locked profit absorbs a report's loss first; returns what is left of it."""
        led = self.led[asset]
        k = min(loss, led.S - led.R)
        loss -= k
        if k > 0:
            left = led.S - led.R - k
            if left == 0 or led.F <= t:
                led.S = led.R = led.rho = 0
                led.F = led.u = t
            else:
                led.S, led.R = left, 0
                led.rho = left * E12 // (led.F - t)
                led.u = t
        return loss

    # ---- §5.4 yield report (with §9) ---------------------------------------------------------

    def report(self, asset, t, trigger):
        led = self.led[asset]
        pol = self.pol
        if self.streamed():
            self.drip(asset, t)  # §9.1: at the start of every report, before step 1
        price_before, debt_before = led.P, led.D
        rows = []
        committed = 0
        for src in self.sources:
            if src.asset != asset:
                continue
            # Step 1.
            self.accrue(src, t)
            y = src.value - src.principal
            fee = pfee = cover = hurdle = 0
            if y > 0:
                # §9.4: hurdle over the time since the asset's last report, on the principal
                # before the commit.
                h = src.principal * pol.fee_hurdle_bps * (t - led.last_report) // (BPS * YEAR)
                hurdle = min(y, h)
                e = y - hurdle
                fee = e * pol.insurance_fee_bps // BPS
                pfee = e * pol.protocol_fee_bps // BPS
                src.value -= fee + pfee
                led.insurance += fee
                led.revenue += pfee
            elif y < 0:
                cover = min(-y, led.insurance)
                src.value += cover
                led.insurance -= cover
            c = src.value - src.principal
            src.principal = src.value
            committed += c
            rows.append({"source": src.name, "yield": y, "fee": fee, "cover": cover,
                         "committed": c, "hurdle": hurdle, "pfee": pfee})
        # Step 2.
        T = committed - led.D
        void_share = socialized = 0
        if T < 0:
            loss = -T
            if self.streamed():
                loss = self.absorb(asset, t, loss)  # §9.1
            if pol.negative_yield == "socialize":  # §9.3
                q = min(led.Q, loss)
                led.Q -= q
                loss -= q
                dp = 0
                if led.C > 0:
                    dp = min(led.P - 1, loss // led.C)
                    led.P -= dp
                    loss -= dp * led.C
                socialized = q + dp * led.C
            led.D = loss
        else:
            led.D = 0
            if T > 0:
                y = T
                if pol.void_yield == "to_protocol":  # §9.2
                    V = sum(acc.hold[asset].r + (acc.hold[asset].f
                                                 if acc.hold[asset].mode == "VOID" else 0)
                            for acc in self.accounts.values())
                    denom = led.P * led.C + V
                    void_share = T * V // denom if denom else 0
                    self.credit("@fee_vault", asset, void_share)
                    y = T - void_share
                if self.streamed():
                    if y > 0:
                        self.lock(asset, t, y)
                else:
                    self.add_value(asset, y)
        if pol.rebalance:  # §9.5
            self.rebalance(asset)
        led.last_report = t
        locked_after = led.S - led.R
        if not rows:
            rows.append({"source": None})
        for row in rows:
            row.update(time=t, asset=asset, trigger=trigger, debt_before=debt_before,
                       debt_after=led.D, T=T, price_before=price_before, price_after=led.P,
                       pending_after=led.Q, void_share=void_share, socialized=socialized,
                       locked_after=locked_after)
            self.reports.append(row)
        self.check_overflow(asset, "report")

    def rebalance(self, asset):
        led = self.led[asset]
        srcs = [s for s in self.sources if s.asset == asset]
        total = led.buffer + sum(s.value for s in srcs)
        targets = [total * s.weight // BPS for s in srcs]
        for src, target in zip(srcs, targets):
            if src.value > target:
                m = src.value - target
                src.value -= m
                src.principal -= m
                led.buffer += m
        for src, target in zip(srcs, targets):
            if src.value < target:
                m = min(target - src.value, led.buffer)
                src.value += m
                src.principal += m
                led.buffer -= m

    # ---- §6 checks ---------------------------------------------------------------------------

    def check_overflow(self, asset, kind):
        """§6: an event or report after which an asset's buffer + Σ value + D or
        buffer + Σ principal + D would reach 2^256 is rejected (`overflow`). Every other stored
        quantity of the asset is bounded by these sums (the §6 identity), except the gas record's
        S, checked where it grows."""
        led = self.led[asset]
        srcs = [s for s in self.sources if s.asset == asset]
        if (led.buffer + sum(s.value for s in srcs) + led.D >= LIMIT
                or led.buffer + sum(s.principal for s in srcs) + led.D >= LIMIT):
            raise Rejected(kind, "overflow")

    def check_invariants(self):
        """§6, exactly. A failure is a bug of the model, not a rejection."""
        for asset in ASSETS:
            led = self.led[asset]
            srcs = [s for s in self.sources if s.asset == asset]
            left = led.buffer + sum(s.principal for s in srcs) + led.D
            right = led.Q + led.retained + (led.S - led.R)
            c_sum = 0
            for acc in self.accounts.values():
                h = acc.hold[asset]
                right += self.balance(asset, h) + self.claimable(asset, h)
                c_sum += h.s
                assert 0 <= h.r < led.P_hat or led.P < led.P_hat, (acc.name, asset)
            assert left == right, (asset, left, right)
            assert c_sum == led.C, (asset, c_sum, led.C)
        gas_sum = sum(a.gas_B for a in self.accounts.values())
        assert self.accounts["@gas"].hold["ETH"].f == gas_sum

    # ---- the clock ---------------------------------------------------------------------------

    def run_scheduled(self, upto):
        """§5.4: scheduled reports at start + k*every (k >= 1, up to end), ETH then USDB."""
        sc = self.sc
        while True:
            t = sc.start + self.next_k * sc.every
            if t > sc.end or t > upto:
                return
            for asset in ASSETS:
                self.report(asset, t, "scheduled")
            self.next_k += 1

    def before_row(self, t):
        """What runs before a row stamped t: due scheduled reports, then §9.1's drips."""
        self.run_scheduled(t)
        if self.streamed():
            for asset in ASSETS:
                self.drip(asset, t)

    # ---- §4 gas ------------------------------------------------------------------------------

    @staticmethod
    def touch_gas(acc, now, kind):
        """§4: S += B * (now - t); t = now. S is stored, so it must stay below 2^256 (§6)."""
        if acc.gas_S + acc.gas_B * (now - acc.gas_t) >= LIMIT:
            raise Rejected(kind, "overflow: gas seconds")
        acc.gas_S += acc.gas_B * (now - acc.gas_t)
        acc.gas_t = now

    def claim_rate(self, amt, sec):
        """§4.2: (rate, seconds used)."""
        g = self.sc.gas
        k = sec // amt
        if k < g.base_s:
            return g.zero, 0
        if k >= g.ceil_s:
            return g.ceil, amt * g.ceil_s
        return g.base + (g.ceil - g.base) * (k - g.base_s) // (g.ceil_s - g.base_s), sec

    # ---- events ------------------------------------------------------------------------------

    def account(self, name, kind):
        if name not in self.accounts or name.startswith("@"):
            raise Rejected(kind, f"unknown account {name!r}")
        return self.accounts[name]

    def dapp(self, name, kind):
        acc = self.account(name, kind)
        if acc.kind != "dapp":
            raise Rejected(kind, f"{name} is not a dapp")
        return acc

    def source(self, name, kind):
        if name not in self.source_by_name:
            raise Rejected(kind, f"unknown source {name!r}")
        return self.source_by_name[name]

    def apply(self, ev):
        """Apply one parsed event (dict of the seven cells plus t). Validation precedes every
        mutation of the event itself, so a rejection leaves the event's part of the state as it
        was (the scheduled reports and drips before it stay, §9.1)."""
        kind, t = ev["type"], ev["t"]
        handler = getattr(self, "ev_" + kind)
        handler(ev, t)
        for asset in ASSETS:  # §6: after the whole event
            self.check_overflow(asset, kind)

    def ev_open(self, ev, t):
        name = ev["account"]
        if name.startswith("@"):
            raise Rejected("open", f"{name} is reserved")
        if name in self.accounts:
            raise Rejected("open", f"account {name} exists")
        self.accounts[name] = Account(name, ev["value"], t)

    def ev_deposit(self, ev, t):
        self.account(ev["account"], "deposit")
        asset, _ = DEPOSIT_ASSETS[ev["asset"]]
        a = ev["wei"]
        self.accrue_asset(asset, t)  # §5.1: a deposit accrues every source of its asset first
        led = self.led[asset]
        rest = a
        for src in self.sources:  # §5.2: route by weight, in file order
            if src.asset == asset:
                x = a * src.weight // BPS
                src.value += x
                src.principal += x
                rest -= x
        led.buffer += rest
        self.credit(ev["account"], asset, a)

    def ev_withdraw(self, ev, t):
        name, asset, x_amt = ev["account"], ev["asset"], ev["wei"]
        acc = self.account(name, "withdraw")
        led = self.led[asset]
        self.accrue_asset(asset, t)  # §5.5
        srcs = [s for s in self.sources if s.asset == asset]
        tv = led.buffer + sum(s.value for s in srcs)
        pi = RAY if led.D == 0 else min(RAY, tv * RAY // (tv + led.D))
        have = self.balance(asset, acc.hold[asset])
        if x_amt > have:
            raise Rejected("withdraw", "insufficient balance")
        payout = x_amt * pi // RAY
        if led.buffer + sum(min(s.value, s.principal) for s in srcs) < payout:
            raise Rejected("withdraw", "not covered")
        self.debit(name, asset, x_amt, "withdraw")
        d = min(led.D, x_amt - payout)
        led.D -= d
        led.retained += x_amt - payout - d
        rest = payout
        take = min(rest, led.buffer)
        led.buffer -= take
        rest -= take
        for src in srcs:
            take = min(rest, src.value, src.principal)
            src.value -= take
            src.principal -= take
            rest -= take
        assert rest == 0

    def ev_transfer(self, ev, t):
        src, dst, asset = ev["account"], ev["to"], ev["asset"]
        self.account(src, "transfer")
        self.account(dst, "transfer")
        if src == dst:
            raise Rejected("transfer", "transfer to oneself")
        self.debit(src, asset, ev["wei"], "transfer")
        self.credit(dst, asset, ev["wei"])

    def ev_configure(self, ev, t):
        """§3.6."""
        asset = ev["asset"]
        h = self.account(ev["account"], "configure").hold[asset]
        v = h.f if h.mode == "VOID" else self.share_value(asset, h)
        new = ev["value"]
        self.resplit(asset, h, 0)
        h.f = 0
        h.mode = new
        if new == "VOID":
            h.f = v
        else:
            self.resplit(asset, h, v)
            if new == "CLAIMABLE":
                h.f = v

    def ev_claim(self, ev, t):
        """§3.7."""
        asset, name = ev["asset"], ev["account"]
        h = self.account(name, "claim").hold[asset]
        to = ev["to"] or name
        self.account(to, "claim")
        if h.mode != "CLAIMABLE":
            raise Rejected("claim", f"{name} is not CLAIMABLE for {asset}")
        avail = self.claimable(asset, h)
        amount = avail if ev["amount"] == "" else ev["wei"]
        if amount > avail:
            raise Rejected("claim", "more than claimable")
        self.resplit(asset, h, self.share_value(asset, h) - amount)
        self.credit(to, asset, amount)

    def ev_gas_mode(self, ev, t):
        acc = self.dapp(ev["account"], "gas_mode")
        self.touch_gas(acc, t, "gas_mode")
        acc.gas_mode = ev["value"]

    def ev_gas(self, ev, t):
        """§4.1."""
        self.account(ev["account"], "gas")
        dapp = self.dapp(ev["to"], "gas")
        a = ev["wei"]
        self.debit(ev["account"], "ETH", a, "gas")  # checks before anything changes
        self.touch_gas(dapp, t, "gas")
        if dapp.gas_mode == "CLAIMABLE":
            self.credit("@gas", "ETH", a)
            dapp.gas_B += a
        else:
            self.credit("@fee_vault", "ETH", a)

    def ev_claim_gas(self, ev, t):
        """§4.3."""
        dapp = self.dapp(ev["account"], "claim_gas")
        if dapp.gas_B == 0:
            raise Rejected("claim_gas", "no gas fees to claim")
        self.touch_gas(dapp, t, "claim_gas")
        amt, sec = dapp.gas_B, dapp.gas_S
        rate, used = self.claim_rate(amt, sec)
        user = amt * rate // BPS
        self.debit("@gas", "ETH", user, "claim_gas")
        self.credit(dapp.name, "ETH", user)
        self.debit("@gas", "ETH", amt - user, "claim_gas")
        self.credit("@fee_vault", "ETH", amt - user)
        dapp.gas_B -= amt
        dapp.gas_S -= used

    def ev_report(self, ev, t):
        for asset in ASSETS:
            if ev["asset"] in ("", asset):
                self.report(asset, t, "event")

    def ev_set_rate(self, ev, t):
        src = self.source(ev["account"], "set_rate")
        self.accrue(src, t)
        src.apr = int(ev["value"])

    def ev_loss(self, ev, t):
        src = self.source(ev["account"], "loss")
        if ev["wei"] > src.value:
            # value after accrual decides; accrual only grows it, so check after accruing
            pass
        self.accrue(src, t)
        if ev["wei"] > src.value:
            raise Rejected("loss", f"loss exceeds {src.name}'s value")
        src.value -= ev["wei"]


# ---------------------------------------------------------------------------------------------
# Reading the events file (SPEC §1.2), one row at a time

USES = {  # which of account, asset, amount, to, value each type uses
    "open": {"account", "value"},
    "deposit": {"account", "asset", "amount"},
    "withdraw": {"account", "asset", "amount"},
    "transfer": {"account", "asset", "amount", "to"},
    "configure": {"account", "asset", "value"},
    "claim": {"account", "asset", "amount", "to"},
    "gas_mode": {"account", "value"},
    "gas": {"account", "asset", "amount", "to"},
    "claim_gas": {"account", "asset"},
    "report": {"asset"},
    "set_rate": {"account", "value"},
    "loss": {"account", "amount"},
}
ASSET_WORDS = {
    "deposit": set(DEPOSIT_ASSETS), "withdraw": set(ASSETS), "transfer": set(ASSETS),
    "configure": set(ASSETS), "claim": set(ASSETS), "gas": {"ETH"}, "claim_gas": {"ETH"},
    "report": {"", "ETH", "USDB"},
}
VALUE_WORDS = {"open": {"user", "dapp"}, "configure": {"AUTOMATIC", "VOID", "CLAIMABLE"},
               "gas_mode": {"VOID", "CLAIMABLE"}}


def parse_row(row, scenario, model, prev_t):
    """Check one row's cells (§1.2) and return the event dict; raises Rejected."""
    kind = row["type"]
    if kind not in USES:
        raise Rejected("csv", f"unknown event type {kind!r}")
    t = parse_time(row["time"])
    if t is None:
        raise Rejected(kind, f"bad time {row['time']!r}")
    for col in ("account", "asset", "amount", "to", "value"):
        if col not in USES[kind] and row[col] != "":
            raise Rejected(kind, f"{col} must be empty")
    if kind in ASSET_WORDS and row["asset"] not in ASSET_WORDS[kind]:
        raise Rejected(kind, f"bad asset {row['asset']!r}")
    if kind in VALUE_WORDS and row["value"] not in VALUE_WORDS[kind]:
        raise Rejected(kind, f"bad value {row['value']!r}")
    ev = dict(row, t=t, wei=None)
    if row["amount"] != "" or kind in ("deposit", "withdraw", "transfer", "gas", "loss"):
        if kind == "loss":
            src = scenario_source(scenario, row["account"])
            decimals = 18 if src is None else 18  # ETH and USDB both have 18 decimals
        else:
            decimals = DEPOSIT_ASSETS.get(row["asset"], ("", 18))[1]
        wei = parse_amount(row["amount"], decimals)
        if wei is None:
            raise Rejected(kind, f"bad amount {row['amount']!r}")
        if row["asset"] in ("USDC", "USDT"):
            wei *= 10**12
        if wei >= LIMIT:
            raise Rejected(kind if row["asset"] in ("USDC", "USDT") else kind, "overflow")
        if kind != "claim" and wei == 0:
            raise Rejected(kind, "amount must be > 0")
        ev["wei"] = wei
    if kind == "set_rate" and not (re.fullmatch(r"[0-9]+", row["value"])
                                   and int(row["value"]) <= 100000):
        raise Rejected(kind, f"bad rate {row['value']!r}")
    if t < scenario.start or t > scenario.end:
        raise Rejected(kind, "time outside [start, end]")
    if prev_t is not None and t < prev_t:
        raise Rejected(kind, "time goes backwards")
    if kind in ("open",) and not NAME_RE.match(row["account"]) and not row["account"].startswith("@"):
        raise Rejected(kind, f"bad account name {row['account']!r}")
    return ev


def scenario_source(scenario, name):
    for s in scenario.sources:
        if s["name"] == name:
            return s
    return None


def read_rows(path):
    """The events CSV as (line number, row dict) pairs; the header is line 1 (§1.2)."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        text = fh.read()
    reader = csv.reader(io.StringIO(text))
    header = None
    rows = []
    for fields in reader:
        line = reader.line_num  # the last line of the record; the generator writes one-liners
        if header is None:
            header = fields
            continue
        if fields == []:
            continue
        rows.append((line, dict(zip(header, fields))))
    for col in EVENT_COLUMNS:
        assert col in header, f"missing column {col}"
    return rows


def simulate(scenario, at=None, check=True):
    """Run the scenario (§7.1 `run`); with `at`, stop after everything stamped <= at.
    Returns (model, rejection or None)."""
    model = Model(scenario)
    prev_t = None
    for line, row in read_rows(scenario.events_path):
        t = parse_time(row["time"])
        if at is not None and t is not None and t > at:
            break
        try:
            ev = parse_row(row, scenario, model, prev_t)
            try:
                model.before_row(ev["t"])
            except Rejected as err:
                # A scheduled report (or §9.1 drip) that overflows rejects the row whose time
                # triggered it, with that row's type (§6; yieldledger's README for reports).
                raise Rejected(ev["type"], err.reason) from err
            model.apply(ev)
        except Rejected as err:
            return model, f"{scenario.events_name}:{line}: {err.kind}: {err.reason}"
        prev_t = ev["t"]
        if check:
            model.check_invariants()
    try:
        model.run_scheduled(scenario.end if at is None else min(at, scenario.end))
    except Rejected as err:
        # After the last event there is no row to blame: a `scenario` error (the README's
        # choice; SPEC §1.3 leaves its line open, so the check compares only the TYPE).
        return model, f"{os.path.basename(scenario.path)}:?: scenario: {err.reason}"
    if check:
        model.check_invariants()
    return model, None


# ---------------------------------------------------------------------------------------------
# Outputs (SPEC §7.1, CSV)

def write_csv(path, header, rows):
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow(["" if v is None else v for v in row])


def out_balances(model):
    rows = []
    for acc in model.accounts.values():  # system first, then in the order opened
        for asset in ASSETS:
            h = acc.hold[asset]
            bal = model.balance(asset, h)
            rows.append([acc.name, acc.kind, asset, h.mode, format_units(bal), bal,
                         model.claimable(asset, h), h.s, h.r])
    return ["account", "kind", "asset", "mode", "balance", "balance_wei", "claimable_wei",
            "shares", "remainder_wei"], rows


def out_ledgers(model, v11):
    header = ["asset", "price", "pending_wei", "total_shares", "buffer_wei", "debt_wei",
              "insurance_wei", "retained_wei"]
    if not v11:
        header += ["revenue_wei", "locked_wei"]
    rows = []
    for asset in ASSETS:
        led = model.led[asset]
        row = [asset, led.P, led.Q, led.C, led.buffer, led.D, led.insurance, led.retained]
        if not v11:
            row += [led.revenue, led.S - led.R]
        rows.append(row)
    return header, rows


def out_sources(model):
    return (["source", "asset", "kind", "apr_bps", "value_wei", "principal_wei", "last"],
            [[s.name, s.asset, s.kind, s.apr, s.value, s.principal, format_time(s.last)]
             for s in model.sources])


def out_reports(model, v11):
    header = ["time", "asset", "trigger", "source", "yield_wei", "fee_wei", "cover_wei",
              "committed_wei", "debt_before_wei", "debt_after_wei", "T_wei", "price_before",
              "price_after", "pending_after_wei"]
    if not v11:
        header += ["hurdle_wei", "protocol_fee_wei", "void_share_wei", "socialized_wei",
                   "locked_after_wei"]
    rows = []
    for r in model.reports:
        has = r["source"] is not None
        row = [format_time(r["time"]), r["asset"], r["trigger"], r["source"],
               r["yield"] if has else None, r["fee"] if has else None,
               r["cover"] if has else None, r["committed"] if has else None,
               r["debt_before"], r["debt_after"], r["T"], r["price_before"], r["price_after"],
               r["pending_after"]]
        if not v11:
            row += [r["hurdle"] if has else None, r["pfee"] if has else None,
                    r["void_share"], r["socialized"], r["locked_after"]]
        rows.append(row)
    return header, rows


def main(argv):
    args = argv[1:]
    v11 = "--v11" in args
    if v11:
        args.remove("--v11")
    at = None
    if "--at" in args:
        i = args.index("--at")
        at = parse_time(args[i + 1])
        del args[i:i + 2]
    i = args.index("--out")
    out = args[i + 1]
    del args[i:i + 2]
    (scenario_path,) = args
    os.makedirs(out, exist_ok=True)
    try:
        scenario = Scenario(scenario_path)
    except Rejected as err:
        with open(os.path.join(out, "rejection.txt"), "w") as fh:
            fh.write(f"{err.where}: {err.kind}: {err.reason}\n")
        return 2
    model, rejection = simulate(scenario)
    if rejection:
        with open(os.path.join(out, "rejection.txt"), "w") as fh:
            fh.write(rejection + "\n")
        return 2
    write_csv(os.path.join(out, "reports.csv"), *out_reports(model, v11))
    if at is not None:
        model, rejection = simulate(scenario, at)
        assert rejection is None
    write_csv(os.path.join(out, "balances.csv"), *out_balances(model))
    write_csv(os.path.join(out, "ledgers.csv"), *out_ledgers(model, v11))
    write_csv(os.path.join(out, "sources.csv"), *out_sources(model))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
