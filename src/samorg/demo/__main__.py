"""``python -m samorg.demo [--seed N]``: regenerate the demo world into the current directory."""

from __future__ import annotations

import argparse
from pathlib import Path

from samorg.demo import generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samorg.demo", description=__doc__)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--root", type=Path, default=Path("."))
    args = parser.parse_args(argv)
    generate(args.root, seed=args.seed)
    print(f"Demo world written under {args.root.resolve()} (seed {args.seed}).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
