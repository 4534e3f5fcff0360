#!/usr/bin/env python3
"""Turns the raw measurements of bench/run into latest.md, latest.json and latest.png.

Reads, from the --raw directory: tools.tsv, workloads.tsv, cells.tsv (one row per workload and
tool: status and the hyperfine JSON), rss.tsv, <workload>.bvisor-report.json and the checked
runs' stdout. Standard library only; the chart is drawn by gnuplot.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys


def read_tsv(path, header=False):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    return rows[1:] if header else rows


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def loadavg():
    try:
        with open("/proc/loadavg", encoding="utf-8") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


def fmt_ms(ms):
    if ms is None:
        return "–"
    if ms >= 1000:
        return f"{ms / 1000:.2f} s"
    if ms >= 100:
        return f"{ms:.0f} ms"
    if ms >= 10:
        return f"{ms:.1f} ms"
    return f"{ms:.2f} ms"


def fmt_ratio(r):
    if r is None:
        return "–"
    return f"×{r:.2f}" if r < 10 else f"×{r:.1f}"


def md_escape(s):
    return s.replace("|", "\\|")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--quick", type=int, default=0)
    ap.add_argument("--seconds", type=int, default=0)
    ap.add_argument("--hyperfine", default="")
    ap.add_argument("--load-start", default="")
    ap.add_argument("--readme", default="", help="also put the table into this README's bench section")
    a = ap.parse_args()

    def rel(p):
        return os.path.relpath(p, a.repo) if p.startswith(a.repo + "/") else p

    tools = [
        {"id": r[0], "label": r[1], "prefix": r[2].replace(a.work, "$WORK"), "version": r[3] if len(r) > 3 else ""}
        for r in read_tsv(os.path.join(a.raw, "tools.tsv"))
    ]
    workloads = [
        {
            "id": r[0],
            "label": r[1],
            "command": r[2].replace(a.work, "$WORK"),
            "warmup": int(r[3]),
            "runs": int(r[4]),
            "prepare": (r[5] if len(r) > 5 else "").replace(a.work, "$WORK") or None,
        }
        for r in read_tsv(os.path.join(a.raw, "workloads.tsv"))
    ]

    # results[workload][tool]
    results = {w["id"]: {} for w in workloads}
    for row in read_tsv(os.path.join(a.raw, "cells.tsv"), header=True):
        wid, tid, status = row[0], row[1], row[2]
        hf_path = row[3] if len(row) > 3 else ""
        sha = row[4] if len(row) > 4 else ""
        cell = {"status": status}
        if status == "ok" and hf_path:
            # One hyperfine JSON per round; the rounds' runs are merged.
            times, user, system = [], 0.0, 0.0
            for part in hf_path.split(","):
                with open(part, encoding="utf-8") as f:
                    hf = json.load(f)["results"][0]
                times += [t * 1000 for t in hf["times"]]
                user += hf["user"] * 1000 * len(hf["times"])
                system += hf["system"] * 1000 * len(hf["times"])
            cell.update(
                median_ms=statistics.median(times),
                mean_ms=statistics.fmean(times),
                stddev_ms=statistics.stdev(times) if len(times) > 1 else 0.0,
                min_ms=min(times),
                max_ms=max(times),
                user_ms=user / len(times),
                system_ms=system / len(times),
                runs=len(times),
                rounds=len(hf_path.split(",")),
                times_ms=[round(t, 3) for t in times],
                stdout_sha256_16=sha,
            )
        results.setdefault(wid, {})[tid] = cell

    # Ratios to bare and output checks, within the same run.
    for wid, cells in results.items():
        bare = cells.get("bare", {})
        for tid, cell in cells.items():
            if cell.get("status") != "ok":
                continue
            if bare.get("status") == "ok" and bare["median_ms"] > 0:
                cell["ratio_to_bare"] = round(cell["median_ms"] / bare["median_ms"], 4)
                cell["output_matches_bare"] = cell["stdout_sha256_16"] == bare["stdout_sha256_16"]
            else:
                cell["ratio_to_bare"] = None

    # bvisor's own report: how many notifications the supervisor answered.
    notifications = {}
    for w in workloads:
        p = os.path.join(a.raw, f"{w['id']}.bvisor-report.json")
        if not os.path.exists(p):
            continue
        with open(p, encoding="utf-8") as f:
            rep = json.load(f)
        by = {name: v.get("allowed", 0) + v.get("denied", 0) for name, v in rep.get("syscalls", {}).items()}
        by.update({f"blocked:{k}": v for k, v in rep.get("blocked", {}).items() if isinstance(v, int)})
        total = sum(by.values())
        entry = {"total": total, "by_syscall": dict(sorted(by.items(), key=lambda kv: -kv[1]))}
        cells = results.get(w["id"], {})
        if cells.get("bvisor", {}).get("status") == "ok" and cells.get("bare", {}).get("status") == "ok" and total:
            extra = cells["bvisor"]["median_ms"] - cells["bare"]["median_ms"]
            entry["overhead_us_per_notification"] = round(extra * 1000 / total, 2)
        notifications[w["id"]] = entry

    rss = [
        {"tool": r[0], "workload": r[1], "vmhwm_kb": int(r[2]) if r[2].isdigit() else None, "exit": r[3]}
        for r in read_tsv(os.path.join(a.raw, "rss.tsv"))
    ]

    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "kernel": platform.release(),
        "cpu": cpu_model(),
        "nproc": os.cpu_count(),
        "loadavg_at_start": a.load_start,
        "loadavg_at_end": loadavg(),
        "quick": bool(a.quick),
        "duration_s": a.seconds,
        "hyperfine": a.hyperfine,
        "method": "hyperfine -N (no shell); per workload up to 5 rounds, each timing every tool "
        "(order rotated per round); median of all runs",
    }
    doc = {
        "meta": meta,
        "tools": [dict(t, status=_tool_status(results, t["id"])) for t in tools],
        "workloads": workloads,
        "results": results,
        "bvisor_notifications": notifications,
        "supervisor_peak_rss": rss,
    }

    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "latest.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")

    write_markdown(a, doc, rel)
    if a.readme:
        write_readme(a.readme, doc, os.path.relpath(os.path.abspath(a.out), os.path.dirname(os.path.abspath(a.readme))))
    chart_note = write_chart(a, doc)
    if chart_note:
        print(f"bench/report.py: {chart_note}", file=sys.stderr)


def _tool_status(results, tid):
    statuses = {cells.get(tid, {}).get("status", "") for cells in results.values()}
    unavailable = [s for s in statuses if s.startswith("unavailable")]
    return unavailable[0] if unavailable else "ok"


def ratio_table(doc):
    """The table of medians and ratios, the geometric means and the footnotes (markdown lines)."""
    tools, workloads, results = doc["tools"], doc["workloads"], doc["results"]
    L = []
    header = ["workload"] + [t["label"] for t in tools]
    L.append("| " + " | ".join(header) + " |")
    L.append("|" + "---|" + "---:|" * len(tools))
    footnotes = []
    for w in workloads:
        cells = results.get(w["id"], {})
        row = [md_escape(w["label"])]
        for t in tools:
            c = cells.get(t["id"], {"status": "not run"})
            if c["status"] != "ok":
                s = c["status"]
                if s.startswith("unavailable"):
                    row.append("unavailable" + (f": {md_escape(s.split(':', 1)[1].strip())[:60]}" if ":" in s else ""))
                else:
                    footnotes.append(f"{w['id']} / {t['id']}: {s}")
                    row.append(f"{md_escape(s.split(':')[0])} [{len(footnotes)}]")
                continue
            text = fmt_ms(c["median_ms"])
            if t["id"] != "bare":
                text += f" ({fmt_ratio(c.get('ratio_to_bare'))})"
            if c.get("output_matches_bare") is False:
                footnotes.append(f"{w['id']} / {t['id']}: output differs from bare's")
                text += f" [{len(footnotes)}]"
            row.append(text)
        L.append("| " + " | ".join(row) + " |")
    L.append("")
    # Geometric mean of the ratios, over the workloads every tool finished.
    geo = []
    for t in tools:
        if t["id"] == "bare":
            continue
        rs = [results[w["id"]][t["id"]].get("ratio_to_bare") for w in workloads
              if results.get(w["id"], {}).get(t["id"], {}).get("status") == "ok"]
        rs = [r for r in rs if r]
        if rs:
            g = 1.0
            for r in rs:
                g *= r
            geo.append(f"{t['label']} ×{g ** (1 / len(rs)):.2f} ({len(rs)}/{len(workloads)})")
    if geo:
        L.append("Geometric mean of the ratios (over the workloads the tool finished): " + " · ".join(geo) + ".")
        L.append("")
    if footnotes:
        for i, n in enumerate(footnotes, 1):
            L.append(f"[{i}] {md_escape(n)}  ")
        L.append("")
    return L


def machine_line(meta):
    return (
        f"{meta['date']} · kernel {meta['kernel']} · {meta['cpu']} · nproc {meta['nproc']} · "
        f"load average {meta['loadavg_at_start']} at start, {meta['loadavg_at_end']} at end · {meta['hyperfine']} · "
        f"{'**quick run** (few runs, rough numbers)' if meta['quick'] else 'full run'} · {meta['duration_s']} s"
    )


def write_readme(path, doc, results_rel):
    """Replaces the README's section between <!-- bench:start --> and <!-- bench:end -->."""
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    text = open(path, encoding="utf-8").read()
    if start not in text or end not in text:
        print(f"bench/report.py: {path} has no {start} ... {end} section; not updated", file=sys.stderr)
        return
    # A --baseline column compares two bvisor builds; the README shows the one it documents.
    doc = dict(doc, tools=[t for t in doc["tools"] if t["id"] != "bvisor-baseline"])
    L = [start, "## Performance", ""]
    L.append(
        "`bench/run` (see [bench/README.md](bench/README.md)) installs the peers from Debian and times "
        "every workload under each tool in one run, interleaved; the ratios to bare measured in that "
        "run are what counts. Latest run:"
    )
    L.append("")
    L.append(machine_line(doc["meta"]))
    L.append("")
    L.extend(l.replace("](latest.png)", f"]({results_rel}/latest.png)") for l in ratio_table(doc))
    L.append(f"![ratios to bare, log scale]({results_rel}/latest.png)")
    L.append("")
    L.append(
        f"Notification counts per workload, the supervisor's memory and the exact commands: "
        f"[{results_rel}/latest.md]({results_rel}/latest.md). Regenerate with `bench/run` "
        f"(about 10 minutes; `bench/run --quick` for a rough look)."
    )
    L.append(end)
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    with open(path, "w", encoding="utf-8") as f:
        f.write(before + "\n".join(L) + after)


