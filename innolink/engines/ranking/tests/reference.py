"""A slow, obviously correct reference of the ranking pipeline, written with plain loops.

It shares no computational code with the engine: it reads the methodology's data (specs) and
the snapshot's arrays element by element. Only the random draws are taken from numpy's
generator, in the order the engine documents (weight factors, normalisation index,
aggregation index), because the draws are inputs, not logic under test.
"""

from __future__ import annotations

import math

import numpy as np

from innolink.engines.ranking.derive import BUILTIN_DERIVED
from innolink.engines.ranking.fields import JINJIANG_TOWNS

NAN = float("nan")


def isnan(x: float) -> bool:
    return x != x


def value(name, e, cur, prev, derived):
    spec = derived.get(name) or BUILTIN_DERIVED.get(name)
    if spec is None:
        if cur is None or name not in cur:
            return NAN
        return float(cur[name][e])
    if spec.op == "ratio":
        num = value(spec.args[0], e, cur, prev, derived)
        den = value(spec.args[1], e, cur, prev, derived)
        if isnan(den) or den <= 0 or isnan(num):
            return NAN
        return num / den * spec.scale
    if spec.op == "growth":
        now = value(spec.args[0], e, cur, prev, derived)
        base = value(spec.args[0], e, prev, None, derived) if prev is not None else NAN
        if isnan(base) or base <= 0 or isnan(now):
            return NAN
        return (now / base - 1.0) * spec.scale
    if spec.op == "sum":
        total = 0.0
        for a in spec.args:
            v = value(a, e, cur, prev, derived)
            if isnan(v):
                return NAN
            total += v
        return total * spec.scale
    a = value(spec.args[0], e, cur, prev, derived)
    b = value(spec.args[1], e, cur, prev, derived)
    return (a - b) * spec.scale


def is_town(t):
    short = [x[:-2] if x.endswith("街道") else x[:-1] for x in JINJIANG_TOWNS]
    return isinstance(t, str) and (t.strip() in JINJIANG_TOWNS or t.strip() in short)


def gates(m, snap):
    cur, prev = snap.current, snap.previous
    el = m.eligibility
    eligible, excluded = [], {}

    def out(reason):
        excluded[reason] = excluded.get(reason, 0) + 1

    for e in range(snap.n):
        if el.ownership is not None and cur["ownership"][e] not in el.ownership:
            out("ownership")
            continue
        if el.registered_in_jinjiang and not is_town(cur["town"][e]):
            out("not_registered_in_jinjiang")
            continue
        if el.sections is not None or el.include_prefixes or el.exclude_prefixes:
            code = cur["industry_code"][e].upper()
            good = True
            if el.sections is not None and code[:1] not in el.sections:
                good = False
            if el.include_prefixes and not any(code.startswith(p) for p in el.include_prefixes):
                good = False
            if any(code.startswith(p) for p in el.exclude_prefixes):
                good = False
            if not good:
                out("industry")
                continue
        flagged = None
        for f in el.exclude_flags:
            if cur[f][e]:
                flagged = f
                break
        if flagged:
            out(f"flag:{flagged}")
            continue
        failed = None
        for name, bound in el.minimums.items():
            v = value(name, e, cur, prev, m.derived)
            if isnan(v):
                failed = f"missing:{name}"
            elif v < bound:
                failed = f"below_minimum:{name}"
            if failed:
                break
        if not failed:
            for name, bound in el.maximums.items():
                v = value(name, e, cur, prev, m.derived)
                if isnan(v):
                    failed = f"missing:{name}"
                elif v > bound:
                    failed = f"above_maximum:{name}"
                if failed:
                    break
        if not failed:
            for spec in m.indicators:
                if spec.missing == "exclude" and isnan(value(spec.name, e, cur, prev, m.derived)):
                    failed = f"missing:{spec.name}"
                    break
        if failed:
            out(failed)
            continue
        eligible.append(e)
    return eligible, excluded


def median(vals):
    s = sorted(vals)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2.0


def quantile(vals, q):
    s = sorted(vals)
    h = (len(s) - 1) * q
    lo = int(math.floor(h))
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (h - lo)


