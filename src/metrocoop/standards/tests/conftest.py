import csv
from pathlib import Path

HEADER = ["parameter", "name", "limit_type", "city", "value", "unit", "standard", "category"]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path
