#!/usr/bin/env python3
"""Prints the figures issue 21 set goals for, measured from the files:
functions over 80 lines, downcasts of a concrete destination in the engine,
`public` declarations in the library, files naming NACHET_ variables,
README.md's length. With --check, exits 1 when one is past its goal (no
function over 80 lines, no downcast, at most 25 public declarations,
NACHET_ names in at most 2 files, README.md at most 300 lines); a test of
the suite runs it so."""
import os
import re
import sys

LONG = 80


def swift_files(root):
    for folder, _, names in os.walk(root):
        for name in names:
            if name.endswith(".swift"):
                yield os.path.join(folder, name)


def long_functions(path):
    """(name, lines) of each func/init whose body is over LONG lines."""
    lines = open(path, encoding="utf-8").read().split("\n")
    found = []
    pattern = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|package|internal|private|fileprivate|static|mutating|nonisolated|override|final|convenience|required|@discardableResult)\s+)*(func\s+[^\s(<]+|init[?!]?)\s*[(<]")
    for index, line in enumerate(lines):
        match = pattern.match(line)
        if not match:
            continue
        depth = 0
        opened = False
        for end in range(index, len(lines)):
            text = re.sub(r'"(?:\\.|[^"\\])*"', '""', lines[end].split("//")[0])
            depth += text.count("{") - text.count("}")
            opened = opened or "{" in text
            if opened and depth <= 0:
                break
        length = end - index + 1
        if opened and length > LONG:
            found.append((match.group(1), length, index + 1))
    return found


def main():
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    longs = []
    for path in sorted(swift_files("Sources")):
        for name, length, line in long_functions(path):
            longs.append(f"{path}:{line} {name} ({length} lines)")
    print(f"functions over {LONG} lines: {len(longs)}")
    for entry in longs:
        print("  " + entry)

    downcasts = []
    for path in sorted(swift_files("Sources/NachetSync/Engine")):
        for number, line in enumerate(open(path, encoding="utf-8"), 1):
            if re.search(r"(as[?!]|\bis)\s*(DatastoreDestination|APIDestination)\b", line):
                downcasts.append(f"{path}:{number}")
    print(f"downcasts of a concrete destination in the engine: {len(downcasts)}")
    for entry in downcasts:
        print("  " + entry)

    public = 0
    for path in [*swift_files("Sources/NachetSync"), *swift_files("Sources/NachetSyncServer")]:
        public += sum(1 for line in open(path, encoding="utf-8") if re.match(r"^\s*(@\w+\s+)*public\b", line))
    print(f"public declarations in the library: {public}")

    naming = set()
    for path in swift_files("Sources"):
        code = [line for line in open(path, encoding="utf-8") if not line.strip().startswith("//")]
        if any(re.search(r"NACHET_[A-Z0-9_]*[A-Z0-9]\b", line) for line in code):
            naming.add(path)
    print(f"files naming NACHET_ variables: {len(naming)}")
    for entry in sorted(naming):
        print("  " + entry)

    readme = sum(1 for _ in open("README.md", encoding="utf-8"))
    print(f"README.md lines: {readme}")

    if "--check" in sys.argv:
        past = [
            name
            for name, figure, goal in [
                (f"functions over {LONG} lines", len(longs), 0),
                ("downcasts of a concrete destination", len(downcasts), 0),
                ("public declarations in the library", public, 25),
                ("files naming NACHET_ variables", len(naming), 2),
                ("README.md lines", readme, 300),
            ]
            if figure > goal
        ]
        for name in past:
            print(f"past its goal: {name}", file=sys.stderr)
        return 1 if past else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
