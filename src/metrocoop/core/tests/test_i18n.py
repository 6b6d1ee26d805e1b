"""Every string of the interface has its Chinese translation."""

from metrocoop.core import i18n


def test_every_interface_string_is_translated_to_chinese():
    assert i18n.missing() == []


def test_the_extractor_finds_template_and_python_strings():
    found = i18n.all_messages()
    assert "Dashboard" in found  # {% translate %} in a template
    assert "City liaison" in found  # gettext_lazy in choices.py
    assert found["%(n)s member city"] == "%(n)s member cities"  # blocktranslate with a plural
