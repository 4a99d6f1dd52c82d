#!/usr/bin/env python3
"""Reference pipeline for the CLI benchmark: what `rapport rfm` and `rapport clv` compute, written
with pandas + numpy + scipy as a data scientist would (vectorised, one row per customer).

    python3 bench/analytics/reference.py --orders FILE --analysis-date YYYY-MM-DD \
        --calibration-end YYYY-MM-DD --rfm-out FILE --clv-out FILE --json-out FILE

Needs pandas and scipy: `pip install -r bench/analytics/requirements.txt` (the versions the
benchmarks record), or Debian's python3-pandas 1.5 and python3-scipy where PyPI is out of reach
(pandas 1.5 has no read_csv date_format: the dates are parsed by to_datetime with the same
format). Columns: customer_id, order_date, revenue.

Same definitions as app/domain/rfm.ts and app/domain/clv.ts:
- RFM (the R package `rfm`): recency in days to the analysis date, order count, revenue sum;
  breakpoints are the 20/40/60/80 % type-7 quantiles plus 1, bins [min, b1) ... [b4, max+1);
  recency scored in reverse; the first matching rule of the default table names the segment.
- CLV: same-day transactions merged; x = purchase days - 1, t_x and T in weeks; monetary value
  = mean of the repeat purchase days. BG/NBD and Gamma-Gamma maximum likelihood by BFGS on the
  log-parameters with the analytic gradient (scipy.optimize.minimize), from the same starting
  points with the same stop rule as fitBgNbd/fitGammaGamma, then Newton steps on the natural
  parameters with a central-difference Hessian of the gradient (also used for the standard
  errors). Predictions: P(alive), expected purchases over 52 weeks discounted monthly at 10 %
  a year (scipy.special.hyp2f1), expected average value, CLV.
The likelihoods are evaluated one row per customer (not grouped), as the lifetimes package does.
"""
import argparse
import json
import math
import sys
import time

try:
    import numpy as np
    import pandas as pd
    from scipy.optimize import minimize
    from scipy.special import betaln, digamma, gammaln, hyp2f1
except ImportError as exc:  # the benchmark reads this line and skips the comparison
    print(f"MISSING {exc.name}: pip install -r bench/analytics/requirements.txt")
    sys.exit(3)

DEFAULT_RULES = [  # app/domain/rfm.ts DEFAULT_SEGMENT_RULES: key, r, f, m ranges (inclusive)
    ("champions", (5, 5), (5, 5), (5, 5)),
    ("potential_loyalist", (3, 5), (3, 5), (2, 5)),
    ("loyal_customers", (2, 4), (2, 4), (2, 4)),
    ("promising", (3, 4), (1, 3), (3, 5)),
    ("new_customers", (4, 5), (1, 3), (1, 5)),
    ("cant_lose_them", (1, 2), (3, 4), (4, 5)),
    ("at_risk", (1, 2), (2, 5), (4, 5)),
    ("need_attention", (1, 3), (3, 5), (3, 5)),
    ("about_to_sleep", (2, 3), (1, 3), (1, 4)),
    ("lost", (1, 1), (1, 5), (1, 5)),
]
LOG_BOUND = 30.0
DAYS_PER_MONTH = 365.25 / 12


def bins(values):
    breaks = np.quantile(values, [0.2, 0.4, 0.6, 0.8]) + 1  # numpy's default is R's type 7
    return np.searchsorted(breaks, values, side="right") + 1


def rfm(df, analysis_day):
    g = df.groupby("customer_id", sort=True).agg(last=("day", "max"), frequency=("day", "size"), monetary=("revenue", "sum"))
    g["recency_days"] = analysis_day - g["last"]
    g["r"] = 6 - bins(g["recency_days"].to_numpy())
    g["f"] = bins(g["frequency"].to_numpy())
    g["m"] = bins(g["monetary"].to_numpy())
    r, f, m = g["r"].to_numpy(), g["f"].to_numpy(), g["m"].to_numpy()
    conds = [(r >= rr[0]) & (r <= rr[1]) & (f >= ff[0]) & (f <= ff[1]) & (m >= mm[0]) & (m <= mm[1]) for _, rr, ff, mm in DEFAULT_RULES]
    g["segment"] = np.select(conds, [k for k, *_ in DEFAULT_RULES], default="others")
    return g[["recency_days", "frequency", "monetary", "r", "f", "m", "segment"]]