def impute(m, snap, eligible):
    cur, prev = snap.current, snap.previous
    table = {}
    imputed = {}
    for spec in m.indicators:
        col = [value(spec.name, e, cur, prev, m.derived) for e in eligible]
        known = [v for v in col if not isnan(v)]
        for i, e in enumerate(eligible):
            if not isnan(col[i]):
                continue
            imputed[(e, spec.name)] = True
            if spec.missing == "impute_zero":
                col[i] = 0.0
            elif spec.missing == "impute_worst":
                col[i] = min(known) if spec.direction == "higher" else max(known)
            else:
                code = cur["industry_code"][e].upper()
                fill = None
                for width in (3, 1):
                    peers = [
                        v for j, v in enumerate(col)
                        if cur["industry_code"][eligible[j]].upper()[:width] == code[:width]
                        and not isnan(v) and not imputed.get((eligible[j], spec.name))
                    ]
                    if len(peers) >= m.impute_min_group:
                        fill = median(peers)
                        break
                col[i] = median(known) if fill is None else fill
        table[spec.name] = col
    return table, imputed


def treat(m, table):
    out = {}
    for spec in m.indicators:
        col = list(table[spec.name])
        if spec.transform == "log":
            col = [math.copysign(math.log1p(abs(x)), x) if x != 0 else 0.0 for x in col]
        if spec.clip is not None:
            lo, hi = spec.clip
            col = [x if lo is None or x >= lo else lo for x in col]
            col = [x if hi is None or x <= hi else hi for x in col]
        band = spec.winsorize or m.winsorize
        if band is not None:
            lo, hi = quantile(col, band[0]), quantile(col, band[1])
            col = [min(max(x, lo), hi) for x in col]
        if spec.direction == "lower":
            col = [-x for x in col]
        out[spec.name] = col
    return out


def normalize_col(col, method):
    n = len(col)
    if method in ("minmax", "efficacy"):
        lo, hi = min(col), max(col)
        mm = [50.0 if hi - lo <= 0 else (x - lo) / (hi - lo) * 100.0 for x in col]
        return mm if method == "minmax" else [60.0 + 0.4 * v for v in mm]
    if method == "zscore":
        mean = sum(col) / n
        sd = math.sqrt(sum((x - mean) ** 2 for x in col) / n)
        if max(col) == min(col) or sd <= 0:
            return [0.0] * n
        return [(x - mean) / sd for x in col]
    # rank: average rank of ties, mapped to 0..100
    if n == 1:
        return [50.0]
    out = []
    for x in col:
        below = sum(1 for y in col if y < x)
        equal = sum(1 for y in col if y == x)
        r = below + (equal + 1) / 2.0
        out.append((r - 1.0) / (n - 1.0) * 100.0)
    return out


def weights(m, oriented):
    names = [s.name for s in m.indicators]
    if m.weighting == "given":
        total = sum(s.weight for s in m.indicators)
        return [s.weight / total for s in m.indicators]
    if m.weighting == "equal":
        return [1.0 / len(names)] * len(names)
    return entropy([[v / 100.0 for v in normalize_col(oriented[nm], "minmax")] for nm in names])


def entropy(columns):
    n = len(columns[0])
    k = len(columns)
    if n < 2:
        return [1.0 / k] * k
    ds = []
    for col in columns:
        total = sum(col)
        if total <= 0:
            ds.append(0.0)
            continue
        h = 0.0
        for x in col:
            p = x / total
            if p > 0:  # 0·ln 0 = 0
                h -= p * math.log(p)
        ds.append(max(0.0, 1.0 - h / math.log(n)))
    if sum(ds) <= 1e-15:
        return [1.0 / k] * k
    return [d / sum(ds) for d in ds]


