import pytest


@pytest.fixture
def paper_data(reference):
    """表2 and the positioning framework on top of 表1 (loaded for every test database)."""
    from metrocoop.indicators.paper import load_positioning, load_table2

    load_table2()
    load_positioning()
    return reference
