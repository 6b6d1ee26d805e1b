"""Demo data of the modules beyond core, loaded by `metrocoop demo`: each app's demo_data.py `load() -> str`."""

from metrocoop.discovery import app_modules


def load_module_demo_data(stdout=None) -> str:
    parts = []
    for app, module in app_modules("demo_data"):
        if stdout is not None:
            stdout.write(f"  demo data: {app} …")
        parts.append(module.load())
    return ", ".join(p for p in parts if p)
