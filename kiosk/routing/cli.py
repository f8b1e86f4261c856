"""The ``kiosk route`` command: route one text, or score a labelled file."""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from kiosk.catalog import NO_ACTION_SERVICE, Catalog, load_catalog
from kiosk.config import LANGUAGES, load_settings
from kiosk.pulled_catalog import latest_catalog
from kiosk.routing.decision import Decision
from kiosk.routing.router import Router

logger = logging.getLogger(__name__)

WORST_CONFUSIONS = 10
"""How many of the most frequent mistakes an evaluation lists."""


@dataclass(frozen=True)
class Labelled:
    """One line of an evaluation file."""

    text: str
    lang: str
    service: str
    department: str


def add_parser(
    subparsers: Any, parents: Sequence[argparse.ArgumentParser] = ()
) -> argparse.ArgumentParser:
    """Register ``route`` on an argparse subparsers object."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "route",
        parents=list(parents),
        help="route a citizen's text to a service, or evaluate the router",
        description="Route TEXT, or score the router on a labelled JSONL file.",
    )
    parser.add_argument("text", nargs="?", help="what the citizen typed or said")
    parser.add_argument("--lang", default="ro", choices=LANGUAGES)
    parser.add_argument(
        "--eval",
        type=Path,
        metavar="FILE.jsonl",
        help="lines with text, lang, expected_service, expected_department",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run ``route`` as if ``kiosk route`` got ``argv``; the exit status."""
    parser = argparse.ArgumentParser(prog="kiosk")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["route", *(argv or [])])
    return run(args, out)


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """The handler of ``kiosk route``."""
    out = out or sys.stdout
    if (args.text is None) == (args.eval is None):
        print("kiosk route: give either TEXT or --eval FILE.jsonl", file=sys.stderr)
        return 2
    if args.eval is not None:
        # The file is read before the router is trained: a bad line is
        # reported at once, not after seconds of training.
        try:
            rows = read_labelled(args.eval)
        except LabelledLineError as exc:
            print(f"kiosk route: {exc}", file=sys.stderr)
            return 2
        except (OSError, UnicodeDecodeError) as exc:
            print(f"kiosk route: cannot read {args.eval}: {exc}", file=sys.stderr)
            return 1
        report = evaluate(Router(load_catalog()), rows)
        out.write(json.dumps(report) if args.json else format_report(report))
        out.write("\n")
        return 0
    decision = Router(_kiosk_catalog(args)).route(args.text, args.lang)
    out.write(
        json.dumps(decision_json(decision), ensure_ascii=False)
        if args.json
        else format_decision(decision, args.lang)
    )
    out.write("\n")
    return 0


def _kiosk_catalog(args: argparse.Namespace) -> Catalog:
    # A text is routed as the kiosk's screen would route it: with the
    # catalogue last pulled from the back-end, if there is a usable one.
    # An evaluation keeps to the shipped catalogue, so its figures compare.
    settings = load_settings(
        getattr(args, "config", None), getattr(args, "data_dir", None)
    )
    return latest_catalog(settings.storage.data_dir)


LABELLED_KEYS = ("text", "lang", "expected_service", "expected_department")
"""The keys every line of an evaluation file must have, each a string."""


class LabelledLineError(ValueError):
    """A line of an evaluation file is not a labelled example."""

    def __init__(self, path: Path, number: int, problem: str) -> None:
        self.path = path
        self.number = number
        self.problem = problem
        super().__init__(f"{path}, line {number}: {problem}")


def read_labelled(path: Path) -> list[Labelled]:
    """The labelled lines of a JSONL evaluation file.

    Raises:
        OSError: the file cannot be read.
        UnicodeDecodeError: the file is not UTF-8 text.
        LabelledLineError: a line is not a JSON object with the four keys.
    """
    rows = []
    # Split on newlines only: str.splitlines() also splits at characters a
    # JSON string may hold (U+2028, form feed), which shifts line numbers.
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if line.strip():
            rows.append(_labelled(path, number, line))
    return rows


def _labelled(path: Path, number: int, line: str) -> Labelled:
    try:
        entry = json.loads(line)
    except json.JSONDecodeError as exc:
        raise LabelledLineError(
            path, number, f"not valid JSON ({exc.msg} at column {exc.colno})"
        ) from exc
    except RecursionError as exc:
        raise LabelledLineError(path, number, "JSON nested too deeply") from exc
    if not isinstance(entry, dict):
        raise LabelledLineError(
            path, number, f"a JSON object is needed, not {_json_kind(entry)}"
        )
    missing = [key for key in LABELLED_KEYS if not isinstance(entry.get(key), str)]
    if missing:
        raise LabelledLineError(
            path, number, f"needs string values for {', '.join(missing)}"
        )
    return Labelled(
        text=entry["text"],
        lang=entry["lang"],
        service=entry["expected_service"],
        department=entry["expected_department"],
    )


