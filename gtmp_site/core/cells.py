"""Spreadsheet cells that cannot run: text that a spreadsheet would take as a
formula (=, +, -, @, tab, carriage return first) is written with a leading
apostrophe, as OWASP advises against CSV injection, and read back without it."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` as a spreadsheet will show it, never run it. Numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def read_cell(value):
    """The text a ``safe_cell`` was made from: an imported export reads back as exported."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