def scores(normalized_cols, w, aggregation):
    k = len(normalized_cols)
    n = len(normalized_cols[0])
    if aggregation == "weighted_sum":
        return [sum(w[j] * normalized_cols[j][i] for j in range(k)) for i in range(n)]
    pos = []
    for col in normalized_cols:
        lo, hi = min(col), max(col)
        pos.append([100.0 if hi - lo <= 0 else 1.0 + (x - lo) / (hi - lo) * 99.0 for x in col])
    out = []
    for i in range(n):
        prod = 1.0
        for j in range(k):
            prod *= pos[j][i] ** w[j]
        out.append(prod)
    return out


def rnd(x, d):
    return round(x * 10.0**d) / 10.0**d


def key_value(v, order):
    if isnan(v):
        return math.inf
    return -v if order == "desc" else v


def tie_position(m, snap, eligible):
    """Index (into ``eligible``) → position in the tie-key order (keys, then id)."""
    ids = snap.enterprise_ids
    keyed = []
    for i, e in enumerate(eligible):
        kv = tuple(key_value(value(k, e, snap.current, snap.previous, m.derived), o)
                   for k, o in m.tie_rule.keys)
        keyed.append((kv, int(ids[e]), i))
    keyed.sort()
    return {i: pos for pos, (_, _, i) in enumerate(keyed)}, {i: kv for kv, _, i in keyed}


def reference_run(m, snap, samples, seed):
    eligible, excluded = gates(m, snap)
    table, imputed = impute(m, snap, eligible)
    oriented = treat(m, table)
    names = [s.name for s in m.indicators]
    w = weights(m, oriented)
    nominal = [normalize_col(oriented[nm], m.normalization) for nm in names]
    sc = scores(nominal, w, m.aggregation)
    d = m.tie_rule.decimals
    rounded = [rnd(s, d) for s in sc]
    tpos, tkeys = tie_position(m, snap, eligible)
    ids = snap.enterprise_ids
    order = sorted(range(len(eligible)), key=lambda i: (-rounded[i], tpos[i]))
    rank = {}
    for pos, i in enumerate(order):
        rank[i] = pos + 1
        if pos > 0:
            j = order[pos - 1]
            same = rounded[i] == rounded[j]
            if not m.tie_rule.shared_rank:
                same = same and tkeys[i] == tkeys[j]
            if same:
                rank[i] = rank[j]
    tied = {i: any(rounded[i] == rounded[j] for j in range(len(eligible)) if j != i)
            for i in range(len(eligible))}

    u = m.uncertainty
    rng = np.random.default_rng(seed)
    factors = rng.uniform(1.0 - u.weight_noise, 1.0 + u.weight_noise, size=(samples, len(names)))
    norm_idx = rng.integers(0, len(u.normalizations), size=samples)
    agg_idx = rng.integers(0, len(u.aggregations), size=samples)
    cache = {}
    sample_ranks = {i: [] for i in range(len(eligible))}
    for s in range(samples):
        raw = [w[j] * float(factors[s, j]) for j in range(len(names))]
        ws = [x / sum(raw) for x in raw]
        method = u.normalizations[int(norm_idx[s])]
        if method not in cache:
            cache[method] = [normalize_col(oriented[nm], method) for nm in names]
        ss = scores(cache[method], ws, u.aggregations[int(agg_idx[s])])
        rs = [rnd(x, d) for x in ss]
        sorder = sorted(range(len(eligible)), key=lambda i: (-rs[i], tpos[i]))
        for pos, i in enumerate(sorder):
            sample_ranks[i].append(pos + 1)

    rows = []
    for pos, i in enumerate(order):
        e = eligible[i]
        r = sample_ranks[i]
        rows.append({
            "enterprise_id": int(ids[e]),
            "position": pos + 1,
            "rank": rank[i],
            "score": rounded[i],
            "tied": tied[i],
            "median_rank": quantile(r, 0.5),
            "rank_p05": quantile(r, 0.05),
            "rank_p95": quantile(r, 0.95),
            "in_list_frequency": sum(1 for x in r if x <= m.list_size) / samples,
            "indicators": {nm: table[nm][i] for nm in names},
            "imputed": tuple(nm for nm in names if imputed.get((e, nm))),
        })
    return {"rows": rows, "excluded": excluded, "weights": w, "eligible": len(eligible)}
