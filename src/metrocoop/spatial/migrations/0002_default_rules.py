"""The three conflict rules with their default distances (the office edits them afterwards)."""

from django.db import migrations

RULES = [
    (
        "near_water_protection",
        "排污口或港口临近他市饮用水水源保护区",
        "Outfall or port near another city's water protection zone",
        5000,
    ),
    ("discontinuous_corridor", "生态廊道或城际线路在边界处中断", "Corridor or intercity line stops at a border", 2000),
    ("unshared_monitoring", "边界河流监测站数据未共享", "Border monitoring station whose data is not shared", 2000),
]


def create(apps, schema_editor):
    ConflictRule = apps.get_model("spatial", "ConflictRule")
    for kind, zh, en, distance in RULES:
        ConflictRule.objects.get_or_create(kind=kind, defaults={"name_zh": zh, "name_en": en, "distance_m": distance})


class Migration(migrations.Migration):
    dependencies = [("spatial", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