def _json_kind(value: object) -> str:
    """How a decoded JSON value that is not an object reads in a message."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int | float):
        return "a number"
    return "an array" if isinstance(value, list) else "a string"


def routed_codes(decision: Decision) -> list[str]:
    """The service codes a decision stands for, the filed one first."""
    first = decision.service.code if decision.service else NO_ACTION_SERVICE
    codes = [first]
    for candidate in (*decision.candidates, *decision.ranking):
        if candidate.service.code not in codes:
            codes.append(candidate.service.code)
    return codes


def evaluate(router: Router, rows: Iterable[Labelled]) -> dict[str, Any]:
    """Accuracy, latency and the worst confusions of ``router`` on ``rows``."""
    outcomes: list[tuple[Labelled, list[str], str]] = []
    latencies = []
    for row in rows:
        started = time.perf_counter()
        decision = router.route(row.text, row.lang)
        latencies.append((time.perf_counter() - started) * 1000)
        codes = routed_codes(decision)
        department = router.catalog.service(codes[0]).department
        outcomes.append((row, codes, department))
    confusions = Counter(
        (row.service, codes[0]) for row, codes, _ in outcomes if codes[0] != row.service
    )
    report = _scores(outcomes)
    report.update(
        p50_ms=round(_percentile(latencies, 50), 3),
        p99_ms=round(_percentile(latencies, 99), 3),
        confusions=[
            {"expected": expected, "got": got, "count": count}
            for (expected, got), count in confusions.most_common(WORST_CONFUSIONS)
        ],
        per_language={
            lang: _scores([o for o in outcomes if o[0].lang == lang])
            for lang in sorted({row.lang for row, _, _ in outcomes})
        },
    )
    return report


def _scores(outcomes: list[tuple[Labelled, list[str], str]]) -> dict[str, Any]:
    n = len(outcomes)

    def share(hits: int) -> float:
        return round(hits / n, 4) if n else 0.0

    return {
        "n": n,
        "service_top1": share(sum(codes[0] == r.service for r, codes, _ in outcomes)),
        "department_top1": share(sum(d == r.department for r, _, d in outcomes)),
        "service_top3": share(sum(r.service in codes[:3] for r, codes, _ in outcomes)),
    }


def _percentile(values: list[float], percent: int) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def format_report(report: dict[str, Any]) -> str:
    """An evaluation report as lines for a terminal."""
    lines = [
        f"n={report['n']}  service_top1={report['service_top1']:.3f}  "
        f"department_top1={report['department_top1']:.3f}  "
        f"service_top3={report['service_top3']:.3f}",
        f"latency p50={report['p50_ms']:.2f} ms  p99={report['p99_ms']:.2f} ms",
        "per language:",
    ]
    for lang, scores in report["per_language"].items():
        lines.append(
            f"  {lang}: n={scores['n']}  service_top1={scores['service_top1']:.3f}  "
            f"department_top1={scores['department_top1']:.3f}  "
            f"service_top3={scores['service_top3']:.3f}"
        )
    lines.append("worst confusions (expected -> got):")
    lines.extend(
        f"  {c['count']}x {c['expected']} -> {c['got']}" for c in report["confusions"]
    )
    return "\n".join(lines)


def decision_json(decision: Decision) -> dict[str, Any]:
    """A decision as plain JSON data."""
    return {
        "kind": decision.kind.value,
        "service": decision.service.code if decision.service else None,
        "secondary": decision.secondary.code if decision.secondary else None,
        "prompt": dict(decision.prompt) if decision.prompt else None,
        "candidates": [c.service.code for c in decision.candidates],
        "ranking": [
            {
                "service": c.service.code,
                "department": c.service.department,
                "probability": round(c.probability, 4),
                "evidence": list(c.evidence),
            }
            for c in decision.ranking
        ],
    }


def format_decision(decision: Decision, lang: str) -> str:
    """A decision and its ranking as lines for a terminal."""
    lines = [f"decision: {decision.kind.value}"]
    if decision.service is not None:
        lines.append(
            f"service: {decision.service.code} ({decision.service.name(lang)})"
        )
    if decision.secondary is not None:
        lines.append(f"then offer: {decision.secondary.code}")
    if decision.prompt:
        lines.append(f"say: {decision.prompt.get(lang, '')}")
    lines.append("ranking:")
    lines.extend(
        f"  {c.probability:5.3f}  {c.service.code:<40} {', '.join(c.evidence)}"
        for c in decision.ranking
    )
    return "\n".join(lines)
