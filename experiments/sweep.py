"""Parameter sweep: every seed x every grid setting of a grid file, resumable.

Runs the points of GRID (TOML or JSON; the format is in ``neocognitron.workflow.sweep``) that have
no result in ``--out`` yet: serially, in ``--n-jobs`` joblib processes, or on the Dask
cluster at ``--scheduler``. Each point's result is written to ``--out/points/`` as soon as
it finishes, so an interrupted sweep is resumed by running the same command again; failed
points are recorded and retried by that rerun. Writes ``summary.json`` and ``summary.md``
(mean ± std over seeds per setting) and prints where they went. Exits with status 1 if a
point failed. Every invocation also leaves its provenance (command, git commit, versions,
machine, times; ``neocognitron.workflow.provenance``) in ``--out/provenance/run-<start time>.json``,
so a sweep resumed three times has three records; a folder refused as another's (exit
status 2) is left untouched. Uses the public API only.

    python experiments/sweep.py GRID [--out DIR] [--n-jobs N | --scheduler ADDRESS]
                                [--threads N] [--dry-run] [--quiet]

Examples::

    python experiments/sweep.py experiments/sweeps/digits_neocognitron.toml --n-jobs 2
    dask scheduler &  dask worker tcp://127.0.0.1:8786 --nworkers 2 --nthreads 1 &
    python experiments/sweep.py experiments/sweeps/digits_neocognitron.toml \\
        --scheduler tcp://127.0.0.1:8786
"""

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

from neocognitron import cli
from neocognitron.workflow import provenance
from neocognitron.workflow.results import FolderInUseError, ForeignFolderError
from neocognitron.workflow.sweep import check_folder, load_grid, read_records, run_sweep


def parse_args(argv):
    """The parser, the arguments, the output folder and the grid it reads."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("grid", help="grid file, .toml or .json")
    ap.add_argument("--out", default=None,
                    help="output folder, reused to resume (default results/sweeps/<grid name>)")
    run = ap.add_mutually_exclusive_group()
    run.add_argument("--n-jobs", type=cli.n_jobs, default=1,
                     help="joblib processes on this machine (-1: every core, -2: all but "
                          "one; default 1)")
    run.add_argument("--scheduler", default=None, metavar="ADDRESS",
                     help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    ap.add_argument("--threads", type=cli.threads, default=1, metavar="N",
                    help="BLAS and numba threads per point (default 1, the same numbers "
                         "with any executor; 'auto': the libraries' defaults)")
    ap.add_argument("--dry-run", action="store_true",
                    help="list the points and which are done; run nothing")
    ap.add_argument("--quiet", action="store_true", help="no progress bar")
    args = ap.parse_args(argv)
    out = Path(args.out) if args.out else Path("results") / "sweeps" / Path(args.grid).stem
    try:
        spec = load_grid(args.grid)
    except (ValueError, OSError) as exc:
        ap.error(str(exc))
    return ap, args, out, spec


def dry_run(spec, out):
    """``--dry-run``: list the points and which are done, failed or to run."""
    points = spec.points()
    results, errors = read_records(out, points)
    for p in points:
        state = "done" if p.key in results else "failed" if p.key in errors else "to run"
        print(f"{p.key}  seed {p.seed:<4d} {state:7s} {p.params}")
    print(f"{len(points)} points, {len(results)} done, {len(errors)} failed; "
          f"out: {out.resolve()}")
    return 0


def sweep(ap, args, argv, out, spec):
    """Run the points without a result, recording the provenance of this invocation;
    the sweep's report and the path of that record."""
    # one record per invocation: a resumed sweep keeps the provenance of every part of it
    name = datetime.now(timezone.utc).strftime("run-%Y%m%dT%H%M%S.%fZ.json")
    try:
        # before the record is written into it: a folder refused is left as it was
        check_folder(spec, out.resolve())
        with provenance.Run(out / "provenance", argv=argv, seeds=list(spec.seeds),
                            script=__file__, filename=name, parser=ap) as run:
            with run.stage("points"):
                report = run_sweep(spec, out, n_jobs=args.n_jobs, scheduler=args.scheduler,
                                   threads=args.threads, quiet=args.quiet)
    except (FolderInUseError, ForeignFolderError) as exc:  # another's folder: one line
        ap.exit(2, f"{ap.prog}: error: {exc}\n")
    return report, run.path


def say(report, out, record, quiet):
    """Print how many points are done, the summary table, every failure and the files."""
    s = report.summary
    print(f"{s['n_done']}/{s['n_points']} points done ({len(report.ran)} run now, "
          f"{report.n_skipped} from earlier runs) in {report.wall_time:.1f} s")
    if not quiet:
        print(report.summary_md.read_text().split("\n\n", 2)[-1].split("\n## ")[0])
    for e in report.errors:
        print(f"FAILED {e['key']} {e['params']} seed {e['seed']}: "
              f"{e['error'].splitlines()[0]}  ({out.resolve() / 'points' / e['key']}.error.json)")
    print("wrote:")
    for path in (report.summary_json, report.summary_md, out / "points", record):
        print(f"  {Path(path).resolve()}")


def main(argv=None):
    """Run the sweep; returns the process exit status (0: every point has a result)."""
    ap, args, out, spec = parse_args(argv)
    if args.dry_run:
        return dry_run(spec, out)
    try:
        report, record = sweep(ap, args, argv, out, spec)
    except KeyboardInterrupt:
        print(f"\ninterrupted: the finished points are in {out.resolve() / 'points'}; run the "
              "same command again to resume", file=sys.stderr)
        return 130
    say(report, out, record, args.quiet)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
