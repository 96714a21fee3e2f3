#!/usr/bin/python3
"""A seeded random scenario + events generator for the differential oracle.

Usage: random_case.py SEED OUTDIR [--v11]

writes OUTDIR/scenario.toml, OUTDIR/events.csv and OUTDIR/at.txt (a TIME for the `--at` checks).
The same SEED always gives the same files. With --v11 the scenario uses only SPEC v1.1 keys (no
§9 policy key but insurance_fee_bps), for binaries that do not know §9 yet.

Events are proposed one at a time and kept only when spec_model accepts them, so a case runs to
its end; about one case in ten gets one deliberately bad row inserted, so that the first
rejection's line and TYPE (SPEC §1.3) are compared too.
"""

import copy
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spec_model as sm  # noqa: E402

BASE_START = sm.parse_time("2024-03-01T00:00:00Z")
DECIMALS = {"ETH": 18, "USDB": 18, "DAI": 18, "USDC": 6, "USDT": 6}


def amount_text(rng, base_units, decimals):
    """Decimal text for an amount in base units, in the varied spellings SPEC §1.2 allows."""
    whole, frac = divmod(base_units, 10**decimals)
    frac_text = f"{frac:0{decimals}d}".rstrip("0") if decimals else ""
    pick = rng.random()
    if frac_text and pick < 0.15:
        frac_text = frac_text.ljust(rng.randint(len(frac_text), decimals), "0")
    elif not frac_text and pick < 0.1:
        frac_text = "0" * rng.randint(1, decimals)
    whole_text = str(whole)
    if rng.random() < 0.05:
        whole_text = "00" + whole_text
    return f"{whole_text}.{frac_text}" if frac_text else whole_text


def random_wei(rng, giant=False):
    """Tiny, ordinary or huge (near 2^200) amounts; in a giant case also amounts near 2^255,
    whose sums reach SPEC §6's 2^256 bound."""
    scale = rng.choices(["tiny", "small", "normal", "big", "huge", "giant"],
                        [8, 10, 60, 14, 8, 30 if giant else 0])[0]
    if scale == "giant":
        return rng.randint(2**250, 2**255)
    if scale == "tiny":
        return rng.randint(1, 10**3)
    if scale == "small":
        return rng.randint(10**3, 10**12)
    if scale == "normal":
        return rng.randint(10**15, 10**22)
    if scale == "big":
        return rng.randint(10**22, 10**30)
    return rng.randint(2**198, 2**201)


