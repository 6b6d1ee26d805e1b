"""Demo data of the modules beyond core, loaded by `metrocoop demo`. Each module adds its loader here."""

from collections.abc import Callable

LOADERS: list[tuple[str, Callable[[], int]]] = []


def load_module_demo_data(stdout=None) -> str:
    parts = []
    for name, loader in LOADERS:
        parts.append(f"{loader()} {name}")
    return ", ".join(parts)
