"""Write (or check) the Colab and student editions of every chapter, and the teachers' guide tables.

python -m tools.editions            # write colab/, student/, book/_generated/ and each chapter's run-time line
python -m tools.editions student    # only the student edition
python -m tools.editions --check    # exit 1 if a file is missing or stale
"""

import argparse
import sys

from tools.editions.build import EDITIONS, Book, expected_files
from tools.editions.guide import guide_files, timed_chapters

PARTS = (*EDITIONS, "guide")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.editions", description=__doc__.splitlines()[0])
    parser.add_argument("editions", nargs="*", metavar="PART", help=f"{', '.join(PARTS)}; default: all")
    parser.add_argument("--check", action="store_true", help="write nothing; fail if a file differs")
    args = parser.parse_args(argv)
    unknown = set(args.editions) - set(PARTS)
    if unknown:
        parser.error(f"unknown part {', '.join(sorted(unknown))}: choose from {', '.join(PARTS)}")
    parts = args.editions or list(PARTS)
    book = Book.load()
    stale = []
    files = {
        **expected_files(book, [e for e in EDITIONS if e in parts]),
        **(guide_files(book) if "guide" in parts else {}),
        **(timed_chapters(book) if "guide" in parts else {}),
    }
    for path, text in files.items():
        if path.is_file() and path.read_text() == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {path.relative_to(book.root)}")
    if args.check and stale:
        print("Stale or missing editions (run `make editions`):", *(str(p.relative_to(book.root)) for p in stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
