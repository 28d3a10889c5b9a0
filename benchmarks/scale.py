"""Scale benchmark: one nightly scan of 62,500 to 1,000,000 incidents a year.

Usage: python benchmarks/scale.py [--scales 1 4 16] [--out DIR] [--no-pyod] [--no-scan]

For each scale it generates (once, cached in ``--out``) a synthetic one-row-per-incident
log (``synth_incidents.py``) and, each in its own process so that peak memory is its own:

1. ``stages``: the pipeline's stages called one by one from :mod:`flows.pipeline` (the
   Prefect-free core), each timed; the *pure* stages are KPIs, detection, selection
   (breaks and drill-down) and candidates. The same process then scores the night's
   KPI series the way Anomstack does, one PyOD model per series, as the peer baseline.
2. ``scan``: ``radar scan --as-of 2025-12-31`` end to end (Prefect's ephemeral API, GX,
   an SQLite register, evidence plots), wall-clock from process start to exit.

Peak memory is the child's maximum resident set size (``os.wait4``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "scale.yaml"
AS_OF = "2025-12-31"
PURE = ("kpis", "detect", "select", "candidates")


def _child(argv: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """Run ``argv``; return wall seconds, CPU seconds, peak RSS in MB and stdout."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.PIPE, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        err = proc.stderr.read() if proc.stderr else ""
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode()
    if proc.returncode:
        raise SystemExit(f"{argv[1:3]} failed ({proc.returncode}): {err.strip()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text


def _stages(data: Path, pyod: bool) -> dict[str, Any]:
    """Time each stage of one night in this process (called in a child)."""
    from datetime import date

    from flows import pipeline
    from flows.candidates import Provenance
    from flows.config import RadarSettings, load_config
    from flows.gate import apply_gate
    from flows.select import select_findings
    from register_client import connect

    os.environ["RADAR_SCALE_DATA"] = str(data)
    as_of = date.fromisoformat(AS_OF)
    clock: dict[str, float] = {}
    cpu: dict[str, float] = {}

    def timed(name: str, fn: Any, *args: Any) -> Any:
        t, c = time.perf_counter(), time.process_time()
        result = fn(*args)
        clock[name], cpu[name] = time.perf_counter() - t, time.process_time() - c
        return result

    home = Path(tempfile.mkdtemp(prefix="radar-scale-"))
    settings = RadarSettings(home=home, register_url=f"sqlite:///{home}/register.db")
    config = timed("config", load_config, CONFIG)
    register = timed("register", connect, settings.register_url)
    frames = timed("load", pipeline.load_sources, config)
    gate = timed(
        "gate", pipeline.validate_sources, list(frames.values()), config, as_of, settings.docs_dir
    )
    usable = {n: f for n, f in frames.items() if apply_gate(f, gate[n], config) is not None}
    kpis = timed("kpis", pipeline.compute_kpi_series, usable, config, as_of)
    found = timed("detect", pipeline.detect, kpis, config, as_of)
    chosen = timed("select", select_findings, found, kpis, config, as_of)
    provenance = {
        n: Provenance(dataset=n, data_hash=f.data_hash, flow_run_id=None, gate=gate[n].to_json())
        for n, f in frames.items()
    }
    candidates = timed(
        "candidates", pipeline.build_candidates, chosen, kpis, config, provenance, as_of
    )
    candidates = timed(
        "plots", pipeline.plot_evidence, candidates, kpis, frozenset(), settings.evidence_dir
    )
    filed = timed("file", pipeline.file_entries, register, candidates, as_of)
    timed("followup", pipeline.remeasure_entries, register, kpis, config, as_of, home)
    series = kpis.drop(columns=["value", "n", "period"]).drop_duplicates()
    result: dict[str, Any] = {
        "rows": len(next(iter(frames.values())).records),
        "series": len(series),
        "findings": len(found),
        "selected": len(chosen),
        "filed": len(filed.created),
        "stages": clock,
        "cpu": cpu,
    }
    if pyod:
        result["pyod"] = _pyod_loop(kpis)
    return result


def _pyod_loop(kpis: Any) -> float:
    """Anomstack's scoring: per series, diff, smooth, lag, fit a PyOD PCA and score."""
    import numpy as np
    import pandas as pd
    from pyod.models.pca import PCA

    dims = [c for c in kpis.columns if c not in ("kpi", "period", "value", "n")]
    series = kpis.groupby(["kpi", *dims], sort=False).ngroup()
    wide = kpis.assign(series=series).pivot(index="period", columns="series", values="value")
    matrix = wide.ffill().fillna(0.0).to_numpy()
    t = time.perf_counter()
    for j in range(matrix.shape[1]):
        s = pd.Series(matrix[:, j]).diff().rolling(3).mean()
        feats = pd.concat([s.shift(k) for k in range(6)], axis=1).dropna().to_numpy()
        feats = feats + np.random.default_rng(j).normal(0, 1e-9, feats.shape)  # constant series
        PCA(contamination=0.01).fit(feats).decision_function(feats)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 4, 16])
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "radar-scale")
    ap.add_argument("--no-pyod", action="store_true")
    ap.add_argument("--no-scan", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the raw measurements here")
    ap.add_argument("--stages-of", type=Path, help=argparse.SUPPRESS)  # the child's entry
    args = ap.parse_args()
    if args.stages_of:
        print(json.dumps(_stages(args.stages_of, not args.no_pyod)))
        return
    sys.path.insert(0, str(HERE))
    from synth_incidents import write

    rows = []
    for scale in args.scales:
        data = write(scale, args.out)
        env = {**os.environ, "RADAR_SCALE_DATA": str(data), "OMP_NUM_THREADS": "1"}
        argv = [sys.executable, __file__, "--stages-of", str(data)]
        _, _, stage_rss, text = _child(argv + (["--no-pyod"] if args.no_pyod else []), env)
        row = {"scale": scale, **json.loads(text.strip().splitlines()[-1]), "stage_rss": stage_rss}
        if not args.no_scan:
            home = tempfile.mkdtemp(prefix="radar-scan-")
            scan_env = {
                **env,
                "RADAR_HOME": home,
                "PREFECT_HOME": f"{home}/prefect",
                "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "600",  # a loaded machine
            }
            radar = str(Path(sys.executable).with_name("radar"))
            argv = [radar, "scan", "--config", str(CONFIG), "--as-of", AS_OF, "--quiet"]
            argv += ["--register", f"sqlite:///{home}/register.db", "--format", "json"]
            row["scan"], row["scan_cpu"], row["scan_rss"], _ = _child(argv, scan_env)
        rows.append(row)
        _report(row)
        if args.json:
            args.json.write_text(json.dumps(rows, indent=1))
    _table(rows)


def _report(row: dict[str, Any]) -> None:
    stages = ", ".join(f"{k} {v:.2f}/{row['cpu'][k]:.2f}" for k, v in row["stages"].items())
    print(
        f"{row['scale']}x: {row['rows']:,} incidents, {row['series']:,} series, "
        f"{row['findings']} findings, {row['selected']} selected, {row['filed']} filed; "
        f"stages (wall/CPU s): {stages}",
        flush=True,
    )


def _table(rows: list[dict[str, Any]]) -> None:
    """Print the README table: CPU seconds first (the machine is shared), wall in brackets."""
    print()
    print(
        "| scale | incidents | KPI series | findings / filed | load + gate | pure stages "
        "| plots + filing + follow-up | peak RSS (stages) | `radar scan` end to end "
        "| peak RSS (scan) | PyOD loop (wall) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        s, c = r["stages"], r["cpu"]
        pure, pure_wall = sum(c[k] for k in PURE), sum(s[k] for k in PURE)
        side = c["plots"] + c["file"] + c["followup"]
        scan = f"{r['scan_cpu']:.1f} s ({r['scan']:.0f} s)" if "scan" in r else "-"
        scan_rss = f"{r['scan_rss']:.0f} MB" if "scan_rss" in r else "-"
        pyod = f"{r['pyod']:.1f} s" if "pyod" in r else "-"
        print(
            f"| {r['scale']}× | {r['rows']:,} | {r['series']:,} | {r['findings']} / "
            f"{r['filed']} | {c['load']:.1f} + {c['gate']:.1f} s | {pure:.1f} s "
            f"({pure_wall:.0f} s) | {side:.1f} s | {r['stage_rss']:.0f} MB | {scan} "
            f"| {scan_rss} | {pyod} |"
        )


if __name__ == "__main__":
    main()