def part(rng, wei, whole_ok=True):
    """A part of an amount: all of it, half, or a random share."""
    if wei <= 0:
        return 0
    pick = rng.random()
    if pick < 0.2 and whole_ok:
        return wei
    if pick < 0.35:
        return max(1, wei // 2)
    return rng.randint(1, wei)


class Generator:
    def __init__(self, seed, v11):
        self.rng = random.Random(seed)
        self.v11 = v11
        self.seed = seed
        self.giant = self.rng.random() < 0.05  # a case meant to hit §6's overflow rule
        # A case of small prices and amounts with frequent losses and CLAIMABLE accounts:
        # prices fall to 1 under §9.3, streams are absorbed (§9.1), C = 0 with V > 0 (§9.2).
        self.focus = not self.giant and self.rng.random() < 0.25

    # ---- scenario ----------------------------------------------------------------------------

    def scenario_text(self):
        rng = self.rng
        self.start = BASE_START + rng.choice([0, 0, 3600 * rng.randint(1, 1000),
                                              rng.randint(0, 10**7)])
        every_choice = rng.choice(["s", "m", "h", "h", "d"])
        amount = {"s": rng.randint(1800, 200000), "m": rng.randint(30, 3000),
                  "h": rng.randint(1, 48), "d": rng.randint(1, 4)}[every_choice]
        self.every_text = f"{amount}{every_choice}"
        self.every = sm.parse_every(self.every_text)
        reports = rng.randint(2, 40)
        self.end = self.start + self.every * reports + rng.choice([0, 0, rng.randint(0,
                                                                                      self.every)])
        price = rng.choice([1, 2, 7, 1000, 10**9, 10**9, 10**9, 10**12, rng.randint(1, 10**15)])
        if self.focus:
            price = rng.choice([1, 2, 3, 10, 1000])
        lines = [f'name = "oracle-{self.seed}"',
                 f'start = "{sm.format_time(self.start)}"',
                 f'end = "{sm.format_time(self.end)}"',
                 f'report_every = "{self.every_text}"',
                 'events = "events.csv"', "", "[ledger]", f"initial_price = {price}"]
        self.sources = []
        n = rng.randint(1, 4)
        names = rng.sample(["lido", "rocketpool", "tbill", "dsr", "eigen", "frax", "aave"], n)
        for name in names:
            asset = rng.choice(["ETH", "USDB"])
            self.sources.append({"name": name, "asset": asset})
        for asset in ("ETH", "USDB"):  # weights per asset, sum <= 10000 (§1.1)
            srcs = [s for s in self.sources if s["asset"] == asset]
            budget = rng.choice([10000, 10000, rng.randint(0, 10000)])
            for i, s in enumerate(srcs):
                w = budget if i == len(srcs) - 1 else rng.randint(0, budget)
                if rng.random() < 0.1:
                    w = 0
                s["weight_bps"] = w
                budget -= w
        for s in self.sources:
            s["kind"] = rng.choice(["staking", "treasury"])
            s["apr_bps"] = rng.choice([0, 400, 500, rng.randint(0, 2000), rng.randint(0, 100000)])
            lines += ["", "[[source]]", f'name = "{s["name"]}"', f'asset = "{s["asset"]}"',
                      f'kind = "{s["kind"]}"', f'apr_bps = {s["apr_bps"]}',
                      f'weight_bps = {s["weight_bps"]}']
        lines += ["", "[policy]"]
        lines += self.policy_lines()
        if rng.random() < 0.6:
            zero = rng.randint(0, 3000)
            base = rng.randint(zero + 1, 8000)
            ceil = rng.randint(base + 1, 10000)
            base_s = rng.randint(1, 3600)
            ceil_s = base_s + rng.randint(1, 10 * 86400)
            lines += ["", "[gas]", f"zero_claim_rate_bps = {zero}",
                      f"base_claim_rate_bps = {base}", f"ceil_claim_rate_bps = {ceil}",
                      f"base_gas_seconds = {base_s}", f"ceil_gas_seconds = {ceil_s}"]
        return "\n".join(lines) + "\n"

    def policy_lines(self):
        """[policy] (§1.1, §9): random keys, each absent (its default) now and then; in about
        one v1.2 case in twelve, one or two errors of §1.1's rules."""
        rng = self.rng
        keys = []
        ins = rng.choice([0, 1000, 1000, rng.randint(0, 10000)])
        if rng.random() < 0.85:
            keys.append(("insurance_fee_bps", str(ins)))
        else:
            ins = 1000
        if self.v11:
            return [f"{k} = {v}" for k, v in keys]
        pfee = min(10000 - ins, rng.choice([0, 0, rng.randint(0, 10000 - ins),
                                            rng.randint(0, 3000)]))
        distribution = rng.choice(["snapshot", "streamed"])
        policy = [
            ("protocol_fee_bps", str(pfee)),
            ("fee_hurdle_bps", str(rng.choice([0, 0, 300, rng.randint(0, 3000),
                                               rng.randint(0, 100000)]))),
            ("distribution", f'"{distribution}"'),
            ("void_yield", rng.choice(['"to_active"', '"to_protocol"'])),
            ("negative_yield", rng.choice(['"debt"', '"socialize"'])),
            ("rebalance", rng.choice(["false", "true"])),
        ]
        for key, value in policy:
            # An absent key takes its default (§1.1); "streamed" must be written, since
            # unlock_seconds is an error without it.
            if rng.random() < 0.8 or value == '"streamed"':
                keys.append((key, value))
        if distribution == "streamed" and rng.random() < 0.9:  # else the default 604800
            unlock = rng.choice([1, 60, 3600, 86400, self.every, 3 * self.every,
                                 rng.randint(1, sm.YEAR)])
            keys.append(("unlock_seconds", str(unlock)))
        rng.shuffle(keys)  # keys in any order; unlock_seconds may precede distribution
        if rng.random() < 0.08:
            for _ in range(rng.choice([1, 1, 2])):
                keys = self.break_policy(keys)
        return [f"{k} = {v}" for k, v in keys]

    def break_policy(self, keys):
        """One §1.1 error in [policy]."""
        rng = self.rng
        keys = [kv for kv in keys]
        present = dict(keys)

        def put(key, value):
            if key in present:
                keys[[k for k, _ in keys].index(key)] = (key, value)
            else:
                keys.insert(rng.randint(0, len(keys)), (key, value))
            present[key] = value

        kind = rng.choice(["fee_sum", "fee_sum_default", "unlock_no_stream", "unlock_range",
                           "hurdle_range", "bad_word", "rebalance_int", "unknown_key",
                           "negative_fee"])
        if kind == "fee_sum":
            ins = rng.randint(0, 10000)
            put("insurance_fee_bps", str(ins))
            put("protocol_fee_bps", str(rng.randint(10001 - ins, 10001)))
        elif kind == "fee_sum_default":  # insurance absent: its default 1000 counts
            keys = [kv for kv in keys if kv[0] != "insurance_fee_bps"]
            present.pop("insurance_fee_bps", None)
            put("protocol_fee_bps", str(rng.randint(9001, 10000)))
        elif kind == "unlock_no_stream":
            if rng.random() < 0.5:
                keys = [kv for kv in keys if kv[0] != "distribution"]
                present.pop("distribution", None)
            else:
                put("distribution", '"snapshot"')
            put("unlock_seconds", str(rng.randint(1, 1000)))
        elif kind == "unlock_range":
            put("distribution", '"streamed"')
            put("unlock_seconds", str(rng.choice([0, sm.YEAR + 1, -5])))
        elif kind == "hurdle_range":
            put("fee_hurdle_bps", str(rng.choice([100001, -1])))
        elif kind == "bad_word":
            key = rng.choice(["distribution", "void_yield", "negative_yield"])
            put(key, rng.choice(['"Streamed"', '"protocol"', '""', '"debt "']))
        elif kind == "rebalance_int":
            put("rebalance", rng.choice(["1", '"true"']))
        elif kind == "unknown_key":
            put(rng.choice(["protocol_fee", "unlock", "hurdle_bps"]), "5")
        else:
            put(rng.choice(["insurance_fee_bps", "protocol_fee_bps"]), "-1")
        return keys

    # ---- events ------------------------------------------------------------------------------

    def next_time(self, prev):
        rng = self.rng
        pick = rng.random()
        if pick < 0.3:
            t = prev
        elif pick < 0.5:  # exactly at the next scheduled report second (§5.4 ordering)
            k = (prev - self.start) // self.every + 1
            t = self.start + k * self.every
        else:
            t = prev + rng.randint(1, max(1, self.every * 2))
        return min(t, self.end)

    def accounts(self, model, kinds=("user", "dapp")):
        return [a for a in model.accounts.values() if a.kind in kinds]

    def propose(self, model, t):
        """One candidate row (the seven cells) for the state `model` is in."""
        rng = self.rng
        row = {"time": sm.format_time(t), "type": "", "account": "", "asset": "", "amount": "",
               "to": "", "value": ""}
        accs = self.accounts(model)
        dapps = self.accounts(model, ("dapp",))
        kind = rng.choices(
            ["open", "deposit", "withdraw", "transfer", "configure", "claim", "gas_mode", "gas",
             "claim_gas", "report", "set_rate", "loss"],
            [12 if len(accs) < 3 else 3, 22, 12, 10, 10, 8, 3, 6, 4, 4, 3,
             15 if self.focus else 5])[0]
        if kind != "open" and not accs and kind not in ("report", "set_rate", "loss"):
            kind = "open"
        row["type"] = kind
        if kind == "open":
            row["account"] = f"{rng.choice(['a', 'b', 'u', 'x.y', 'dex', 'v_'])}{len(accs)}"
            if rng.random() < 0.05 and self.sources:
                row["account"] = self.sources[0]["name"]  # separate namespaces (§1.1)
            row["value"] = rng.choice(["user", "user", "dapp"])
        elif kind == "deposit":
            row["account"] = rng.choice(accs).name
            asset = rng.choice(["ETH", "ETH", "USDB", "USDB", "USDC", "USDT", "DAI"])
            row["asset"] = asset
            units = random_wei(rng, self.giant)
            if self.focus:
                units = rng.randint(1, 10**rng.randint(1, 7))
            if DECIMALS[asset] == 6:
                units = max(1, units // 10**12)
            row["amount"] = amount_text(rng, units, DECIMALS[asset])
        elif kind in ("withdraw", "transfer"):
            acc = rng.choice(accs)
            asset = rng.choice(sm.ASSETS)
            bal = model.balance(asset, acc.hold[asset])
            row.update(account=acc.name, asset=asset,
                       amount=amount_text(rng, max(1, part(rng, bal)), 18))
            if kind == "transfer":
                others = [a for a in accs if a is not acc]
                if not others:
                    return None
                row["to"] = rng.choice(others).name
        elif kind == "configure":
            row.update(account=rng.choice(accs).name, asset=rng.choice(sm.ASSETS),
                       value=rng.choice(["AUTOMATIC", "VOID", "CLAIMABLE", "CLAIMABLE"]))
        elif kind == "claim":
            holders = [(a, asset) for a in accs for asset in sm.ASSETS
                       if a.hold[asset].mode == "CLAIMABLE"]
            if not holders:
                return None
            acc, asset = rng.choice(holders)
            row.update(account=acc.name, asset=asset)
            pick = rng.random()
            if pick < 0.4:
                row["amount"] = ""
            elif pick < 0.5:
                row["amount"] = "0"
            else:
                row["amount"] = amount_text(rng, part(rng, model.claimable(asset,
                                                                           acc.hold[asset])), 18)
            pick = rng.random()
            if pick < 0.3:
                row["to"] = acc.name
            elif pick < 0.6:
                row["to"] = rng.choice(accs).name
        elif kind == "gas_mode":
            if not dapps:
                return None
            row.update(account=rng.choice(dapps).name,
                       value=rng.choice(["CLAIMABLE", "CLAIMABLE", "VOID"]))
        elif kind == "gas":
            if not dapps:
                return None
            payer = rng.choice(accs)
            bal = model.balance("ETH", payer.hold["ETH"])
            claiming = [d for d in dapps if d.gas_mode == "CLAIMABLE"]
            to = rng.choice(claiming if claiming and rng.random() < 0.7 else dapps)
            row.update(account=payer.name, asset="ETH", to=to.name,
                       amount=amount_text(rng, max(1, part(rng, bal // 3 or 1)), 18))
        elif kind == "claim_gas":
            if not dapps:
                return None
            earning = [d for d in dapps if d.gas_B > 0]
            row.update(account=rng.choice(earning or dapps).name, asset="ETH")
        elif kind == "report":
            row["asset"] = rng.choice(["", "ETH", "USDB"])
        elif kind == "set_rate":
            if not self.sources:
                return None
            row.update(account=rng.choice(self.sources)["name"],
                       value=str(rng.choice([0, 300, rng.randint(0, 3000),
                                             rng.randint(0, 100000)])))
        elif kind == "loss":
            src = model.source_by_name[rng.choice(self.sources)["name"]]
            value = src.value  # before accrual to t; a loss up to it is always accepted
            if rng.random() < 0.15:  # exactly the value after §5.3's accrual: the boundary
                accrued = copy.copy(src)
                model.accrue(accrued, t)
                row.update(account=src.name, amount=amount_text(rng, accrued.value, 18))
                return row if accrued.value > 0 else None
            if value == 0:
                return None
            ins = model.led[src.asset].insurance
            pick = rng.random()
            if pick < 0.3 and ins < value:
                x = rng.randint(ins + 1, value)  # larger than the insurance fund
            elif pick < 0.4:
                x = value
            else:
                x = part(rng, max(1, value // 20))
            row.update(account=src.name, amount=amount_text(rng, max(1, x), 18))
        return row

    def bad_row(self, model, t):
        """A row that the SPEC rejects (§1.3), for the rejection comparisons."""
        rng = self.rng
        row = {"time": sm.format_time(t), "type": "", "account": "", "asset": "", "amount": "",
               "to": "", "value": ""}
        accs = self.accounts(model)
        choice = rng.choice(["overdraw", "self", "unknown", "claim_mode", "loss", "gas0",
                             "reopen"])
        if not accs:
            choice = "unknown"
        if choice == "overdraw":
            acc = rng.choice(accs)
            asset = rng.choice(sm.ASSETS)
            bal = model.balance(asset, acc.hold[asset])
            row.update(type=rng.choice(["withdraw", "transfer"]), account=acc.name,
                       asset=asset, amount=amount_text(rng, bal + rng.randint(1, 10**18), 18))
            if row["type"] == "transfer":
                row["to"] = "@fee_vault" if rng.random() < 0.3 else rng.choice(accs).name
        elif choice == "self":
            acc = rng.choice(accs)
            row.update(type="transfer", account=acc.name, to=acc.name, asset="ETH", amount="1")
        elif choice == "unknown":
            row.update(type="deposit", account="nobody", asset="ETH", amount="1")
        elif choice == "claim_mode":
            acc = rng.choice(accs)
            asset = rng.choice(sm.ASSETS)
            row.update(type="claim", account=acc.name, asset=asset, amount="1")
        elif choice == "loss":
            if not self.sources:
                return self.bad_row(model, t)
            src = model.source_by_name[self.sources[0]["name"]]
            row.update(type="loss", account=src.name,
                       amount=amount_text(rng, src.value * 3 + 10**20, 18))
        elif choice == "gas0":
            row.update(type="claim_gas", account=accs[0].name, asset="ETH")
        else:
            row.update(type="open", account=accs[0].name, value="user")
        return row

    def events(self, scenario):
        rng = self.rng
        model = sm.Model(scenario)
        rows = []
        t = self.start
        target = rng.randint(10, 110)
        bad_at = rng.randint(0, target) if rng.random() < 0.1 else None
        attempts = 0
        while len(rows) < target and attempts < target * 6:
            attempts += 1
            if len(rows) == bad_at:
                row = self.bad_row(model, t)
                rows.append(row)  # the run stops here; further rows are never read
                break
            cand_t = self.next_time(t)
            model.reports.clear()  # the generator needs no report rows; keeps the copy small
            trial = copy.deepcopy(model)
            try:
                # Propose from the state the row will meet: after the scheduled reports and
                # drips before it, so that "all of a balance" is exact.
                trial.before_row(cand_t)
            except sm.Rejected:
                break
            row = self.propose(trial, cand_t)
            if row is None:
                continue
            try:
                ev = sm.parse_row(row, scenario, trial, t)
                trial.apply(ev)
            except sm.Rejected as err:
                if self.giant and "overflow" in err.reason:
                    rows.append(row)  # compare the overflow rejection; the run stops here
                    break
                continue
            model = trial
            rows.append(row)
            t = cand_t
        if rows and rng.random() < 0.3 and bad_at is None:  # a last row exactly at end
            row = {"time": sm.format_time(self.end), "type": "report", "account": "",
                   "asset": "", "amount": "", "to": "", "value": ""}
            rows.append(row)
        return rows

    def at_time(self):
        rng = self.rng
        pick = rng.random()
        if pick < 0.1:
            return self.start - 1
        if pick < 0.3:  # exactly a scheduled report second
            k = rng.randint(1, max(1, (self.end - self.start) // self.every))
            return self.start + k * self.every
        return rng.randint(self.start, self.end)


def write_events(path, rows, rng):
    """The events CSV in the varied shapes SPEC §1.2 allows: columns in any order, an optional
    `id` column, CRLF or LF, a leading byte-order mark, empty lines (skipped, but counted in
    line numbers), quoted fields."""
    columns = list(sm.EVENT_COLUMNS)
    if rng.random() < 0.3:
        columns.append("id")
        for i, row in enumerate(rows):
            row["id"] = f"e{i:04d}" if rng.random() < 0.8 else ""
    rng.shuffle(columns)
    eol = "\r\n" if rng.random() < 0.2 else "\n"
    quote = rng.random() < 0.2
    blanks = rng.random() < 0.2
    with open(path, "w", newline="", encoding="utf-8") as fh:
        if rng.random() < 0.1:
            fh.write("\ufeff")
        fh.write(",".join(columns) + eol)
        for row in rows:
            if blanks and rng.random() < 0.1:
                fh.write(eol)
            cells = [f'"{row[c]}"' if quote and rng.random() < 0.5 else row[c] for c in columns]
            fh.write(",".join(cells) + eol)


def main(argv):
    args = argv[1:]
    v11 = "--v11" in args
    if v11:
        args.remove("--v11")
    seed, out = int(args[0]), args[1]
    os.makedirs(out, exist_ok=True)
    gen = Generator(seed, v11)
    with open(os.path.join(out, "scenario.toml"), "w") as fh:
        fh.write(gen.scenario_text())
    try:
        scenario = sm.Scenario(os.path.join(out, "scenario.toml"))
    except sm.Rejected:  # a case with a broken [policy]: the run stops at the scenario
        with open(os.path.join(out, "events.csv"), "w") as fh:
            fh.write(",".join(sm.EVENT_COLUMNS) + "\n")
        with open(os.path.join(out, "at.txt"), "w") as fh:
            fh.write(sm.format_time(gen.start) + "\n")
        return 0
    open(scenario.events_path, "w").write(",".join(sm.EVENT_COLUMNS) + "\n")
    rows = gen.events(scenario)
    write_events(scenario.events_path, rows, gen.rng)
    with open(os.path.join(out, "at.txt"), "w") as fh:
        fh.write(sm.format_time(gen.at_time()) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