def write_markdown(a, doc, rel):
    meta, tools, workloads, results = doc["meta"], doc["tools"], doc["workloads"], doc["results"]
    L = []
    L.append("# bvisor and its peers, side by side")
    L.append("")
    L.append(machine_line(meta))
    L.append("")
    try:
        busy = max(float(meta["loadavg_at_start"].split()[0]), float(meta["loadavg_at_end"].split()[0]))
    except (ValueError, IndexError):
        busy = 0.0
    if meta["nproc"] and busy > meta["nproc"]:
        L.append(
            f"**Warning: the machine was busy** (load average up to {busy:.1f} on {meta['nproc']} CPUs): "
            "other work competed with the benchmark, so absolute times are inflated and small "
            "differences between tools are noise. Rerun on an idle machine before quoting figures."
        )
        L.append("")
    L.append(
        "Median wall time of each workload, and in parentheses the ratio to bare "
        "(tool median / bare median, same run). `bench/run` produced this file; see bench/README.md."
    )
    L.append("")
    L.extend(ratio_table(doc))
    L.append("![ratios to bare, log scale](latest.png)")
    L.append("")

    notif = doc["bvisor_notifications"]
    if notif:
        L.append("## What the bvisor supervisor answered")
        L.append("")
        L.append(
            "Seccomp notifications per run (from `bvisor run --report`), and bvisor's extra wall time "
            "per notification: (bvisor median − bare median) / notifications. For start-up the "
            "extra time is mostly bvisor's fixed cost (its own start, the filter, the overlay), not "
            "the notifications."
        )
        L.append("")
        L.append("| workload | notifications | extra µs / notification | top syscalls |")
        L.append("|---|---:|---:|---|")
        for w in workloads:
            n = notif.get(w["id"])
            if not n:
                continue
            top = ", ".join(f"{k} {v}" for k, v in list(n["by_syscall"].items())[:4])
            per = n.get("overhead_us_per_notification")
            per_s = "" if per is None else ("≈0 (within noise)" if per <= 0 else f"{per:.1f}")
            L.append(f"| {md_escape(w['label'])} | {n['total']} | {per_s} | {top} |")
        L.append("")

    if doc["supervisor_peak_rss"]:
        L.append("## Supervisor memory")
        L.append("")
        L.append(
            "Peak RSS (VmHWM) of the bvisor supervisor process alone, sampled every 10 ms from "
            "/proc/&lt;pid&gt;/status (the sandboxed compilers are not included)."
        )
        L.append("")
        L.append("| tool | workload | supervisor VmHWM | exit |")
        L.append("|---|---|---:|---:|")
        for r in doc["supervisor_peak_rss"]:
            kb = r["vmhwm_kb"]
            L.append(f"| {r['tool']} | {r['workload']} | {'' if kb is None else f'{kb / 1024:.1f} MiB'} | {r['exit']} |")
        L.append("")

    L.append("## Tools and workloads")
    L.append("")
    L.append("| tool | command prefix | version | status |")
    L.append("|---|---|---|---|")
    for t in tools:
        L.append(f"| {t['label']} | `{md_escape(t['prefix'])}` | {md_escape(t['version'])} | {md_escape(t['status'])} |")
    L.append("")
    L.append("| workload | command | warm-up + runs |")
    L.append("|---|---|---|")
    for w in workloads:
        extra = f" (before each run: `{md_escape(w['prepare'])}`)" if w["prepare"] else ""
        L.append(f"| {md_escape(w['label'])} | `{md_escape(w['command'])}`{extra} | {w['warmup']} + {w['runs']} |")
    L.append("")
    L.append("`$WORK` is the work dir (bench/work). Raw times: latest.json.")
    L.append("")
    with open(os.path.join(a.out, "latest.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(L))


def write_chart(a, doc):
    gnuplot = shutil.which("gnuplot")
    png = os.path.join(a.out, "latest.png")
    tools = [t for t in doc["tools"] if t["id"] != "bare"]
    workloads = doc["workloads"]
    if not gnuplot:
        return "gnuplot not found: no chart"
    dat = os.path.join(a.raw, "ratios.dat")
    with open(dat, "w", encoding="utf-8") as f:
        f.write("workload\t" + "\t".join(f'"{t["label"]}"' for t in tools) + "\n")
        for w in workloads:
            cells = doc["results"].get(w["id"], {})
            vals = []
            for t in tools:
                r = cells.get(t["id"], {}).get("ratio_to_bare")
                vals.append(f"{r:.4f}" if r else "NaN")
            f.write(f'"{w["id"]}"\t' + "\t".join(vals) + "\n")
    all_r = [c.get("ratio_to_bare") for cells in doc["results"].values() for c in cells.values()]
    all_r = [r for r in all_r if r]
    ymax = max(all_r + [2]) * 2.2
    ymin = min(min(all_r + [1]) / 1.5, 0.5)
    unavailable = [t["label"] for t in tools if t["status"] != "ok"]
    sub = f"{doc['meta']['cpu']}, nproc {doc['meta']['nproc']}, kernel {doc['meta']['kernel']}, {doc['meta']['date']}"
    if doc["meta"]["quick"]:
        sub += " (quick run)"
    if unavailable:
        sub += " — unavailable: " + ", ".join(unavailable)
    colors = ["#d62728", "#ff9896", "#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#7f7f7f"]
    gp = os.path.join(a.raw, "chart.gp")
    with open(gp, "w", encoding="utf-8") as f:
        f.write(f"""set terminal pngcairo size 1500,720 enhanced font 'DejaVu Sans,11'
set output '{png}'
set title "Wall time relative to bare: median tool / median bare, same run (log scale; lower is better)\\n{sub}" noenhanced
set datafile separator "\\t"
set datafile missing "NaN"
set style data histograms
set style histogram clustered gap 1.5
set style fill solid 0.9 border lc rgb "#333333"
set boxwidth 0.9
set logscale y 2
set yrange [{ymin}:{ymax}]
set ytics ("0.5" 0.5, "1" 1, "2" 2, "4" 4, "8" 8, "16" 16, "32" 32, "64" 64, "128" 128, "256" 256, "512" 512)
set grid ytics lc rgb "#dddddd"
set ylabel "× bare"
set key top left horizontal noenhanced font ',11'
set xtics noenhanced nomirror
set border 3
set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 1.5 lc rgb "#000000" dt 2 front
""")
        plots = []
        for i, t in enumerate(tools):
            col = i + 2
            using = f"(${col}):xtic(1)" if i == 0 else f"(${col})"
            plots.append(f"'{dat}' using {using} title columnheader({col}) lc rgb '{colors[i % len(colors)]}'")
        # Value labels on the bars: bar k of n in cluster j sits at x = j + (k - (n-1)/2) / (n + gap).
        n, gapw = len(tools), 1.5
        for j, w in enumerate(workloads):
            cells = doc["results"].get(w["id"], {})
            for k, t in enumerate(tools):
                r = cells.get(t["id"], {}).get("ratio_to_bare")
                x = j + (k - (n - 1) / 2) / (n + gapw)
                if not r:
                    f.write(f"set label 'n/a' at {x:.4f}, {ymin * 1.2:.4f} center rotate by 90 font ',8' tc rgb '#888888'\n")
                    continue
                f.write(f"set label '{r:.1f}' at {x:.4f}, {r * 1.12:.4f} center font ',8' front\n")
        f.write(f"set xrange [-0.6:{len(workloads) - 0.4}]\n")
        f.write("plot " + ", \\\n     ".join(plots) + "\n")
    r = subprocess.run([gnuplot, gp], capture_output=True, text=True)
    if r.returncode != 0:
        return "gnuplot failed: " + r.stderr.strip()[-300:]
    return ""


if __name__ == "__main__":
    main()