def summarize(df, cal_day):
    d = df[df["day"] <= cal_day].groupby(["customer_id", "day"], sort=True)["revenue"].sum().reset_index()
    c = d.groupby("customer_id", sort=True)
    first = c["day"].transform("min")
    d["repeat"] = np.where(d["day"] != first, d["revenue"], 0.0)
    s = c.agg(first=("day", "min"), last=("day", "max"), days=("day", "size"), repeat=("repeat", "sum"))
    s["x"] = (s["days"] - 1).astype(float)
    s["tx"] = (s["last"] - s["first"]) / 7
    s["T"] = (cal_day - s["first"]) / 7
    s["monetary"] = np.where(s["x"] > 0, s["repeat"] / s["x"].where(s["x"] > 0, 1), np.nan)
    return s[["x", "tx", "T", "monetary"]]


def bgnbd_ll(params, x, tx, T, grad=False):
    r, alpha, a, b = params
    rx = r + x
    A3 = -rx * np.log(alpha + T)
    with np.errstate(divide="ignore"):
        A4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - rx * np.log(alpha + tx), -np.inf)
    lse = np.logaddexp(A3, A4)
    ll = np.sum(gammaln(r + x) - gammaln(r) + r * math.log(alpha) + betaln(a, b + x) - betaln(a, b) + lse)
    if not grad:
        return ll
    wt = np.exp(A4 - lse)  # share of the second term
    u = 1 - wt
    gr = np.sum(digamma(r + x) - digamma(r) + math.log(alpha) - (u * np.log(alpha + T) + wt * np.log(alpha + tx)))
    gal = np.sum(r / alpha - rx * (u / (alpha + T) + wt / (alpha + tx)))
    psi_abx = digamma(a + b + x)
    ga = np.sum(digamma(a + b) - psi_abx + wt / a)
    with np.errstate(divide="ignore", invalid="ignore"):
        gb = np.sum(digamma(a + b) + digamma(b + x) - digamma(b) - psi_abx - np.where(x > 0, wt / (b + x - 1), 0.0))
    return ll, np.array([gr, gal, ga, gb])


def gg_ll(params, x, m, grad=False):
    p, q, g = params
    px = p * x
    ll = np.sum(gammaln(px + q) - gammaln(px) - gammaln(q) + q * math.log(g) + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * np.log(g + m * x))
    if not grad:
        return ll
    lgm = np.log(g + m * x)
    gp = np.sum(x * (digamma(px + q) - digamma(px) + np.log(m) + np.log(x) - lgm))
    gq = np.sum(digamma(px + q) - digamma(q) + math.log(g) - lgm)
    gg = np.sum(q / g - (px + q) / (g + m * x))
    return ll, np.array([gp, gq, gg])


def fit(ll_grad, starts):
    """BFGS on log-parameters from each start; stop once two converged runs agree (as multiStart)."""

    def objective(theta):
        if not np.all(np.abs(theta) <= LOG_BOUND):
            return np.inf, np.zeros_like(theta)
        v = np.exp(theta)
        ll, g = ll_grad(v)
        return -ll, -g * v

    best = None
    agreeing = 0
    for s in starts:
        res = minimize(objective, np.log(s), jac=True, method="BFGS", options={"gtol": 1e-6, "maxiter": 500})
        if not np.isfinite(res.fun):
            continue
        if best is not None and abs(res.fun - best.fun) <= 1e-7 * max(1, abs(best.fun)):
            agreeing += 1
        if best is None or res.fun < best.fun:
            best = res
        if agreeing >= 1:
            break
    return np.exp(best.x), -best.fun


def hessian(neg_grad, v):
    n = len(v)
    H = np.zeros((n, n))
    for j in range(n):
        h = 1e-5 * max(abs(v[j]), 1e-3)
        vp, vm = v.copy(), v.copy()
        vp[j] += h
        vm[j] -= h
        H[:, j] = (neg_grad(vp) - neg_grad(vm)) / (2 * h)
    return (H + H.T) / 2


def polish(ll_grad, v, ll):
    """Newton steps on the natural parameters, accepted when small and not lowering the likelihood."""
    neg_grad = lambda p: -ll_grad(p)[1]
    for _ in range(2):
        try:
            step = np.linalg.solve(hessian(neg_grad, v), neg_grad(v))
        except np.linalg.LinAlgError:
            break
        vn = v - step
        rel = np.max(np.abs(step / v))
        if not rel < 1e-3 or np.any(vn <= 0):
            break
        lln = ll_grad(vn)[0]
        if not -lln <= -ll + 1e-12 * abs(ll):
            break
        v, ll = vn, max(ll, lln)
        if rel < 1e-12:
            break
    cov = np.linalg.inv(hessian(neg_grad, v))
    se = np.sqrt(np.where(np.diag(cov) > 0, np.diag(cov), np.nan))
    return v, ll, se


