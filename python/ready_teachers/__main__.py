"""`python3 -m ready_teachers [--only ID ...] [--data DIR] [--out DIR] [--work DIR]` (npm run make-ready-teachers)."""
import argparse
import pathlib

from .make import make
from .recipes import TEACHERS

ROOT = pathlib.Path(__file__).resolve().parents[2]


def main():
    parser = argparse.ArgumentParser(prog="ready_teachers", description=__doc__)
    parser.add_argument("--only", nargs="+", choices=list(TEACHERS), default=list(TEACHERS), help="which teachers (default: all)")
    parser.add_argument("--data", default="/work/shared/datasets/cifar10-subset", help="the CIFAR-10 subset (cifar-10-batches-bin/ or .tar.gz)")
    parser.add_argument("--out", default=str(ROOT / "public" / "teachers"), help="where the teachers and manifest.json go")
    parser.add_argument("--work", default="/tmp/ready-teachers", help="scratch folder for the runs")
    args = parser.parse_args()
    make(args.only, pathlib.Path(args.data), pathlib.Path(args.out), pathlib.Path(args.work))


if __name__ == "__main__":
    main()