def clv(s, horizon=52.0, period_days=7.0, rate=0.1):
    x, tx, T = s["x"].to_numpy(), s["tx"].to_numpy(), s["T"].to_numpy()
    repeat_rate = max(np.sum(x), 0.1 * len(x)) / max(np.sum(T), 1e-9)
    starts = [[1, 1 / repeat_rate, 1, 1], [0.5, 0.5 / repeat_rate, 0.5, 3], [2, 2 / repeat_rate, 2, 10], [1, 1, 1, 1]]
    ll_bg = lambda v: bgnbd_ll(v, x, tx, T, grad=True)
    bg, ll = fit(ll_bg, starts)
    bg, bg_ll, bg_se = polish(ll_bg, bg, ll)
    r, alpha, a, b = bg

    mv = s["monetary"].to_numpy()
    use = (x > 0) & (mv > 0) & np.isfinite(mv)
    xg, mg = x[use], mv[use]
    ll_gg = lambda v: gg_ll(v, xg, mg, grad=True)
    mean_m = np.mean(mg)
    gg, ll = fit(ll_gg, [[1, 2, mean_m], [5, 5, mean_m * 2], [1, 1, 1]])
    gg, gg_ll_v, gg_se = polish(ll_gg, gg, ll)
    p, q, gamma = gg

    with np.errstate(divide="ignore", invalid="ignore"):
        dead = np.where(x > 0, math.log(a) - np.log(b + x - 1) + (r + x) * (np.log(alpha + T) - np.log(alpha + tx)), -np.inf)
    alive = 1 / (1 + np.exp(dead))
    a1 = 1 + 1e-7 if abs(a - 1) < 1e-7 else a
    c = a1 + b + x - 1
    step = DAYS_PER_MONTH / period_days
    K = max(1, math.ceil(horizon / step - 1e-9))
    prev = np.zeros_like(x)
    disc = np.zeros_like(x)
    for k in range(1, K + 1):
        t = horizon if k == K else k * step
        z = t / (alpha + T + t)
        bracket = 1 - np.exp((a1 - 1) * np.log1p(-z)) * hyp2f1(a1 + b - 1 - r, a1 - 1, c, z)
        e = c / (a1 - 1) * bracket * alive
        e = np.where(np.isfinite(e) & (e > 0), e, 0.0)
        disc += (e - prev) / (1 + rate) ** (t * period_days / 365.25)
        prev = e
    with np.errstate(invalid="ignore"):
        avg = np.where((x > 0) & np.isfinite(mv), p * (gamma + x * np.nan_to_num(mv)) / (p * x + q - 1), gamma * p / (q - 1))
    out = pd.DataFrame(
        {
            "frequency": x.astype(int),
            "recency": tx,
            "T": T,
            "monetary_value": np.nan_to_num(mv),
            "p_alive": alive,
            "expected_purchases": prev,
            "expected_avg_value": avg,
            "clv": avg * disc,
        },
        index=s.index,
    )
    summary = {
        "bgnbd": dict(zip(["r", "alpha", "a", "b"], map(float, bg)), logLikelihood=float(bg_ll), standardErrors=dict(zip(["r", "alpha", "a", "b"], map(float, bg_se)))),
        "gammaGamma": dict(zip(["p", "q", "gamma"], map(float, gg)), logLikelihood=float(gg_ll_v), customers=int(use.sum()), standardErrors=dict(zip(["p", "q", "gamma"], map(float, gg_se)))),
        "customers": int(len(x)),
    }
    return out, summary


def main():
    ap = argparse.ArgumentParser()
    for name in ["orders", "analysis-date", "calibration-end", "rfm-out", "clv-out", "json-out"]:
        ap.add_argument(f"--{name}", required=True)
    args = ap.parse_args()
    t0 = time.perf_counter()
    if int(pd.__version__.split(".")[0]) >= 2:
        df = pd.read_csv(args.orders, dtype={"customer_id": "int64", "revenue": "float64"}, parse_dates=["order_date"], date_format="%Y-%m-%d")
    else:
        df = pd.read_csv(args.orders, dtype={"customer_id": "int64", "revenue": "float64"})
        df["order_date"] = pd.to_datetime(df["order_date"], format="%Y-%m-%d")
    df["day"] = (df["order_date"] - pd.Timestamp("1970-01-01")) // pd.Timedelta(days=1)
    t_read = time.perf_counter()
    day = lambda s: (pd.Timestamp(s) - pd.Timestamp("1970-01-01")) // pd.Timedelta(days=1)
    r = rfm(df, day(args.analysis_date))
    r.to_csv(args.rfm_out, float_format="%.17g")
    t_rfm = time.perf_counter()
    out, summary = clv(summarize(df, day(args.calibration_end)))
    out.to_csv(args.clv_out, float_format="%.17g")
    t_clv = time.perf_counter()
    summary["seconds"] = {"read": t_read - t0, "rfm": t_rfm - t_read, "clv": t_clv - t_rfm}
    with open(args.json_out, "w") as fh:
        json.dump(summary, fh, indent=1)


if __name__ == "__main__":
    main()
